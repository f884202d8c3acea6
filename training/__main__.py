"""`python -m training ...` is the same as `samplematch-train ...`."""
from training.cli import main

raise SystemExit(main())

import sys

from samplematch_gui.cli import main

sys.exit(main())

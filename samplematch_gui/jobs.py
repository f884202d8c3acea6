"""Long work as plain functions: `job(cancel, report)` stops with `Cancelled` once its flag is set.

The core's long operations (scans, index loads, rankings, overviews) take a cancel flag and a progress
callback of these types; ui/workers.py runs such a job off the GUI thread in one call. The flag and its
exception live in model.cancel, so the model's own long analyses stop the same way.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from model.cancel import CancelFlag, Cancelled, check_cancelled

__all__ = ["CancelFlag", "Cancelled", "Job", "Progress", "check_cancelled"]

Progress = Callable[[Any], None]  # report(payload): what the job has done so far
Job = Callable[[CancelFlag | None, Progress], Any]  # None: run to the end (the CLI)

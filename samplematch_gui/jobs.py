"""Long work as plain functions: `job(cancel, report)` stops with `Cancelled` once its flag is set.

The core's long operations (scans, index loads, rankings, overviews) take a cancel flag and a progress
callback of these types; ui/workers.py runs such a job off the GUI thread in one call.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Cancelled(Exception):
    """A long operation stopped because its cancel flag was set."""


class CancelFlag(Protocol):
    """threading.Event satisfies it."""

    def is_set(self) -> bool: ...


Progress = Callable[[Any], None]  # report(payload): what the job has done so far
Job = Callable[[CancelFlag | None, Progress], Any]  # None: run to the end (the CLI)


def check_cancelled(cancel: CancelFlag | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()

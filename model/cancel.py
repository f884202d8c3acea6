"""Stopping long work: a job stops with `Cancelled` once its flag is set (samplematch_gui.jobs runs such jobs)."""
from __future__ import annotations

from typing import Protocol


class Cancelled(Exception):
    """A long operation stopped because its cancel flag was set."""


class CancelFlag(Protocol):
    """threading.Event satisfies it."""

    def is_set(self) -> bool: ...


def check_cancelled(cancel: CancelFlag | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled()

"""A one-line terminal progress bar for the CLI (stderr, redrawn in place)."""
from __future__ import annotations

import os
import sys
from typing import TextIO


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self._drawn = False

    def update(self, done: int, total: int, current: str = "", eta: float | None = None) -> None:
        frac = done / total if total else 1.0
        filled = int(frac * self.width)
        name = os.path.basename(current)[:40]
        line = (f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} "
                f"{frac:4.0%} left {_clock(eta)} {name}")
        self.stream.write(line.ljust(100))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

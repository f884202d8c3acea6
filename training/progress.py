"""A tqdm progress bar behind the plain progress(done, total, text) callbacks of long functions."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from tqdm import tqdm


class Bar:
    """progress(done, total, text): one bar, replaced when the total or the phase ("phase: ...") changes."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None
        self._phase: tuple[int, str] | None = None

    def __call__(self, done: int, total: int, text: str = "") -> None:
        phase = (total, text.split(":")[0] if ":" in text else "")
        if self._bar is None or phase != self._phase or done < self._bar.n:
            self.close()
            self._bar, self._phase = tqdm(total=total, dynamic_ncols=True, mininterval=0.5), phase
        self._bar.set_postfix_str(text, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def cancel_on_signals():
    """An Event set by the first Ctrl-C / SIGTERM (long work then stops cleanly); a second Ctrl-C kills.

    The previous handlers come back on exit.
    """
    event = threading.Event()

    def handler(signum, frame):
        if event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        event.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield event
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)

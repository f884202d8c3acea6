"""Keeps the sound libraries' diagnostics off the terminal: ALSA's "ALSA lib pcm.c:...", PortAudio's
"Expression '...' failed in 'src/hostapi/alsa/pa_linux_alsa.c'" and JACK's "Cannot connect to server socket".

They write straight to file descriptor 2, from any thread (PortAudio's audio thread too), and neither
library lets this build switch them off. While someone holds the filter, descriptor 2 is a pipe; a thread
passes every line on to the real stderr except those. Python's own sys.stderr writes past the pipe meanwhile,
to a copy of the real descriptor: its lines and the audio thread's, written at once, cannot mix.
"""
from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

NOISE = re.compile(rb"(ALSA lib |Expression '.*' failed in '|Cannot connect to server|jack server is not running"
                   rb"|JackShmReadWritePtr|Cannot lock down)")


def without_noise(line: bytes) -> bytes | None:
    """A line (no newline) with the libraries' noise taken out: None when it was all noise, else what stays; a
    line another thread's message broke into keeps its start, and goes on in the next line (its own end)."""
    found = NOISE.search(line)
    if found is None:
        return line + b"\n"
    return line[:found.start()] or None


class StderrFilter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: int | None = None  # the real stderr while the pipe stands in for it
        self._pump: threading.Thread | None = None
        self._direct: TextIO | None = None  # Python's way to the real stderr while filtering; kept open
        self._python: TextIO | None = None  # sys.stderr as it was

    def hold(self) -> None:
        with self._lock:
            self._holders += 1
            if self._holders == 1:
                self._start()

    def release(self) -> None:
        with self._lock:
            self._holders = max(0, self._holders - 1)
            if self._holders == 0:
                self._stop()

    def _start(self) -> None:
        try:
            saved = os.dup(2)
        except OSError:  # no stderr at all (started from a desktop launcher): nothing to keep clean
            return
        read, write = os.pipe()
        _flush_python_stderr()
        os.dup2(write, 2)
        os.close(write)
        self._saved = saved
        python = sys.stderr
        if python is sys.__stderr__ and python is not None:  # not a test runner's capture
            if self._direct is None:
                self._direct = os.fdopen(os.dup(saved), "w", buffering=1, encoding=python.encoding,
                                         errors=python.errors)
            self._python, sys.stderr = python, self._direct
        self._pump = threading.Thread(target=_pump, args=(read, os.dup(saved)), name="stderr-filter",
                                      daemon=True)
        self._pump.start()

    def _stop(self) -> None:
        if self._saved is None:
            return
        _flush_python_stderr()
        if self._python is not None:
            sys.stderr, self._python = self._python, None
        os.dup2(self._saved, 2)  # closes the pipe's last write end: the pump drains it and ends
        os.close(self._saved)
        self._saved = None
        if self._pump is not None:
            self._pump.join(timeout=1.0)  # a child process may still hold the pipe: then it ends later
            self._pump = None


def _flush_python_stderr() -> None:
    try:
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):
        pass


def _pump(read: int, out: int) -> None:
    pending = b""
    try:
        while chunk := os.read(read, 65536):
            *lines, pending = (pending + chunk).split(b"\n")
            kept = b"".join(filter(None, map(without_noise, lines)))
            if kept:
                os.write(out, kept)
        if pending and NOISE.search(pending) is None:
            os.write(out, pending)
    except OSError:
        pass
    finally:
        os.close(read)
        os.close(out)


FILTER = StderrFilter()


@contextmanager
def quiet() -> Iterator[None]:
    FILTER.hold()
    try:
        yield
    finally:
        FILTER.release()

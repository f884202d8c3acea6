"""A dropped bounce, opened once: its info, overview and every query excerpt are read through one open
audio.AudioFile, whichever thread asks (reads take turns)."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from model import audio
from model.windows import cut_excerpts, excerpt_starts, fit_key
from samplematch_gui.jobs import CancelFlag, Cancelled, check_cancelled
from samplematch_gui.overview import BLOCK_FRAMES, Overview, block_overview, envelope


class BounceFile:
    def __init__(self, path: str | Path):
        """Raises audio.AudioError, naming what is wrong, for a file that is plainly unusable."""
        self.path = str(path)
        self._audio = audio.AudioFile(path)
        try:
            self.info = self._audio.usable()
        except BaseException:
            self._audio.close()
            raise
        self._lock = threading.Lock()
        self._closed = False
        self._whole: np.ndarray | None = None  # the decoded file, only where its length is unknown

    def close(self) -> None:
        """Safe from any thread; a read in progress finishes first (and its caller gets Cancelled after)."""
        self._closed = True
        if self._lock.acquire(blocking=False):
            try:
                self._release()
            finally:
                self._lock.release()

    def _release(self) -> None:
        self._audio.close()

    def frames(self, region: tuple[float, float] | None) -> tuple[int, int] | None:
        """A region in seconds as frames of the file (None: the whole file)."""
        rate = self.info.sample_rate
        return None if region is None else (int(region[0] * rate), int(region[1] * rate))

    def seconds(self) -> float:
        """The file's length (a file whose length only decoding tells is decoded for it)."""
        if self.info.frames > 0:
            return self.info.duration
        return len(self._decoded()) / self.info.sample_rate

    def span(self, start: float, end: float, sample_rate: int, cancel: CancelFlag | None = None) -> np.ndarray:
        """Mono float32 at sample_rate from `start` to `end` seconds (to play it), read in blocks."""
        rate = self.info.sample_rate
        first, last = int(start * rate), int(end * rate)
        if self.info.frames <= 0:
            return audio.resample(self._decoded()[first:last], rate, sample_rate)
        blocks = []
        for at in range(first, last, BLOCK_FRAMES):
            check_cancelled(cancel)
            block = self._read(at, min(BLOCK_FRAMES, last - at))
            if not len(block):
                break
            blocks.append(block)
        wave = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
        return audio.resample(wave, rate, sample_rate)

    def _read(self, start: int, count: int) -> np.ndarray:
        """count mono frames from frame start at the file's rate (fewer at its end)."""
        with self._lock:
            if self._closed:
                self._release()
                raise Cancelled()
            return self._audio.mono(start, count)

    def _decoded(self) -> np.ndarray:
        """The whole file, mono at its own rate (for a file whose length is known only once decoded)."""
        if self._whole is None:
            self._whole = self._read(0, -1)
            if not len(self._whole):
                raise audio.AudioError("empty file (no audio frames)")
        return self._whole

    def overview(self, points: int, cancel: CancelFlag | None = None) -> Overview:
        rate, frames = self.info.sample_rate, self.info.frames
        if frames <= 0:
            wave = self._decoded()
            return Overview(*envelope(wave, points), len(wave) / rate)
        overview = block_overview(self._read, frames, self.info.duration, points, cancel)
        if overview is None:
            raise audio.AudioError("empty file (no audio frames)")
        return overview

    def excerpts(self, sample_rate: int, window_seconds: float, count: int,
                 region: tuple[float, float] | None = None, cancel: CancelFlag | None = None) -> np.ndarray:
        """(n, window) excerpts at sample_rate spread evenly over region (seconds; None = all).

        Only the excerpts are decoded, so an hour-long bounce costs no more than a short one.
        """
        info = self.info
        if region is not None and info.frames > 0 and region[0] >= info.duration:
            raise audio.AudioError(f"the region starts at {region[0]:g} s, after the end of the file "
                                   f"({info.duration:.1f} s)")
        rate = info.sample_rate
        window = int(round(window_seconds * sample_rate))
        if info.frames <= 0:
            wave = audio.resample(self._decoded(), rate, sample_rate)
            span = None if region is None else (int(region[0] * sample_rate), int(region[1] * sample_rate))
            return cut_excerpts(wave, window, count, span)
        read = int(np.ceil(window_seconds * rate))
        excerpts = []
        for start in excerpt_starts(info.frames, int(round(window_seconds * rate)), count, self.frames(region)):
            check_cancelled(cancel)
            excerpts.append(fit_key(audio.resample(self._read(start, read), rate, sample_rate), window))
        return np.stack(excerpts)

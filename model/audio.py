"""Audio input: any libsndfile format, any rate (8-192 kHz), channels and bit depth -> mono fp32.

Resampling is band-limited (scipy's polyphase FIR with a Kaiser window, computed by model.resample).
Every failure is an AudioError with a one-line message naming the file, so a scan can report it and go on.
"""
from __future__ import annotations

import os
import re
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf

from model.resample import resample_poly
from model.windows import cut_excerpts, excerpt_starts, fit_key

AUDIO_EXTENSIONS = frozenset({".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac", ".ogg", ".oga",
                              ".opus", ".mp3"})
MIN_RATE, MAX_RATE = 8000, 192000
_DECODE_ERRORS = (sf.LibsndfileError, RuntimeError, ValueError)


class AudioError(Exception):
    """A file that cannot be used as audio; str() is a message fit to show the user."""


@dataclass(frozen=True)
class AudioInfo:
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


def is_audio_path(path: str | Path) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


class AudioFile:
    """One open audio file: its info, and mono float32 reads of any part of it.

    Python opens the file and libsndfile decodes from that file object: an OS error then reads
    "permission denied", a path may be as long as the OS allows (libsndfile's own open stops at
    1,024 bytes), and libsndfile does not guess the format from the name (a text file named
    .mp3 is "not an audio file", not mpg123's "possibly a pipe?").
    """

    def __init__(self, path: str | Path):
        self.path = path
        self._file = _open_regular_file(path)
        try:
            # mpg123 prints notes on damaged frames straight to the terminal; the AudioError says it once.
            self._quiet = _starts_like_mpeg(self._file)
            with self._decoding():
                self._snd = sf.SoundFile(self._file)
        except OSError as exc:  # the drive went away, a bad sector
            self._file.close()
            raise AudioError(f"cannot read the file ({exc.strerror or exc})") from None
        except BaseException:
            self._file.close()
            raise
        self.info = AudioInfo(int(self._snd.samplerate), int(self._snd.channels), int(self._snd.frames))

    def close(self) -> None:
        self._snd.close()
        self._file.close()

    def __enter__(self) -> AudioFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def usable(self) -> AudioInfo:
        """The info, or an AudioError for what makes a file unusable: no frames, a rate out of range."""
        if self.info.frames <= 0 and not _unknown_length(self.path):
            raise AudioError("empty file (no audio frames)")
        if not MIN_RATE <= self.info.sample_rate <= MAX_RATE:
            raise AudioError(f"unsupported sample rate {self.info.sample_rate} Hz (8-192 kHz)")
        return self.info

    def mono(self, start: int = 0, frames: int = -1) -> np.ndarray:
        """`frames` frames (-1: all) from frame `start`, mixed to mono float32 at the file's rate."""
        if 0 < self.info.frames <= start:
            return np.zeros(0, np.float32)
        with self._decoding():
            self._snd.seek(start)
            data = self._snd.read(frames, dtype="float32", always_2d=True)
        return _mono(data)

    def load(self, sample_rate: int, max_seconds: float | None = None,
             start_seconds: float = 0.0) -> np.ndarray:
        """Mono float32 at sample_rate, reading only from start_seconds for at most max_seconds."""
        rate = self.info.sample_rate
        frames = -1 if max_seconds is None else int(np.ceil(max_seconds * rate))
        wave = self.mono(int(start_seconds * rate), frames)
        if len(wave) == 0:
            raise AudioError("empty file (no audio frames)")
        return resample(wave, rate, sample_rate)

    def blocks(self, frames: int) -> Iterator[np.ndarray]:
        """The file from its start as mono float32 blocks of `frames` (the last may be shorter)."""
        with self._decoding():
            self._snd.seek(0)
        while True:
            with self._decoding():
                data = self._snd.read(frames, dtype="float32", always_2d=True)
            if len(data) == 0:
                return
            yield _mono(data)

    def excerpts(self, sample_rate: int, window_seconds: float, count: int,
                 region: tuple[float, float] | None = None) -> np.ndarray:
        """(n, window) excerpts spread evenly over region (seconds), read straight from the file.

        Only the excerpts are decoded, so an hour-long bounce costs no more than a short one.
        """
        info = self.usable()
        if region is not None and info.frames > 0 and region[0] >= info.duration:
            raise AudioError(f"the region starts at {region[0]:g} s, after the end of the file "
                             f"({info.duration:.1f} s)")
        rate = info.sample_rate
        window = int(round(window_seconds * sample_rate))
        if info.frames <= 0:  # length unknown until decoded
            at = None if region is None else (int(region[0] * sample_rate), int(region[1] * sample_rate))
            return cut_excerpts(self.load(sample_rate), window, count, at)
        span = None if region is None else (int(region[0] * rate), int(region[1] * rate))
        starts = excerpt_starts(info.frames, int(round(window_seconds * rate)), count, span)
        return np.stack([fit_key(self.load(sample_rate, window_seconds, s / rate), window) for s in starts])

    @contextmanager
    def _decoding(self):
        with _decoder_noise_hidden() if self._quiet else nullcontext():
            try:
                yield
            except _DECODE_ERRORS as exc:
                raise AudioError(_explain(exc)) from None


def probe(path: str | Path) -> AudioInfo:
    with AudioFile(path) as f:
        return f.info


def check(path: str | Path) -> AudioInfo:
    """probe() plus what makes a file unusable before decoding: no frames, a rate out of range."""
    with AudioFile(path) as f:
        return f.usable()


def load(path: str | Path, sample_rate: int = 44100, max_seconds: float | None = None,
         start_seconds: float = 0.0) -> np.ndarray:
    """Decode to a mono float32 array at sample_rate.

    max_seconds / start_seconds read only the part needed, so huge files cost no more than that.
    """
    return load_with_info(path, sample_rate, max_seconds, start_seconds)[0]


def load_with_info(path: str | Path, sample_rate: int = 44100, max_seconds: float | None = None,
                   start_seconds: float = 0.0) -> tuple[np.ndarray, AudioInfo]:
    """load() plus the file's own rate, channels and length (one open of the file)."""
    with AudioFile(path) as f:
        info = f.usable()
        return f.load(sample_rate, max_seconds, start_seconds), info


def mono_blocks(path: str | Path, frames: int) -> Iterator[np.ndarray]:
    """The file as mono float32 blocks of `frames` (the last may be shorter) at its own rate."""
    with AudioFile(path) as f:
        yield from f.blocks(frames)


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return np.ascontiguousarray(x, dtype=np.float32)
    ratio = Fraction(rate_out, rate_in).limit_denominator(1000)
    y = resample_poly(x.astype(np.float32), ratio.numerator, ratio.denominator)
    return np.ascontiguousarray(y, dtype=np.float32)


def _mono(data: np.ndarray) -> np.ndarray:
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    return np.nan_to_num(mono, nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32, copy=False)


def _open_regular_file(path: str | Path):
    # Non-blocking, so that a named pipe is refused instead of waiting for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise AudioError("file not found") from None
    except PermissionError:
        raise AudioError("permission denied") from None
    except IsADirectoryError:
        raise AudioError("a folder, not an audio file") from None
    except OSError as exc:
        raise AudioError(f"cannot open the file ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise AudioError("a folder, not an audio file")
        if not stat.S_ISREG(st.st_mode):
            raise AudioError("not a regular file (a pipe or a device?)")
        if st.st_size == 0:
            raise AudioError("empty file (0 bytes)")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _starts_like_mpeg(f) -> bool:
    head = f.read(3)
    f.seek(0)
    return head == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


_stderr_lock = threading.RLock()


@contextmanager
def _decoder_noise_hidden():
    """File descriptor 2 points to the null device meanwhile (decoders write to it from C).

    What other threads print in that moment is lost too, so it wraps MPEG decoding only.
    """
    with _stderr_lock:
        try:
            if sys.stderr is not None:
                sys.stderr.flush()
            saved = os.dup(2)
        except OSError:  # no standard error at all (a windowed app): nothing to hide
            saved = None
        if saved is None:
            yield
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(null)


def _unknown_length(path: str | Path) -> bool:
    # libsndfile reports 0 frames for some streamed formats it can still decode.
    return Path(path).suffix.lower() in {".mp3"}


def _explain(exc: Exception) -> str:
    text = exc.error_string if isinstance(exc, sf.LibsndfileError) else str(exc)
    text = re.sub(r"^Error opening .*?: ", "", text.strip())  # the caller shows the path
    lowered = text.lower()
    if "format not recognised" in lowered or "unknown format" in lowered:
        return "not an audio file libsndfile can read (format not recognised)"
    if any(w in lowered for w in ("truncat", "unexpected end", "malformed", "error in", "chunk")):
        return f"damaged or truncated audio ({text})"
    return f"cannot decode audio ({text.splitlines()[0] if text else type(exc).__name__})"


def load_excerpts(path: str | Path, sample_rate: int, window_seconds: float, count: int,
                  region: tuple[float, float] | None = None) -> np.ndarray:
    """AudioFile.excerpts of the file at path."""
    with AudioFile(path) as f:
        return f.excerpts(sample_rate, window_seconds, count, region)

"""Audio input: any libsndfile format, any rate (8-192 kHz), channels and bit depth -> mono fp32.

Resampling is band-limited (scipy's polyphase FIR with a Kaiser window). Every failure is an
AudioError with a one-line message naming the file, so a scan can report it and go on.
"""
from __future__ import annotations

from collections.abc import Iterator

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from model.windows import cut_excerpts, excerpt_starts, fit_key

AUDIO_EXTENSIONS = frozenset({".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac", ".ogg", ".oga",
                              ".opus", ".mp3"})
MIN_RATE, MAX_RATE = 8000, 192000


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


def probe(path: str | Path) -> AudioInfo:
    try:
        if Path(path).stat().st_size == 0:
            raise AudioError("empty file (0 bytes)")
        info = sf.info(str(path))
    except FileNotFoundError:
        raise AudioError("file not found") from None
    except UnicodeError:
        raise AudioError("the file name is not valid UTF-8 text; rename the file") from None
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(_explain(exc)) from None
    return AudioInfo(int(info.samplerate), int(info.channels), int(info.frames))


def check(path: str | Path) -> AudioInfo:
    """probe() plus what makes a file unusable before decoding: no frames, a rate out of range."""
    info = probe(path)
    if info.frames <= 0 and not _unknown_length(path):
        raise AudioError("empty file (no audio frames)")
    if not MIN_RATE <= info.sample_rate <= MAX_RATE:
        raise AudioError(f"unsupported sample rate {info.sample_rate} Hz (8-192 kHz)")
    return info


def load(path: str | Path, sample_rate: int = 44100, max_seconds: float | None = None,
         start_seconds: float = 0.0) -> np.ndarray:
    """Decode to a mono float32 array at sample_rate.

    max_seconds / start_seconds read only the part needed, so huge files cost no more than that.
    """
    return load_with_info(path, sample_rate, max_seconds, start_seconds)[0]


def load_with_info(path: str | Path, sample_rate: int = 44100, max_seconds: float | None = None,
                   start_seconds: float = 0.0) -> tuple[np.ndarray, AudioInfo]:
    """load() plus the file's own rate, channels and length (one open of the file)."""
    info = check(path)
    start = int(start_seconds * info.sample_rate)
    stop = None if max_seconds is None else start + int(np.ceil(max_seconds * info.sample_rate))
    try:
        data, rate = sf.read(str(path), start=start, stop=stop, dtype="float32", always_2d=True)
    except FileNotFoundError:
        raise AudioError("file not found") from None
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise AudioError(_explain(exc)) from None
    if data.shape[0] == 0:
        raise AudioError("empty file (no audio frames)")
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    mono = np.nan_to_num(mono, nan=0.0, posinf=0.0, neginf=0.0)
    return resample(mono, int(rate), sample_rate), info


def mono_blocks(path: str | Path, frames: int) -> Iterator[np.ndarray]:
    """The file as mono float32 blocks of `frames` (the last may be shorter) at its own rate."""
    try:
        for data in sf.blocks(str(path), blocksize=frames, dtype="float32", always_2d=True):
            yield np.nan_to_num(data.mean(axis=1), nan=0.0, posinf=0.0, neginf=0.0)
    except FileNotFoundError:
        raise AudioError("file not found") from None
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as exc:
        raise AudioError(_explain(exc)) from None


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return np.ascontiguousarray(x, dtype=np.float32)
    ratio = Fraction(rate_out, rate_in).limit_denominator(1000)
    y = resample_poly(x.astype(np.float32), ratio.numerator, ratio.denominator)
    return np.ascontiguousarray(y, dtype=np.float32)


def _unknown_length(path: str | Path) -> bool:
    # libsndfile reports 0 frames for some streamed formats it can still decode.
    return Path(path).suffix.lower() in {".mp3"}


def _explain(exc: Exception) -> str:
    text = re.sub(r"^Error opening .*?: ", "", str(exc).strip())  # the caller shows the path
    lowered = text.lower()
    if "format not recognised" in lowered or "unknown format" in lowered:
        return "not an audio file libsndfile can read (format not recognised)"
    if "permission" in lowered:
        return "permission denied"
    if "no such file" in lowered:
        return "file not found"
    if any(w in lowered for w in ("truncat", "unexpected end", "malformed", "error in", "chunk")):
        return f"damaged or truncated audio ({text})"
    return f"cannot decode audio ({text.splitlines()[0] if text else type(exc).__name__})"


def load_excerpts(path: str | Path, sample_rate: int, window_seconds: float, count: int,
                  region: tuple[float, float] | None = None) -> np.ndarray:
    """(n, window) excerpts spread evenly over region (seconds), read straight from the file.

    Only the excerpts are decoded, so an hour-long bounce costs no more than a short one.
    """
    info = check(path)
    if region is not None and info.frames > 0 and region[0] >= info.duration:
        raise AudioError(f"the region starts at {region[0]:g} s, after the end of the file "
                         f"({info.duration:.1f} s)")
    rate = info.sample_rate
    span = None if region is None else (int(region[0] * rate), int(region[1] * rate))
    window = int(round(window_seconds * sample_rate))
    if info.frames <= 0:  # length unknown until decoded
        return cut_excerpts(load(path, sample_rate), window, count,
                            None if region is None else tuple(int(t * sample_rate) for t in region))
    starts = excerpt_starts(info.frames, int(round(window_seconds * rate)), count, span)
    return np.stack([fit_key(load(path, sample_rate, window_seconds, s / rate), window)
                     for s in starts])

"""Generated drum hits and a toy song for tests (no audio files are shipped)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

SR = 44100


def _env(n: int, decay: float, sr: int = SR) -> np.ndarray:
    return np.exp(-np.arange(n) / (decay * sr))


def kick(rng: np.random.Generator, f0: float = 55.0, seconds: float = 0.6) -> np.ndarray:
    n = int(seconds * SR)
    t = np.arange(n) / SR
    freq = f0 + 120 * np.exp(-t * 30)
    return (0.9 * np.sin(2 * np.pi * np.cumsum(freq) / SR) * _env(n, 0.15)).astype(np.float32)


def snare(rng: np.random.Generator, seconds: float = 0.4) -> np.ndarray:
    n = int(seconds * SR)
    t = np.arange(n) / SR
    body = np.sin(2 * np.pi * 190 * t) * _env(n, 0.05)
    return (0.5 * body + 0.4 * rng.standard_normal(n) * _env(n, 0.08)).astype(np.float32)


def hat(rng: np.random.Generator, decay: float = 0.05, seconds: float = 0.5) -> np.ndarray:
    n = int(seconds * SR)
    noise = np.diff(rng.standard_normal(n + 1))  # tilted towards highs
    return (0.3 * noise * _env(n, decay)).astype(np.float32)


def cymbal(rng: np.random.Generator, seconds: float = 2.0) -> np.ndarray:
    n = int(seconds * SR)
    noise = np.diff(rng.standard_normal(n + 1))
    return (0.25 * noise * _env(n, seconds / 3)).astype(np.float32)


def song(rng: np.random.Generator, seconds: float, sr: int = SR) -> np.ndarray:
    """Stereo (n, 2) groove: kick on beats, snare on 2 and 4, hats, a bass line."""
    n = int(seconds * sr)
    out = np.zeros(n, np.float32)
    beat = int(0.5 * sr)
    k, s, h = kick(rng), snare(rng), hat(rng)
    for i, start in enumerate(range(0, n, beat // 2)):
        for hit, on in ((k, i % 2 == 0), (s, i % 4 == 2), (h, True)):
            if on:
                end = min(n, start + len(hit))
                out[start:end] += hit[: end - start]
    t = np.arange(n) / sr
    out += 0.2 * np.sin(2 * np.pi * 55 * (1 + (t // 2 % 2) * 0.5) * t)
    out /= max(1e-9, np.abs(out).max()) / 0.8
    return np.stack([out, 0.9 * out], axis=1)


def write(path: Path, wave: np.ndarray, sr: int = SR) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, wave, sr)
    return path

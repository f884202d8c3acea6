"""Cutting model inputs: a key window from a one-shot, query excerpts from a bounce region."""
from __future__ import annotations

import numpy as np


def fit_key(wave: np.ndarray, key_samples: int) -> np.ndarray:
    """Zero-pad or crop a one-shot to exactly key_samples."""
    out = np.zeros(key_samples, dtype=np.float32)
    n = min(len(wave), key_samples)
    out[:n] = wave[:n]
    return out


def excerpt_starts(total: int, window: int, count: int, region: tuple[int, int] | None = None
                   ) -> list[int]:
    """Start offsets of `count` windows spread evenly over region (samples, default all).

    A region shorter than one window yields one start at the region start (the excerpt is
    zero-padded by the caller).
    """
    lo, hi = region if region is not None else (0, total)
    lo, hi = max(0, min(lo, total)), max(0, min(hi, total))
    if hi - lo <= window or count <= 1:
        return [lo] if hi - lo <= window else [lo + (hi - lo - window) // 2]
    return [int(s) for s in np.unique(np.linspace(lo, hi - window, count).round().astype(int))]


def cut_excerpts(wave: np.ndarray, window: int, count: int,
                 region: tuple[int, int] | None = None) -> np.ndarray:
    """(n, window) excerpts of wave; fewer than count when the region is too short to differ."""
    starts = excerpt_starts(len(wave), window, count, region)
    return np.stack([fit_key(wave[s:s + window], window) for s in starts])

"""Waveform overviews: per-bucket (min, max) of a mono signal, or of a file read block by block.

A bounce can be an hour long; its overview is read in blocks of about a million frames, so
memory stays flat and the read can be cancelled between blocks.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from samplematch_gui.jobs import CancelFlag, check_cancelled

BLOCK_FRAMES = 1 << 20


@dataclass(frozen=True)
class Overview:
    low: np.ndarray  # per-bucket minimum, float32
    high: np.ndarray  # per-bucket maximum
    duration: float  # seconds


def envelope(samples: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-bucket (min, max) of a mono signal, `points` buckets at most."""
    x = np.asarray(samples, dtype=np.float32)
    if len(x) == 0:
        return np.zeros(1, np.float32), np.zeros(1, np.float32)
    buckets = min(points, len(x))
    usable = len(x) // buckets * buckets
    frames = x[:usable].reshape(buckets, -1)
    return frames.min(axis=1), frames.max(axis=1)


def block_overview(read: Callable[[int, int], np.ndarray], frames: int, duration: float, points: int,
                   cancel: CancelFlag | None = None) -> Overview | None:
    """The overview of `frames` mono frames that read(start, count) returns block by block; None if none came."""
    bucket = -(-frames // points)  # ceil: at most `points` buckets
    block = max(1, BLOCK_FRAMES // bucket) * bucket
    lows, highs = [], []
    for start in range(0, frames, block):
        check_cancelled(cancel)
        mono = read(start, block)
        if not len(mono):
            break
        pad = -len(mono) % bucket
        if pad:  # the last bucket: repeat its final sample rather than invent silence
            mono = np.concatenate([mono, np.full(pad, mono[-1], np.float32)])
        buckets = mono.reshape(-1, bucket)
        lows.append(buckets.min(axis=1))
        highs.append(buckets.max(axis=1))
    if not lows:
        return None
    return Overview(np.concatenate(lows), np.concatenate(highs), duration)

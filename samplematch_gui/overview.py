"""Waveform overviews: per-bucket (min, max) of a mono signal, or of a file read block by block.

A bounce can be an hour long; its overview is read in blocks of about a million frames, so
memory stays flat and the read can be cancelled between blocks.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model import audio
from samplematch_gui.engine import Cancelled

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


def file_overview(path: str | Path, points: int, cancel=None) -> Overview:
    """The overview of an audio file at its own rate, never holding more than one block."""
    info = audio.check(path)
    if info.frames <= 0:  # length unknown until decoded (some MP3s): decode it whole
        wave = audio.load(path, info.sample_rate)
        return Overview(*envelope(wave, points), len(wave) / info.sample_rate)
    bucket = -(-info.frames // points)  # ceil: at most `points` buckets
    block = max(1, BLOCK_FRAMES // bucket) * bucket
    lows, highs = [], []
    for mono in audio.mono_blocks(path, block):
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        pad = -len(mono) % bucket
        if pad:  # the last bucket: repeat its final sample rather than invent silence
            mono = np.concatenate([mono, np.full(pad, mono[-1], np.float32)])
        frames = mono.reshape(-1, bucket)
        lows.append(frames.min(axis=1))
        highs.append(frames.max(axis=1))
    if not lows:
        raise audio.AudioError("empty file (no audio frames)")
    return Overview(np.concatenate(lows), np.concatenate(highs), info.duration)

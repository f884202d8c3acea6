"""Kit multiplication: one coherent transform per song, applied to every piece of its kit.

A drummer retunes and dampens the whole kit and an engineer processes all of it alike, so one recorded
kit yields many distinct kits whose pieces still belong together: pitch (+-3 semitones, like a sampler:
duration changes too), decay shortening, EQ tilt, saturation and transient emphasis, each randomly on.
Parameters are plain JSON (stored in song.json "kit_transform").
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import lfilter, resample_poly

from .production import tilt


def random_kit_transform(rng: np.random.Generator) -> dict:
    params: dict = {}
    if rng.random() < 0.7:
        params["semitones"] = round(float(rng.uniform(-3, 3)), 2)
    if rng.random() < 0.4:
        params["decay_s"] = round(float(rng.uniform(0.15, 0.8)), 3)
    if rng.random() < 0.5:
        params["tilt"] = {"db": round(float(rng.uniform(-8, 8)), 2),
                          "pivot_hz": round(float(rng.uniform(300, 3000)), 1)}
    if rng.random() < 0.3:
        params["drive"] = round(float(rng.uniform(1.5, 5.0)), 2)
    if rng.random() < 0.4:
        params["transient_db"] = round(float(rng.uniform(2, 9)), 2)
    return params


def _pitch(wave: np.ndarray, semitones: float) -> np.ndarray:
    ratio = Fraction(2 ** (-semitones / 12)).limit_denominator(64)   # >1 = longer = lower
    return resample_poly(wave, ratio.numerator, ratio.denominator).astype(np.float32)


def _decay(wave: np.ndarray, sr: int, decay_s: float) -> np.ndarray:
    """An extra exponential decay (-60 dB at decay_s) from the peak on: a damped drum, a gated tail."""
    peak = int(np.argmax(np.abs(wave)))
    t = np.arange(len(wave) - peak) / sr
    out = wave.copy()
    out[peak:] *= np.exp(-6.9 * t / decay_s)
    return out


def _transient(wave: np.ndarray, sr: int, db: float) -> np.ndarray:
    """Boost the attack: gain follows a fast envelope minus a slow one (a transient designer)."""
    env = np.abs(wave).astype(np.float64)
    fast = lfilter([1 - np.exp(-1 / (0.001 * sr))], [1, -np.exp(-1 / (0.001 * sr))], env)
    slow = lfilter([1 - np.exp(-1 / (0.03 * sr))], [1, -np.exp(-1 / (0.03 * sr))], env)
    attack = np.clip((fast - slow) / (fast + 1e-9), 0, 1)
    return (wave * (1 + (10 ** (db / 20) - 1) * attack)).astype(np.float32)


def apply_kit_transform(wave: np.ndarray, params: dict, sr: int) -> np.ndarray:
    """One sample through the song's kit transform; the peak level is kept (velocity gains come later)."""
    if wave.size == 0 or not params:
        return wave
    peak = float(np.max(np.abs(wave)))
    y = np.asarray(wave, np.float32)
    if "semitones" in params:
        y = _pitch(y, params["semitones"])
    if "decay_s" in params:
        y = _decay(y, sr, params["decay_s"])
    if "tilt" in params:
        y = tilt(y.astype(np.float64), sr, **params["tilt"]).astype(np.float32)
    if "transient_db" in params:
        y = _transient(y, sr, params["transient_db"])
    if "drive" in params:
        y = np.tanh(params["drive"] * y / (np.max(np.abs(y)) + 1e-12)).astype(np.float32)
    out_peak = float(np.max(np.abs(y)))
    return y * (peak / out_peak) if out_peak > 0 else y


class KitTransform:
    """The song's transform as a per-sample callable, each distinct sample transformed once."""

    def __init__(self, params: dict, sr: int):
        self.params, self.sr = params, sr
        self._done: dict[int, np.ndarray] = {}

    def __call__(self, wave: np.ndarray) -> np.ndarray:
        key = id(wave)
        if key not in self._done:
            self._done[key] = apply_kit_transform(wave, self.params, self.sr)
        return self._done[key]

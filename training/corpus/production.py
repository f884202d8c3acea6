"""One production chain per song, applied identically to every stem (so a one-shot cut from a processed
drum stem carries the same colour as the rest of the song).

Stages (each randomly on/off): a measured room (an impulse response from the drum pack's room mics, see
rooms.py) or a synthetic reverb (decaying-noise impulse response), EQ tilt, tanh saturation, compression,
lo-fi (bit depth + sample-rate reduction). Parameters are plain JSON for song.json "chain".
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.ndimage import maximum_filter1d
from scipy.signal import fftconvolve, lfilter


def random_chain(rng: np.random.Generator, rooms: tuple[str, ...] = ()) -> dict:
    """rooms: impulse-response files (.npy) a song may be placed in."""
    chain: dict = {}
    if rooms and rng.random() < 0.35:
        chain["room"] = {"ir_file": rooms[int(rng.integers(len(rooms)))], "wet": round(float(rng.uniform(0.2, 0.7)), 3)}
    elif rng.random() < 0.6:
        chain["reverb"] = {"decay_s": round(float(rng.uniform(0.2, 1.8)), 3),
                           "wet": round(float(rng.uniform(0.05, 0.35)), 3),
                           "brightness": round(float(rng.uniform(0.2, 0.9)), 3),
                           "ir_seed": int(rng.integers(0, 2 ** 31))}
    if rng.random() < 0.6:
        chain["tilt"] = {"db": round(float(rng.uniform(-6, 6)), 2), "pivot_hz": round(float(rng.uniform(400, 2500)), 1)}
    if rng.random() < 0.4:
        chain["saturation"] = {"drive": round(float(rng.uniform(1.0, 6.0)), 3)}
    if rng.random() < 0.5:
        chain["compression"] = {"threshold_db": round(float(rng.uniform(-30, -10)), 2),
                                "ratio": round(float(rng.uniform(2, 8)), 2),
                                "release_s": round(float(rng.uniform(0.03, 0.3)), 3)}
    if rng.random() < 0.2:
        chain["lofi"] = {"bits": int(rng.integers(6, 13)), "downsample": int(rng.integers(1, 5))}
    return chain


def apply_chain(wave: np.ndarray, chain: dict, sr: int) -> np.ndarray:
    """Process one stem (same length out as in; a reverb tail beyond the end is cut)."""
    y = np.asarray(wave, np.float64)
    if "tilt" in chain:
        y = tilt(y, sr, **chain["tilt"])
    if "saturation" in chain:
        y = _saturate(y, **chain["saturation"])
    if "compression" in chain:
        y = _compress(y, sr, **chain["compression"])
    if "reverb" in chain:
        y = _reverb(y, sr, **chain["reverb"])
    if "room" in chain:
        y = _convolve(y, _room_ir(chain["room"]["ir_file"]), chain["room"]["wet"])
    if "lofi" in chain:
        y = _lofi(y, **chain["lofi"])
    return y.astype(np.float32)


def impulse_response(sr: int, decay_s: float, brightness: float, ir_seed: int) -> np.ndarray:
    rng = np.random.default_rng(ir_seed)
    n = int(decay_s * sr)
    t = np.arange(n) / sr
    noise = rng.standard_normal(n) * np.exp(-6.9 * t / decay_s)   # -60 dB at decay_s
    a = 1.0 - brightness                                             # darker rooms: stronger one-pole low-pass
    ir = lfilter([1 - a], [1, -a], noise)
    return ir / (np.sqrt(np.sum(ir ** 2)) + 1e-12)


def _reverb(y, sr, decay_s, wet, brightness, ir_seed):
    return _convolve(y, impulse_response(sr, decay_s, brightness, ir_seed), wet)


@lru_cache(maxsize=16)
def _room_ir(path: str) -> np.ndarray:
    return np.load(path).astype(np.float64)


def _convolve(y, ir, wet):
    if not np.any(y):
        return y
    return (1 - wet) * y + wet * fftconvolve(y, ir)[: len(y)]


def tilt(y, sr, db, pivot_hz):
    # One-pole split at the pivot: boost one side by db/2, cut the other by db/2.
    a = np.exp(-2 * np.pi * pivot_hz / sr)
    low = lfilter([1 - a], [1, -a], y)
    high = y - low
    g = 10 ** (db / 40)
    return low / g + high * g


def _saturate(y, drive):
    return np.tanh(drive * y) / np.tanh(drive)


def _compress(y, sr, threshold_db, ratio, release_s):
    hop = max(1, sr // 500)
    n = -(-len(y) // hop)
    padded = np.pad(np.abs(y), (0, n * hop - len(y)))
    env = padded.reshape(n, hop).max(axis=1)
    env = maximum_filter1d(env, max(1, int(release_s * sr / hop)))  # centred: a little look-ahead, hold
    level_db = 20 * np.log10(env + 1e-9)
    gain_db = np.minimum(0.0, (threshold_db - level_db) * (1 - 1 / ratio))
    gain = np.repeat(10 ** (gain_db / 20), hop)[: len(y)]
    makeup = 10 ** (-threshold_db * (1 - 1 / ratio) / 40)   # half the gain reduction at full scale back
    return y * gain * makeup


def _lofi(y, bits, downsample):
    if downsample > 1:
        y = np.repeat(y[::downsample], downsample)[: len(y)]
    q = 2.0 ** (bits - 1)
    return np.round(y * q) / q

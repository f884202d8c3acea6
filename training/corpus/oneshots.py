"""Onset detection (spectral flux) and one-shot extraction from percussion stems.

As in the paper, the hits kept are those whose next onset is farthest away, so the one-shot keeps most of
its decay/reverb tail. Each cut runs from a few ms before its onset to the next onset (or max_seconds).
"""
from __future__ import annotations

import numpy as np
from scipy.ndimage import maximum_filter1d, uniform_filter1d

N_FFT = 512
HOP = 256
SILENCE_PEAK = 1e-4          # stems quieter than this (about -80 dBFS) hold no hits
RELATIVE_FLOOR = 0.04        # flux peaks below this fraction of the strongest one are ignored
PRE_ROLL_S = 0.004
FADE_S = 0.010
MIN_GAP_S = 0.03
MIN_ONESHOT_S = 0.02


def spectral_flux(wave: np.ndarray) -> np.ndarray:
    """Half-wave rectified log-magnitude flux, one value per hop (frame i centred at i*HOP)."""
    padded = np.pad(wave.astype(np.float32), (N_FFT // 2, N_FFT // 2))
    n_frames = 1 + (len(padded) - N_FFT) // HOP
    if n_frames < 2:
        return np.zeros(max(n_frames, 0), np.float32)
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    frames = padded[idx] * np.hanning(N_FFT).astype(np.float32)
    mag = np.log1p(100.0 * np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(np.diff(mag, axis=0), 0.0).sum(axis=1)
    return np.concatenate([[0.0], flux]).astype(np.float32)


def detect_onsets(wave: np.ndarray, sr: int, min_gap_s: float = MIN_GAP_S) -> np.ndarray:
    """Onset positions in samples (ascending)."""
    wave = np.asarray(wave, np.float32)
    if wave.size == 0 or np.max(np.abs(wave)) < SILENCE_PEAK:
        return np.zeros(0, np.int64)
    flux = spectral_flux(wave)
    if flux.max() <= 0:
        return np.zeros(0, np.int64)
    local_span = max(3, int(0.15 * sr / HOP))
    threshold = 1.5 * uniform_filter1d(flux, local_span) + RELATIVE_FLOOR * flux.max()
    gap_frames = max(1, int(min_gap_s * sr / HOP))
    is_peak = (flux == maximum_filter1d(flux, 2 * gap_frames + 1)) & (flux > threshold)
    onsets, last = [], -10 ** 9
    for frame in np.flatnonzero(is_peak).tolist():
        if frame - last >= gap_frames:
            onsets.append(_refine(wave, frame * HOP, sr))
            last = frame
    return np.unique(np.asarray(onsets, np.int64))


def _refine(wave: np.ndarray, centre: int, sr: int) -> int:
    """Sample where the attack starts: walk back from the envelope peak near the flux peak."""
    lo, hi = max(0, centre - N_FFT), min(len(wave), centre + N_FFT // 2)
    env = uniform_filter1d(np.abs(wave[lo:hi]), max(1, sr // 2000))
    if env.size == 0:
        return centre
    peak = int(np.argmax(env))
    below = np.flatnonzero(env[:peak] < 0.1 * env[peak])
    return lo + (int(below[-1]) + 1 if below.size else 0)


def extract_oneshots(stem_wave: np.ndarray, sr: int, count: int, max_seconds: float = 4.0) -> list[np.ndarray]:
    """Up to `count` one-shots, the hits with the longest gap to the next onset first."""
    wave = np.asarray(stem_wave, np.float32)
    onsets = detect_onsets(wave, sr)
    if onsets.size == 0 or count <= 0:
        return []
    nexts = np.append(onsets[1:], len(wave))
    order = sorted(range(len(onsets)), key=lambda i: (-(nexts[i] - onsets[i]), i))
    pre, fade = int(PRE_ROLL_S * sr), int(FADE_S * sr)
    shots = []
    for i in order[:count]:
        start = max(0, onsets[i] - pre)
        stop = min(nexts[i] - pre if i + 1 < len(onsets) else nexts[i], start + int(max_seconds * sr))
        cut = wave[start:stop].copy()
        if len(cut) < MIN_ONESHOT_S * sr or np.max(np.abs(cut)) < SILENCE_PEAK:
            continue
        n = min(fade, len(cut) // 4)
        cut[len(cut) - n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
        shots.append(cut)
    return shots


def oneshot_count(genre: str) -> int:
    """Paper: 5 one-shots per acoustic percussion stem, 1 per electronic one (they are mostly identical)."""
    return 1 if genre == "electronic" else 5


LIBRARY_PEAK = 10 ** (-1 / 20)


def library_sample(wave: np.ndarray, sr: int, max_seconds: float = 4.0) -> np.ndarray:
    """A kit sample as it sits in a producer's library: from just before its attack, at most max_seconds,
    peak-normalised to -1 dBFS (empty when silent)."""
    wave = np.asarray(wave, np.float32)
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    if peak < SILENCE_PEAK:
        return np.zeros(0, np.float32)
    start = max(0, int(np.argmax(np.abs(wave) > 1e-3 * peak)) - int(PRE_ROLL_S * sr))
    return wave[start:start + int(max_seconds * sr)] * (LIBRARY_PEAK / peak)

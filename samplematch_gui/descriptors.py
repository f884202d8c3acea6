"""Audible descriptors a producer knows, each a plain signal measure of a sound (numpy only).

brightness: the spectral centroid (Hz); attack: the time the level takes from 20 dB below its peak to within
3 dB of it; decay: the time from the peak until the level has fallen 20 dB below it for good; tonal: the share
of the energy in sharp spectral peaks (partials 10 dB above the spectrum around them: 1 for a pure tone, near 0
for noise of any band; spectral flatness would call a hi-hat's band of noise tonal); low end: the share of the
energy below 150 Hz. The level is the RMS over 8-ms windows every 2 ms; the three spectral measures read one
spectrum, the mean power of ~46-ms Hann frames (half overlapping) over the sound.

A bounce is measured on its hits: each onset detected in its excerpts (spectral flux peaks), from just before
the onset to the next one (0.5 s at most), and each descriptor is the median over the hits (at most MAX_HITS of
them, at even steps). A hit holds whatever else plays at that moment, so these describe the bounce's hits, not
its drum track alone.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from model.oneshot_features import is_silent

LEVEL_WINDOW_S, LEVEL_HOP_S = 0.008, 0.002
ATTACK_FROM_DB, ATTACK_TO_DB, DECAY_DB = -20.0, -3.0, -20.0
PEAK_OVER_DB, PEAK_SURROUND_BINS = 10.0, 8
LOW_END_HZ = 150.0
ONESHOT_SECONDS = 3.0  # a one-shot is measured on its first seconds (a long tail adds nothing to these)
HIT_MAX_S, HIT_LEAD_S, HIT_MIN_GAP_S = 0.5, 0.01, 0.05
FLUX_FLOOR = 0.05  # mean rise per bin: a steady tone's frames wobble by ~0.006, a mix's hits rise by 0.5-1
MIN_HITS = 3  # fewer detected hits: the bounce has no clear hits to describe
MAX_HITS = 64  # more are measured at even steps among them: a median needs no more


@dataclass(frozen=True)
class Descriptors:
    brightness_hz: float
    attack_s: float
    decay_s: float
    tonal: float
    low_share: float


def measure(wave: np.ndarray, rate: int) -> Descriptors | None:
    """The descriptors of one sound (mono float32 at rate); None for silence."""
    wave = np.asarray(wave, np.float32)[:int(ONESHOT_SECONDS * rate)]
    if len(wave) < int(LEVEL_WINDOW_S * rate) or is_silent(wave):
        return None
    attack, decay = _attack_and_decay(wave, rate)
    freqs, power = _mean_spectrum(wave, rate)
    total = power.sum()
    return Descriptors(float(freqs @ power / total), attack, decay, _tonal_share(power),
                       float(power[freqs < LOW_END_HZ].sum() / total))


def measure_hits(excerpts: np.ndarray, rate: int) -> Descriptors | None:
    """A bounce's descriptors: the median over the hits detected in its excerpts ((n, frames) at rate); None
    when it has fewer than MIN_HITS clear hits."""
    found = [hit for wave in np.atleast_2d(excerpts) for hit in hits(wave, rate)]
    step = max(1, -(-len(found) // MAX_HITS))
    measured = [d for hit in found[::step] if (d := measure(hit, rate)) is not None]
    if len(measured) < MIN_HITS:
        return None
    return Descriptors(*(float(np.median([getattr(d, f.name) for d in measured])) for f in fields(Descriptors)))


def hits(wave: np.ndarray, rate: int) -> list[np.ndarray]:
    """The wave cut at its onsets: each piece from HIT_LEAD_S before one onset to the next (HIT_MAX_S at most)."""
    starts = onsets(wave, rate)
    lead, longest = int(HIT_LEAD_S * rate), int(HIT_MAX_S * rate)
    ends = np.append(starts[1:], len(wave))[:len(starts)]
    return [wave[max(0, s - lead):min(e, s + longest)] for s, e in zip(starts, ends, strict=True)]


def onsets(wave: np.ndarray, rate: int) -> np.ndarray:
    """Sample positions of the onsets: peaks of the spectral flux (the mean rise of the log spectrum) well above
    its median and FLUX_FLOOR, at least HIT_MIN_GAP_S apart, in frames loud enough to be heard."""
    frame = _frame(rate)
    hop = frame // 4
    if len(wave) < frame * 2:
        return np.zeros(0, np.int64)
    frames = np.lib.stride_tricks.sliding_window_view(wave, frame)[::hop]
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(frame).astype(np.float32), axis=1))
    log_mag = np.log1p(100.0 * spectrum)
    flux = np.concatenate([[0.0], np.maximum(np.diff(log_mag, axis=0), 0).mean(axis=1)])
    level = 20 * np.log10(np.sqrt((frames ** 2).mean(axis=1)) + 1e-9)
    spread = np.median(np.abs(flux - np.median(flux))) + 1e-9
    peak = (flux > max(np.median(flux) + 4 * spread, FLUX_FLOOR)) & (level > level.max() - 40)
    peak[1:-1] &= (flux[1:-1] >= flux[:-2]) & (flux[1:-1] >= flux[2:])
    gap, last, picked = max(1, int(HIT_MIN_GAP_S * rate / hop)), None, []
    for i in np.flatnonzero(peak).tolist():
        if last is None or i - last >= gap:
            picked.append(i)
            last = i
    return np.array(picked, np.int64) * hop + frame // 2  # a frame's centre


def decay_seconds(wave: np.ndarray, rate: int) -> float:
    """How long the sound takes to fall DECAY_DB below its peak for good."""
    return _attack_and_decay(np.asarray(wave, np.float32), rate)[1]


def _frame(rate: int) -> int:
    """About 23 ms, a power of two (1024 at 44.1 kHz)."""
    return 1 << int(round(np.log2(0.023 * rate)))


def _level_db(wave: np.ndarray, rate: int) -> tuple[np.ndarray, float]:
    """RMS in dB over LEVEL_WINDOW_S windows about every LEVEL_HOP_S, and the hop in seconds."""
    window, hop = max(1, int(LEVEL_WINDOW_S * rate)), max(1, int(LEVEL_HOP_S * rate))
    energy = np.concatenate([[0.0], np.cumsum(np.square(wave, dtype=np.float64))])
    starts = np.arange(0, max(1, len(wave) - window + 1), hop)
    rms = np.sqrt((energy[np.minimum(starts + window, len(wave))] - energy[starts]) / window)
    return 20 * np.log10(rms + 1e-9), hop / rate


def _attack_and_decay(wave: np.ndarray, rate: int) -> tuple[float, float]:
    level, hop_s = _level_db(wave, rate)
    peak = int(np.argmax(level))
    top = level[peak]
    rise = level[:peak + 1]
    start = int(np.argmax(rise >= top + ATTACK_FROM_DB))
    reached = int(np.argmax(rise >= top + ATTACK_TO_DB))
    above = np.flatnonzero(level[peak:] >= top + DECAY_DB)
    return (reached - start) * hop_s, float(above[-1] + 1) * hop_s


def _mean_spectrum(wave: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(bin frequencies, mean power of the Hann frames); ~46-ms frames keep partials 20-odd Hz apart apart."""
    frame = 2 * _frame(rate)
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(wave, (0, max(0, frame - len(wave)))), frame)
    spectrum = np.fft.rfft(frames[::frame // 2] * np.hanning(frame).astype(np.float32), axis=1)
    power = (spectrum.real ** 2 + spectrum.imag ** 2).mean(axis=0) + 1e-20
    return np.fft.rfftfreq(frame, 1 / rate), power


def _tonal_share(power: np.ndarray) -> float:
    """The share of the energy in bins PEAK_OVER_DB above the median around them."""
    level = 10 * np.log10(power)
    around = np.lib.stride_tricks.sliding_window_view(np.pad(level, PEAK_SURROUND_BINS, mode="edge"),
                                                      2 * PEAK_SURROUND_BINS + 1)
    tonal = level > np.median(around, axis=1) + PEAK_OVER_DB
    return float(power[tonal].sum() / power.sum())

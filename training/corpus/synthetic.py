"""Numpy-only kits and accompaniment (no Debian packages): CI tests and a fallback generator.

Kits: synthesised kick/snare/hats/ride/crash/toms/clap with random timbres (two velocity layers each).
Accompaniment: 16-step drum patterns with variations, a bass line on the chord roots and sustained chords.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from .charts import random_chart
from .kits import Kit, Layer, Piece
from .layout import SAMPLE_RATE as SR
from .parts import Accompaniment

N_KITS = 8


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * SR)) / SR


def _highpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    a = np.exp(-2 * np.pi * cutoff / SR)
    return x - lfilter([1 - a], [1, -a], x)


def _lowpass(x: np.ndarray, cutoff: float) -> np.ndarray:
    a = np.exp(-2 * np.pi * cutoff / SR)
    return lfilter([1 - a], [1, -a], x)


def _norm(x: np.ndarray, peak: float = 0.9) -> np.ndarray:
    return (x * (peak / (np.max(np.abs(x)) + 1e-9))).astype(np.float32)


def _drum(rng, f_end, f_start, decay, noise, length=0.8):
    t = _t(length)
    freq = f_end + (f_start - f_end) * np.exp(-t / 0.03)
    tone = np.sin(2 * np.pi * np.cumsum(freq) / SR) * np.exp(-t / decay)
    return tone + noise * rng.standard_normal(len(t)) * np.exp(-t / 0.01)


def _noise_hit(rng, decay, cutoff, length, tone_hz=0.0):
    t = _t(length)
    x = _highpass(rng.standard_normal(len(t)), cutoff) * np.exp(-t / decay)
    if tone_hz:   # metallic partials for cymbals
        ratios = (1.0, 1.48, 1.93, 2.59, 3.37)
        x += 0.3 * sum(np.sin(2 * np.pi * tone_hz * r * t) for r in ratios) * np.exp(-t / decay)
    return x


def _piece(name: str, role: str, make) -> Piece:
    """Two velocity layers: the hard one brighter (less low-passed) and louder."""
    soft, hard = make(0.55), make(1.0)
    return Piece(name, role, [Layer(0.0, 0.5, wave=_norm(soft, 0.6)), Layer(0.5, 1.0, wave=_norm(hard, 0.9))])


def synth_kit(rng: np.random.Generator, index: int) -> Kit:
    electronic = bool(rng.random() < 0.5)
    k = dict(f_end=rng.uniform(40, 70), f_start=rng.uniform(120, 320), decay=rng.uniform(0.08, 0.5))
    s = dict(tone=rng.uniform(150, 260), decay=rng.uniform(0.05, 0.25), cutoff=rng.uniform(800, 4000))
    hat_cut, hat_tone = rng.uniform(5000, 9000), rng.uniform(300, 700)
    cym_tone, tom_base = rng.uniform(250, 600), rng.uniform(70, 120)

    def snare(v: float) -> np.ndarray:
        return (0.6 * _drum(rng, s["tone"], s["tone"] * 1.5, s["decay"] * 0.7, 0.0, 0.4)
                + v * _noise_hit(rng, s["decay"], s["cutoff"], 0.4))

    pieces = [
        _piece("kick", "kick", lambda v: _lowpass(_drum(rng, k["f_end"], k["f_start"], k["decay"], 0.3 * v),
                                                  2000 + 6000 * v)),
        _piece("snare", "snare", snare),
        _piece("closed hat", "hihat", lambda v: _noise_hit(rng, rng.uniform(0.02, 0.06), hat_cut * v, 0.15, hat_tone)),
        _piece("pedal hat", "hihat", lambda v: _noise_hit(rng, 0.03, hat_cut * 0.8, 0.15, hat_tone)),
        _piece("open hat", "hihat", lambda v: _noise_hit(rng, rng.uniform(0.15, 0.4), hat_cut * v, 0.7, hat_tone)),
        _piece("ride", "ride", lambda v: _noise_hit(rng, rng.uniform(0.5, 1.0), 3000, 1.6, cym_tone) * 0.5),
        _piece("crash", "crash", lambda v: _noise_hit(rng, rng.uniform(0.5, 1.2), 1500 * v + 500, 2.0, cym_tone * 1.3)),
        _piece("clap", "perc", lambda v: sum(np.roll(_noise_hit(rng, 0.03, 900, 0.3), int(d * SR))
                                             for d in (0.0, 0.011, 0.023))),
    ]
    for name, mult in (("low tom", 1.0), ("mid tom", 1.35), ("high tom", 1.8)):
        pieces.append(_piece(name, "tom", lambda v, m=mult: _drum(rng, tom_base * m, tom_base * m * 1.6,
                                                                   rng.uniform(0.15, 0.4), 0.2 * v)))
    return Kit(f"synthetic:kit{index:02d}", "synthetic", "numpy synthesis", "CC0 (generated)", electronic, pieces)


def synthetic_kits(seed: int, count: int = N_KITS) -> list[Kit]:
    return [synth_kit(np.random.default_rng([seed, 991, i]), i) for i in range(count)]


def _drum_pattern(rng) -> dict[int, list[int]]:
    """GM note -> steps (0..15) of a one-bar pattern."""
    kick = sorted({0, 8} | set(rng.choice([3, 6, 10, 11, 14], size=int(rng.integers(0, 3)), replace=False).tolist()))
    hats = list(range(0, 16, int(rng.choice([1, 2, 4]))))
    pattern = {36: kick, 38: [4, 12], 42: [s for s in hats if s != 14]}
    if rng.random() < 0.5:
        pattern[46] = [14]
    if rng.random() < 0.3:
        pattern[51] = list(range(0, 16, 4))
    if rng.random() < 0.3:
        pattern[39] = [12]
    return pattern


def synthetic_accompaniment(rng: np.random.Generator, seconds: float, genre: str) -> Accompaniment:
    tempo = float(rng.integers(90, 140))
    step = 60.0 / tempo / 4
    bars = int(np.ceil(seconds / (16 * step)))
    chart = random_chart(rng, bars)
    pattern = _drum_pattern(rng)
    hits = []
    for bar in range(bars):
        t0 = bar * 16 * step
        for note, steps in pattern.items():
            hits += [(t0 + s * step, note, int(rng.integers(70, 128))) for s in steps]
        if bar % 4 == 0:
            hits.append((t0, 49, 120))
        if bar % 4 == 3:
            hits += [(t0 + s * step, note, 100) for s, note in ((12, 50), (13, 47), (14, 45), (15, 41))]
    n = int(round(seconds * SR))
    bass, chords = np.zeros(n), np.zeros(n)
    bass_steps = sorted({0, 8} | set(rng.choice(16, size=int(rng.integers(1, 5)), replace=False).tolist()))
    bright, chord_wave = rng.uniform(300, 1500), rng.choice(["sine", "saw"])
    for bar, chord in enumerate(chart):
        t0 = bar * 16 * step
        for s in bass_steps:
            _add_note(bass, t0 + s * step, 2 * step, 12 * 2 + chord.root + 12, "saw", 0.1)
        for pitch in chord.pitches(4):
            _add_note(chords, t0, 16 * step, pitch, chord_wave, 0.6)
    melodic = [("bass", "bass", _norm(_lowpass(bass, bright), 0.5)), ("chords", "chords", _norm(chords, 0.4))]
    hits = [h for h in hits if h[0] < seconds]
    return Accompaniment(hits, melodic, {"generator": "synthetic", "tempo": tempo, "chords": [c.name for c in chart]})


def _add_note(out: np.ndarray, start_s: float, dur_s: float, pitch: int, shape: str, release: float) -> None:
    start = int(start_s * SR)
    if start >= len(out):
        return
    t = _t(dur_s + release)[: len(out) - start]
    freq = 440.0 * 2 ** ((pitch - 69) / 12)
    phase = (freq * t) % 1.0
    wave = np.sin(2 * np.pi * phase) if shape == "sine" else 2 * phase - 1
    env = np.minimum(1.0, t / 0.01) * np.where(t < dur_s, 1.0, np.exp(-(t - dur_s) / (release / 4 + 1e-3)))
    out[start:start + len(t)] += wave * env

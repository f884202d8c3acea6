"""Each audible descriptor on synthetic sounds whose property is known, and a bounce's hits."""
import math

import numpy as np
import pytest

from samplematch_gui.descriptors import decay_seconds, measure, measure_hits, onsets

SR = 44100


def _noise(seconds: float = 1.0, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(int(seconds * SR))


def _band(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    return np.fft.irfft(spectrum * ((freqs >= lo) & (freqs < hi)), len(x))


def _envelope(n: int, attack: float, decay: float) -> np.ndarray:
    """A linear rise over `attack` seconds, then exp(-t / decay)."""
    t = np.arange(n) / SR
    rise = np.clip(t / attack, 0, 1) if attack > 0 else np.ones(n)
    return rise * np.exp(-np.maximum(t - attack, 0) / decay)


def _burst(wave: np.ndarray, attack: float = 0.0, decay: float = 0.1) -> np.ndarray:
    wave = wave * _envelope(len(wave), attack, decay)
    return (0.8 * wave / np.abs(wave).max()).astype(np.float32)


def test_brightness_is_the_spectral_centroid():
    bright = measure(_burst(_band(_noise(), 4000, 8000)), SR)
    dark = measure(_burst(_band(_noise(), 200, 400)), SR)
    assert 4000 < bright.brightness_hz < 8000 and 200 < dark.brightness_hz < 400
    tone = measure(_burst(np.sin(2 * np.pi * 1000 * np.arange(SR) / SR)), SR)
    assert tone.brightness_hz == pytest.approx(1000, rel=0.02)


def test_attack_is_the_rise_time():
    fast = measure(_burst(_noise(), attack=0.0), SR)
    slow = measure(_burst(_noise(), attack=0.06), SR)
    assert fast.attack_s <= 0.002
    # A linear 60-ms ramp is 20 dB under its peak at 6 ms and 3 dB under at 42 ms: 36 ms (8-ms level windows).
    assert slow.attack_s == pytest.approx(0.036, abs=0.006)


@pytest.mark.parametrize("tau", [0.02, 0.1, 0.4])
def test_decay_is_the_time_to_fall_20_db(tau):
    wave = _burst(_noise(3.0), decay=tau)
    expected = tau * math.log(10)  # exp(-t / tau) is 20 dB down at tau ln 10
    assert measure(wave, SR).decay_s == pytest.approx(expected, rel=0.15, abs=0.006)
    assert decay_seconds(wave, SR) == measure(wave, SR).decay_s


def test_tonal_tells_a_sine_from_noise_of_any_band():
    sine = measure(_burst(np.sin(2 * np.pi * 440 * np.arange(SR) / SR), decay=0.3), SR)
    assert sine.tonal > 0.95
    for lo, hi in ((20, 20000), (6000, 16000), (100, 500)):  # a hat's band of noise is noise too
        assert measure(_burst(_band(_noise(), lo, hi), decay=0.3), SR).tonal < 0.05


def test_low_end_is_the_share_below_150_hz():
    t = np.arange(SR) / SR
    sub = measure(_burst(np.sin(2 * np.pi * 50 * t) + 0.1 * _band(_noise(), 2000, 8000)), SR)
    thin = measure(_burst(_band(_noise(), 1000, 10000)), SR)
    assert sub.low_share > 0.9 and thin.low_share < 0.01


def test_silence_and_a_too_short_sound_are_not_measured():
    assert measure(np.zeros(SR, np.float32), SR) is None
    assert measure(np.ones(10, np.float32), SR) is None


def _song(hit: np.ndarray, every: float, seconds: float) -> np.ndarray:
    out = np.zeros(int(seconds * SR), np.float32)
    starts = np.arange(int(0.1 * SR), len(out) - len(hit), int(every * SR))
    for s in starts:
        out[s:s + len(hit)] += hit
    return out


def test_a_bounce_is_measured_on_its_hits():
    hit = _burst(_band(_noise(0.3), 3000, 6000), decay=0.03)
    song = _song(hit, 0.4, 4.0)
    found = onsets(song, SR) / SR
    truth = np.arange(0.1, 4.0 - 0.3, 0.4)
    assert len(found) == len(truth) and np.abs(found - truth).max() < 0.02
    hits = measure_hits(np.stack([song, song]), SR)
    alone = measure(hit, SR)
    assert 3000 < hits.brightness_hz < 6000
    assert hits.decay_s == pytest.approx(alone.decay_s, abs=0.01)
    assert hits.attack_s <= 0.004 and hits.tonal < 0.05


def test_a_bounce_without_clear_hits_has_no_descriptors():
    t = np.arange(4 * SR) / SR
    pad = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    assert measure_hits(pad[None], SR) is None

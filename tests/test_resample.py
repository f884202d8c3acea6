"""model.resample gives scipy.signal.resample_poly's numbers (the filter exactly, the output to float32 rounding)
for every rate pair the app meets, at any length."""
from fractions import Fraction

import numpy as np
import pytest
from scipy.signal import firwin, resample_poly as scipy_resample_poly

from model import audio
from model.resample import lowpass, resample_poly

RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192000)


def test_the_filter_is_scipys_firwin_kaiser():
    for up, down in ((320, 441), (2, 3), (1, 3), (640, 441)):
        want = firwin(2 * 10 * max(up, down) + 1, 1 / max(up, down), window=("kaiser", 5.0))
        assert np.array_equal(lowpass(up, down), want.astype(np.float32) * np.float32(up))


@pytest.mark.parametrize("rate_in", RATES)
def test_resampling_matches_scipy_at_every_rate_and_length(rate_in):
    rng = np.random.default_rng(rate_in)
    for rate_out in (32000, 44100):
        ratio = Fraction(rate_out, rate_in).limit_denominator(1000)
        for n in (1, 5, 333, 4410, 66150):
            x = rng.standard_normal(n).astype(np.float32)
            want = scipy_resample_poly(x, ratio.numerator, ratio.denominator)
            got = resample_poly(x, ratio.numerator, ratio.denominator)
            assert got.dtype == np.float32 and got.shape == want.shape, (rate_in, rate_out, n)
            assert np.allclose(got, want, rtol=0, atol=1e-5), (rate_in, rate_out, n)


def test_audio_resampling_is_band_limited():
    t = np.arange(44100) / 44100
    tone = np.sin(2 * np.pi * 1000 * t).astype(np.float32)
    above = np.sin(2 * np.pi * 20000 * t).astype(np.float32)  # above 32 kHz's Nyquist: must not alias down
    out = audio.resample(tone + above, 44100, 32000)
    spectrum = np.abs(np.fft.rfft(out)) / len(out)
    assert len(out) == 32000 and spectrum[1000] > 0.45
    assert spectrum[12000] < 1e-3  # 32000 - 20000: where the alias of 20 kHz would land

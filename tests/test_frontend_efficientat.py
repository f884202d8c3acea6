"""EfficientAT's front end: Kaldi mel basis, pre-emphasis, symmetric window, ln normalisation; the cache key
and corpus reads follow the front end."""
import dataclasses

import numpy as np
import pytest
import soundfile as sf
import torch

from model.audio import load
from model.config import FrontEndConfig, ModelConfig
from model.frontend import LogMel
from model.melbank import kaldi_mel_basis
from training.batches import read_excerpt
from training.features import cache_key

EAT = FrontEndConfig.efficientat()


def reference_kaldi_banks(n_mels, n_fft, sr, f_min, f_max):
    """The formula as written: bin k at k * sr / n_fft Hz, triangles from edge i to i + 2 in 1127 ln(1 + f/700)."""
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)  # noqa: E731
    delta = (mel(f_max) - mel(f_min)) / (n_mels + 1)
    out = np.zeros((n_mels, n_fft // 2 + 1))
    for i in range(n_mels):
        lo, mid, hi = (mel(f_min) + (i + j) * delta for j in range(3))
        for k in range(n_fft // 2):
            m = mel(k * sr / n_fft)
            if lo < m <= mid:
                out[i, k] = (m - lo) / (mid - lo)
            elif mid < m < hi:
                out[i, k] = (hi - m) / (hi - mid)
    return out


def test_kaldi_basis_matches_the_formula_and_peaks_where_it_should():
    basis = kaldi_mel_basis(128, 1024, 32000, 0.0, 15000.0)
    assert basis.shape == (128, 513) and basis[:, -1].sum() == 0
    assert np.allclose(basis, reference_kaldi_banks(128, 1024, 32000, 0.0, 15000.0), atol=1e-6)
    centres = 700.0 * np.expm1(np.linspace(0, 1127.0 * np.log1p(15000 / 700), 130)[1:-1] / 1127.0)
    for band in (10, 64, 127):
        assert abs(basis[band].argmax() * 32000 / 1024 - centres[band]) <= 32000 / 1024 / 2


def test_efficientat_front_end_shapes_window_and_values():
    fe = LogMel(EAT)
    window = fe.window
    assert window.shape == (1024,) and window[:112].abs().sum() == 0 and window[912:].abs().sum() == 0
    assert torch.allclose(window[112:912], torch.hann_window(800, periodic=False))
    wave = torch.randn(2, 128000) * 0.1
    out = fe(wave)
    assert out.shape == (2, 1, 128, 401) and torch.isfinite(out).all()
    x = wave.double()
    emphasised = torch.cat([x[:, :1], x[:, 1:] - 0.97 * x[:, :-1]], dim=1)
    spec = torch.stft(emphasised, 1024, 320, window=window.double(), center=True, pad_mode="reflect",
                      return_complex=True).abs().square()
    ref = (torch.log(fe.mel_basis.double() @ spec + 1e-5) + 4.5) / 5
    assert torch.allclose(out[:, 0].double(), ref, atol=1e-4)


def test_efficientat_front_end_stays_linear_in_power_and_fp32():
    fe = LogMel(EAT)
    a, b = torch.randn(1, 32000), torch.randn(1, 32000)
    assert torch.allclose(fe.power_mel(a) * 4, fe.power_mel(2 * a), rtol=1e-4)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert fe(a + b).dtype == torch.float32
    padded = torch.cat([a[:, :5000], torch.zeros(1, 43000)], dim=1)
    assert torch.allclose(fe.power_mel(padded, active=5000), fe.power_mel(padded), rtol=1e-5, atol=1e-6)


def test_nnaudio_refuses_what_it_cannot_compute():
    with pytest.raises(ValueError, match="nnaudio"):
        LogMel(dataclasses.replace(EAT, backend="nnaudio"))


def test_cache_key_changes_with_every_power_setting_but_not_for_the_default():
    base = ModelConfig()
    assert cache_key(base) == "mel-1468b2b9ea"  # the key caches of the default front end were built under
    keys = {cache_key(base.replace(frontend=dataclasses.replace(base.frontend, **change)))
            for change in ({"win_length": 1800}, {"window_periodic": False}, {"mel_scale": "kaldi"},
                           {"preemphasis": 0.97}, {"sample_rate": 32000})}
    assert len(keys) == 5 and cache_key(base) not in keys
    assert cache_key(base.replace(frontend=dataclasses.replace(base.frontend, log="ln"))) == cache_key(base)


def test_corpus_excerpts_are_read_at_the_models_rate(tmp_path):
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "stem.wav", rng.standard_normal((44100 * 2, 2)).astype(np.float32) * 0.1, 44100,
             subtype="FLOAT")
    whole = load(tmp_path / "stem.wav", 32000)
    for start in (0, 7, 20000):
        assert np.allclose(read_excerpt(tmp_path / "stem.wav", start, 30000, 32000)[:len(whole) - start][:30000],
                           whole[start:start + 30000], atol=1e-6)

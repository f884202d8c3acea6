"""Mel filter banks, (n_mels, n_fft // 2 + 1) float32: Slaney (librosa 0.7's, as nnAudio has it; the default)
and Kaldi (EfficientAT's). numpy only: the torch front end and the numpy one share them."""
from __future__ import annotations

import numpy as np

from model.config import FrontEndConfig

MEL_SCALES = ("slaney", "kaldi")
# Slaney's Auditory Toolbox scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
_SLANEY_HZ_PER_MEL = 200.0 / 3
_SLANEY_LOG_HZ = 1000.0
_SLANEY_LOG_MEL = _SLANEY_LOG_HZ / _SLANEY_HZ_PER_MEL
_SLANEY_LOG_STEP = np.log(6.4) / 27.0


def kaldi_mel(freq: np.ndarray | float) -> np.ndarray:
    return 1127.0 * np.log1p(np.asarray(freq, dtype=np.float64) / 700.0)


def kaldi_mel_basis(n_mels: int, n_fft: int, sample_rate: int, f_min: float, f_max: float) -> np.ndarray:
    """torchaudio.compliance.kaldi.get_mel_banks without VTLN: triangles of peak 1 whose edges are
    equally spaced in Kaldi mel from f_min to f_max; the Nyquist bin gets weight 0 (as EfficientAT pads it)."""
    edges = np.linspace(kaldi_mel(f_min), kaldi_mel(f_max), n_mels + 2)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    mel = kaldi_mel(np.arange(n_fft // 2) * sample_rate / n_fft)[None]
    weights = np.maximum(0.0, np.minimum((mel - left) / (centre - left), (right - mel) / (right - centre)))
    return np.pad(weights, ((0, 0), (0, 1))).astype(np.float32)


def slaney_mel(freq: np.ndarray | float) -> np.ndarray:
    f = np.asarray(freq, dtype=np.float64)
    log_part = _SLANEY_LOG_MEL + np.log(np.maximum(f, _SLANEY_LOG_HZ) / _SLANEY_LOG_HZ) / _SLANEY_LOG_STEP
    return np.where(f >= _SLANEY_LOG_HZ, log_part, f / _SLANEY_HZ_PER_MEL)


def slaney_hz(mel: np.ndarray) -> np.ndarray:
    m = np.asarray(mel, dtype=np.float64)
    log_part = _SLANEY_LOG_HZ * np.exp(_SLANEY_LOG_STEP * (np.maximum(m, _SLANEY_LOG_MEL) - _SLANEY_LOG_MEL))
    return np.where(m >= _SLANEY_LOG_MEL, log_part, _SLANEY_HZ_PER_MEL * m)


def slaney_mel_basis(n_mels: int, n_fft: int, sample_rate: int, f_min: float, f_max: float) -> np.ndarray:
    """librosa 0.7's filters.mel(htk=False, norm=1), rounded as it rounds them (nnAudio.utils.get_mel):
    area-normalised triangles equally spaced in Slaney mel."""
    fft_freqs = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    mel_f = slaney_hz(np.linspace(slaney_mel(f_min), slaney_mel(f_max), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper)).astype(np.float32)  # librosa stores them as float32
    return (weights * (2.0 / (mel_f[2:] - mel_f[:-2]))[:, None]).astype(np.float32)


def mel_basis(cfg: FrontEndConfig) -> np.ndarray:
    if cfg.mel_scale == "slaney":
        return slaney_mel_basis(cfg.n_mels, cfg.n_fft, cfg.sample_rate, cfg.f_min, cfg.f_max)
    if cfg.mel_scale == "kaldi":
        return kaldi_mel_basis(cfg.n_mels, cfg.n_fft, cfg.sample_rate, cfg.f_min, cfg.f_max)
    raise ValueError(f"mel scale must be one of {MEL_SCALES}, not {cfg.mel_scale!r}")

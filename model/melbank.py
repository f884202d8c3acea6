"""Mel filter banks, (n_mels, n_fft // 2 + 1): Slaney (nnAudio's, the default) and Kaldi (EfficientAT's)."""
from __future__ import annotations

import numpy as np
import torch

from model.config import FrontEndConfig

MEL_SCALES = ("slaney", "kaldi")


def kaldi_mel(freq: np.ndarray | float) -> np.ndarray:
    return 1127.0 * np.log1p(np.asarray(freq, dtype=np.float64) / 700.0)


def kaldi_mel_basis(n_mels: int, n_fft: int, sample_rate: int, f_min: float, f_max: float) -> torch.Tensor:
    """torchaudio.compliance.kaldi.get_mel_banks without VTLN: triangles of peak 1 whose edges are
    equally spaced in Kaldi mel from f_min to f_max; the Nyquist bin gets weight 0 (as EfficientAT pads it)."""
    edges = np.linspace(kaldi_mel(f_min), kaldi_mel(f_max), n_mels + 2)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    mel = kaldi_mel(np.arange(n_fft // 2) * sample_rate / n_fft)[None]
    weights = np.maximum(0.0, np.minimum((mel - left) / (centre - left), (right - mel) / (right - centre)))
    return torch.from_numpy(np.pad(weights, ((0, 0), (0, 1)))).float()


def mel_basis(cfg: FrontEndConfig) -> torch.Tensor:
    if cfg.mel_scale == "slaney":
        from nnAudio.utils import get_mel

        return torch.tensor(get_mel(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.f_min, cfg.f_max, htk=False, norm=1))
    if cfg.mel_scale == "kaldi":
        return kaldi_mel_basis(cfg.n_mels, cfg.n_fft, cfg.sample_rate, cfg.f_min, cfg.f_max)
    raise ValueError(f"mel scale must be one of {MEL_SCALES}, not {cfg.mel_scale!r}")

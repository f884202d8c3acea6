"""The log-mel front end in numpy, for the ONNX Runtime encoders: the numbers of model.frontend.LogMel (tests
prove them equal to float tolerance) without torch.

ONNX Runtime could run the front end inside the graph (torch.stft exports as its STFT operator), but its FFT is
3-5x slower than numpy's, and for 1.5-s keys the front end would then cost more than the encoder itself.
"""
from __future__ import annotations

import numpy as np

from model.config import FrontEndConfig
from model.melbank import mel_basis

LOGS = {"log10": np.log10, "ln": np.log}


def stft_window(cfg: FrontEndConfig) -> np.ndarray:
    """model.frontend.stft_window: a Hann window of win_length zero-padded to n_fft on both sides, computed in
    float32 as torch.hann_window computes it (within 1 ulp)."""
    length = cfg.win_length or cfg.n_fft
    if not 0 < length <= cfg.n_fft:
        raise ValueError(f"win_length must be in 1..n_fft ({cfg.n_fft}), not {cfg.win_length}")
    period = length if cfg.window_periodic else length - 1
    if period:
        phase = np.arange(length, dtype=np.float32) * np.float32(2 * np.pi / period)
        window = np.cos(phase) * np.float32(-0.5) + np.float32(0.5)
    else:
        window = np.ones(1, dtype=np.float32)
    left = (cfg.n_fft - length) // 2
    return np.pad(window, (left, cfg.n_fft - length - left))


def frames(cfg: FrontEndConfig, samples: int) -> int:
    return samples // cfg.hop_length + 1


def stft_prefix(cfg: FrontEndConfig, samples: int, active: int | None) -> int:
    """How much of a `samples`-long wave the STFT must see when every sample from `active` on is zero (a padded
    one-shot): a prefix whose reflect padding sees only zeros; the frames after it are exactly zero power."""
    return samples if active is None else min(samples, active + 2 * cfg.n_fft)


class NumpyLogMel:
    """(batch, samples) float32 waveform -> (batch, 1, n_mels, frames) normalised log mel power."""

    def __init__(self, cfg: FrontEndConfig):
        if cfg.log not in LOGS:
            raise ValueError(f"front-end log must be one of {tuple(LOGS)}, not {cfg.log!r}")
        self.cfg = cfg
        self.window = stft_window(cfg)
        self.basis_t = np.ascontiguousarray(mel_basis(cfg).T)  # (bins, n_mels): frames @ basis_t

    def power_mel(self, wave: np.ndarray, active: int | None = None) -> np.ndarray:
        """Linear mel power, (batch, n_mels, frames); see stft_prefix for active."""
        cfg, full = self.cfg, wave.shape[-1]
        x = np.asarray(wave[:, :stft_prefix(cfg, full, active)], dtype=np.float32)
        if cfg.preemphasis:  # keeping the first sample keeps samples // hop + 1 frames, as LogMel does
            x = np.concatenate([x[:, :1], x[:, 1:] - np.float32(cfg.preemphasis) * x[:, :-1]], axis=1)
        half = cfg.n_fft // 2
        padded = np.pad(x, ((0, 0), (half, half)), mode="reflect")
        framed = np.lib.stride_tricks.sliding_window_view(padded, cfg.n_fft, axis=1)[:, ::cfg.hop_length]
        # numpy's, not scipy's FFT (2x faster on float32): importing scipy.fft takes 0.3 s of a `rank` call.
        spec = np.fft.rfft(framed * self.window, axis=-1)
        power = np.square(spec.real)
        power += np.square(spec.imag)
        batch, count, bins = power.shape
        mel = (power.reshape(-1, bins) @ self.basis_t).reshape(batch, count, -1).transpose(0, 2, 1)
        missing = frames(cfg, full) - mel.shape[-1]
        return np.pad(mel, ((0, 0), (0, 0), (0, missing))) if missing else mel

    def normalise(self, power: np.ndarray) -> np.ndarray:
        """Linear mel power -> normalised log, (batch, 1, n_mels, frames), C-contiguous float32."""
        cfg = self.cfg
        logmel = LOGS[cfg.log](power + np.float32(cfg.log_eps))
        out = (logmel + np.float32(cfg.log_offset)) * np.float32(cfg.log_scale)
        return np.ascontiguousarray(out[:, None], dtype=np.float32)

    def __call__(self, wave: np.ndarray, active: int | None = None) -> np.ndarray:
        return self.normalise(self.power_mel(wave, active))

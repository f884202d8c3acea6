"""Log-mel front end of both encoders, set by FrontEndConfig (default: 44.1 kHz, n_fft 2048, hop 512,
128 Slaney mels up to 22.05 kHz; FrontEndConfig.efficientat(): EfficientAT's 32 kHz front end).

Two interchangeable backends compute the same numbers from the same window and mel basis:
nnAudio's conv STFT (the method's choice, fast on GPU) and torch.stft (3-15x faster on CPU).
nnAudio only does the default kind (periodic n_fft window, Slaney mels).
The front end always runs in fp32: under fp16 autocast the power spectrum overflows.
"""
from __future__ import annotations

import torch
from torch import nn

from model.config import FrontEndConfig
from model.logmel_numpy import stft_prefix
from model.melbank import mel_basis

BACKENDS = ("nnaudio", "torch")
LOGS = {"log10": torch.log10, "ln": torch.log}


def _derived_buffers_only(module: nn.Module) -> None:
    """Make every buffer non-persistent: it is rebuilt from the config, never saved."""
    for sub in module.modules():
        for name, buf in list(sub._buffers.items()):
            if buf is not None:
                del sub._buffers[name]
                sub.register_buffer(name, buf, persistent=False)


def stft_window(cfg: FrontEndConfig) -> torch.Tensor:
    """Hann window of win_length, zero-padded to n_fft on both sides (as torch.stft pads it)."""
    length = cfg.win_length or cfg.n_fft
    if not 0 < length <= cfg.n_fft:
        raise ValueError(f"win_length must be in 1..n_fft ({cfg.n_fft}), not {cfg.win_length}")
    left = (cfg.n_fft - length) // 2
    window = torch.hann_window(length, periodic=cfg.window_periodic)
    return nn.functional.pad(window, (left, cfg.n_fft - length - left))


def _nnaudio_mel(cfg: FrontEndConfig) -> nn.Module:
    if cfg.mel_scale != "slaney" or cfg.win_length not in (0, cfg.n_fft) or not cfg.window_periodic:
        raise ValueError("the nnaudio front-end backend only does a periodic n_fft window and Slaney mels; "
                         "use backend 'torch'")
    from nnAudio.features import MelSpectrogram

    return MelSpectrogram(
        sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length, n_mels=cfg.n_mels,
        fmin=cfg.f_min, fmax=cfg.f_max, window="hann", center=True, pad_mode="reflect",
        power=2.0, trainable_mel=False, trainable_STFT=False, verbose=False,
    )


class LogMel(nn.Module):
    """(batch, samples) waveform -> (batch, 1, n_mels, frames) normalised log mel power."""

    mel_basis: torch.Tensor  # buffers, registered in __init__
    window: torch.Tensor

    def __init__(self, cfg: FrontEndConfig):
        super().__init__()
        if cfg.backend not in BACKENDS:
            raise ValueError(f"front-end backend must be one of {BACKENDS}, not {cfg.backend!r}")
        if cfg.log not in LOGS:
            raise ValueError(f"front-end log must be one of {tuple(LOGS)}, not {cfg.log!r}")
        self.cfg = cfg
        self.register_buffer("mel_basis", torch.from_numpy(mel_basis(cfg)))
        self.register_buffer("window", stft_window(cfg))
        if cfg.backend == "nnaudio":
            self.mel = _nnaudio_mel(cfg)
        _derived_buffers_only(self)

    def frames(self, samples: int) -> int:
        return samples // self.cfg.hop_length + 1

    def preemphasise(self, wave: torch.Tensor) -> torch.Tensor:
        # EfficientAT's conv1d drops the first sample instead; keeping it keeps samples // hop + 1 frames.
        if not self.cfg.preemphasis:
            return wave
        return torch.cat([wave[..., :1], wave[..., 1:] - self.cfg.preemphasis * wave[..., :-1]], dim=-1)

    def power_mel(self, wave: torch.Tensor, active: int | None = None) -> torch.Tensor:
        """Linear mel power, (batch, n_mels, frames), fp32 whatever the autocast state.

        active: every sample from this index on is zero (a padded one-shot). The STFT then
        runs on a prefix long enough that its reflect padding sees only zeros, and the
        remaining frames are exactly zero power: the same numbers, much cheaper.
        """
        full = wave.shape[-1]
        prefix = stft_prefix(self.cfg, full, active)
        if prefix < full:
            head = self.power_mel(wave[..., :prefix])
            return torch.nn.functional.pad(head, (0, self.frames(full) - head.shape[-1]))
        with torch.autocast(device_type=wave.device.type, enabled=False):
            wave = self.preemphasise(wave.float())
            if self.cfg.backend == "nnaudio":
                return self.mel(wave)
            spec = torch.stft(
                wave, self.cfg.n_fft, self.cfg.hop_length, window=self.window, center=True,
                pad_mode="reflect", return_complex=True,
            )
            return torch.matmul(self.mel_basis, spec.real.square() + spec.imag.square())

    def normalise(self, power: torch.Tensor) -> torch.Tensor:
        """Linear mel power -> normalised log, (batch, 1, n_mels, frames)."""
        with torch.autocast(device_type=power.device.type, enabled=False):
            logmel = LOGS[self.cfg.log](power.float() + self.cfg.log_eps)
            return ((logmel + self.cfg.log_offset) * self.cfg.log_scale).unsqueeze(1)

    def forward(self, wave: torch.Tensor, active: int | None = None) -> torch.Tensor:
        return self.normalise(self.power_mel(wave, active))

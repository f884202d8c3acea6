"""Log-mel front end of both encoders (44.1 kHz, n_fft 2048, hop 512, 128 mels up to 22.05 kHz).

Two interchangeable backends compute the same numbers from the same window and mel basis:
nnAudio's conv STFT (the method's choice, fast on GPU) and torch.stft (3-15x faster on CPU).
The front end always runs in fp32: under fp16 autocast the power spectrum overflows.
"""
from __future__ import annotations

import torch
from torch import nn

from model.config import FrontEndConfig

BACKENDS = ("nnaudio", "torch")


def _derived_buffers_only(module: nn.Module) -> None:
    """Make every buffer non-persistent: it is rebuilt from the config, never saved."""
    for sub in module.modules():
        for name, buf in list(sub._buffers.items()):
            if buf is not None:
                del sub._buffers[name]
                sub.register_buffer(name, buf, persistent=False)


class LogMel(nn.Module):
    """(batch, samples) waveform -> (batch, 1, n_mels, frames) normalised log10 mel power."""

    def __init__(self, cfg: FrontEndConfig):
        super().__init__()
        if cfg.backend not in BACKENDS:
            raise ValueError(f"front-end backend must be one of {BACKENDS}, not {cfg.backend!r}")
        from nnAudio.features import MelSpectrogram

        self.cfg = cfg
        self.mel = MelSpectrogram(
            sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length, n_mels=cfg.n_mels,
            fmin=cfg.f_min, fmax=cfg.f_max, window="hann", center=True, pad_mode="reflect",
            power=2.0, trainable_mel=False, trainable_STFT=False, verbose=False,
        )
        self.register_buffer("window", torch.hann_window(cfg.n_fft, periodic=True))
        _derived_buffers_only(self)

    def frames(self, samples: int) -> int:
        return samples // self.cfg.hop_length + 1

    def power_mel(self, wave: torch.Tensor, active: int | None = None) -> torch.Tensor:
        """Linear mel power, (batch, n_mels, frames), fp32 whatever the autocast state.

        active: every sample from this index on is zero (a padded one-shot). The STFT then
        runs on a prefix long enough that its reflect padding sees only zeros, and the
        remaining frames are exactly zero power: the same numbers, much cheaper.
        """
        full = wave.shape[-1]
        prefix = None if active is None else active + 2 * self.cfg.n_fft
        if prefix is not None and prefix < full:
            head = self.power_mel(wave[..., :prefix])
            return torch.nn.functional.pad(head, (0, self.frames(full) - head.shape[-1]))
        with torch.autocast(device_type=wave.device.type, enabled=False):
            wave = wave.float()
            if self.cfg.backend == "nnaudio":
                return self.mel(wave)
            spec = torch.stft(
                wave, self.cfg.n_fft, self.cfg.hop_length, window=self.window, center=True,
                pad_mode="reflect", return_complex=True,
            )
            return torch.matmul(self.mel.mel_basis, spec.real.square() + spec.imag.square())

    def normalise(self, power: torch.Tensor) -> torch.Tensor:
        """Linear mel power -> normalised log, (batch, 1, n_mels, frames)."""
        with torch.autocast(device_type=power.device.type, enabled=False):
            logmel = torch.log10(power.float() + self.cfg.log_eps)
            return ((logmel + self.cfg.log_offset) * self.cfg.log_scale).unsqueeze(1)

    def forward(self, wave: torch.Tensor, active: int | None = None) -> torch.Tensor:
        return self.normalise(self.power_mel(wave, active))

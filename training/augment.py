"""The method's augmentations (section 5), applied to linear mel-power spectrograms of a batch.

Each instance independently gets, with probability p each: Gaussian noise (-30..-12 dB below the
excerpt's mean mel power, white-noise band profile with its chi-square-like spread), time-stretch
(tempo ratio 0.9..1.15, frame interpolation), gain (-6..0 dB, a power scale) and a time shift
(200 ms left .. 800 ms right, silence fill). Working on spectrograms keeps it cheap on a CPU.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class AugmentConfig:
    enabled: bool = True
    probability: float = 0.5
    noise_db: tuple[float, float] = (-30.0, -12.0)
    stretch: tuple[float, float] = (0.9, 1.15)
    gain_db: tuple[float, float] = (-6.0, 0.0)
    shift_ms: tuple[float, float] = (-200.0, 800.0)   # negative = earlier (left), positive = later

    def source_frames(self, out_frames: int, frames_per_second: float) -> int:
        """Input frames needed so that stretch and a left shift never read past the end."""
        if not self.enabled:
            return out_frames
        left = math.ceil(-min(0.0, self.shift_ms[0]) / 1000 * frames_per_second)
        return math.ceil((out_frames - 1 + left) * max(1.0, self.stretch[1])) + 2


@dataclass(frozen=True)
class AugmentParams:
    """Per-instance draws; an augmentation that is off has its neutral value (noise: -inf dB)."""
    noise_db: torch.Tensor
    stretch: torch.Tensor
    gain_db: torch.Tensor
    shift_frames: torch.Tensor


def _uniform(lo_hi: tuple[float, float], n: int, gen: torch.Generator) -> torch.Tensor:
    lo, hi = lo_hi
    return lo + (hi - lo) * torch.rand(n, generator=gen)


def sample_params(cfg: AugmentConfig, n: int, frames_per_second: float, gen: torch.Generator
                  ) -> AugmentParams:
    def on() -> torch.Tensor:
        return torch.rand(n, generator=gen) < (cfg.probability if cfg.enabled else 0.0)

    noise = torch.where(on(), _uniform(cfg.noise_db, n, gen), torch.tensor(float("-inf")))
    stretch = torch.where(on(), _uniform(cfg.stretch, n, gen), torch.tensor(1.0))
    gain = torch.where(on(), _uniform(cfg.gain_db, n, gen), torch.tensor(0.0))
    shift_s = _uniform(cfg.shift_ms, n, gen) / 1000
    shift = torch.where(on(), (shift_s * frames_per_second).round(), torch.tensor(0.0))
    return AugmentParams(noise, stretch, gain, shift)


def warp(power: torch.Tensor, stretch: torch.Tensor, shift_frames: torch.Tensor, out_frames: int
         ) -> torch.Tensor:
    """out[b, :, t] = power[b, :, (t - shift_b) * stretch_b], linearly interpolated; 0 outside."""
    b, m, t_in = power.shape
    t = torch.arange(out_frames, dtype=torch.float32, device=power.device)
    pos = (t[None, :] - shift_frames[:, None].to(power.device)) * stretch[:, None].to(power.device)
    inside = (pos >= 0) & (pos <= t_in - 1)
    pos = pos.clamp(0, t_in - 1)
    lo = pos.floor().long()
    hi = (lo + 1).clamp(max=t_in - 1)
    frac = (pos - lo).unsqueeze(1)
    gather = lambda idx: power.gather(2, idx.unsqueeze(1).expand(b, m, out_frames))  # noqa: E731
    out = gather(lo) * (1 - frac) + gather(hi) * frac
    return out * inside.unsqueeze(1)


class Augmenter:
    """Holds the white-noise mel profile of a front end and applies AugmentParams to a batch."""

    def __init__(self, cfg: AugmentConfig, mel_basis: torch.Tensor, frames_per_second: float):
        self.cfg = cfg
        self.frames_per_second = frames_per_second
        weights = mel_basis.detach().float().cpu()
        band_sum = weights.sum(dim=1)
        # White noise: mel band power = sum of exponential bin powers weighted by the filter; a gamma
        # with the same mean and variance has shape (sum w)^2 / sum w^2 ("bins per band").
        self.noise_profile = band_sum / band_sum.mean()
        self.noise_shape = band_sum.square() / weights.square().sum(dim=1).clamp_min(1e-12)

    def sample(self, n: int, gen: torch.Generator) -> AugmentParams:
        return sample_params(self.cfg, n, self.frames_per_second, gen)

    def apply(self, power: torch.Tensor, params: AugmentParams, out_frames: int, gen: torch.Generator
              ) -> torch.Tensor:
        """(B, n_mels, T_in) linear mel power -> (B, n_mels, out_frames)."""
        out = warp(power, params.stretch, params.shift_frames, out_frames)
        out = out * (10 ** (params.gain_db / 10)).to(out.device)[:, None, None]
        return self.add_noise(out, params.noise_db, gen)

    def add_noise(self, power: torch.Tensor, noise_db: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        b, m, t = power.shape
        scale = 10 ** (noise_db / 10)                  # 0 where the instance gets no noise
        if not bool((scale > 0).any()):
            return power
        level = power.mean(dim=(1, 2)).cpu() * scale
        shape = self.noise_shape[None, :, None].expand(b, m, t)
        spread = torch._standard_gamma(shape.contiguous(), generator=gen) / shape
        noise = level[:, None, None] * self.noise_profile[None, :, None] * spread
        return power + noise.to(power.device)

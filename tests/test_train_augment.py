"""Spectrogram augmentations: parameter ranges, probability, and what each one does to a spectrogram."""
import pytest
import torch

from model.config import FrontEndConfig
from model.frontend import LogMel
from training.augment import AugmentConfig, Augmenter, AugmentParams, sample_params, warp

FPS = 44100 / 512


def params(n, noise=float("-inf"), stretch=1.0, gain=0.0, shift=0.0) -> AugmentParams:
    full = lambda v: torch.full((n,), float(v))  # noqa: E731
    return AugmentParams(full(noise), full(stretch), full(gain), full(shift))


def test_every_drawn_parameter_lies_in_the_methods_range():
    p = sample_params(AugmentConfig(probability=1.0), 5000, FPS, torch.Generator().manual_seed(0))
    assert p.noise_db.min() >= -30 and p.noise_db.max() <= -12
    assert p.stretch.min() >= 0.9 and p.stretch.max() <= 1.15
    assert p.gain_db.min() >= -6 and p.gain_db.max() <= 0
    assert p.shift_frames.min() >= round(-0.2 * FPS) and p.shift_frames.max() <= round(0.8 * FPS)
    assert p.shift_frames.min() < -10 and p.shift_frames.max() > 60    # both directions are used


def test_each_augmentation_happens_to_about_half_of_the_instances():
    p = sample_params(AugmentConfig(), 4000, FPS, torch.Generator().manual_seed(1))
    for applied in (p.noise_db > -1e9, p.stretch != 1, p.gain_db != 0, p.shift_frames != 0):
        assert 0.45 < applied.float().mean().item() < 0.55


def test_disabled_augmentation_leaves_every_parameter_neutral():
    p = sample_params(AugmentConfig(enabled=False), 100, FPS, torch.Generator().manual_seed(2))
    assert torch.isinf(p.noise_db).all() and (p.stretch == 1).all()
    assert (p.gain_db == 0).all() and (p.shift_frames == 0).all()


def impulse(at: int, frames: int = 60) -> torch.Tensor:
    x = torch.zeros(1, 2, frames)
    x[:, :, at] = 1.0
    return x


def test_shift_moves_content_and_fills_with_silence():
    right = warp(impulse(10), torch.tensor([1.0]), torch.tensor([5.0]), 60)
    assert right[0, 0].argmax().item() == 15 and right[0, 0].sum().item() == pytest.approx(1.0)
    left = warp(impulse(10), torch.tensor([1.0]), torch.tensor([-3.0]), 60)
    assert left[0, 0].argmax().item() == 7
    filled = warp(torch.ones(1, 2, 60), torch.tensor([1.0]), torch.tensor([5.0]), 60)
    assert (filled[0, :, :5] == 0).all() and (filled[0, :, 5:] == 1).all()


def test_stretch_plays_faster_by_the_tempo_ratio():
    out = warp(impulse(20), torch.tensor([2.0]), torch.tensor([0.0]), 40)
    assert out[0, 0].argmax().item() == 10                          # out[t] = in[2 t]
    slower = warp(impulse(20), torch.tensor([0.8]), torch.tensor([0.0]), 60)
    assert slower[0, 0, 25].item() == pytest.approx(1.0)            # 25 * 0.8 = 20


def test_source_frames_cover_the_worst_case_stretch_and_left_shift():
    cfg = AugmentConfig()
    out = 345
    need = cfg.source_frames(out, FPS)
    worst = warp(torch.ones(1, 1, need), torch.tensor([1.15]), torch.tensor([float(round(-0.2 * FPS))]), out)
    assert (worst == 1).all()


def test_gain_scales_power_and_noise_sits_at_the_drawn_level():
    aug = Augmenter(AugmentConfig(), LogMel(FrontEndConfig()).mel_basis, FPS)
    power = torch.full((2, 128, 400), 3.0)
    gen = torch.Generator().manual_seed(3)
    quieter = aug.apply(power, params(2, gain=-6.0), 400, gen)
    assert torch.allclose(quieter, power * 10 ** -0.6)
    noisy = aug.apply(power, params(2, noise=-12.0), 400, gen)
    added = (noisy - power).mean().item()
    assert added == pytest.approx(3.0 * 10 ** -1.2, rel=0.05)
    assert (noisy - power).min() >= 0 and (noisy - power).std() > 0

"""Precomputed mel power and the two ways to mix a query: power domain (cached) vs waveform (exact)."""
import numpy as np
import pytest
import torch

from model.config import EncoderConfig, ModelConfig
from model.frontend import LogMel
from training.augment import AugmentConfig
from training.batches import BatchRenderer
from training.corpus.layout import load_corpus, song_record, write_oneshot, write_song, write_stem
from training.features import FeatureStore
from training.pairs import Pair

SR = 44100
CFG = ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    rng = np.random.default_rng(0)
    d = root / "songs" / "a"
    n = 6 * SR
    t = np.arange(n) / SR
    stems = {"kick": 0.3 * np.sin(2 * np.pi * 55 * t) * (np.sin(2 * np.pi * 2 * t) > 0),
             "noise": 0.05 * rng.standard_normal(n), "tone": 0.2 * np.sin(2 * np.pi * 440 * t)}
    records = [{"name": k, "file": write_stem(d, k, v.astype(np.float32)), "role": k} for k, v in stems.items()]
    shot = write_oneshot(d, "kick0", (0.5 * np.sin(2 * np.pi * 60 * t[:SR // 2])).astype(np.float32))
    write_song(root, song_record("a", "electronic", "x", "train", 6.0, records,
                                 [{"file": shot, "role": "kick", "stem": "kick"}], {}))
    return root, load_corpus(root)[1]


def renderers(root, songs):
    store = FeatureStore(root / "cache", CFG)
    assert store.build(songs) == [] and store.has(songs[0])
    frontend = LogMel(CFG.frontend)
    off = AugmentConfig(enabled=False)
    return (BatchRenderer(songs, CFG, off, "power", frontend, store),
            BatchRenderer(songs, CFG, off, "wave", frontend))


def test_one_stem_gives_the_same_spectrogram_both_ways(corpus):
    power, wave = renderers(*corpus)
    pair = Pair(song=0, oneshot=0, stems=(1,), start=40)
    q_power, k_power, _ = power.render([pair], torch.Generator())
    q_wave, k_wave, _ = wave.render([pair], torch.Generator())
    # Only the float16 cache and the two edge frames per side (reflect padding) differ.
    inner = (q_power - q_wave)[..., 2:-2].abs()
    assert inner.max().item() < 0.01
    assert (k_power - k_wave).abs().max().item() < 0.01
    assert q_power.shape == (1, 1, 128, 345) and k_power.shape == (1, 1, 128, 87)


def test_power_mixing_of_several_stems_is_close_to_waveform_mixing(corpus):
    power, wave = renderers(*corpus)
    pair = Pair(song=0, oneshot=0, stems=(1, 2), start=10)
    q_power, _, _ = power.render([pair], torch.Generator())
    q_wave, _, _ = wave.render([pair], torch.Generator())
    diff_db = (q_power - q_wave).abs() * 40          # normalised log-mel: 1 unit = 40 dB
    assert diff_db.mean().item() < 1.0
    alone, _, _ = power.render([Pair(0, 0, (2,), 10)], torch.Generator())
    assert (q_power - alone).abs().mean().item() > 10 * (q_power - q_wave).abs().mean().item()


def test_a_hit_view_is_the_one_shot_over_its_mix_at_the_asked_level(corpus):
    power, _ = renderers(*corpus)
    pair = Pair(song=0, oneshot=0, stems=(1, 2), start=10)
    key, around = power.key_power(pair), power.mix_power(pair, power.key_power(pair).shape[-1])
    attack = key[:, :round(0.2 * CFG.frontend.sample_rate / CFG.frontend.hop_length)].mean()
    for snr_db in (-6.0, 12.0):
        view = power.hit_power(pair, snr_db)
        mix_part = view - key                                  # the mix, scaled to stand snr_db under the attack
        scaled = around * (mix_part.sum() / around.sum())
        assert ((mix_part - scaled).abs().max() / scaled.max()).item() < 1e-3
        assert 10 * torch.log10(attack / mix_part.mean()).item() == pytest.approx(snr_db, abs=0.01)
    hits = power.render_hits([pair, pair], torch.Generator().manual_seed(0))
    _, keys, _ = power.render([pair], torch.Generator())
    assert hits.shape == (2, *keys.shape[1:]) and not torch.allclose(hits[0], hits[1])   # two drawn levels


def test_cut_hit_views_end_in_silence_between_50_ms_and_the_key_window(corpus):
    root, songs = corpus
    store = FeatureStore(root / "cache", CFG)
    assert store.build(songs) == []
    frontend, off = LogMel(CFG.frontend), AugmentConfig(enabled=False)
    pair = Pair(song=0, oneshot=0, stems=(1, 2), start=10)
    floor = frontend.normalise(torch.zeros(1, 1, 1)).item()

    def sounding_frames(hit_cut_p):
        renderer = BatchRenderer(songs, CFG, off, "power", frontend, store, hit_cut_p=hit_cut_p)
        views = renderer.render_hits([pair] * 200, torch.Generator().manual_seed(1))[:, 0]
        sounding = (views > floor + 1e-6).any(dim=1)          # (views, frames): any mel band above silence
        return sounding.shape[-1] - sounding.flip(-1).int().argmax(dim=-1)   # frames up to the last sounding one

    full = sounding_frames(0.0)
    assert (full == full[0]).all() and full[0] >= 86           # the mix around the hit fills the key window
    cut = sounding_frames(0.5)
    fps = CFG.frontend.sample_rate / CFG.frontend.hop_length
    short = cut[cut < full[0] - 1]
    assert 0.4 < len(short) / len(cut) < 0.6
    assert short.min() >= round(0.05 * fps) and len(set(short.tolist())) > 10   # 50 ms and up, many lengths

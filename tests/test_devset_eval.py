"""evaluate_dev with embedders whose answers are known; the evaluate --dev command; validation on a dev set."""
import json

import numpy as np
import pytest

from training.corpus.layout import load_corpus, song_record, write_oneshot, write_song, write_stem
from training.evaluate_dev import HITS_PER_STEM, RESULT_KEYS, DevConfig, evaluate_dev, load_devset

SR = 44100
CFG = DevConfig(excerpts=3, query_samples=SR // 10)


def write_devset(out, shared_hit=True, split="dev", seconds=1.0):
    """Three songs with a tone stem (non-drum) and noise-burst drum stems; song 0 and 1 share a kick."""
    rng = np.random.default_rng(0)
    kick = rng.standard_normal(2000).astype(np.float32)
    for s in range(3):
        song_dir = out / "songs" / f"s{s}"
        tone = 0.1 * np.sin(2 * np.pi * (200 + 100 * s) * np.arange(int(seconds * SR)) / SR).astype(np.float32)
        drums = np.zeros_like(tone)
        drums[::4000] = 0.9
        stems = [{"name": "keys", "file": write_stem(song_dir, "keys", tone), "role": "keys"},
                 {"name": "kick", "file": write_stem(song_dir, "kick", drums), "role": "kick"},
                 {"name": "hat", "file": write_stem(song_dir, "hat", drums), "role": "hihat"}]
        own = rng.standard_normal(1000 + 100 * s).astype(np.float32)
        first = kick if shared_hit and s < 2 else rng.standard_normal(2000).astype(np.float32)
        shots = [{"file": write_oneshot(song_dir, "kick", first), "role": "kick", "stem": "kick"},
                 {"file": write_oneshot(song_dir, "hat", own), "role": "hihat", "stem": "hat"}]
        write_song(out, song_record(f"s{s}", "electronic", "lmms-demo", split, seconds, stems, shots, {}))
    return out


class Oracle:
    """Knows each song's true one-shots: its query is their indicator vector, the keys are one-hot."""

    def __init__(self, truths):
        self.truths, self.calls = truths, 0

    WIDTH = 64

    def embed_keys(self, waves):
        return np.eye(len(waves), self.WIDTH, dtype=np.float32)

    def embed_queries(self, waves):
        truth = self.truths[self.calls % len(self.truths)]
        self.calls += 1
        out = np.zeros((len(waves), self.WIDTH), np.float32)
        out[:, list(truth)] = 1.0
        return out

    def finish(self, queries, keys):
        return queries, keys


class Constant(Oracle):
    def embed_keys(self, waves):
        return np.ones((len(waves), 4), np.float32)

    def embed_queries(self, waves):
        return np.ones((len(waves), 4), np.float32)


def test_devset_dedupes_candidates_and_mixes_without_the_drums(tmp_path):
    _, songs = load_corpus(write_devset(tmp_path))
    dev = load_devset(songs, CFG)
    assert len(dev.keys) == 5                      # 6 one-shots, the shared kick counted once
    assert dev.truths[0][0] == dev.truths[1][0] and len(set(dev.truths[2]) & set(dev.truths[0])) == 0
    for kind in ("nodrums", "all"):
        assert [len(e) for e in dev.excerpts[kind]] == [3, 3, 3]
    assert np.abs(dev.excerpts["nodrums"][0]).max() < 0.11      # the tone only
    assert np.abs(dev.excerpts["all"][0]).max() > 1.5           # tone + kick + hat clicks


def test_devset_cuts_hits_from_the_rendered_drum_stems_only(tmp_path):
    _, songs = load_corpus(write_devset(tmp_path))
    dev = load_devset(songs, CFG)
    assert [len(t) for t in dev.hit_truths] == [2 * HITS_PER_STEM] * 3      # kick and hat stems, not the tone
    assert sorted(i for t in dev.hit_truths for i in t) == list(range(len(dev.hits)))
    assert all(np.abs(h).max() > 0.5 for h in dev.hits)                     # each holds a click


def test_an_oracle_ranks_first_and_a_constant_embedder_ranks_like_chance(tmp_path):
    _, songs = load_corpus(write_devset(tmp_path))
    dev = load_devset(songs, CFG)
    results = evaluate_dev(songs, {"oracle": Oracle(dev.truths), "constant": Constant(dev.truths)}, CFG)
    rivals = len(dev.keys) - 1                     # each pair: its one-shot + the 3 that are not the song's
    assert set(results["oracle"]) == set(RESULT_KEYS)
    for kind in RESULT_KEYS:
        assert results["constant"][kind].R_mn == pytest.approx(0.5, abs=0.13)   # all tie: the mid-rank
    for kind in ("nodrums", "all"):
        oracle, constant = results["oracle"][kind], results["constant"][kind]
        assert oracle.pairs == 6 and oracle.songs == 3 and oracle.candidates == 5
        assert oracle.R_mn == pytest.approx(1 / rivals) and oracle.R_md == pytest.approx(1 / rivals)
        assert constant.R_mn == pytest.approx((rivals + 1) / (2 * rivals))     # all tie: the mid-rank
        assert set(oracle.per_song) == {"s0", "s1", "s2"}


def test_evaluate_command_reports_the_dev_set_without_an_in_domain_corpus(tmp_path, tiny_weights, capsys):
    from training.cli import main

    dev = write_devset(tmp_path / "dev", seconds=4.5)
    out = tmp_path / "m.json"
    assert main(["evaluate", "--model", str(tiny_weights), "--dev", str(dev), "--baselines",
                 "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "no in-domain corpus" in text and "Dev: no-drums mix" in text and "log-mel statistics" in text
    metrics = json.loads(out.read_text())
    assert set(metrics) - {"dev_like/hits"} == {"dev", "dev_like"}     # its identical cut hits have no rival
    assert set(metrics["dev"]["SampleMatch"]) == set(RESULT_KEYS) and "Sounds like: dev set samples" in text
    assert 0 < metrics["dev"]["SampleMatch"]["all"]["R_mn"] <= 1


def test_validation_on_the_dev_set_is_logged_and_picks_best(tmp_path):
    from model.config import EncoderConfig, ModelConfig
    from training import checkpoint
    from training.config import TrainConfig
    from training.trainer import train

    corpus = write_devset(tmp_path / "corpus", split="train", seconds=4.5)
    dev = write_devset(tmp_path / "dev", seconds=4.5)
    cfg = TrainConfig(corpus=str(corpus), run_dir=str(tmp_path / "run"), dev_corpus=str(dev),
                      model=ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0,
                                        query_excerpts=2),
                      batch_size=3, max_steps=1, eval_every=1, checkpoint_every=1000, threads=1, seed=5)
    result = train(cfg)
    best = checkpoint.load(tmp_path / "run" / checkpoint.BEST)
    assert set(best["dev"]) == set(RESULT_KEYS) and "val" not in best      # no val songs: dev alone decides
    assert result.best_metric == pytest.approx(np.mean([best["dev"][k]["R_mn"] for k in RESULT_KEYS]))
    assert any(p.name.startswith("events") for p in (tmp_path / "run" / "tb").iterdir())


def test_train_command_takes_the_dev_set():
    from training.cli import build_parser, train_config

    assert train_config(build_parser().parse_args(["train", "--dev", "/x/devset"])).dev_corpus == "/x/devset"
    assert train_config(build_parser().parse_args(["train"])).dev_corpus == ""

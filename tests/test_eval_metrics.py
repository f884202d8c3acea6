"""Evaluation metrics by hand, and evaluate() on a corpus where a log-mel baseline must rank perfectly."""
import numpy as np
import pytest

from model.config import FrontEndConfig, ModelConfig
from training.corpus.layout import load_corpus, song_record, write_oneshot, write_song, write_stem
from training.embedders import LogMelStatsEmbedder
from training.evaluate import EvalConfig, contrastive_loss, evaluate, format_table, knn_likelihood, normalised_ranks
from training.pairs import Pair

SR = 44100


def test_normalised_rank_counts_candidates_scored_above_the_true_one():
    u = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.7, 0.7]])
    # query 0: true = 2 (cos 0.994) is beaten only by candidate 0 -> rank 2 of 4
    # query 1: true = 1 (cos 1) is first -> rank 1 of 4
    assert normalised_ranks(u, v, np.array([2, 1])).tolist() == [0.5, 0.25]


def test_a_collapsed_or_broken_model_ranks_like_chance_or_last():
    rng = np.random.default_rng(1)
    u, v, truth = rng.standard_normal((5, 3)), rng.standard_normal((100, 3)), np.arange(5)
    same = np.ones_like(v)  # every key embedded alike: all scores tie
    assert normalised_ranks(u, same, truth) == pytest.approx(np.full(5, 50.5 / 100))
    broken = u.copy()
    broken[2] = np.nan
    ranks = normalised_ranks(broken, v, truth)
    assert ranks[2] == 1.0 and np.isfinite(ranks).all()


def test_knn_likelihood_is_the_leave_one_out_share_of_same_label_neighbours():
    z = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [0.8, 0.3]])
    labels = np.array(["e", "e", "a", "a", "a"])
    # k=1 neighbours: 0->1 (e ok), 1->0 (ok), 2->3 (ok), 3->2 (ok), 4->1 (e, wrong) => 4/5
    assert knn_likelihood(z, labels, 1) == pytest.approx(0.8)
    # k=2: 0:{1,4} 1/2, 1:{0,4} 1/2, 2:{3,4} 1, 3:{2,4} 1, 4:{1,0} 0 => 3/5
    assert knn_likelihood(z, labels, 2) == pytest.approx(0.6)


def test_contrastive_loss_batches_hold_one_query_per_song():
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    plan = [Pair(s, 0, (1,), 0) for s in range(3) for _ in range(2)]          # 3 songs x 2 queries
    cfg = EvalConfig.for_model(ModelConfig(), loss_batch=190, temperature=0.2)

    def batch_loss(idx):
        un = u[idx] / np.linalg.norm(u[idx], axis=1, keepdims=True)
        vn = v[idx] / np.linalg.norm(v[idx], axis=1, keepdims=True)
        s = un @ vn.T / 0.2
        return np.mean([np.log(sum(np.exp(s[i, k]) for k in range(len(idx)) if k != i)) - s[i, i]
                        for i in range(len(idx))])

    expected = (batch_loss([0, 2, 4]) + batch_loss([1, 3, 5])) / 2
    assert contrastive_loss(u, v, plan, 2, cfg) == pytest.approx(expected, rel=1e-5)


@pytest.fixture(scope="module")
def tone_corpus(tmp_path_factory):
    """4 test songs; every stem and the one-shot of song i carry the same tone, unique to the song."""
    root = tmp_path_factory.mktemp("tones")
    t = np.arange(6 * SR) / SR
    for i, f in enumerate((150.0, 600.0, 2400.0, 7000.0)):
        d = root / "songs" / f"t{i}"
        tone = np.sin(2 * np.pi * f * t).astype(np.float32)
        stems = [{"name": n, "file": write_stem(d, n, g * tone), "role": n}
                 for n, g in (("kick", 0.5), ("bass", 0.3), ("pad", 0.2), ("lead", 0.1))]
        shot = write_oneshot(d, "kick0", 0.5 * tone[:SR // 2])
        write_song(root, song_record(f"t{i}", ("electronic", "acoustic")[i % 2], "x", "test", 6.0, stems,
                                     [{"file": shot, "role": "kick", "stem": "kick"}], {}))
    return load_corpus(root)[1]


def test_evaluate_ranks_the_matching_one_shot_first_when_it_is_obvious(tone_corpus):
    cfg = EvalConfig.for_model(ModelConfig(), split="test", queries_per_song=3, knn=1)
    results = evaluate(tone_corpus, {"stats": LogMelStatsEmbedder(FrontEndConfig(), SR)}, cfg)
    for kind in ("full", "sparse"):
        m = results["stats"][kind]
        assert m.queries == 12 and m.candidates == 4
        assert m.R_mn == pytest.approx(0.25) and m.R_md == pytest.approx(0.25)   # rank 1 of 4 every time
        assert 0.0 <= m.L_q <= 1.0 and 0.0 <= m.L_k <= 1.0
    assert results["stats"]["full"].L_q == pytest.approx(1.0)   # 1-NN = another excerpt of the same song
    table = format_table(results)
    assert "R_mn" in table and "stats" in table and "0.250" in table


def test_the_evaluation_cuts_queries_as_the_model_does():
    model = ModelConfig(frontend=FrontEndConfig.efficientat(), query_seconds=2.5)
    cfg = EvalConfig.for_model(model, split="val")
    assert (cfg.query_samples, cfg.hop, cfg.sample_rate, cfg.split) == (80000, 320, 32000, "val")
    with pytest.raises(TypeError):  # no silent 4-s, 44.1-kHz default
        EvalConfig(split="val")

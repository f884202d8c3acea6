"""Hit matching (model.mix_hits): the hits cut from a query's excerpts, the hub levels, the files in a model
folder, and how the query session and the CLI rank with it ("sounds like its drums" and the fused fit)."""
import json
import shutil

import numpy as np
import pytest

from model.mix_hits import (
    EDGE_S,
    INFO_FILE,
    MATCH_FILE,
    SAME_HIT_S,
    HitMatching,
    HitMatchingError,
    excerpt_hits,
    find_hit_matching,
    hit_onsets,
    load_hit_matching,
)
from model.scoring import l2_normalise
from samplematch_gui.cli import main
from samplematch_gui.engine import load_embedder
from tests import sounds
from tests.test_sounds_like_mode import open_session

SR = sounds.SR


def _excerpts(hit_times: list[list[float]], seconds: float = 2.0) -> np.ndarray:
    """(n, seconds) excerpts with a kick at each of their times, over a quiet steady tone."""
    rng = np.random.default_rng(0)
    n = int(seconds * SR)
    out = np.tile(0.05 * np.sin(2 * np.pi * 220 * np.arange(n) / SR), (len(hit_times), 1)).astype(np.float32)
    for row, times in zip(out, hit_times, strict=True):
        for t in times:
            k = sounds.kick(rng, 60, 0.3)
            i = int(t * SR)
            row[i:i + len(k)] += k[:n - i]
    return out


def test_hits_are_cut_at_the_onsets_up_to_the_next_hit_and_never_across_an_excerpt():
    times = [[0.3, 0.8, 1.5], [0.5, 1.0]]
    excerpts = _excerpts(times)
    chosen, every = hit_onsets(excerpts.reshape(-1), SR)
    truth = [t + 2.0 * row for row, ts in enumerate(times) for t in ts]
    assert all(np.abs(chosen - t).min() < 0.02 for t in truth)        # every kick is found...
    assert np.diff(chosen).min() > SAME_HIT_S                          # ... once, whichever bands heard it
    inside = chosen[(chosen % 2.0 > EDGE_S[0]) & (chosen % 2.0 < 2.0 - EDGE_S[1])]
    assert len(inside) < len(chosen)                  # the tone's cut-off at the end reads as an onset: dropped
    cuts = excerpt_hits(excerpts, SR, key_samples=SR)
    assert len(cuts) == len(inside)
    for t, cut in zip(inside, cuts, strict=True):
        later = every[every > t + 0.05]
        end = min(later[0] if len(later) else 4.0, (t // 2.0 + 1) * 2.0)      # the next onset, the excerpt's end
        assert 0.05 * SR < len(cut) <= (end - t + 0.005) * SR
    assert all(len(c) <= 2000 for c in excerpt_hits(excerpts, SR, key_samples=2000))
    assert len(excerpt_hits(_excerpts([[], []]), SR, key_samples=SR)) == 0    # a steady tone, and its join: none


def _matching(model_id: str, d: int = 256, weight: float = 0.5, songs: int = 3) -> HitMatching:
    reference = l2_normalise(np.random.default_rng(3).standard_normal((4 * songs, d)).astype(np.float32))
    return HitMatching(reference, np.arange(0, 4 * songs, 4), model_id, weight)


def test_the_hub_level_is_the_mean_over_reference_songs_of_the_best_cosine():
    m = _matching("m", d=8)
    keys = l2_normalise(np.random.default_rng(4).standard_normal((5, 8)).astype(np.float32))
    sims = keys @ m.reference.T
    expected = np.mean([sims[:, s:s + 4].max(axis=1) for s in (0, 4, 8)], axis=0)
    assert np.allclose(m.hub_levels(keys), expected, atol=1e-6)
    hits = m.reference[:2]
    assert np.allclose(m.scores(hits, keys, m.hub_levels(keys)), (keys @ hits.T).max(axis=1) - expected, atol=1e-6)
    assert np.allclose(m.fit_scores(np.ones(5), np.full(5, 0.2)), 1.1)


def test_hit_matching_files_round_trip_and_bad_ones_are_refused_in_one_line(tmp_path):
    m = _matching("model-a")
    m.save(tmp_path)
    back = load_hit_matching(tmp_path, "model-a")
    assert back.fit_weight == 0.5 and back.per_band == m.per_band and back.model_id == "model-a"
    assert np.allclose(back.reference, m.reference, atol=2e-3) and (back.song_starts == m.song_starts).all()
    with pytest.raises(HitMatchingError, match="fitted on model 'model-a', not 'model-b'"):
        load_hit_matching(tmp_path, "model-b")
    (tmp_path / MATCH_FILE).write_bytes(b"garbage")
    with pytest.raises(HitMatchingError, match="unreadable hit matching") as exc:
        load_hit_matching(tmp_path, "model-a")
    assert "\n" not in str(exc.value)
    (tmp_path / INFO_FILE).unlink()
    assert find_hit_matching(tmp_path, "model-a") is None       # a folder without one: no hit matching


@pytest.fixture
def matched_session(indexed, matched_weights, bounce):
    session = open_session(indexed, matched_weights, bounce)
    yield session
    session.close()


def test_with_hit_matching_like_ranks_by_hit_score_and_fit_adds_it_to_the_query_cosine(matched_session):
    s = matched_session
    assert s.modes() == ("fit", "like")
    hub = s.index._hub     # the hub levels came with the index, before any ranking
    assert hub is not None and hub[0] is s.embedder.hit_matching
    fit = s.rank()
    asked = s._asked[1]
    assert asked.hits is not None and len(asked.hits) > 0 and np.allclose(np.linalg.norm(asked.hits, axis=1), 1)
    matching, index = s.embedder.hit_matching, s.index
    hit = index.hit_scores(asked.hits, matching)
    units = index.unit_vectors()
    assert np.allclose(hit, (units @ asked.hits.T).max(axis=1) - matching.hub_levels(units), atol=1e-5)
    assert np.allclose(fit.scores, index.scores(asked.vector) + matching.fit_weight * hit, atol=1e-5)
    s.set_mode("like")
    like = s.rank({"kick", "hihat"})
    assert np.allclose(like.scores, hit, atol=1e-5)
    assert {index.category(int(i)) for i in like.order} == {"kick", "hihat"}
    assert list(like.scores[like.order]) == sorted(like.scores[like.order], reverse=True)


def test_a_bounce_without_hits_has_no_sounds_like_and_fit_asks_its_query_alone(indexed, matched_weights, tmp_path):
    import soundfile as sf

    pad = tmp_path / "pad.wav"
    sf.write(pad, 0.3 * np.sin(2 * np.pi * 220 * np.arange(10 * SR) / SR), SR)
    session = open_session(indexed, matched_weights, pad)
    fit = session.rank()
    assert fit.scored and len(session._asked[1].hits) == 0
    assert np.allclose(fit.scores, session.index.scores(session._asked[1].vector), atol=1e-6)
    session.set_mode("like")
    like = session.rank({"kick"})
    assert not like.scored and "pad.wav: no drum hits were heard in it" in like.problem
    session.close()


def test_cli_like_mode_with_hit_matching_is_sorted_by_score_within_the_class(indexed, matched_weights, bounce,
                                                                            capsys):
    args = ["rank", str(bounce), "--db", str(indexed), "--weights", str(matched_weights), "--json", "--top", "0"]
    assert main(args + ["--mode", "like", "--category", "kick", "--category", "snare"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["category"] for r in rows) == ["kick", "kick", "snare"]
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_a_damaged_hit_matching_leaves_the_model_ranking_and_says_which_file(matched_weights, tmp_path, capsys):
    damaged = shutil.copytree(matched_weights, tmp_path / "damaged")
    (damaged / INFO_FILE).write_text("{not json")
    embedder = load_embedder(damaged)
    err = capsys.readouterr().err.strip()
    assert embedder.hit_matching is None and str(damaged / INFO_FILE) in err and len(err.splitlines()) == 1
    assert "'Sounds like its drums' is off" in err

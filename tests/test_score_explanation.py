"""Why this score: plain-word comparisons with the bounce's hits, and the nearest highly ranked samples."""
import numpy as np
import pytest
import soundfile as sf

from samplematch_gui import score_explanation
from samplematch_gui.descriptors import Descriptors, measure
from samplematch_gui.library_db import SampleRow
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.query_session import Query, Ranking
from samplematch_gui.score_explanation import (
    ANALYSIS_RATE,
    SCALES,
    References,
    compare,
    explain,
    explanation_job,
    nearest_ranked,
    reference_descriptors,
)
from tests import sounds

HITS = Descriptors(brightness_hz=1000.0, attack_s=0.01, decay_s=0.2, tonal=0.3, low_share=0.4)


def test_each_descriptor_says_more_less_or_about_the_same():
    brighter_punchier = Descriptors(4000.0, 0.0, 0.21, 0.8, 0.05)
    verdicts = {c.scale.field: c.verdict for c in compare(brighter_punchier, HITS)}
    assert verdicts == {"brightness_hz": "brighter", "attack_s": "punchier", "decay_s": "as long",
                        "tonal": "more tonal", "low_share": "less low end"}
    darker_softer = Descriptors(250.0, 0.05, 1.5, 0.0, 0.9)
    verdicts = {c.scale.field: c.verdict for c in compare(darker_softer, HITS)}
    assert verdicts == {"brightness_hz": "darker", "attack_s": "softer attack", "decay_s": "longer",
                        "tonal": "noisier", "low_share": "more low end"}
    alone = compare(darker_softer, None)
    assert all(c.reference is None and c.verdict == "" for c in alone)
    assert alone[0].text == "Brightness: 250 Hz"


def test_bars_place_values_along_their_scale():
    brightness, attack = SCALES[0], SCALES[1]
    assert brightness.at(brightness.lo) == 0.0 and brightness.at(brightness.hi) == 1.0
    assert brightness.at(1e6) == 1.0 and attack.at(-1.0) == 0.0
    assert brightness.at(1000.0) < brightness.at(2000.0) < brightness.at(4000.0)


def _ranking(n: int = 40, seed: int = 0) -> Ranking:
    rng = np.random.default_rng(seed)
    rows = [SampleRow(f"/lib/s{i:02d}.wav", "/lib", f"s{i:02d}.wav", 1, 1, 0.5, "snare", None, None, "m")
            for i in range(n)]
    index = LibraryIndex(rows, rng.standard_normal((n, 16)).astype(np.float32), "m")
    scores = np.linspace(0.9, 0.1, n).astype(np.float32)  # s00 ranks first
    return Ranking(index, np.argsort(-scores), scores, Query("bounce", "/songs/bounce.wav"))


def test_the_evidence_is_the_nearest_of_the_best_ranked():
    ranking = _ranking()
    index = ranking.index
    me = 30  # ranked low
    best = [int(j) for j in ranking.order[:25]]
    cosines = {j: float(index.vector(j) @ index.vector(me)) for j in best}
    expected = sorted(best, key=lambda j: -cosines[j])[:3]
    got = nearest_ranked(ranking, me)
    assert [n.path for n in got] == [index.paths[j] for j in expected]
    assert [n.cosine for n in got] == pytest.approx([cosines[j] for j in expected], abs=1e-6)
    assert [n.score for n in got] == [f"fit {ranking.fit[j]:.1f}" for j in expected]
    top = int(ranking.order[0])
    assert index.paths[top] not in {n.path for n in nearest_ranked(ranking, top)}  # never itself


def test_explain_puts_the_score_and_the_comparison_in_words():
    ranking = _ranking()
    rng = np.random.default_rng(1)
    wave = sounds.hat(rng, 0.05)
    explanation = explain(ranking, "/lib/s00.wav", wave, sounds.SR, HITS)
    assert explanation.score == "Fit 100.0" and "better than 100.0 %" in explanation.meaning
    assert explanation.summary.startswith("Against the bounce's hits: brighter")
    assert len(explanation.comparisons) == len(SCALES) and len(explanation.neighbours) == 3
    no_hits = explain(ranking, "/lib/s00.wav", wave, sounds.SR, None)
    assert "no clear hits" in no_hits.summary and all(c.reference is None for c in no_hits.comparisons)
    assert explain(ranking, "/lib/elsewhere.wav", wave, sounds.SR, HITS) is None
    silent = explain(ranking, "/lib/s00.wav", np.zeros(4410, np.float32), sounds.SR, HITS)
    assert "silent" in silent.summary and silent.comparisons == ()


def test_a_sounds_like_ranking_says_so_in_its_headline():
    fit = _ranking()
    like = Ranking(fit.index, fit.order, fit.scores, Query("bounce", "/songs/bounce.wav", mode="like"))
    wave = sounds.hat(np.random.default_rng(1), 0.05)
    explanation = explain(like, "/lib/s00.wav", wave, sounds.SR, HITS)
    assert explanation.score == "Sounds like 100.0" and "like the bounce's drums" in explanation.meaning
    assert "fits" not in explanation.meaning
    assert all(n.score.startswith("sounds like ") for n in explanation.neighbours)


def test_the_bounce_is_measured_on_its_hits_and_a_like_query_on_its_sample(bounce, tmp_path):
    hits = reference_descriptors(Query("bounce", str(bounce)))
    assert hits is not None and 0 < hits.decay_s < 0.6
    rng = np.random.default_rng(3)
    kick = sounds.write(tmp_path / "kick.wav", sounds.kick(rng))
    like = reference_descriptors(Query("like", str(kick)))
    assert like == measure(sf.read(kick, dtype="float32")[0], ANALYSIS_RATE)
    assert like.low_share > 0.5


def test_the_bounce_is_measured_once_per_region(monkeypatch):
    measured = []

    def measure_reference(query, cancel=None):
        measured.append(query)
        return HITS

    monkeypatch.setattr(score_explanation, "reference_descriptors", measure_reference)
    query = Query("bounce", "/songs/bounce.wav", (1.0, 9.0))
    ranking = _ranking()
    ranking = Ranking(ranking.index, ranking.order, ranking.scores, query)
    wave = sounds.snare(np.random.default_rng(0))
    references = References(keep=1)
    for path in ("/lib/s03.wav", "/lib/s04.wav"):
        explanation = explanation_job(ranking, path, wave, sounds.SR, references)(None, None)
        assert explanation.path == path and explanation.comparisons[0].reference == HITS.brightness_hz
    assert measured == [query]
    other = Query("bounce", "/songs/bounce.wav", (2.0, 9.0))
    references.get(other)
    references.get(query)  # pushed out by the other region (keep=1): measured again
    assert measured == [query, other, query]

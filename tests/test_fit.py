"""Fit as a percentile of the library's scores for the same bounce: comparable from bounce to bounce."""
import numpy as np
import pytest

from samplematch_gui.fit import cosine_text, fit_text, fit_tooltip, percentiles


def test_percentiles_rank_each_score_among_the_pool():
    scores = np.array([0.1, 0.5, 0.3, 0.9, np.nan, 0.7], np.float32)
    pool = np.array([True, True, True, True, True, False])  # the last is not a drum sample
    fit = percentiles(scores, pool)
    assert fit[[0, 2, 1, 3]].tolist() == pytest.approx([0.0, 100 / 3, 200 / 3, 100.0])
    assert np.isnan(fit[4])
    assert fit[5] == 75.0  # outside the pool, compared with all of it: above 3 of its 4
    assert percentiles(np.array([0.2, 0.2, 0.4], np.float32), np.ones(3, bool)).tolist() == [0.0, 0.0, 100.0]
    assert percentiles(np.array([0.3], np.float32), np.ones(1, bool)).tolist() == [100.0]
    assert np.isnan(percentiles(np.array([0.3], np.float32), np.zeros(1, bool))).all()


def test_the_same_standing_reads_the_same_whatever_the_bounces_score_level():
    rng = np.random.default_rng(0)
    library = rng.normal(0, 1, 500).astype(np.float32)
    dense_mix, sparse_mix = 0.55 + 0.02 * library, 0.05 + 0.1 * library  # one order, two score levels
    pool = np.ones(500, bool)
    np.testing.assert_allclose(percentiles(dense_mix, pool), percentiles(sparse_mix, pool))


def test_texts():
    assert fit_text(97.25) == "97.2" and fit_text(float("nan")) == ""
    tip = fit_tooltip(97.25, 0.4123, 1234)
    assert "better than 97.2 % of the 1,234 drum samples" in tip and "0.412" in tip
    assert cosine_text(-0.001) == "0.00" and cosine_text(0.873) == "0.87" and cosine_text(float("nan")) == ""

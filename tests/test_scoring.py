"""Quantised scoring: int8 unit rows give float32 cosines to within quantisation, on every path."""
import numpy as np
import pytest

from model import scoring
from model.scoring import cosine_scores, quantise_rows, top_indices


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_quantised_cosines_match_float32_cosines():
    rng = np.random.default_rng(0)
    matrix = (rng.standard_normal((3000, 256)) * rng.uniform(0.1, 50, (3000, 1))).astype(np.float32)
    query = rng.standard_normal(256).astype(np.float32)
    rows, scales = quantise_rows(matrix)
    assert rows.dtype == np.int8 and rows.nbytes == matrix.nbytes // 4
    exact = _unit(matrix) @ _unit(query)
    scores = cosine_scores(rows, scales, query)
    assert scores.dtype == np.float32 and np.abs(scores - exact).max() < 3e-3
    order, exact_order = top_indices(scores, 100), top_indices(exact, 100)
    assert len(set(order) & set(exact_order)) >= 90  # only near-ties swap
    assert cosine_scores(rows, scales, rows[7] * scales[7])[7] == pytest.approx(1.0, abs=1e-5)


def test_zero_and_non_finite_rows_score_zero():
    matrix = np.array([[0, 0, 0], [np.nan, 1, 0], [np.inf, 0, 0], [3, 4, 0]], np.float32)
    rows, scales = quantise_rows(matrix)
    scores = cosine_scores(rows, scales, np.array([0, 1, 0], np.float32))
    assert scores.tolist() == pytest.approx([0.0, 1.0, 0.0, 0.8], abs=1e-2)
    assert np.isfinite(scores).all()


def test_the_threaded_path_gives_the_same_scores(monkeypatch):
    rng = np.random.default_rng(1)
    rows, scales = quantise_rows(rng.standard_normal((5000, 64)))
    query = rng.standard_normal(64)
    single = cosine_scores(rows, scales, query)
    monkeypatch.setattr(scoring, "PARALLEL_ROWS", 100)
    monkeypatch.setattr(scoring, "BLOCK_VALUES", 256 * 64)
    monkeypatch.setattr(scoring, "THREADS", 3)
    np.testing.assert_array_equal(cosine_scores(rows, scales, query), single)


def test_top_indices_best_first_within_a_subset():
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3], np.float32)
    assert top_indices(scores).tolist() == [1, 3, 2, 4, 0]
    assert top_indices(scores, 2).tolist() == [1, 3]
    assert top_indices(scores, 0).tolist() == [1, 3, 2, 4, 0]
    assert top_indices(scores, 2, np.array([0, 2, 4])).tolist() == [2, 4]
    assert top_indices(scores, None, np.array([], np.int64)).tolist() == []

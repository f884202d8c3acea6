"""Quantised scoring: 8-bit unit rows give float32 cosines to within quantisation, through the committed
ONNX scoring graph."""
import numpy as np
import pytest

from model.scoring import cosine_scores, quantise_rows, top_indices, unit_rows
from model.scoring_graph import GRAPH_FILE, scoring_graph_bytes


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_quantised_cosines_match_float32_cosines():
    rng = np.random.default_rng(0)
    matrix = (rng.standard_normal((3000, 256)) * rng.uniform(0.1, 50, (3000, 1))).astype(np.float32)
    query = rng.standard_normal(256).astype(np.float32)
    rows, scales = quantise_rows(matrix)
    assert rows.dtype == np.uint8 and rows.nbytes == matrix.nbytes // 4
    assert np.abs(unit_rows(rows, scales) - _unit(matrix)).max() < 1e-2
    assert np.linalg.norm(unit_rows(rows, scales), axis=1) == pytest.approx(1.0, abs=1e-6)
    exact = _unit(matrix) @ _unit(query)
    scores = cosine_scores(rows, scales, query)
    assert scores.dtype == np.float32 and np.abs(scores - exact).max() < 3e-3
    order, exact_order = top_indices(scores, 100), top_indices(exact, 100)
    assert len(set(order) & set(exact_order)) >= 90  # only near-ties swap
    assert cosine_scores(rows, scales, unit_rows(rows[7], scales[7]))[7] == pytest.approx(1.0, abs=1e-5)
    # the query's own rounding (two int8 parts) adds almost nothing to the rows' quantisation
    float_of_rows = unit_rows(rows, scales) @ _unit(query)
    assert np.abs(scores - float_of_rows).max() < 2e-5


def test_zero_and_non_finite_rows_score_zero():
    matrix = np.array([[0, 0, 0], [np.nan, 1, 0], [np.inf, 0, 0], [3, 4, 0]], np.float32)
    rows, scales = quantise_rows(matrix)
    scores = cosine_scores(rows, scales, np.array([0, 1, 0], np.float32))
    assert scores.tolist() == pytest.approx([0.0, 1.0, 0.0, 0.8], abs=1e-2)
    assert np.isfinite(scores).all()


def test_a_zero_query_scores_zero_and_an_empty_library_scores_nothing():
    rows, scales = quantise_rows(np.eye(4, dtype=np.float32))
    assert cosine_scores(rows, scales, np.zeros(4, np.float32)).tolist() == [0.0] * 4
    empty_rows, empty_scales = quantise_rows(np.zeros((0, 4), np.float32))
    assert cosine_scores(empty_rows, empty_scales, np.ones(4, np.float32)).shape == (0,)


def test_the_committed_scoring_graph_is_the_one_the_builder_writes():
    assert GRAPH_FILE.read_bytes() == scoring_graph_bytes()  # else: python -m model.scoring_graph


def test_top_indices_best_first_within_a_subset():
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.3], np.float32)
    assert top_indices(scores).tolist() == [1, 3, 2, 4, 0]
    assert top_indices(scores, 2).tolist() == [1, 3]
    assert top_indices(scores, 0).tolist() == [1, 3, 2, 4, 0]
    assert top_indices(scores, 2, np.array([0, 2, 4])).tolist() == [2, 4]
    assert top_indices(scores, None, np.array([], np.int64)).tolist() == []

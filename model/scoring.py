"""Score = cosine similarity; ranking a library is one matrix-vector product.

A library's unit vectors are held as 8-bit codes (uint8, 128 = zero) with one float32 scale per row: a quarter
of float32's memory; quantisation moves a cosine by about 1e-3. The product runs in ONNX Runtime's integer
kernel (model/scoring.onnx, written by model.scoring_graph) on the codes as they are, so no float32 copy of
the matrix is ever made; the query goes in as two int8 parts (a coarse one and its remainder), so its own
rounding stays far below the rows'.
"""
from __future__ import annotations

import os
import threading

import numpy as np

from model.scoring_graph import GRAPH_FILE, INPUTS, ZERO_POINT

THREADS = max(1, min(4, os.cpu_count() or 1))

_session = None
_session_lock = threading.Lock()


def l2_normalise(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=axis, keepdims=True)
    return x / np.maximum(norm, 1e-12)


def quantise_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 codes, float32 scales) with (codes[i] - 128) * scales[i] the unit vector of matrix[i] (zero rows
    stay 0; unit_rows decodes).

    Each row is scaled so that its largest component is 127, and its scale is the inverse norm of the
    rounded row, so a quantised vector has length 1 exactly (a sample's cosine to itself is 1).
    """
    m = np.nan_to_num(np.asarray(matrix, np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    if m.size == 0:
        return np.full(m.shape, ZERO_POINT, np.uint8), np.zeros(len(m), np.float32)
    peak = np.abs(m).max(axis=1)
    gain = np.divide(127.0, peak, out=np.zeros_like(peak), where=peak > 0)
    rounded = np.rint(m * gain[:, None])
    norm = np.sqrt(np.square(rounded, dtype=np.float32).sum(axis=1))
    scales = np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 0).astype(np.float32)
    return (rounded + ZERO_POINT).astype(np.uint8), scales


def unit_rows(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """The float32 unit vectors of quantised rows (codes (..., d), scales (...))."""
    return (codes.astype(np.float32) - ZERO_POINT) * np.asarray(scales, np.float32)[..., None]


def _query_parts(unit_queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(d, 2k) int8 and (2k, k) float32 scales for k unit query vectors (k, d): each vector is a coarse int8
    part plus an int8 part for what the coarse one rounded away."""
    k = len(unit_queries)
    coarse_scale = np.maximum(np.abs(unit_queries).max(axis=1), 1e-30) / 127
    coarse = np.rint(unit_queries / coarse_scale[:, None])
    rest = unit_queries - coarse * coarse_scale[:, None]
    fine_scale = np.maximum(np.abs(rest).max(axis=1), 1e-30) / 127
    fine = np.rint(rest / fine_scale[:, None])
    parts = np.concatenate([coarse, fine]).T.astype(np.int8)
    scales = np.zeros((2 * k, k), np.float32)
    scales[np.arange(k), np.arange(k)] = coarse_scale
    scales[k + np.arange(k), np.arange(k)] = fine_scale
    return np.ascontiguousarray(parts), scales


def _scoring_session():
    global _session
    with _session_lock:
        if _session is None:
            import onnxruntime as ort

            from model.inference_onnx import session_options

            _session = ort.InferenceSession(str(GRAPH_FILE), session_options(THREADS),
                                            providers=["CPUExecutionProvider"])
        return _session


def cosine_scores(codes: np.ndarray, scales: np.ndarray, query: np.ndarray,
                  row_class: np.ndarray | None = None) -> np.ndarray:
    """Cosine of the query to every quantised unit row, (n,) float32.

    query: (d,), or (classes, d) for a class-conditioned model (model.conditioning): row i is then
    scored by the vector row_class[i].
    """
    q = l2_normalise(query)
    conditioned = q.ndim == 2
    if conditioned and (row_class is None or len(row_class) != len(codes)):
        raise ValueError("class-conditioned queries need the class of every row")
    if not len(codes):
        return np.zeros(0, np.float32)
    parts, part_scales = _query_parts(q if conditioned else q[None])
    feeds = dict(zip(INPUTS, (np.ascontiguousarray(codes, np.uint8), parts, part_scales,
                              np.asarray(scales, np.float32).reshape(-1, 1)), strict=True))
    per_vector = _scoring_session().run(None, feeds)[0]
    if conditioned and row_class is not None:  # (the check above: it is, when conditioned)
        return np.take_along_axis(per_vector, np.asarray(row_class)[:, None], axis=1)[:, 0]
    return per_vector[:, 0]


def top_indices(scores: np.ndarray, top: int | None = None, among: np.ndarray | None = None) -> np.ndarray:
    """Positions of the best scores, best first; top None or 0 means all; among: only these positions."""
    candidates = scores if among is None else scores[among]
    n = len(candidates)
    if not top or top >= n:
        order = np.argsort(-candidates)
    else:
        part = np.argpartition(candidates, n - top)[n - top:]
        order = part[np.argsort(-candidates[part])]
    return order if among is None else among[order]

"""Score = cosine similarity; ranking a library is one matrix-vector product.

A library's unit vectors are held as int8 rows with one float32 scale per row (a quarter of float32's
memory; quantisation moves a cosine by about 1e-3). Scores are computed in float32 blocks small enough to
stay in the CPU cache, split over a few threads, so no float32 copy of the matrix is ever made.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# A block of 1 MiB of float32 stays in the L2 cache, and below the size at which OpenBLAS would run the
# block's matrix-vector product on threads of its own (they would fight ours: seconds instead of ms).
BLOCK_VALUES = 1 << 18
THREADS = max(1, min(4, os.cpu_count() or 1))
PARALLEL_ROWS = 1 << 16  # below this, one thread is faster than handing out the work

_POOL = ThreadPoolExecutor(THREADS, thread_name_prefix="scores")  # its threads start on first use


def l2_normalise(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=axis, keepdims=True)
    return x / np.maximum(norm, 1e-12)


def quantise_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int8 rows, float32 scales) with rows[i] * scales[i] the unit vector of matrix[i] (zero rows stay 0).

    Each row is scaled so that its largest component is 127, and its scale is the inverse norm of the
    rounded row, so a quantised vector has length 1 exactly (a sample's cosine to itself is 1).
    """
    m = np.nan_to_num(np.asarray(matrix, np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    if m.size == 0:
        return np.zeros(m.shape, np.int8), np.zeros(len(m), np.float32)
    peak = np.abs(m).max(axis=1)
    gain = np.divide(127.0, peak, out=np.zeros_like(peak), where=peak > 0)
    rows = np.rint(m * gain[:, None]).astype(np.int8)
    norm = np.sqrt(np.square(rows, dtype=np.float32).sum(axis=1))
    scales = np.divide(1.0, norm, out=np.zeros_like(norm), where=norm > 0).astype(np.float32)
    return rows, scales


def cosine_scores(rows: np.ndarray, scales: np.ndarray, query: np.ndarray,
                  row_class: np.ndarray | None = None) -> np.ndarray:
    """Cosine of the query to every quantised unit row, (n,) float32.

    query: (d,), or (classes, d) for a class-conditioned model (model.conditioning): row i is then
    scored by the vector row_class[i].
    """
    q = l2_normalise(query)
    conditioned = q.ndim == 2
    if conditioned and (row_class is None or len(row_class) != len(rows)):
        raise ValueError("class-conditioned queries need the class of every row")
    n = len(rows)
    out = np.empty(n, np.float32)
    block_rows = max(1, BLOCK_VALUES // max(1, rows.shape[1]))

    def score(lo: int, hi: int) -> None:
        buf = np.empty((min(block_rows, hi - lo), rows.shape[1]), np.float32)
        for start in range(lo, hi, block_rows):
            stop = min(hi, start + block_rows)
            block = buf[:stop - start]
            np.copyto(block, rows[start:stop], casting="unsafe")
            if conditioned and row_class is not None:  # (the check above: it is, when conditioned)
                per_class = block @ q.T
                out[start:stop] = np.take_along_axis(per_class, row_class[start:stop, None], axis=1)[:, 0]
            else:
                np.matmul(block, q, out=out[start:stop])

    if n < PARALLEL_ROWS or THREADS == 1:
        if n:
            score(0, n)
    else:
        step = -(-n // THREADS // block_rows) * block_rows
        spans = [(lo, min(n, lo + step)) for lo in range(0, n, step)]
        list(_POOL.map(lambda span: score(*span), spans))
    out *= scales
    return out


def top_indices(scores: np.ndarray, top: int | None = None, among: np.ndarray | None = None) -> np.ndarray:
    """Positions of the best scores, best first; top None or 0 means all; among: only these positions."""
    candidates = scores if among is None else scores[among]
    neg = -candidates
    n = len(neg)
    if not top or top >= n:
        order = np.argsort(neg)
    else:
        part = np.argpartition(neg, top - 1)[:top]
        order = part[np.argsort(neg[part])]
    return order if among is None else among[order]

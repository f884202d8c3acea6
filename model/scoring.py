"""Score = cosine similarity; ranking a library is one matrix-vector product."""
from __future__ import annotations

import numpy as np


def l2_normalise(x: np.ndarray, axis: int = -1) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=axis, keepdims=True)
    return x / np.maximum(norm, 1e-12)


def cosine_scores(query: np.ndarray, unit_matrix: np.ndarray) -> np.ndarray:
    """Cosine of one query vector against every row of an L2-normalised matrix."""
    return unit_matrix @ l2_normalise(query)


def top_indices(scores: np.ndarray, top: int | None = None) -> np.ndarray:
    """Indices of the best scores, best first; top None or 0 means all."""
    n = len(scores)
    neg = -scores
    if not top or top >= n:
        return np.argsort(neg)
    part = np.argpartition(neg, top - 1)[:top]
    return part[np.argsort(neg[part])]

"""Class-conditioned queries: one query vector per drum class, each key scored by its own class's.

A single query vector averages every drum of a song, and one vector cannot point at a kick, a snare and a
hat at once (on real songs the mean of the drum stems' own encodings ranks their samples near chance).
With ModelConfig.query_classes the query encoder gives one vector per class instead, and a one-shot of
class c is scored by cosine to the query's vector c. Categories outside the classes use the last class.

With ModelConfig.query_modes the outputs hold one such block of class vectors per query task, "fit" first:
"fit" points at drums that fit the music (trained with the key's own drums mostly left out of the query),
"like" at the drums heard in it (trained with the key's own stem always in: "sounds like its kick").
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The app's categories (model.taxonomy) and the corpus's roles, merged: percussion and anything else share one.
DRUM_CLASSES = ("kick", "snare", "hihat", "ride", "crash", "tom", "other")
QUERY_MODES = ("fit", "like")


def mode_offset(modes: Sequence[str], classes: Sequence[str], mode: str) -> int:
    """Index of the mode's first class vector in a query's outputs (a model without modes has "fit" only)."""
    if mode not in QUERY_MODES:
        raise ValueError(f"unknown query mode {mode!r}; the modes are {QUERY_MODES}")
    if mode == "fit":
        return 0
    if mode not in modes:
        raise ValueError(f"this model has no {mode!r} queries (it was trained for {tuple(modes) or ('fit',)})")
    return list(modes).index(mode) * len(classes)


def mode_block(queries: np.ndarray, modes: Sequence[str], classes: Sequence[str], mode: str) -> np.ndarray:
    """The mode's class vectors of (..., outputs, d) conditioned queries: (..., classes, d)."""
    start = mode_offset(modes, classes, mode)
    return queries[..., start:start + len(classes), :]


def class_indices(classes: Sequence[str], categories: Sequence[str]) -> np.ndarray:
    """Index into classes of each category (a role or app category); unknown ones map to the last class."""
    index = {c: i for i, c in enumerate(classes)}
    fallback = len(classes) - 1
    return np.array([index.get(c, fallback) for c in categories], dtype=np.int64)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def cosine_scores(queries: np.ndarray, keys: np.ndarray, key_class: np.ndarray | None = None) -> np.ndarray:
    """(n_queries, n_keys) cosine. queries: (n, d), or (n, classes, d) scored per key by key_class."""
    keys = _unit(np.asarray(keys, np.float32))
    queries = _unit(np.asarray(queries, np.float32))
    if queries.ndim == 2:
        return queries @ keys.T
    if key_class is None:
        raise ValueError("class-conditioned queries need the class of every key")
    per_class = np.einsum("ncd,kd->nck", queries, keys)            # every class's score for every key
    return np.take_along_axis(per_class, np.asarray(key_class)[None, None, :], axis=1)[:, 0]

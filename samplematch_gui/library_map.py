"""The library as a map: a 2-D layout of the samples' key embeddings in which a sample's neighbours are the
samples it sounds most like (its cosine neighbours), cached in the library database.

The layout is openTSNE's t-SNE on cosine affinities (PCA start, fixed seed: the same library gives the same map),
chosen by measurement (bench/map_view.py, README "The library as a map"): it keeps four to five times as many of
each sample's 10 nearest cosine neighbours among its 10 nearest on the map as PCA does, as many as scikit-learn's
t-SNE and more than UMAP, for less CPU than either; and unlike them it calls back during its optimisation, so a
layout reports its progress and stops when cancelled.

A stored layout is keyed by the model id, the method and a signature of the samples laid out (their paths and
embeddings): a new model, a rescan that adds, removes or re-embeds a file, or another method, lays it out anew.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from samplematch_gui.jobs import CancelFlag, Job, Progress, check_cancelled
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.library_index import LibraryIndex

METHOD = "opentsne-cosine-1"  # stored with each layout: a change of method or its settings invalidates them
NEIGHBOURS = 10  # the neighbourhood whose agreement the README reports
PERPLEXITY = 30.0
SEED = 0
CALLBACK_EVERY = 10  # iterations between progress reports (and cancel checks)
_ITERATIONS = 250 + 500  # openTSNE's early-exaggeration and main phases
_SIGNATURE_ROWS = 8192
_PROBE_BLOCK = 64


@dataclass(frozen=True, eq=False)
class LibraryMap:
    """Where each sample of an index lies on the map."""
    index: LibraryIndex
    coords: np.ndarray  # (n, 2) float32, per index position
    cached: bool  # read from the library database, not laid out now


def library_signature(index: LibraryIndex) -> str:
    """A digest of what the map lays out: the samples' paths and their embeddings, in index order."""
    digest = hashlib.blake2b(digest_size=16)
    for path in index.paths:
        digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
    for lo in range(0, len(index), _SIGNATURE_ROWS):
        digest.update(index.unit_vectors(lo, lo + _SIGNATURE_ROWS).tobytes())
    return digest.hexdigest()


def layout(vectors: np.ndarray, cancel: CancelFlag | None = None, report: Progress | None = None) -> np.ndarray:
    """(n, 2) float32 t-SNE map of (n, d) unit vectors; report(fraction done) every few iterations.

    One thread: more only waste CPU beside a DAW (their workers spin while they wait for each other: on the
    two-core machine, two threads took five times the CPU of one for the same map)."""
    n = len(vectors)
    if n < 2:
        return np.zeros((n, 2), np.float32)
    from openTSNE import TSNE  # scikit-learn and scipy load only when a map is laid out

    calls = 0

    def progress(iteration: int, error: float, embedding: np.ndarray) -> bool:
        nonlocal calls
        check_cancelled(cancel)  # raised through openTSNE's loop: it catches only its own interrupt
        calls += 1
        if report is not None:
            report(min(1.0, calls * CALLBACK_EVERY / _ITERATIONS))
        return False

    check_cancelled(cancel)
    tsne = TSNE(perplexity=min(PERPLEXITY, (n - 1) / 3), metric="cosine", initialization="pca",
                random_state=SEED, n_jobs=1, callbacks=progress, callbacks_every_iters=CALLBACK_EVERY)
    return np.asarray(tsne.fit(np.asarray(vectors, np.float32)), np.float32)


def map_job(db_path, index: LibraryIndex) -> Job:
    """The index's map: read from the library database if it holds this library's, else laid out and stored."""
    if index.model_id is None:
        raise ValueError("a map needs the embeddings of a model")
    model_id = index.model_id

    def job(cancel: CancelFlag | None, report: Progress) -> LibraryMap:
        signature = library_signature(index)
        with LibraryDB(db_path) as db:
            stored = db.library_map(model_id, METHOD, signature)
        if stored is not None and len(stored) == len(index):
            return LibraryMap(index, stored, cached=True)
        coords = layout(index.unit_vectors(), cancel, report)
        check_cancelled(cancel)
        with LibraryDB(db_path) as db:
            db.save_library_map(model_id, METHOD, signature, coords)
        return LibraryMap(index, coords, cached=False)

    return job


def neighbour_agreement(vectors: np.ndarray, coords: np.ndarray, k: int = NEIGHBOURS,
                        probes: np.ndarray | None = None) -> float:
    """The mean share of each probe point's k nearest cosine neighbours (among the unit vectors) that are among
    its k nearest on the map (Euclidean, coords); probes: the positions asked (None: every point)."""
    n = len(vectors)
    if n <= k:
        raise ValueError(f"{n} points have no {k} neighbours each")
    vectors = np.asarray(vectors, np.float32)
    coords = np.asarray(coords, np.float64)
    squares = (coords ** 2).sum(axis=1)
    asked = np.arange(n) if probes is None else np.asarray(probes)
    kept = 0
    for lo in range(0, len(asked), _PROBE_BLOCK):
        block = asked[lo:lo + _PROBE_BLOCK]
        rows = np.arange(len(block))
        similarity = vectors[block] @ vectors.T
        similarity[rows, block] = -np.inf  # a point is not its own neighbour
        distance = squares[block, None] + squares[None, :] - 2 * coords[block] @ coords.T
        distance[rows, block] = np.inf
        near = np.argpartition(-similarity, k, axis=1)[:, :k]
        near_on_map = np.argpartition(distance, k, axis=1)[:, :k]
        kept += sum(len(np.intersect1d(a, b)) for a, b in zip(near, near_on_map, strict=True))
    return kept / (k * len(asked))

"""The library map's core: neighbourhood agreement, the t-SNE layout, and its cache in the library database."""
from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from samplematch_gui import library_map
from samplematch_gui.jobs import Cancelled
from samplematch_gui.library_db import MIGRATIONS, LibraryDB, SampleRecord
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.library_map import layout, map_job, neighbour_agreement


def _unit(angles_deg) -> np.ndarray:
    a = np.radians(np.asarray(angles_deg, np.float64))
    return np.stack([np.cos(a), np.sin(a), np.zeros_like(a)], axis=1).astype(np.float32)


def test_agreement_counts_the_cosine_neighbours_kept_on_the_map():
    vectors = _unit([0, 10, 90, 100])  # cosine: 0 and 1 are each other's nearest, so are 2 and 3
    line = np.array([[0.0, 0], [1.0, 0], [1.5, 0], [3.0, 0]])  # on the map: 0->1, 1->2, 2->1, 3->2
    assert neighbour_agreement(vectors, line, k=1) == 0.5
    assert neighbour_agreement(vectors, line, k=1, probes=np.array([0, 3])) == 1.0
    assert neighbour_agreement(vectors, line, k=1, probes=np.array([1, 2])) == 0.0


def test_agreement_is_one_for_a_faithful_map_and_low_for_a_shuffled_one():
    rng = np.random.default_rng(0)
    angles = np.sort(rng.uniform(0, 180, 200))  # a half circle: cosine order is angle order
    vectors = _unit(angles)
    faithful = np.stack([angles, np.zeros_like(angles)], axis=1)
    assert neighbour_agreement(vectors, faithful) == 1.0
    shuffled = faithful[rng.permutation(len(angles))]
    assert neighbour_agreement(vectors, shuffled) < 0.15


def test_agreement_needs_enough_points():
    with pytest.raises(ValueError, match="no 10 neighbours"):
        neighbour_agreement(_unit(range(10)), np.zeros((10, 2)))


def _clusters(rng, n_per: int = 40, dim: int = 16, groups: int = 3) -> tuple[np.ndarray, np.ndarray]:
    centres = np.eye(dim, dtype=np.float32)[:groups]
    labels = np.repeat(np.arange(groups), n_per)
    x = centres[labels] + 0.15 * rng.standard_normal((len(labels), dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), labels


def test_layout_keeps_clusters_apart_and_reports_progress():
    vectors, labels = _clusters(np.random.default_rng(1))
    seen: list[float] = []
    coords = layout(vectors, report=seen.append)
    assert coords.shape == (len(vectors), 2) and coords.dtype == np.float32
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    centroids = np.stack([coords[labels == g].mean(axis=0) for g in range(3)])
    nearest = np.argmin(((coords[:, None, :] - centroids[None]) ** 2).sum(-1), axis=1)
    assert (nearest == labels).all()  # every sample lies nearest its own cluster's centre
    assert neighbour_agreement(vectors, coords) > neighbour_agreement(vectors, coords[::-1])
    assert np.array_equal(layout(vectors), coords)  # the same library gives the same map


def test_layout_stops_when_cancelled_and_handles_tiny_libraries():
    vectors, _ = _clusters(np.random.default_rng(2))
    cancel = threading.Event()

    def cancel_soon(fraction: float) -> None:
        if fraction > 0.2:
            cancel.set()

    with pytest.raises(Cancelled):
        layout(vectors, cancel, cancel_soon)
    assert layout(vectors[:1]).shape == (1, 2) and layout(vectors[:0]).shape == (0, 2)
    assert np.isfinite(layout(vectors[:3])).all()


def _write(db_path, paths, model_id="model-a", seed=0) -> LibraryIndex:
    rng = np.random.default_rng(seed)
    with LibraryDB(db_path) as db:
        db.write_batch(SampleRecord(p, "/lib", 1, 1, 0.5, "kick", model_id,
                                    embedding=rng.standard_normal(16).astype(np.float32)) for p in paths)
        return LibraryIndex.from_db(db, model_id)


def test_the_map_is_stored_and_read_back_until_the_library_or_model_changes(tmp_path, monkeypatch):
    db_path = tmp_path / "lib.sqlite3"
    laid_out = []
    real_layout = library_map.layout
    monkeypatch.setattr(library_map, "layout", lambda *a, **k: laid_out.append(1) or real_layout(*a, **k))
    paths = [f"/lib/s{i:02d}.wav" for i in range(30)]
    index = _write(db_path, paths)
    first = map_job(db_path, index)(None, lambda _: None)
    assert not first.cached and first.coords.shape == (30, 2) and len(laid_out) == 1
    again = map_job(db_path, index)(None, lambda _: None)  # the next start: read, not laid out
    assert again.cached and np.array_equal(again.coords, first.coords) and len(laid_out) == 1

    grown = _write(db_path, ["/lib/s99.wav"], seed=1)  # a rescan found a new file
    assert not map_job(db_path, grown)(None, lambda _: None).cached and len(laid_out) == 2
    re_embedded = _write(db_path, ["/lib/s99.wav"], seed=2)  # the same paths, one file changed
    assert not map_job(db_path, re_embedded)(None, lambda _: None).cached
    other_model = _write(db_path, paths + ["/lib/s99.wav"], model_id="model-b")
    assert not map_job(db_path, other_model)(None, lambda _: None).cached
    assert map_job(db_path, re_embedded)(None, lambda _: None).cached  # each model keeps its own map


def test_a_cancelled_layout_stores_nothing(tmp_path):
    db_path = tmp_path / "lib.sqlite3"
    index = _write(db_path, [f"/lib/s{i}.wav" for i in range(20)])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        map_job(db_path, index)(cancel, lambda _: None)
    with LibraryDB(db_path) as db:
        assert db.library_map("model-a", library_map.METHOD, library_map.library_signature(index)) is None


def test_a_library_from_before_the_map_gains_its_table(tmp_path):
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    for step in (1, 2):
        for statement in MIGRATIONS[step]:
            con.execute(statement)
    con.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '2')")
    con.commit()
    con.close()
    with LibraryDB(path) as db:
        db.save_library_map("m", "method", "sig", np.ones((3, 2), np.float32))
        assert db.library_map("m", "method", "sig").tolist() == [[1.0, 1.0]] * 3
        assert db.library_map("m", "method", "another library") is None

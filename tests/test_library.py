"""Library cache, incremental scan and ranking, headless."""
import os
import threading

import numpy as np
import pytest

from samplematch_gui.library_db import LibraryDB
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.scanner import distinct_roots, scan_library
from tests import sounds


def _snapshot(root):
    return {p: (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_first_scan_indexes_every_sample_and_reports_bad_files(tmp_path, sample_library, tiny_embedder):
    before = _snapshot(sample_library)
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        summary = scan_library(db, [root], tiny_embedder)
        rows = {os.path.basename(r.path): r for r in db.rows()}
        errors = db.error_rows()
    assert summary.indexed == 8 and summary.skipped == 0 and not summary.cancelled
    assert [os.path.basename(p) for p, _ in summary.errors] == ["not_audio.wav"]
    assert "not an audio file" in summary.errors[0][1]
    assert [e.name for e in errors] == ["not_audio.wav"]
    assert rows["808_BD_01.wav"].category == "kick"
    assert rows["Closed Hat 1.aiff"].category == "hihat"
    assert rows["Crash 16in.wav"].category == "crash"
    assert rows["Crash 16in.wav"].duration == pytest.approx(3.0, abs=0.01)
    assert rows["Open Hat.ogg"].folder == str(sample_library.resolve() / "Hats")
    assert _snapshot(sample_library) == before  # the sample folder is only ever read


def test_rescan_is_incremental(tmp_path, sample_library, tiny_embedder):
    rng = np.random.default_rng(5)
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        again = scan_library(db, [root], tiny_embedder)
        assert (again.indexed, again.skipped, again.removed) == (0, 9, 0)

        (sample_library / "Kicks" / "808_BD_01.wav").unlink()
        sounds.write(sample_library / "Snares" / "SD_Tight.wav", sounds.snare(rng, 0.2))
        sounds.write(sample_library / "Snares" / "New Snare.wav", sounds.snare(rng))
        third = scan_library(db, [root], tiny_embedder)
        assert (third.indexed, third.removed) == (2, 1)
        names = sorted(r.name for r in db.rows())
        assert "808_BD_01.wav" not in names and "New Snare.wav" in names
        snare = next(r for r in db.rows() if r.name == "SD_Tight.wav")
        assert snare.duration == pytest.approx(0.2, abs=0.01)


class _RenamedModel:
    """The same encoder under a new model id: a new bundled model must re-embed everything."""

    def __init__(self, inner, model_id):
        self._inner, self.model_id = inner, model_id
        self.sample_rate, self.key_seconds = inner.sample_rate, inner.key_seconds

    def embed_keys(self, waves):
        return self._inner.embed_keys(waves)


def test_new_model_id_reembeds(tmp_path, sample_library, tiny_embedder):
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        summary = scan_library(db, [root], _RenamedModel(tiny_embedder, "other-model"))
        assert summary.indexed == 8
        assert {r.model_id for r in db.rows()} == {"other-model"}
        assert len(db.embeddings("other-model")[0]) == 8
        assert db.embeddings(tiny_embedder.model_id)[0] == []


def test_cancel_keeps_what_is_done_and_resume_finishes(tmp_path, tiny_embedder):
    rng = np.random.default_rng(3)
    root = tmp_path / "many"
    for i in range(70):
        sounds.write(root / f"hit_{i:03d}.wav", sounds.hat(rng, 0.02, 0.1))
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p)
        cancel.set()  # stop after the first batch

    with LibraryDB(tmp_path / "lib.db") as db:
        summary = scan_library(db, [str(root)], tiny_embedder, cancel, progress)
        assert summary.cancelled and summary.indexed == 64 and db.count() == 64
        assert seen[0].done == 64 and seen[0].total == 70 and seen[0].eta is not None
        resumed = scan_library(db, [str(root)], tiny_embedder)
        assert (resumed.indexed, resumed.skipped) == (6, 64) and db.count() == 70


def test_unplugged_folder_keeps_its_samples(tmp_path, sample_library, tiny_embedder):
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        sample_library.rename(tmp_path / "elsewhere")
        summary = scan_library(db, [root], tiny_embedder)
        assert summary.removed == 0 and "folder not found" in summary.errors[0][1]
        assert db.count() == 8


def test_remove_folder_forgets_samples_but_not_files(tmp_path, sample_library, tiny_embedder):
    before = _snapshot(sample_library)
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        db.remove_folder(root)
        assert db.folders() == [] and db.count() == 0
    assert _snapshot(sample_library) == before


def test_nested_folders_are_scanned_once(tmp_path):
    a = tmp_path / "a"
    assert distinct_roots([str(a / "b"), str(a), str(tmp_path / "ab")]) == [str(a), str(tmp_path / "ab")]


def test_user_category_survives_rescans(tmp_path, sample_library, tiny_embedder):
    path = str((sample_library / "Toms" / "Tom Hi.wav").resolve())
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        db.set_user_category(path, "kick")
        sounds.write(sample_library / "Toms" / "Tom Hi.wav", sounds.kick(np.random.default_rng(9), 90))
        scan_library(db, [root], tiny_embedder)
    with LibraryDB(tmp_path / "lib.db") as db:
        row = next(r for r in db.rows() if r.path == path)
        assert (row.category, row.auto_category, row.user_category) == ("kick", "tom", "kick")
        db.set_user_category(path, None)
        assert next(r for r in db.rows() if r.path == path).category == "tom"


def test_ranking_is_cosine_best_first_with_filters():
    from samplematch_gui.library_db import SampleRow

    def row(name, cat):
        return SampleRow(f"/lib/{name}", "/lib", name, 1, 1, 0.5, cat, None, None, "m")

    rows = [row("a", "kick"), row("b", "snare"), row("c", "kick"), row("d", "hihat")]
    matrix = np.array([[1, 0], [0, 3], [1, 1], [-1, -0.1]], np.float32)
    index = LibraryIndex(rows, matrix, "m")

    def names(order):
        return [index.name(i) for i in order]

    order, scores = index.rank(np.array([2.0, 0.1]))
    assert names(order) == ["a", "c", "b", "d"]
    assert scores[0] == pytest.approx(2 / np.hypot(2, 0.1), abs=1e-6)  # [1, 0] quantises exactly
    assert np.all(np.diff(scores[order]) <= 0)
    assert names(index.rank(np.array([0.0, 1.0]), {"kick"})[0]) == ["c", "a"]
    assert names(index.rank(np.array([1.0, 0.0]), top=2)[0]) == ["a", "c"]
    assert names(index.rank(index.vector(index.position("/lib/b")))[0]) == ["b", "c", "a", "d"]
    empty = LibraryIndex([], np.zeros((0, 0)), "m")
    assert len(empty.rank(np.ones(2))[0]) == 0 and empty.ranks_for("m") and not empty.ranks_for("other")
    assert not LibraryIndex(rows).ranks_for("m")  # rows only: the library before its model is loaded


def test_the_index_reads_the_library_in_blocks(tmp_path, sample_library, tiny_embedder):
    with LibraryDB(tmp_path / "lib.db") as db:
        scan_library(db, [db.add_folder(sample_library)], tiny_embedder)
        rows = db.rows()
        whole = LibraryIndex.from_db(db, tiny_embedder.model_id)
        blocks = LibraryIndex.from_blocks(db.sample_blocks(tiny_embedder.model_id, size=3), tiny_embedder.model_id)
        browse = LibraryIndex.from_db(db, None)
    assert whole.paths == blocks.paths == browse.paths == [r.path for r in rows]
    query = np.random.default_rng(0).standard_normal(tiny_embedder.embed_dim)
    np.testing.assert_array_equal(whole.scores(query), blocks.scores(query))
    assert [whole.category(i) for i in range(len(whole))] == [r.category for r in rows]
    assert whole.durations.tolist() == pytest.approx([r.duration for r in rows])
    assert not browse.ranks_for(tiny_embedder.model_id)

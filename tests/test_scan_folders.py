"""Scanning real-world folder trees: odd names, unreadable or empty folders, symlinks, nesting, cancel."""
import io
import os
import threading

import numpy as np
import pytest
import soundfile as sf

from model import audio
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.scanner import scan_library
from tests import sounds


def _names(db):
    return sorted(r.name for r in db.rows())


def test_a_name_that_is_not_utf8_is_reported_and_the_rest_is_indexed(tmp_path, sample_library, tiny_embedder):
    buf = io.BytesIO()
    sf.write(buf, sounds.kick(np.random.default_rng(2)), sounds.SR, format="WAV")
    odd = os.fsencode(sample_library / "Kicks") + b"/kick_caf\xe9.wav"  # Latin-1 name on a UTF-8 system
    with open(odd, "wb") as f:
        f.write(buf.getvalue())
    with LibraryDB(tmp_path / "lib.db") as db:
        summary = scan_library(db, [db.add_folder(sample_library)], tiny_embedder)
        assert summary.indexed == 8 and db.count() == 8
    messages = dict(summary.errors)
    shown = next(p for p in messages if "kick_caf" in p)
    assert "not valid UTF-8" in messages[shown] and shown.endswith("kick_caf\ufffd.wav")
    assert audio.probe(os.fsdecode(odd)).frames > 0  # the audio itself reads: only the cache stores text


def _unreadable(monkeypatch, *folders):
    real = os.scandir
    blocked = {str(f) for f in folders}

    def scandir(path="."):
        if os.fspath(path) in blocked:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)


def test_an_unreadable_folder_keeps_its_indexed_samples(tmp_path, sample_library, tiny_embedder, monkeypatch):
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        (sample_library / "Snares" / "SD_Tight.wav").unlink()
        _unreadable(monkeypatch, os.path.join(root, "Kicks"))
        summary = scan_library(db, [root], tiny_embedder)
        assert summary.removed == 1 and "808_BD_01.wav" in _names(db)  # the deleted snare goes, the kicks stay
        assert any(p.endswith("Kicks") and "cannot read folder" in m for p, m in summary.errors)
        _unreadable(monkeypatch, root)
        summary = scan_library(db, [root], tiny_embedder)
        assert summary.removed == 0 and db.count() == 7


def test_an_emptied_folder_is_kept_like_an_unmounted_drive(tmp_path, sample_library, tiny_embedder):
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        for sub in list(sample_library.iterdir()):
            sub.rename(tmp_path / sub.name)
        summary = scan_library(db, [root], tiny_embedder)
        assert summary.removed == 0 and db.count() == 8
        assert "no audio files found now" in dict(summary.errors)[root]


def test_symlinked_folders_are_followed_once_and_corrections_stick(tmp_path, tiny_embedder):
    store, lib = tmp_path / "Store", tmp_path / "Library"
    sounds.write(store / "hit_01.wav", sounds.snare(np.random.default_rng(4)))
    sounds.write(lib / "Kicks" / "BD 1.wav", sounds.kick(np.random.default_rng(5)))
    (lib / "Linked Kit").symlink_to(store, target_is_directory=True)
    (lib / "Kicks" / "loop").symlink_to(lib, target_is_directory=True)  # a link back up must not recurse
    (lib / "Twin").symlink_to(lib / "Kicks", target_is_directory=True)  # the same folder twice
    with LibraryDB(tmp_path / "lib.db") as db:
        summary = scan_library(db, [db.add_folder(lib)], tiny_embedder)
        assert summary.indexed == 2 and _names(db) == ["BD 1.wav", "hit_01.wav"]
        linked = next(r for r in db.rows() if r.name == "hit_01.wav")
        assert linked.path == str(lib.resolve() / "Linked Kit" / "hit_01.wav")
        db.set_user_category(linked.path, "kick")
        scan_library(db, [str(lib)], tiny_embedder)
        assert next(r for r in db.rows() if r.name == "hit_01.wav").category == "kick"


def test_nested_folders_share_their_samples(tmp_path, sample_library, tiny_embedder):
    kicks = sample_library / "Kicks"
    with LibraryDB(tmp_path / "lib.db") as db:
        child = db.add_folder(kicks)
        assert scan_library(db, [child], tiny_embedder).indexed == 2
        parent = db.add_folder(sample_library)
        summary = scan_library(db, db.folders(), tiny_embedder)
        assert (summary.indexed, summary.skipped) == (6, 2)  # the kicks are not embedded again
        db.remove_folder(parent)
        assert _names(db) == ["808_BD_01.wav", "Punchy Kick 2.flac"]  # still listed through Kicks
        db.add_folder(sample_library)
        scan_library(db, db.folders(), tiny_embedder)
        db.remove_folder(child)
        assert db.count() == 8  # still inside the listed parent


def test_a_cancelled_walk_deletes_nothing(tmp_path, sample_library, tiny_embedder):
    cancel = threading.Event()
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        (sample_library / "Kicks" / "808_BD_01.wav").unlink()
        cancel.set()
        summary = scan_library(db, [root], tiny_embedder, cancel)
        assert summary.cancelled and summary.removed == 0 and db.count() == 8


def test_an_unplugged_symlinked_folder_keeps_its_samples_and_replugging_embeds_nothing(tmp_path, tiny_embedder):
    drive, lib = tmp_path / "Drive", tmp_path / "Library"
    rng = np.random.default_rng(6)
    for i in range(4):
        sounds.write(drive / "Kit" / f"hit_{i}.wav", sounds.snare(rng, 0.1 + 0.01 * i))
    for i in range(3):
        sounds.write(lib / "Kicks" / f"BD {i}.wav", sounds.kick(rng, 50 + 5 * i, 0.2))
    (lib / "External Kit").symlink_to(drive / "Kit", target_is_directory=True)
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(lib)
        assert scan_library(db, [root], tiny_embedder).indexed == 7
        drive.rename(tmp_path / "unplugged")
        summary = scan_library(db, [root], tiny_embedder)
        assert (summary.removed, db.count()) == (0, 7)
        (path, message), = summary.errors
        assert path == os.path.join(root, "External Kit")
        assert str(drive / "Kit") in message and "kept" in message
        (tmp_path / "unplugged").rename(drive)
        summary = scan_library(db, [root], tiny_embedder)
        assert (summary.indexed, summary.skipped, summary.errors) == (0, 7, [])


def _no_traverse(monkeypatch, folder):
    """A folder with read but no execute permission: its names list, its files cannot be opened.

    Root is not bound by permission bits, so for root the kernel's refusal is emulated.
    """
    folder.chmod(0o644)
    if os.geteuid() == 0:
        real_stat = os.stat
        inside = str(folder.resolve()) + os.sep

        def stat(path, *args, **kwargs):
            if os.fspath(path).startswith(inside):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(os, "stat", stat)


def test_a_folder_without_execute_permission_keeps_its_samples_and_says_why(tmp_path, sample_library,
                                                                            tiny_embedder, monkeypatch):
    kicks = sample_library / "Kicks"
    with LibraryDB(tmp_path / "lib.db") as db:
        root = db.add_folder(sample_library)
        scan_library(db, [root], tiny_embedder)
        _no_traverse(monkeypatch, kicks)
        try:
            summary = scan_library(db, [root], tiny_embedder)
        finally:
            kicks.chmod(0o755)
        assert summary.removed == 0 and db.count() == 8
        messages = dict(summary.errors)
        assert "permission denied" in messages[str(kicks.resolve())].lower()
        assert "kept" in messages[str(kicks.resolve())]


def test_a_dangling_symlink_is_reported(tmp_path, sample_library, tiny_embedder):
    (sample_library / "Kicks" / "Moved Kick.wav").symlink_to(tmp_path / "gone" / "kick.wav")
    with LibraryDB(tmp_path / "lib.db") as db:
        summary = scan_library(db, [db.add_folder(sample_library)], tiny_embedder)
    assert summary.indexed == 8
    messages = dict(summary.errors)
    link = str(sample_library.resolve() / "Kicks" / "Moved Kick.wav")
    assert "link" in messages[link] and str(tmp_path / "gone" / "kick.wav") in messages[link]


def test_a_sample_whose_path_is_longer_than_1024_bytes_is_indexed(tmp_path, tiny_embedder):
    deep = tmp_path / "Library" / "/".join(["Deep Folder " + "x" * 180] * 6)
    deep.mkdir(parents=True)
    path = deep / "kick.wav"
    with open(path, "wb") as f:  # libsndfile cannot open such a path by name
        sf.write(f, sounds.kick(np.random.default_rng(8), 60, 0.2), sounds.SR, format="WAV")
    assert len(os.fsencode(path)) > 1024
    with LibraryDB(tmp_path / "lib.db") as db:
        summary = scan_library(db, [db.add_folder(tmp_path / "Library")], tiny_embedder)
        assert (summary.indexed, summary.errors) == (1, [])
        assert db.rows()[0].duration == pytest.approx(0.2, abs=0.01)

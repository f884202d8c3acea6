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
    with pytest.raises(audio.AudioError, match="UTF-8"):
        audio.probe(os.fsdecode(odd))


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

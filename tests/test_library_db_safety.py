"""The library file: other programs' databases are refused untouched, old libraries migrate,
damaged, read-only or full ones give a message naming the file and what to do."""
import os
import sqlite3

import numpy as np
import pytest

from samplematch_gui.library_db import APPLICATION_ID, SCHEMA_VERSION, LibraryDB, LibraryError, SampleRecord
from samplematch_gui.scanner import scan_library

# A SampleMatch library as the first release wrote it (schema 1: no application id).
SCHEMA_1 = """
PRAGMA journal_mode=WAL;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE folders (path TEXT PRIMARY KEY, added_at REAL NOT NULL);
CREATE TABLE samples (
    path TEXT PRIMARY KEY, root TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    duration REAL NOT NULL DEFAULT 0, category TEXT NOT NULL, embedding BLOB, model_id TEXT,
    error TEXT, indexed_at REAL NOT NULL);
CREATE INDEX samples_root ON samples (root);
CREATE TABLE category_overrides (path TEXT PRIMARY KEY, category TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO folders VALUES ('/lib', 1.0);
INSERT INTO samples VALUES ('/lib/kick.wav', '/lib', 10, 20, 0.5, 'kick', x'0000803f00000000', 'm', NULL, 2.0);
INSERT INTO category_overrides VALUES ('/lib/kick.wav', 'tom');
"""

# A browser's history file: it has a key/value `meta` table too.
BROWSER_HISTORY = """
PRAGMA journal_mode=WAL;
CREATE TABLE meta (key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES ('version', '1'), ('schema_version', '1');
CREATE TABLE urls (id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
                   visit_count INTEGER DEFAULT 0 NOT NULL);
INSERT INTO urls (url, title) VALUES ('https://example.org/', 'Example');
"""

FOREIGN = {
    "browser history": BROWSER_HISTORY,
    "other schema": "CREATE TABLE samples (path TEXT, embedding BLOB); INSERT INTO samples VALUES ('a', x'00');",
    "other application id": "PRAGMA application_id = 1196444487; CREATE TABLE gpkg_contents (table_name TEXT);",
    "our id, another tool's tables": f"PRAGMA application_id = {APPLICATION_ID}; CREATE TABLE t (x);",
}


def _make(path, script):
    con = sqlite3.connect(path)
    con.executescript(script)
    con.close()
    return path


def _state(folder):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", FOREIGN)
def test_another_programs_database_is_refused_and_left_untouched(tmp_path, kind):
    path = _make(tmp_path / "History", FOREIGN[kind])
    before = _state(tmp_path)
    with pytest.raises(LibraryError) as exc:
        LibraryDB(path)
    assert str(path) in str(exc.value) and "not a SampleMatch library" in str(exc.value)
    assert len(str(exc.value).splitlines()) == 1
    with pytest.raises(LibraryError, match="not a SampleMatch library"):
        LibraryDB.open_readonly(path)
    assert _state(tmp_path) == before  # not a byte, not a side file


def test_a_library_from_schema_1_migrates_and_keeps_everything(tmp_path):
    path = _make(tmp_path / "lib.db", SCHEMA_1)
    with LibraryDB.open_readonly(path) as db:  # ranking reads it as it is
        assert [r.name for r in db.rows()] == ["kick.wav"]
    with LibraryDB(path) as db:
        assert db.folders() == ["/lib"]
        (row,) = db.rows()
        assert (row.path, row.category, row.auto_category, row.duration) == ("/lib/kick.wav", "tom", "kick", 0.5)
        assert db.embeddings("m")[1].tolist() == [[1.0, 0.0]]
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    con.close()


def test_a_new_library_says_what_it_is(tmp_path):
    LibraryDB(tmp_path / "new.db").close()
    con = sqlite3.connect(tmp_path / "new.db")
    assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    with LibraryDB(tmp_path / "new.db") as db:  # and opens again as itself
        assert db.count() == 0


def test_a_library_from_a_newer_release_is_refused(tmp_path):
    LibraryDB(tmp_path / "lib.db").close()
    con = sqlite3.connect(tmp_path / "lib.db")
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    for opener in (LibraryDB, LibraryDB.open_readonly):
        with pytest.raises(LibraryError, match="newer SampleMatch"):
            opener(tmp_path / "lib.db")


@pytest.mark.parametrize("damage", ["random bytes", "text", "truncated"])
def test_a_damaged_library_names_the_file_and_what_to_do(tmp_path, damage):
    path = tmp_path / "lib.db"
    with LibraryDB(path) as db:
        db.write_batch([SampleRecord(f"/big/{i}.wav", "/big", 1, 1, 0.1, "kick", "m", np.ones(256, np.float32))
                        for i in range(300)])  # enough pages that a cut loses some
    data = path.read_bytes()
    path.write_bytes({"random bytes": np.random.default_rng(0).bytes(len(data)),
                      "text": b"not a database\n" * 100,
                      "truncated": data[:len(data) // 2]}[damage])
    for opener in (LibraryDB, LibraryDB.open_readonly):
        with pytest.raises(LibraryError) as exc:
            with opener(path) as db:
                db.embeddings("m")
        message = str(exc.value)
        assert str(path) in message and "damaged" in message and "samplematch index" in message
        assert "move it away" in message and len(message.splitlines()) == 1


def test_a_full_disk_names_the_file(tmp_path, sample_library, tiny_embedder):
    path = tmp_path / "lib.db"
    with LibraryDB(path) as db:
        root = db.add_folder(sample_library)
        # SQLite's page limit fills the "disk" for this connection only.
        db._conn.execute("PRAGMA max_page_count = 3")
        with pytest.raises(LibraryError) as exc:
            scan_library(db, [root], tiny_embedder)
    assert str(path) in str(exc.value) and "disk is full" in str(exc.value)
    with LibraryDB(path) as db:  # the failed batch was rolled back; the library still opens
        assert db.count() == 0 and db.folders() == [root]


def test_writing_through_a_read_only_handle_names_the_file(tmp_path):
    LibraryDB(tmp_path / "lib.db").close()
    with LibraryDB.open_readonly(tmp_path / "lib.db") as db:
        with pytest.raises(LibraryError) as exc:
            db.add_folder(tmp_path)
    assert str(tmp_path / "lib.db") in str(exc.value) and "read-only" in str(exc.value)


def test_read_only_open_never_creates_a_library(tmp_path):
    with pytest.raises(LibraryError, match="no library at"):
        LibraryDB.open_readonly(tmp_path / "none" / "lib.db")
    assert not (tmp_path / "none").exists()
    (tmp_path / "empty.db").touch()
    with pytest.raises(LibraryError, match="empty"):
        LibraryDB.open_readonly(tmp_path / "empty.db")
    assert (tmp_path / "empty.db").stat().st_size == 0


def test_a_folder_name_that_is_not_text_is_refused_clearly(tmp_path):
    odd = os.fsdecode(os.fsencode(tmp_path) + b"/Samples \xfc")
    os.mkdir(odd)
    with LibraryDB(tmp_path / "lib.db") as db:
        with pytest.raises(ValueError, match="not valid UTF-8 text") as exc:
            db.add_folder(odd)
        assert "Samples \ufffd" in str(exc.value) and db.folders() == []


def test_a_reader_sees_what_a_running_scan_has_committed(tmp_path):
    with LibraryDB(tmp_path / "lib.db") as writer:
        writer.write_batch([SampleRecord("/lib/a.wav", "/lib", 1, 1, 0.1, "kick", "m", np.ones(4, np.float32))])
        with LibraryDB.open_readonly(tmp_path / "lib.db") as reader:  # the rows are still in the WAL only
            assert [r.path for r in reader.rows()] == ["/lib/a.wav"]
            writer.write_batch([SampleRecord("/lib/b.wav", "/lib", 1, 1, 0.1, "kick", "m", np.ones(4, np.float32))])
            assert reader.count() == 2

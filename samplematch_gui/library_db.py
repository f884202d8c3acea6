"""The sample-library cache: the one module that owns SQL.

SQLite in WAL mode; every write is one transaction, so a crash or kill -9 mid-scan loses at
most the batch being written and the next scan resumes from what is committed. The cache
lives in the app's data folder and never writes into sample folders.
"""
from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samplematch_gui.paths import is_inside, normalise_path

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS folders (path TEXT PRIMARY KEY, added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
    path TEXT PRIMARY KEY,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    duration REAL NOT NULL DEFAULT 0,
    category TEXT NOT NULL,
    embedding BLOB,
    model_id TEXT,
    error TEXT,
    indexed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_root ON samples (root);
CREATE TABLE IF NOT EXISTS category_overrides (path TEXT PRIMARY KEY, category TEXT NOT NULL);
"""


@dataclass(frozen=True)
class SampleRow:
    path: str
    folder: str
    name: str
    size: int
    mtime_ns: int
    duration: float
    auto_category: str
    user_category: str | None
    error: str | None
    model_id: str | None

    @property
    def category(self) -> str:
        return self.user_category or self.auto_category


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    model_id: str | None


@dataclass(frozen=True)
class SampleRecord:
    """One scan result to write: an embedding, or an error message for that file."""
    path: str
    root: str
    size: int
    mtime_ns: int
    duration: float
    category: str
    model_id: str
    embedding: np.ndarray | None = None
    error: str | None = None


_ROW_SELECT = """
SELECT s.path, s.size, s.mtime_ns, s.duration, s.category, o.category, s.error, s.model_id
FROM samples s LEFT JOIN category_overrides o ON o.path = s.path
"""


def _row(r: tuple) -> SampleRow:
    path = r[0]
    return SampleRow(path=path, folder=os.path.dirname(path), name=os.path.basename(path),
                     size=r[1], mtime_ns=r[2], duration=r[3], auto_category=r[4],
                     user_category=r[5], error=r[6], model_id=r[7])


def _prefix_range(folder: str) -> tuple[str, str]:
    # Every path inside folder sorts in [folder/, folder0): "0" follows "/" (and "]" follows "\\").
    prefix = folder.rstrip(os.sep) + os.sep
    return prefix, prefix[:-1] + chr(ord(os.sep) + 1)


class LibraryDB:
    """Use one instance per thread (sqlite3 connections are not shared across threads)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                           (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "LibraryDB":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self):
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # folders -------------------------------------------------------------------------
    def folders(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT path FROM folders ORDER BY added_at, path")]

    def add_folder(self, path: str | os.PathLike) -> str:
        norm = normalise_path(path)
        with self._transaction():
            self._conn.execute("INSERT OR IGNORE INTO folders VALUES (?, ?)", (norm, time.time()))
        return norm

    def remove_folder(self, path: str | os.PathLike) -> None:
        """Forget a folder and the cached samples no other listed folder holds; files are never touched.

        Folders may nest: samples inside a still-listed parent or child folder stay.
        """
        norm = normalise_path(path)
        with self._transaction():
            self._conn.execute("DELETE FROM folders WHERE path = ?", (norm,))
            remaining = [r[0] for r in self._conn.execute("SELECT path FROM folders")]
            if any(is_inside(norm, r) for r in remaining):
                return
            nested = [r for r in remaining if is_inside(r, norm)]
            paths = [p for p in self._paths_under(norm) if not any(is_inside(p, r) for r in nested)]
            self._conn.executemany("DELETE FROM samples WHERE path = ?", ((p,) for p in paths))

    def _paths_under(self, folder: str) -> list[str]:
        return [r[0] for r in self._conn.execute(
            "SELECT path FROM samples WHERE path >= ? AND path < ?", _prefix_range(folder))]

    # scanning ------------------------------------------------------------------------
    def file_states(self, folder: str) -> dict[str, FileState]:
        """Cached files at any depth under folder, whichever listed folder indexed them."""
        cur = self._conn.execute(
            "SELECT path, size, mtime_ns, model_id FROM samples WHERE path >= ? AND path < ?",
            _prefix_range(folder))
        return {p: FileState(s, m, mid) for p, s, m, mid in cur}

    def write_batch(self, records: Iterable[SampleRecord]) -> None:
        now = time.time()
        rows = [(r.path, r.root, r.size, r.mtime_ns, r.duration, r.category,
                 None if r.embedding is None else np.asarray(r.embedding, np.float32).tobytes(),
                 r.model_id, r.error, now) for r in records]
        with self._transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def delete_paths(self, paths: Iterable[str]) -> None:
        with self._transaction():
            self._conn.executemany("DELETE FROM samples WHERE path = ?", ((p,) for p in paths))

    # reading -------------------------------------------------------------------------
    def rows(self) -> list[SampleRow]:
        """Indexed samples (those with an embedding), by path."""
        cur = self._conn.execute(_ROW_SELECT + " WHERE s.error IS NULL ORDER BY s.path")
        return [_row(r) for r in cur]

    def error_rows(self) -> list[SampleRow]:
        cur = self._conn.execute(_ROW_SELECT + " WHERE s.error IS NOT NULL ORDER BY s.path")
        return [_row(r) for r in cur]

    def embeddings(self, model_id: str) -> tuple[list[SampleRow], np.ndarray]:
        """Rows and their (n, dim) float32 embeddings computed by model_id."""
        cur = self._conn.execute(
            _ROW_SELECT.replace("SELECT ", "SELECT s.embedding, ", 1)
            + " WHERE s.error IS NULL AND s.model_id = ? ORDER BY s.path", (model_id,))
        rows, vectors = [], []
        for r in cur:
            rows.append(_row(r[1:]))
            vectors.append(np.frombuffer(r[0], dtype=np.float32))
        matrix = np.stack(vectors) if vectors else np.zeros((0, 0), np.float32)
        return rows, matrix

    def count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM samples WHERE error IS NULL").fetchone()[0]

    # user corrections ----------------------------------------------------------------
    def set_user_category(self, path: str, category: str | None) -> None:
        """Persist a user's category correction (None restores the automatic one).

        path is a row's path as cached (not re-normalised: a symlinked sample keeps its link path).
        """
        with self._transaction():
            if category is None:
                self._conn.execute("DELETE FROM category_overrides WHERE path = ?", (path,))
            else:
                self._conn.execute("INSERT OR REPLACE INTO category_overrides VALUES (?, ?)",
                                   (path, category))


"""The sample-library cache: the one module that owns SQL.

SQLite in WAL mode; every write is one transaction, so a crash or kill -9 mid-scan loses at
most the batch being written and the next scan resumes from what is committed. The cache
lives in the app's data folder and never writes into sample folders.

A library says what it is: APPLICATION_ID in the file's header and its schema version in
`meta`. Any other database is refused before anything is written to it, an older library is
brought up to date by MIGRATIONS, and every SQLite failure becomes a LibraryError that names
the file and says what to do.
"""
from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samplematch_gui.paths import is_inside, is_text, normalise_path, shown

APPLICATION_ID = 0x536D4C62  # "SmLb"

# MIGRATIONS[v] brings a library from version v - 1 to v (version 0 is a new, empty database).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE folders (path TEXT PRIMARY KEY, added_at REAL NOT NULL)",
        """CREATE TABLE samples (
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
        )""",
        "CREATE INDEX samples_root ON samples (root)",
        "CREATE TABLE category_overrides (path TEXT PRIMARY KEY, category TEXT NOT NULL)",
    ),
    2: (f"PRAGMA application_id = {APPLICATION_ID}",),  # version 1 carried no application id
    # what the model hears of a sample, hashed, and its peak level: duplicates and velocity layers are grouped by
    # them (samplematch_gui.sample_groups)
    3: ("ALTER TABLE samples ADD COLUMN content_hash INTEGER", "ALTER TABLE samples ADD COLUMN peak_db REAL"),
    4: ("""CREATE TABLE library_maps (
            model_id TEXT PRIMARY KEY,
            method TEXT NOT NULL,
            signature TEXT NOT NULL,
            coords BLOB NOT NULL,
            computed_at REAL NOT NULL
        )""",),  # the library as a map (samplematch_gui.library_map), one per model
}
SCHEMA_VERSION = max(MIGRATIONS)
_TABLES_1 = frozenset({"meta", "folders", "samples", "category_overrides"})


class LibraryError(Exception):
    """The library file cannot be used; str() is one line naming the file and what to do."""


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
    content_hash: int | None = None
    peak_db: float | None = None  # of the key window

    @property
    def category(self) -> str:
        return self.user_category or self.auto_category


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    model_id: str | None
    hashed: bool = True  # False: indexed before content hashes (migration 3), to be read again


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
    content_hash: int | None = None
    peak_db: float | None = None


_ROW_SELECT = """
SELECT s.path, s.size, s.mtime_ns, s.duration, s.category, o.category, s.error, s.model_id, s.content_hash,
       s.peak_db
FROM samples s LEFT JOIN category_overrides o ON o.path = s.path
"""


def _row(r: tuple) -> SampleRow:
    path = r[0]
    return SampleRow(path=path, folder=os.path.dirname(path), name=os.path.basename(path),
                     size=r[1], mtime_ns=r[2], duration=r[3], auto_category=r[4],
                     user_category=r[5], error=r[6], model_id=r[7], content_hash=r[8],
                     peak_db=r[9])


def _prefix_range(folder: str) -> tuple[str, str]:
    # Every path inside folder sorts in [folder/, folder0): "0" follows "/" (and "]" follows "\\").
    prefix = folder.rstrip(os.sep) + os.sep
    return prefix, prefix[:-1] + chr(ord(os.sep) + 1)


def _read_only(path: Path) -> LibraryError:
    return LibraryError(f"cannot write {path}: the file or its folder is read-only; make them writable "
                        "or choose another library file with --db")


def _failure(path: Path, exc: sqlite3.Error) -> LibraryError:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF  # the extended codes refine these
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        what = "is damaged" if primary == sqlite3.SQLITE_CORRUPT else "is damaged or not a database at all"
        return LibraryError(f"{path} {what} ({exc}); move it away and run `samplematch index` again "
                            "to rebuild the library")
    if primary == sqlite3.SQLITE_READONLY:
        return _read_only(path)
    if primary == sqlite3.SQLITE_FULL:
        return LibraryError(f"cannot write {path}: the disk is full; free some space and try again")
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return LibraryError(f"{path} is locked by another program; try again when it has finished")
    if primary == sqlite3.SQLITE_CANTOPEN:
        return LibraryError(f"cannot open {path}: check that its folder exists and that you may read and "
                            "write both")
    if primary == sqlite3.SQLITE_IOERR:
        return LibraryError(f"cannot read or write {path} ({exc}): check the drive; if the file is damaged, "
                            "move it away and run `samplematch index` again")
    return LibraryError(f"{path}: database error ({exc})")


def _reported(method):
    """Run a LibraryDB method with SQLite's errors turned into LibraryErrors naming the file."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _failure(self.path, exc) from None
    return wrapper


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    # A URI, so that the file is opened exactly as asked (never created unless mode says rwc).
    return sqlite3.connect(f"{path.absolute().as_uri()}?{mode}", uri=True, timeout=30,
                           isolation_level=None)


def _meta_version(conn: sqlite3.Connection) -> int | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:  # another program's `meta` table
        return None
    return int(row[0]) if row and str(row[0]).isdigit() else None


def _schema_version(conn: sqlite3.Connection, path: Path) -> int:
    """The library's schema version, 0 for an empty database; refuses any other database.

    Only reads, so that nothing is ever written to a file that is not a SampleMatch library.
    """
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app_id == 0 and not tables:
        return 0
    version = _meta_version(conn) if "meta" in tables else None
    if app_id == APPLICATION_ID and version is not None and version > SCHEMA_VERSION:
        raise LibraryError(f"{path} was written by a newer SampleMatch (library version {version}; this one "
                           f"reads up to {SCHEMA_VERSION}): update SampleMatch or choose another file with --db")
    ours = ((app_id == APPLICATION_ID and version is not None and _TABLES_1 <= tables)
            or (app_id == 0 and version == 1 and tables == _TABLES_1))  # written before the id existed
    if not ours:
        raise LibraryError(f"{path} is not a SampleMatch library (another program's database?); it was left "
                           "untouched: choose another file with --db")
    assert version is not None  # as ours says
    return version


def _open_for_writing(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create the folder of {path}: {exc.strerror or exc}") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        # Refused before SQLite opens it read-only and leaves -wal/-shm files it cannot remove.
        raise _read_only(path)
    conn = _connect(path, "mode=rwc")
    try:
        version = _schema_version(conn, path)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        if version < SCHEMA_VERSION:
            _migrate(conn, path)
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = _schema_version(conn, path)  # again under the write lock: another process may have done it
        for step in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                     (str(SCHEMA_VERSION),))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _open_readonly(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise LibraryError(f"no library at {path}; build one with `samplematch index DIR`")
    # Whether it is a library at all, asked first without locks or side files: a WAL reader
    # leaves -shm and -wal files next to the database, which another program's file must not get.
    probe = _connect(path, "mode=ro&immutable=1")
    try:
        version = _schema_version(probe, path)
    finally:
        probe.close()
    conn = None
    if os.access(path, os.W_OK):
        conn = _connect(path, "mode=ro")  # shares a running scan's -shm: reads what it has committed
        try:
            version = _schema_version(conn, path)  # what the file alone held may still be in the WAL
        except sqlite3.OperationalError as exc:
            conn.close()
            conn = None
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
                raise
        except BaseException:
            conn.close()
            raise
    if conn is None:
        # The file or its folder may not be written: SQLite could neither make the -shm a WAL
        # reader needs nor remove it afterwards, so the file is read as it is.
        conn = _connect(path, "mode=ro&immutable=1")
    if version == 0:
        conn.close()
        raise LibraryError(f"{path} is empty, not a library yet; build one with `samplematch index DIR`")
    return conn


class LibraryDB:
    """Use one instance per thread (sqlite3 connections are not shared across threads).

    LibraryDB(path) opens a library for reading and writing, creating or migrating it;
    LibraryDB.open_readonly(path) only reads (ranking), even in a read-only file or folder.
    """

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False):
        self.path = Path(path)
        try:
            self._conn = _open_readonly(self.path) if readonly else _open_for_writing(self.path)
            columns = {c[1] for c in self._conn.execute("PRAGMA table_info(samples)")}
        except sqlite3.Error as exc:
            raise _failure(self.path, exc) from None
        # An older library read as it is (read-only, not migrated) has no hashes and levels yet.
        self._row_select = _ROW_SELECT
        for column in ("content_hash", "peak_db"):
            if column not in columns:
                self._row_select = self._row_select.replace(f"s.{column}", "NULL")

    @classmethod
    def open_readonly(cls, path: str | os.PathLike) -> LibraryDB:
        return cls(path, readonly=True)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> LibraryDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self):
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                self._conn.execute("ROLLBACK")
            raise

    # folders -------------------------------------------------------------------------
    @_reported
    def folders(self) -> list[str]:
        return [r[0] for r in self._conn.execute("SELECT path FROM folders ORDER BY added_at, path")]

    @_reported
    def add_folder(self, path: str | os.PathLike) -> str:
        norm = normalise_path(path)
        if not is_text(norm):
            raise ValueError(f"{shown(norm)}: the folder name is not valid UTF-8 text; rename it to add it")
        with self._transaction():
            self._conn.execute("INSERT OR IGNORE INTO folders (path, added_at) VALUES (?, ?)",
                               (norm, time.time()))
        return norm

    @_reported
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
    @_reported
    def file_states(self, folder: str) -> dict[str, FileState]:
        """Cached files at any depth under folder, whichever listed folder indexed them."""
        cur = self._conn.execute(
            "SELECT path, size, mtime_ns, model_id, content_hash IS NOT NULL OR error IS NOT NULL FROM samples "
            "WHERE path >= ? AND path < ?", _prefix_range(folder))
        return {p: FileState(s, m, mid, bool(h)) for p, s, m, mid, h in cur}

    @_reported
    def write_batch(self, records: Iterable[SampleRecord]) -> None:
        now = time.time()
        rows = [(r.path, r.root, r.size, r.mtime_ns, r.duration, r.category,
                 None if r.embedding is None else np.asarray(r.embedding, np.float32).tobytes(),
                 r.model_id, r.error, now, r.content_hash, r.peak_db) for r in records]
        with self._transaction():
            self._conn.executemany(
                "INSERT OR REPLACE INTO samples (path, root, size, mtime_ns, duration, category, embedding, "
                "model_id, error, indexed_at, content_hash, peak_db) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows)

    @_reported
    def delete_paths(self, paths: Iterable[str]) -> None:
        with self._transaction():
            self._conn.executemany("DELETE FROM samples WHERE path = ?", ((p,) for p in paths))

    # reading -------------------------------------------------------------------------
    @_reported
    def rows(self) -> list[SampleRow]:
        """Indexed samples (those with an embedding), by path."""
        cur = self._conn.execute(self._row_select + " WHERE s.error IS NULL ORDER BY s.path")
        return [_row(r) for r in cur]

    @_reported
    def error_rows(self) -> list[SampleRow]:
        cur = self._conn.execute(self._row_select + " WHERE s.error IS NOT NULL ORDER BY s.path")
        return [_row(r) for r in cur]

    @_reported
    def embeddings(self, model_id: str) -> tuple[list[SampleRow], np.ndarray]:
        """Rows and their (n, dim) float32 embeddings computed by model_id."""
        cur = self._conn.execute(
            self._row_select.replace("SELECT ", "SELECT s.embedding, ", 1)
            + " WHERE s.error IS NULL AND s.model_id = ? ORDER BY s.path", (model_id,))
        rows, vectors = [], []
        for r in cur:
            rows.append(_row(r[1:]))
            vectors.append(np.frombuffer(r[0], dtype=np.float32))
        matrix = np.stack(vectors) if vectors else np.zeros((0, 0), np.float32)
        return rows, matrix

    def sample_blocks(self, model_id: str | None, size: int = 4096
                      ) -> Iterator[tuple[list[SampleRow], np.ndarray | None]]:
        """Indexed samples by path, `size` at a time: rows and their (n, dim) float32 embeddings computed
        by model_id (None: the rows of any model, without embeddings); a big library is never held twice."""
        where, params = ("s.model_id = ?", (model_id,)) if model_id is not None else ("1", ())
        columns = "SELECT s.embedding, " if model_id is not None else "SELECT NULL, "
        try:
            cur = self._conn.execute(self._row_select.replace("SELECT ", columns, 1)
                                     + f" WHERE s.error IS NULL AND {where} ORDER BY s.path", params)
            while chunk := cur.fetchmany(size):
                rows = [_row(r[1:]) for r in chunk]
                if model_id is None:
                    yield rows, None
                else:
                    yield rows, np.stack([np.frombuffer(r[0], dtype=np.float32) for r in chunk])
        except sqlite3.Error as exc:
            raise _failure(self.path, exc) from None

    @_reported
    def count(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM samples WHERE error IS NULL").fetchone()[0]

    # user corrections ----------------------------------------------------------------
    @_reported
    def set_user_category(self, path: str, category: str | None) -> None:
        """Persist a user's category correction (None restores the automatic one).

        path is a row's path as cached (not re-normalised: a symlinked sample keeps its link path).
        """
        with self._transaction():
            if category is None:
                self._conn.execute("DELETE FROM category_overrides WHERE path = ?", (path,))
            else:
                self._conn.execute(
                    "INSERT OR REPLACE INTO category_overrides (path, category) VALUES (?, ?)", (path, category))


    # library maps (samplematch_gui.library_map) ----------------------------------------
    @_reported
    def library_map(self, model_id: str, method: str, signature: str) -> np.ndarray | None:
        """The stored (n, 2) float32 map of the library with this signature, by this model and method; None if
        there is none (a map of another library, model or method is not returned)."""
        row = self._conn.execute("SELECT coords FROM library_maps WHERE model_id = ? AND method = ? AND signature = ?",
                                 (model_id, method, signature)).fetchone()
        return None if row is None else np.frombuffer(row[0], np.float32).reshape(-1, 2)

    @_reported
    def save_library_map(self, model_id: str, method: str, signature: str, coords: np.ndarray) -> None:
        """Store a map; it replaces the model's previous one."""
        blob = np.ascontiguousarray(coords, np.float32).tobytes()
        with self._transaction():
            self._conn.execute("INSERT OR REPLACE INTO library_maps (model_id, method, signature, coords, computed_at) "
                               "VALUES (?, ?, ?, ?, ?)", (model_id, method, signature, blob, time.time()))

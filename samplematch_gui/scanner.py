"""Incremental library scan: walk sample folders, embed new or changed one-shots, drop deleted ones.

Only reads the sample folders. Each batch is committed in one transaction, so a killed scan
resumes where it stopped. Per-file problems are collected as messages, never raised.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from model import audio
from model.taxonomy import categorise
from samplematch_gui.library_db import LibraryDB, SampleRecord
from samplematch_gui.paths import is_inside, normalise_path

BATCH_SIZE = 64  # files per committed transaction; keys are sorted by length within it


class KeyEmbedder(Protocol):
    model_id: str
    sample_rate: int
    key_seconds: float

    def embed_keys(self, waves: list[np.ndarray]) -> np.ndarray: ...


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class ScanProgress:
    done: int
    total: int
    current: str
    elapsed: float
    eta: float | None


@dataclass
class ScanSummary:
    indexed: int = 0
    skipped: int = 0
    removed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


@dataclass(frozen=True)
class _Candidate:
    path: str
    root: str
    size: int
    mtime_ns: int


def distinct_roots(folders: list[str]) -> list[str]:
    """Normalised folders, without those inside another listed folder (scanned once)."""
    kept: list[str] = []
    for r in sorted({normalise_path(f) for f in folders}):
        if not any(is_inside(r, k) for k in kept):
            kept.append(r)
    return kept


@dataclass
class _Walk:
    """One folder's walk: where it could not look, so that nothing there counts as deleted."""
    root: str
    errors: list[tuple[str, str]]
    cancel: CancelFlag | None
    unreadable: list[str] = field(default_factory=list)
    cancelled: bool = False

    def audio_files(self) -> Iterator[_Candidate]:
        visited: set[tuple[int, int]] = set()  # real folders: symlink loops and twins are walked once
        for dirpath, dirnames, filenames in os.walk(self.root, onerror=self._unreadable, followlinks=True):
            if self._stopped():
                return
            try:
                st = os.stat(dirpath)
            except OSError as exc:
                self._unreadable(exc)
                dirnames.clear()
                continue
            if (st.st_dev, st.st_ino) in visited:
                dirnames.clear()
                continue
            visited.add((st.st_dev, st.st_ino))
            dirnames[:] = sorted(d for d in dirnames
                                 if not d.startswith(".") and self._storable(os.path.join(dirpath, d)))
            for name in sorted(filenames):
                if self._stopped():
                    return
                if name.startswith(".") or not audio.is_audio_path(name):
                    continue
                path = os.path.join(dirpath, name)
                if not self._storable(path):
                    continue
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # vanished between listing and stat: it is simply not there
                yield _Candidate(path, self.root, st.st_size, st.st_mtime_ns)

    def _stopped(self) -> bool:
        self.cancelled = self.cancel is not None and self.cancel.is_set()
        return self.cancelled

    def may_be_deleted(self, path: str) -> bool:
        return not any(is_inside(path, folder) for folder in self.unreadable)

    def _unreadable(self, exc: OSError) -> None:
        folder = exc.filename or self.root
        self.unreadable.append(folder)
        self.errors.append((folder, f"cannot read folder: {exc.strerror or exc} "
                                    "(samples already indexed there are kept)"))

    def _storable(self, path: str) -> bool:
        # Names that are not valid UTF-8 (old Latin-1 archives) cannot be stored or opened by name.
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(path).decode("utf-8", "replace")
            self.errors.append((shown, "the name is not valid UTF-8 text; rename it to index it"))
            return False
        return True


def _category(path: str, root: str) -> str:
    # Judge names from the library folder down, not the user's home or drive names.
    return categorise(os.path.relpath(path, os.path.dirname(root)))


def _load_key(c: _Candidate, sample_rate: int, key_seconds: float) -> tuple[np.ndarray, float]:
    if c.size == 0:
        raise audio.AudioError("empty file (0 bytes)")
    wave, info = audio.load_with_info(c.path, sample_rate, max_seconds=key_seconds)
    return wave, info.duration or len(wave) / sample_rate


def scan_library(db: LibraryDB, folders: list[str], embedder: KeyEmbedder,
                 cancel: CancelFlag | None = None,
                 progress: Callable[[ScanProgress], None] | None = None) -> ScanSummary:
    """Bring the cache up to date with `folders`; returns what was done."""
    summary = ScanSummary()
    todo: list[_Candidate] = []
    for root in distinct_roots(folders):
        if not os.path.isdir(root):
            # An unplugged drive must not wipe its part of the library.
            summary.errors.append((root, "folder not found (kept in the library until it returns)"))
            continue
        known = db.file_states(root)
        walk = _Walk(root, summary.errors, cancel)
        seen = set()
        for c in walk.audio_files():
            seen.add(c.path)
            state = known.get(c.path)
            if (state and state.size == c.size and state.mtime_ns == c.mtime_ns
                    and state.model_id == embedder.model_id):
                summary.skipped += 1
            else:
                todo.append(c)
        if walk.cancelled:  # a partial walk says nothing about deleted files
            summary.cancelled = True
            return summary
        if known and not seen:
            # An empty mount point looks like a folder whose files were all deleted.
            summary.errors.append((root, f"no audio files found now (drive not mounted?); its {len(known)} "
                                         "indexed samples are kept until the folder is removed"))
            continue
        gone = [p for p in known if p not in seen and walk.may_be_deleted(p)]
        if gone:
            db.delete_paths(gone)
            summary.removed += len(gone)

    start = time.monotonic()
    for i in range(0, len(todo), BATCH_SIZE):
        if cancel is not None and cancel.is_set():
            summary.cancelled = True
            break
        batch = todo[i:i + BATCH_SIZE]
        _index_batch(db, batch, embedder, summary)
        done = i + len(batch)
        if progress is not None:
            elapsed = time.monotonic() - start
            eta = elapsed / done * (len(todo) - done) if done else None
            progress(ScanProgress(done, len(todo), batch[-1].path, elapsed, eta))
    return summary


def _index_batch(db: LibraryDB, batch: list[_Candidate], embedder: KeyEmbedder,
                 summary: ScanSummary) -> None:
    records: list[SampleRecord] = []
    loaded: list[tuple[_Candidate, np.ndarray, float]] = []
    vanished: list[str] = []
    for c in batch:
        try:
            wave, duration = _load_key(c, embedder.sample_rate, embedder.key_seconds)
        except audio.AudioError as exc:
            if not os.path.exists(c.path):
                vanished.append(c.path)
                summary.errors.append((c.path, "file disappeared during the scan"))
                continue
            summary.errors.append((c.path, str(exc)))
            records.append(SampleRecord(c.path, c.root, c.size, c.mtime_ns, 0.0,
                                        _category(c.path, c.root), embedder.model_id,
                                        error=str(exc)))
            continue
        loaded.append((c, wave, duration))
    if loaded:
        vectors = embedder.embed_keys([w for _, w, _ in loaded])
        for (c, _, duration), vec in zip(loaded, vectors):
            records.append(SampleRecord(c.path, c.root, c.size, c.mtime_ns, duration,
                                        _category(c.path, c.root), embedder.model_id,
                                        embedding=vec))
        summary.indexed += len(loaded)
    db.write_batch(records)
    if vanished:
        db.delete_paths(vanished)

"""Incremental library scan: walk sample folders, embed new or changed one-shots, drop deleted ones.

Each sample is stored with its category, its content hash and its peak level (samplematch_gui.sample_groups
groups duplicates and velocity layers by them); a sample indexed before hashes existed is read again once.

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
from model.oneshot_features import peak_db
from samplematch_gui.categoriser import Categoriser
from samplematch_gui.jobs import CancelFlag
from samplematch_gui.library_db import LibraryDB, SampleRecord
from samplematch_gui.paths import is_inside, is_text, normalise_path, shown
from samplematch_gui.sample_groups import content_hash

BATCH_SIZE = 64  # files per committed transaction; keys are sorted by length within it


class KeyEmbedder(Protocol):
    @property
    def model_id(self) -> str: ...
    @property
    def sample_rate(self) -> int: ...
    @property
    def key_seconds(self) -> float: ...

    def embed_keys(self, waves: list[np.ndarray]) -> np.ndarray: ...


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
        """Audio files depth first, by name; symlinked folders are followed."""
        visited: set[tuple[int, int]] = set()  # real folders: symlink loops and twins are walked once
        stack = [self.root]
        while stack and not self._stopped():
            files, subfolders = self._list(stack.pop(), visited)
            yield from files
            stack.extend(reversed(subfolders))

    def _list(self, folder: str, visited: set[tuple[int, int]]) -> tuple[list[_Candidate], list[str]]:
        try:
            st = os.stat(folder)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self._cannot_read(folder, exc)
            return [], []
        if (st.st_dev, st.st_ino) in visited:
            return [], []
        visited.add((st.st_dev, st.st_ino))
        files: list[_Candidate] = []
        subfolders: list[str] = []
        for entry in entries:
            if entry.name.startswith(".") or not self._storable(entry.path):
                continue
            try:
                if entry.is_dir():  # through a link too
                    subfolders.append(entry.path)
                    continue
                if not (audio.is_audio_path(entry.name) or entry.is_symlink()):
                    continue
                st = os.stat(entry.path)
            except PermissionError as exc:  # listed but not opened: read without execute permission
                self._cannot_read(folder, exc)
                return [], []
            except FileNotFoundError:
                if entry.is_symlink():
                    self._broken_link(entry.path)
                continue  # else it vanished between listing and stat: it is simply not there
            except OSError as exc:  # a drive going away, an I/O error
                self._cannot_read(entry.path, exc, "")
                continue
            if audio.is_audio_path(entry.name):
                files.append(_Candidate(entry.path, self.root, st.st_size, st.st_mtime_ns))
        return files, subfolders

    def _stopped(self) -> bool:
        self.cancelled = self.cancel is not None and self.cancel.is_set()
        return self.cancelled

    def may_be_deleted(self, path: str) -> bool:
        return not any(is_inside(path, folder) for folder in self.unreadable)

    def _cannot_read(self, path: str, exc: OSError, what: str = " folder") -> None:
        self.unreadable.append(path)
        self.errors.append((path, f"cannot read{what}: {exc.strerror or exc} "
                                  "(samples already indexed there are kept)"))

    def _broken_link(self, path: str) -> None:
        # Its target may be on a drive that is unplugged: what was indexed through it stays.
        self.unreadable.append(path)
        try:
            target = os.path.normpath(os.path.join(os.path.dirname(path), os.readlink(path)))
        except OSError:  # replaced meanwhile
            return
        self.errors.append((path, f"broken link: {target} is not there (unplugged drive?); "
                                  "samples indexed through it are kept"))

    def _storable(self, path: str) -> bool:
        if is_text(path):
            return True
        self.errors.append((shown(path), "the name is not valid UTF-8 text; rename it to index it"))
        return False


def _load_key(c: _Candidate, sample_rate: int, key_seconds: float) -> tuple[np.ndarray, float]:
    wave, info = audio.load_with_info(c.path, sample_rate, max_seconds=key_seconds)
    return wave, info.duration or len(wave) / sample_rate


def scan_library(db: LibraryDB, folders: list[str], embedder: KeyEmbedder,
                 cancel: CancelFlag | None = None,
                 progress: Callable[[ScanProgress], None] | None = None,
                 categoriser: Categoriser | None = None) -> ScanSummary:
    """Bring the cache up to date with `folders`; returns what was done. categoriser: default, names, kit
    files and the category head of the embedder's model."""
    summary = ScanSummary()
    categoriser = categoriser or Categoriser.for_embedder(embedder)
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
                    and state.model_id == embedder.model_id and state.hashed):
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
        _index_batch(db, batch, embedder, summary, categoriser)
        done = i + len(batch)
        if progress is not None:
            elapsed = time.monotonic() - start
            eta = elapsed / done * (len(todo) - done) if done else None
            progress(ScanProgress(done, len(todo), batch[-1].path, elapsed, eta))
    summary.errors.extend(categoriser.problems)
    return summary


def _index_batch(db: LibraryDB, batch: list[_Candidate], embedder: KeyEmbedder,
                 summary: ScanSummary, categoriser: Categoriser) -> None:
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
                                        categoriser.categorise(c.path, c.root), embedder.model_id,
                                        error=str(exc)))
            continue
        loaded.append((c, wave, duration))
    if loaded:
        vectors = embedder.embed_keys([w for _, w, _ in loaded])
        for (c, wave, duration), vec in zip(loaded, vectors, strict=True):
            records.append(SampleRecord(c.path, c.root, c.size, c.mtime_ns, duration,
                                        categoriser.categorise(c.path, c.root, vec, wave, duration),
                                        embedder.model_id, embedding=vec,
                                        content_hash=content_hash(wave, duration), peak_db=peak_db(wave)))
        summary.indexed += len(loaded)
    db.write_batch(records)
    if vanished:
        db.delete_paths(vanished)

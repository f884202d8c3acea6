"""Sample folders and scans: the Qt side of samplematch_gui.scanner (scans run off-thread)."""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from samplematch_gui.library_db import LibraryDB, LibraryError, SampleRow
from samplematch_gui.paths import normalise_path, shown
from samplematch_gui.scanner import ScanProgress, ScanSummary, scan_library
from samplematch_gui.ui.settings import AppSettings
from samplematch_gui.ui.workers import Task, TaskRunner

REFRESH_DURING_SCAN_S = 8.0  # a long first scan shows its samples as they are indexed


class LibraryController(QObject):
    foldersChanged = Signal(list)  # normalised folder paths
    scanStarted = Signal()
    scanProgress = Signal(object)  # ScanProgress
    scanFinished = Signal(object)  # ScanSummary (cancelled=True for a stopped scan)
    scanFailed = Signal(str)
    libraryChanged = Signal()  # cached samples changed: rebuild the index

    def __init__(self, db: LibraryDB, settings: AppSettings, parent: QObject | None = None):
        super().__init__(parent)
        self.db = db
        self._settings = settings
        self._embedder = None
        self._runner = TaskRunner(self)
        self._task: Task | None = None
        self._rescan_pending = False
        self._removals: list[str] = []  # applied once the running scan has stopped writing
        self._closed = False
        self._last_refresh = 0.0
        self.last_summary: ScanSummary | None = None
        for folder in settings.folders:  # settings keep the list if the cache was deleted
            if folder not in db.folders():
                db.add_folder(folder)
        settings.folders = self._announced = db.folders()

    # folders ------------------------------------------------------------------------------
    def folders(self) -> list[str]:
        return [f for f in self.db.folders() if f not in self._removals]

    def add_folders(self, paths: Sequence[str | Path]) -> tuple[list[str], list[str]]:
        """Add existing folders (others are ignored) and start a scan; returns those newly added, and a line
        for each that could not be, saying why."""
        known = set(self.folders())
        added, refused = [], []
        for p in paths:
            norm = normalise_path(p)
            if os.path.isdir(norm) and norm not in known:
                try:
                    added.append(self.db.add_folder(norm))
                except ValueError as exc:  # a name that is not UTF-8 (it says which)
                    refused.append(str(exc))
                    continue
                except LibraryError as exc:  # the cache cannot be written: a full disk...
                    refused.append(f"{shown(norm)} was not added: {exc}")
                    continue
                if norm in self._removals:  # removed during this scan, wanted back before it stopped
                    self._removals.remove(norm)
                known.add(norm)
        if added:
            self._folders_changed()
            self.rescan()
        return added, refused

    def remove_folder(self, path: str) -> None:
        """Forget a folder and its cached samples; never touches the files."""
        if self._task is not None:  # scanning
            self._removals.append(path)
            self._task.cancel.set()
            self._rescan_pending = True
        else:
            self.db.remove_folder(path)
            self.libraryChanged.emit()
        self._folders_changed()

    def refresh_folders(self) -> None:
        """Pick up folders added or removed elsewhere (`samplematch index` beside the app) and their samples."""
        if self.folders() != self._announced:
            self._folders_changed()
            self.libraryChanged.emit()

    def _folders_changed(self) -> None:
        self._settings.folders = self._announced = self.folders()
        self.foldersChanged.emit(self.folders())

    # scanning -----------------------------------------------------------------------------
    def set_embedder(self, embedder) -> None:
        self._embedder = embedder

    def scanning(self) -> bool:
        return self._task is not None

    def rescan(self) -> None:
        """Bring the cache up to date (incremental: unchanged files are skipped)."""
        self.refresh_folders()
        if self._task is not None:  # scanning: restart so that new folders are included; done work is kept
            self._rescan_pending = True
            self._task.cancel.set()
            return
        if self._embedder is None or self._closed or not self.folders():
            return
        folders, db_path, embedder = self.folders(), str(self.db.path), self._embedder

        def job(cancel, report):
            db = LibraryDB(db_path)  # one connection per thread
            try:
                return scan_library(db, folders, embedder, cancel=cancel, progress=report)
            finally:
                db.close()

        self._rescan_pending = False
        self._task = self._runner.run(job, self._on_finished, self._on_failed, self._on_progress, self._on_done)
        self._last_refresh = time.monotonic()
        self.scanStarted.emit()

    def cancel_scan(self) -> None:
        self._rescan_pending = False
        if self._task is not None:
            self._task.cancel.set()

    def _on_progress(self, generation: int, progress: ScanProgress) -> None:
        self.scanProgress.emit(progress)
        if time.monotonic() - self._last_refresh > REFRESH_DURING_SCAN_S:
            self._last_refresh = time.monotonic()
            self.libraryChanged.emit()

    def _on_finished(self, generation: int, summary: ScanSummary) -> None:
        self.last_summary = summary
        self.scanFinished.emit(summary)

    def _on_failed(self, generation: int, message: str) -> None:
        self.scanFailed.emit(message)

    def _on_done(self, generation: int) -> None:
        self._task = None
        for path in self._removals:
            self.db.remove_folder(path)
        self._removals.clear()
        self.libraryChanged.emit()
        if self._rescan_pending:
            self.rescan()

    def shutdown(self) -> None:
        """Stop scanning for good (the window is closing)."""
        self._closed = True
        self.cancel_scan()

    def wait(self, msecs: int = 5000) -> bool:
        return self._runner.wait(msecs)

    # what went wrong ----------------------------------------------------------------------
    def problems(self) -> list[tuple[str, str]]:
        """Per-file errors: those cached with the samples, then the last scan's other notes."""
        cached: list[SampleRow] = self.db.error_rows()
        listed = [(r.path, r.error or "") for r in cached]
        seen = {p for p, _ in listed}
        extra = [] if self.last_summary is None else [
            (p, m) for p, m in self.last_summary.errors if p not in seen]
        return listed + extra

    def sample_count(self) -> int:
        return self.db.count()

"""The Qt side of the query session: runs its jobs off the GUI thread and says what changed.

The state itself (index, bounce, query, vector, ranking) lives in samplematch_gui.query_session. Each
ranking gets a generation number; a new drop, region change or "more like this" cancels the running
one and results of older generations are dropped.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from model.audio import AudioError
from samplematch_gui.library_db import LibraryError
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.query_session import Query, QuerySession
from samplematch_gui.ui.workers import Task, TaskRunner

OVERVIEW_POINTS = 2000  # min/max pairs drawn for the bounce
REGION_DEBOUNCE_MS = 250


class SearchController(QObject):
    bounceLoaded = Signal(str, object)  # path, Overview
    bounceFailed = Signal(str, str)  # path, message
    queryChanged = Signal(object)  # Query | None
    resultsReady = Signal(object)  # Ranking (unscored: the library without a query)
    busyChanged = Signal(bool)
    failed = Signal(str)

    def __init__(self, session: QuerySession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self._closed = False  # after shutdown() no new work starts
        self._ranker = TaskRunner(self)
        self._index_loader = TaskRunner(self)
        self._bounce_loader = TaskRunner(self)
        self._rank_task: Task | None = None
        self.include_non_drums = False  # rank the files that are not drum one-shots too (the filter bar's toggle)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(REGION_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._rank)

    # state (the session's) ----------------------------------------------------------------
    @property
    def query(self) -> Query | None:
        return self.session.query

    @property
    def bounce(self) -> Query | None:
        return self.session.bounce

    @property
    def index(self) -> LibraryIndex | None:
        return self.session.index

    def busy(self) -> bool:
        return self._rank_task is not None

    def set_embedder(self, embedder) -> None:
        self.session.embedder = embedder
        self.reload_index()

    # library ------------------------------------------------------------------------------
    def reload_index(self) -> None:
        """Re-read the library (after a scan or folder change), then re-rank the active query."""
        if not self._closed:
            self._index_loader.run(self.session.index_job(), self._index_loaded, self._index_failed)

    def _index_loaded(self, generation: int, loaded) -> None:
        if generation != self._index_loader.generation:
            return
        self.session.set_index(loaded)
        if self.session.query is None:
            self.resultsReady.emit(self.session.unranked())
        else:
            self._rank()

    def _index_failed(self, generation: int, message: str) -> None:
        self.failed.emit(f"Cannot read the library cache: {message}")

    def correct_categories(self, paths: list[str], category: str | None) -> int:
        try:
            return self.session.correct_categories(paths, category)
        except (LibraryError, OSError) as exc:
            self.failed.emit(f"Cannot save the category: {exc}")
            return 0

    # queries ------------------------------------------------------------------------------
    def open_bounce(self, path: str | Path) -> None:
        """Make a bounce the query; one that is plainly unusable leaves the current query as it is."""
        if self._closed:
            return
        try:
            query = self.session.open_bounce(path)
        except AudioError as exc:
            self.bounceFailed.emit(str(path), str(exc))
            return
        self.queryChanged.emit(query)
        self._bounce_loader.cancel_all()  # a stale bounce's overview is not worth finishing
        self._bounce_loader.run(self.session.overview_job(OVERVIEW_POINTS), self._bounce_loaded,
                                self._bounce_failed)
        self._rank()

    def _bounce_loaded(self, generation: int, overview) -> None:
        if self.session.bounce is not None and generation == self._bounce_loader.generation:
            self.bounceLoaded.emit(self.session.bounce.path, overview)

    def _bounce_failed(self, generation: int, message: str) -> None:
        if self.session.bounce is None or generation != self._bounce_loader.generation:
            return
        path = self.session.bounce.path
        self.clear()  # the library without scores, not the failed query's stale ones
        self.bounceFailed.emit(path, message)

    def set_region(self, start: float, end: float) -> None:
        """The bounce region moved; the re-rank waits until it has stopped moving."""
        query = self.session.set_region(start, end)
        if query is not None:
            self.queryChanged.emit(query)
            self._debounce.start()

    def set_mode(self, mode: str) -> None:
        """Ask the bounce "fits this track" or "sounds like its drums"; re-ranks from the cached vector."""
        try:
            query = self.session.set_mode(mode)
        except ValueError as exc:
            self.failed.emit(str(exc))
            return
        if query is not None:
            self.queryChanged.emit(query)
            if self.session.query is query:
                self._rank()

    def modes(self) -> tuple[str, ...]:
        return self.session.modes()

    def set_include_non_drums(self, include: bool) -> None:
        """Rank loops, pads and the other non-drum files too, or leave them out again; re-ranks."""
        if include != self.include_non_drums:
            self.include_non_drums = include
            if self.session.query is not None:
                self._rank()

    def set_excerpts(self, count: int) -> None:
        """How many excerpts of the region make the query (their encodings are averaged)."""
        self.session.excerpts = count
        if self.session.query is not None and self.session.query.kind == "bounce":
            self._debounce.start()

    def more_like(self, path: str) -> None:
        self.queryChanged.emit(self.session.more_like(path))
        self._rank()

    def back_to_bounce(self) -> None:
        query = self.session.back_to_bounce()
        if query is not None:
            self.queryChanged.emit(query)
            self._rank()

    def clear(self) -> None:
        self.cancel()
        self.session.clear()
        self.queryChanged.emit(None)
        unranked = self.session.unranked()
        if unranked is not None:
            self.resultsReady.emit(unranked)

    # ranking ------------------------------------------------------------------------------
    def cancel(self) -> None:
        self._debounce.stop()
        self._ranker.next_generation()  # whatever is still running is now stale
        if self._rank_task is not None:
            self._rank_task.cancel.set()
            self._rank_task = None
            self.busyChanged.emit(False)

    def _rank(self) -> None:
        """Cancel the stale ranking and start one for the active query (once it can be ranked)."""
        self._debounce.stop()
        job = None if self._closed else self.session.ranking_job(include_non_drums=self.include_non_drums)
        if job is None:
            return  # runs when the model or the index arrives
        was_busy = self._rank_task is not None
        if self._rank_task is not None:
            self._rank_task.cancel.set()
        self._rank_task = self._ranker.run(job, self._ranked, self._rank_failed, done=self._rank_done)
        if not was_busy:
            self.busyChanged.emit(True)

    def _ranked(self, generation: int, ranked) -> None:
        if generation != self._ranker.generation:
            return  # superseded by a newer query
        ranking = self.session.accept(ranked)
        self._rank_done(generation)
        self.resultsReady.emit(ranking)

    def _rank_done(self, generation: int) -> None:
        if generation == self._ranker.generation and self._rank_task is not None:
            self._rank_task = None
            self.busyChanged.emit(False)

    def _rank_failed(self, generation: int, message: str) -> None:
        if generation == self._ranker.generation:
            name = self.session.query.name if self.session.query is not None else "the query"
            self.failed.emit(f"Cannot rank by {name}: {message}")

    def _runners(self) -> tuple[TaskRunner, ...]:
        return self._ranker, self._index_loader, self._bounce_loader

    def wait(self, msecs: int = 5000) -> bool:
        return all(r.wait(msecs) for r in self._runners())

    def shutdown(self) -> None:
        self._closed = True
        self.cancel()
        for r in self._runners():
            r.cancel_all()
        self.session.close()

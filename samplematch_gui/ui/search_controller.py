"""The active query and its ranking; all audio and model work runs off the GUI thread.

Each ranking gets a generation number; a new drop, region change or "more like this" cancels the
running one and results of older generations are dropped.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from model import audio
from samplematch_gui.engine import query_vector
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.library_index import LibraryIndex, RankedSample
from samplematch_gui.overview import file_overview
from samplematch_gui.ui.workers import Task, TaskRunner

OVERVIEW_POINTS = 2000  # min/max pairs drawn for the bounce
REGION_DEBOUNCE_MS = 250


@dataclass(frozen=True)
class Query:
    kind: str  # "bounce": a dropped mix; "like": more like a library sample
    path: str
    region: tuple[float, float] | None = None  # seconds, bounce only; None = whole file

    @property
    def name(self) -> str:
        return Path(self.path).name


class SearchController(QObject):
    bounceLoaded = Signal(str, object)  # path, Overview
    bounceFailed = Signal(str, str)  # path, message
    queryChanged = Signal(object)  # Query | None
    resultsReady = Signal(list)  # list[RankedSample], best first (NaN scores: no query)
    busyChanged = Signal(bool)
    failed = Signal(str)

    def __init__(self, db_path: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self._db_path = str(db_path)
        self._embedder = None
        self._index: LibraryIndex | None = None
        self._query: Query | None = None
        self._bounce: Query | None = None  # kept while "more like this" is active
        self._vector_key: tuple | None = None
        self._vector: np.ndarray | None = None
        self._corrections: dict[str, tuple[str | None, int]] = {}  # path: (category, load generation)
        self._closed = False  # after shutdown() no new work starts
        self.excerpts: int | None = None  # None: the model's default (ten)
        self._runner = TaskRunner(self)  # rankings
        self._index_loader = TaskRunner(self)
        self._bounce_loader = TaskRunner(self)
        self._rank_task: Task | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(REGION_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._rank)

    # state --------------------------------------------------------------------------------
    @property
    def query(self) -> Query | None:
        return self._query

    @property
    def bounce(self) -> Query | None:
        return self._bounce

    @property
    def index(self) -> LibraryIndex | None:
        return self._index

    def busy(self) -> bool:
        return self._rank_task is not None

    def set_embedder(self, embedder) -> None:
        self._embedder = embedder
        self.reload_index()

    # library ------------------------------------------------------------------------------
    def reload_index(self) -> None:
        """Re-read the library (after a scan or folder change), then re-rank the active query."""
        if self._closed:
            return
        db_path = self._db_path
        model_id = None if self._embedder is None else self._embedder.model_id

        def job(cancel, report):
            with LibraryDB(db_path) as db:
                if model_id is None:
                    return db.rows()
                return LibraryIndex.from_db(db, model_id)

        task = Task(job, self._index_loader.next_generation())
        task.signals.finished.connect(self._index_loaded)
        task.signals.failed.connect(self._index_failed)
        self._index_loader.start(task)

    def _index_loaded(self, generation: int, loaded) -> None:
        if generation != self._index_loader.generation:
            return
        # Corrections saved before this load started are in what it read; later ones may not be.
        self._corrections = {p: c for p, c in self._corrections.items() if c[1] >= generation}
        if isinstance(loaded, LibraryIndex):
            self._index = loaded
            rows = loaded.rows
        else:
            rows = loaded
        if self._query is None:
            self.resultsReady.emit([self._corrected(RankedSample(r, math.nan)) for r in rows])
        else:
            self._rank()

    def note_category(self, path: str, category: str | None) -> None:
        """A user correction (already saved), shown until an index read after it arrives."""
        self._corrections[path] = (category, self._index_loader.generation)

    # queries ------------------------------------------------------------------------------
    def open_bounce(self, path: str | Path) -> None:
        """Make a bounce the query; one that is plainly unusable leaves the current query as it is."""
        if self._closed:
            return
        path = str(path)
        try:
            audio.check(path)  # reads the header only: cheap enough for the GUI thread
        except audio.AudioError as exc:
            self.bounceFailed.emit(path, str(exc))
            return
        self._bounce = Query("bounce", path)
        self._set_query(self._bounce)

        def load(cancel, report):
            return file_overview(path, OVERVIEW_POINTS, cancel)

        self._bounce_loader.cancel_all()  # a stale bounce's overview is not worth finishing
        task = Task(load, self._bounce_loader.next_generation())
        task.signals.finished.connect(self._bounce_loaded)
        task.signals.failed.connect(self._bounce_failed)
        self._bounce_loader.start(task)
        self._rank()

    def _bounce_loaded(self, generation: int, overview) -> None:
        if self._bounce is not None and generation == self._bounce_loader.generation:
            self.bounceLoaded.emit(self._bounce.path, overview)

    def _bounce_failed(self, generation: int, message: str) -> None:
        if self._bounce is None or generation != self._bounce_loader.generation:
            return
        path = self._bounce.path
        self._bounce = None
        self.cancel()
        self._set_query(None)
        self.bounceFailed.emit(path, message)
        self.reload_index()  # the library without scores, not the failed query's stale ones

    def set_region(self, start: float, end: float) -> None:
        """The bounce region moved; the re-rank waits until it has stopped moving."""
        if self._bounce is None:
            return
        self._bounce = dataclasses.replace(self._bounce, region=(start, end))
        self._set_query(self._bounce)
        self._debounce.start()

    def set_excerpts(self, count: int) -> None:
        """How many 4-s excerpts of the region make the query (their encodings are averaged)."""
        self.excerpts = count
        if self._query is not None and self._query.kind == "bounce":
            self._debounce.start()

    def more_like(self, path: str) -> None:
        self._set_query(Query("like", path))
        self._rank()

    def back_to_bounce(self) -> None:
        if self._bounce is not None:
            self._set_query(self._bounce)
            self._rank()

    def clear(self) -> None:
        self.cancel()
        self._bounce = None
        self._set_query(None)
        self.reload_index()

    def _set_query(self, query: Query | None) -> None:
        self._query = query
        self.queryChanged.emit(query)

    # ranking ------------------------------------------------------------------------------
    def cancel(self) -> None:
        self._debounce.stop()
        self._runner.next_generation()  # whatever is still running is now stale
        if self._rank_task is not None:
            self._rank_task.cancel.set()
            self._rank_task = None
            self.busyChanged.emit(False)

    def _rank(self) -> None:
        """Cancel the stale ranking and start one for the active query."""
        self._debounce.stop()
        query, embedder, index = self._query, self._embedder, self._index
        if query is None or embedder is None or index is None or self._closed:
            return  # runs when the model or the index arrives
        excerpts = self.excerpts
        key = (query.kind, query.path, query.region, excerpts, embedder.model_id)
        cached = self._vector if key == self._vector_key else None

        def job(cancel, report):
            if cached is not None:
                vector = cached
            elif query.kind == "like":
                vector = index.vector(query.path)
                if vector is None:
                    raise KeyError(f"{query.name} is not in the indexed library")
            else:
                vector = query_vector(embedder, query.path, query.region, excerpts, cancel)
            return key, vector, index.rank(vector)

        was_busy = self._rank_task is not None
        if was_busy:
            self._rank_task.cancel.set()
        task = Task(job, self._runner.next_generation())
        task.signals.finished.connect(self._ranked)
        task.signals.failed.connect(self._rank_failed)
        task.signals.done.connect(self._rank_done)
        self._rank_task = self._runner.start(task)
        if not was_busy:
            self.busyChanged.emit(True)

    def _ranked(self, generation: int, result) -> None:
        if generation != self._runner.generation:
            return  # superseded by a newer query
        key, vector, ranked = result
        self._vector_key, self._vector = key, vector
        self._rank_done(generation)
        self.resultsReady.emit([self._corrected(r) for r in ranked])

    def _corrected(self, item: RankedSample) -> RankedSample:
        if item.row.path not in self._corrections:
            return item
        row = dataclasses.replace(item.row, user_category=self._corrections[item.row.path][0])
        return dataclasses.replace(item, row=row)

    def _rank_done(self, generation: int) -> None:
        if generation == self._runner.generation and self._rank_task is not None:
            self._rank_task = None
            self.busyChanged.emit(False)

    def _rank_failed(self, generation: int, message: str) -> None:
        if generation == self._runner.generation:
            name = self._query.name if self._query is not None else "the query"
            self.failed.emit(f"Cannot rank by {name}: {message}")

    def _index_failed(self, generation: int, message: str) -> None:
        self.failed.emit(f"Cannot read the library cache: {message}")

    def _runners(self) -> tuple[TaskRunner, ...]:
        return self._runner, self._index_loader, self._bounce_loader

    def wait(self, msecs: int = 5000) -> bool:
        return all(r.wait(msecs) for r in self._runners())

    def shutdown(self) -> None:
        self._closed = True
        self.cancel()
        for r in self._runners():
            r.cancel_all()

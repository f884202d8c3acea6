"""Keeps the map in step with the results table.

While the map is on screen: the library is laid out off the GUI thread (read from the library database when it
holds this library's map; a newer index cancels a stale layout), the rows the table shows are drawn with their
fit, and the table's selection and current row are marked. The other way: a click on a dot selects its row, a
rectangle selects its rows, a right-click opens the table's menu, and a dot the pointer rests on plays through
the audition. Until a changed library is laid out again, the samples it still has keep their old places.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject

from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.library_map import LibraryMap, map_job
from samplematch_gui.ui.audition_controller import AuditionController
from samplematch_gui.ui.map_view import LibraryMapView
from samplematch_gui.ui.results_model import ResultsModel
from samplematch_gui.ui.results_view import ResultsView
from samplematch_gui.ui.workers import Task, TaskRunner

Select = QItemSelectionModel.SelectionFlag


class MapController(QObject):
    def __init__(self, view: LibraryMapView, table: ResultsView, model: ResultsModel, audition: AuditionController,
                 db_path: str | Path, parent: QObject | None = None):
        super().__init__(parent)
        self.view, self._table, self._model, self._audition = view, table, model, audition
        self._db_path = db_path
        self._runner = TaskRunner(self)
        self._task: Task | None = None
        self._laying_out: LibraryIndex | None = None
        self.map: LibraryMap | None = None  # the latest laid out
        self._drawn: tuple[LibraryIndex, LibraryMap | None] | None = None  # whose places the view has
        self._active = False
        self._closed = False
        view.send_keys_to(table)
        view.dotClicked.connect(self._select_position)
        view.hoverPlayed.connect(self._play)
        view.areaSelected.connect(self._select_area)
        view.contextRequested.connect(self._context_menu)
        model.modelReset.connect(self._rows_changed)
        model.layoutChanged.connect(self._rows_changed)
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        table.selectionModel().currentChanged.connect(self._selection_changed)

    def set_active(self, shown: bool) -> None:
        """The map is on screen (or no longer): only then is the library laid out and the map kept up to date."""
        self._active = shown
        if shown:
            self._rows_changed()

    def busy(self) -> bool:
        return self._task is not None

    # the layout ---------------------------------------------------------------------------
    def _lay_out(self, index: LibraryIndex) -> None:
        """Start laying out the index unless it is laid out or being laid out."""
        if (self.map is not None and self.map.index is index) or self._laying_out is index or self._closed:
            return
        if self._task is not None:
            self._task.cancel.set()
        self._laying_out = index
        self._task = self._runner.run(map_job(self._db_path, index), self._laid_out, self._failed, self._progress,
                                      self._done)
        self.view.set_status(f"Laying out {len(index):,} samples by sound…")

    def _progress(self, generation: int, fraction: float) -> None:
        if generation == self._runner.generation and self._laying_out is not None:
            self.view.set_status(f"Laying out {len(self._laying_out):,} samples by sound… {fraction:.0%}")

    def _laid_out(self, generation: int, laid_out: LibraryMap) -> None:
        if generation != self._runner.generation:
            return
        self.map = laid_out
        self.view.set_status("")
        self._rows_changed()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._runner.generation:
            self.view.set_status(f"Cannot lay out the map: {message}")

    def _done(self, generation: int) -> None:
        if generation == self._runner.generation:
            self._task = self._laying_out = None

    def _places(self, index: LibraryIndex) -> np.ndarray | None:
        """Where the index's samples lie: the map's, or the places of a map of the same model's earlier index
        (NaN for samples new since)."""
        laid_out = self.map
        if laid_out is None or laid_out.index.model_id != index.model_id:
            return None
        if laid_out.index is index:
            return laid_out.coords
        places = np.full((len(index), 2), np.nan, np.float32)
        for i, path in enumerate(index.paths):
            j = laid_out.index.position(path)
            if j is not None:
                places[i] = laid_out.coords[j]
        return places

    # results -> map -----------------------------------------------------------------------
    def _rows_changed(self) -> None:
        if not self._active:
            return
        ranking = self._model.table.ranking
        if ranking is None:
            return  # cleared while a new query is ranked: the map stays as it is until its results come
        index = ranking.index
        if index.model_id is None:
            self._drawn = None
            self.view.set_layout(None, None)
            self.view.set_status("The map appears once the model has loaded")
            return
        self._lay_out(index)
        if self._drawn is None or self._drawn[0] is not index or self._drawn[1] is not self.map:
            self._drawn = (index, self.map)
            self.view.set_layout(index, self._places(index))
        self.view.set_rows(self._model.table.shown, ranking.fit if ranking.scored else None)
        self._selection_changed()

    def _selection_changed(self, *_) -> None:
        if not self._active or self._drawn is None:
            return
        rows = np.array([i.row() for i in self._table.selectionModel().selectedRows()], np.int64)
        self.view.set_selected(self._model.table.shown[rows] if len(rows) else rows)
        path = self._table.current_path()
        index = self._drawn[0]
        self.view.set_current(None if path is None else index.position(path))

    # map -> results -----------------------------------------------------------------------
    def _select_position(self, position: int) -> None:
        """A click on a dot selects its row, and plays it as a click on the row does."""
        row = self._model.table.row_of(position)
        if row < 0:
            return
        moved = row != self._table.currentIndex().row()
        self._select_row(row)
        if not (moved and self._audition.auto_play):
            self._audition.play(self._model.path(row))

    def _select_row(self, row: int) -> None:
        target = self._model.index(row, 0)
        self._table.selectionModel().setCurrentIndex(target, Select.ClearAndSelect | Select.Rows)
        self._table.scrollTo(target)

    def _select_area(self, positions: np.ndarray, add: bool) -> None:
        """The rows of a rectangle's dots become the table's selection (Ctrl: added to it)."""
        rows = np.array(sorted(r for r in (self._model.table.row_of(int(p)) for p in positions) if r >= 0), np.int64)
        selection = QItemSelection()
        if len(rows):
            breaks = np.flatnonzero(np.diff(rows) != 1)
            last = self._model.columnCount() - 1
            for lo, hi in zip(np.r_[rows[0], rows[breaks + 1]], np.r_[rows[breaks], rows[-1]], strict=True):
                selection.select(self._model.index(int(lo), 0), self._model.index(int(hi), last))
        model = self._table.selectionModel()
        model.select(selection, (Select.Select if add else Select.ClearAndSelect) | Select.Rows)
        if len(rows):
            model.setCurrentIndex(self._model.index(int(rows[0]), 0), Select.NoUpdate)
            self._table.scrollTo(self._model.index(int(rows[0]), 0))

    def _play(self, position: int) -> None:
        if self._drawn is not None:
            self._audition.play(self._drawn[0].paths[position])

    def _context_menu(self, position: int, screen_pos) -> None:
        row = self._model.table.row_of(position)
        if row < 0:
            return
        if not self._table.selectionModel().isRowSelected(row):
            self._select_row(row)
        menu = self._table.build_context_menu()
        if menu is not None:
            menu.exec(screen_pos.toPoint())

    def wait(self, msecs: int = 5000) -> bool:
        return self._runner.wait(msecs)

    def shutdown(self) -> None:
        self._closed = True
        self._runner.cancel_all()

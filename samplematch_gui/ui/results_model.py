"""The results table's Qt model: reads the core's ResultTable lazily, only the rows Qt paints.

Filters and sorts run in the core on arrays; here they become one layout change that keeps the
selection on the same samples. A group of duplicates or velocity layers is one row (its best member's) that
expands into its members' rows under it (GroupRole says which a row is).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, Qt, Signal

from samplematch_gui.fit import cosine_text, fit_text, fit_tooltip
from samplematch_gui.query_session import Query, Ranking
from samplematch_gui.result_table import COLUMNS, ResultTable
from samplematch_gui.ui.sample_drag import sample_mime
from samplematch_gui.ui.theme import CATEGORY_LABELS, category_colour

HEADERS = {"name": "Name", "category": "Category", "score": "Fit", "duration": "Length",
           "folder": "Folder"}
SIMILARITY = "Similarity"  # the score column's title while ranking by a sample ("more like this")
MATCH = "Match"  # its title while a bounce is asked which samples sound like its drums

PathRole = Qt.ItemDataRole.UserRole + 1
CategoryRole = Qt.ItemDataRole.UserRole + 2
BarRole = Qt.ItemDataRole.UserRole + 3  # score bar length 0..1 within the current results
GroupRole = Qt.ItemDataRole.UserRole + 4  # (samples its group shows, 0 on a member's row; expanded)


def format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


class ResultsModel(QAbstractTableModel):
    filterChanged = Signal()  # the rows shown changed without new results: a filter, a sort, a correction

    def __init__(self, correct: Callable[[list[str], str | None], int] | None = None, parent=None):
        """correct(paths, category) saves a user's category correction; it returns how many changed."""
        super().__init__(parent)
        self.table = ResultTable(CATEGORY_LABELS)
        self._correct = correct

    # content ------------------------------------------------------------------------------
    def set_ranking(self, ranking: Ranking) -> bool:
        """Show new results (True for a new query: sorted best first)."""
        self.beginResetModel()
        new_query = self.table.set_ranking(ranking)
        self.endResetModel()
        return new_query

    def clear(self) -> None:
        """No results (a new query is being ranked: the old one's results would be shown under its name)."""
        self.beginResetModel()
        self.table.clear()
        self.endResetModel()

    def set_roots(self, roots: list[str]) -> None:
        """Library folders: the folder column is shown relative to them."""
        self._relayout(lambda: self.table.set_roots(roots))
        if self.rowCount():
            folder = COLUMNS.index("folder")
            self.dataChanged.emit(self.index(0, folder), self.index(self.rowCount() - 1, folder))

    def set_categories(self, categories: set[str]) -> None:
        self._relayout(lambda: self.table.set_categories(categories))

    def set_text(self, text: str) -> None:
        self._relayout(lambda: self.table.set_text(text))

    def set_expanded(self, row: int, expanded: bool) -> None:
        """Show a group's other members under its row (or fold them away again, from any member's row)."""
        if 0 <= row < self.rowCount() and (expanded != self.table.expanded(row)):
            position = self.table.position(row)
            self._relayout(lambda: self.table.set_expanded(position, expanded))

    def group_row(self, row: int) -> int:
        """The row of the group a member's row belongs to (the row itself for any other)."""
        while row > 0 and self.table.counts[row] == 0:
            row -= 1
        return row

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            descending = order == Qt.SortOrder.DescendingOrder
            self._relayout(lambda: self.table.set_sort(COLUMNS[column], descending))

    def sort_column(self) -> int:
        column = self.table.sort_column
        return -1 if column is None else COLUMNS.index(column)

    def sort_order(self) -> Qt.SortOrder:
        return Qt.SortOrder.DescendingOrder if self.table.descending else Qt.SortOrder.AscendingOrder

    def _relayout(self, change: Callable[[], None]) -> None:
        """Apply a change of the rows shown, keeping selections on the same samples."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        positions = [self.table.position(i.row()) for i in old]
        change()
        new = []
        for i, position in zip(old, positions, strict=True):
            row = self.table.row_of(position)
            new.append(self.index(row, i.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
        self.filterChanged.emit()

    # reading ------------------------------------------------------------------------------
    def total(self) -> int:
        """How many results, before the filters."""
        return self.table.total()

    def shown_count(self) -> int:
        """How many results the filters keep, the members of folded groups too."""
        return self.table.kept

    def query(self) -> Query | None:
        """The query of the results shown (None: none, or the library without a query)."""
        return None if self.table.ranking is None else self.table.ranking.query

    def has_scores(self) -> bool:
        ranking = self.table.ranking
        return ranking is not None and ranking.scored and self.table.total() > 0

    def path(self, row: int) -> str:
        return self.table.current_ranking().index.paths[self.table.position(row)]

    def score(self, row: int) -> float:
        return self.table.score(self.table.position(row))

    def row_of_path(self, path: str) -> int:
        """The row showing the sample at path, -1 if it is not shown."""
        index = self.table.index
        return -1 if index is None else self.table.row_of(index.position(path))

    def text_matched_counts(self) -> Counter:
        return self.table.text_matched_counts()

    def folder_counts(self, folders: list[str]) -> Counter:
        return self.table.folder_counts(folders)

    def correct_categories(self, paths: list[str], category: str | None) -> bool:
        """The user sets samples' category (None or a sample's automatic one: automatic again)."""
        if self._correct is None or not self._correct(paths, category):
            return False
        self._relayout(self.table.refresh)  # a category filter may now hide or show them
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1))
        return True

    # QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._header(COLUMNS[section]).upper()
        if role == Qt.ItemDataRole.InitialSortOrderRole:
            return Qt.SortOrder.DescendingOrder if COLUMNS[section] == "score" else Qt.SortOrder.AscendingOrder
        if role == Qt.ItemDataRole.TextAlignmentRole:
            right = COLUMNS[section] == "duration"
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        table, column = self.table, COLUMNS[index.column()]
        i = table.position(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(i, column)
        if role == Qt.ItemDataRole.EditRole and column == "category":
            return table.index.category(i)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(i, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "duration":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == "category":
            return category_colour(table.index.category(i))
        if role == PathRole:
            return table.index.paths[i]
        if role == CategoryRole:
            return table.index.category(i)
        if role == BarRole:
            return table.bar(i)
        if role == GroupRole:
            return int(table.counts[index.row()]), table.expanded(index.row())
        return None

    def _liking(self) -> bool:
        """Ranked by a sample ("more like this"), not by a bounce."""
        query = self.query()
        return query is not None and query.kind == "like"

    def _header(self, column: str) -> str:
        query = self.query()
        if column == "score" and query is not None:
            if query.kind == "like":
                return SIMILARITY
            if query.mode == "like":
                return MATCH
        return HEADERS[column]

    def _display(self, i: int, column: str) -> str:
        index = self.table.current_ranking().index
        if column == "name":
            return index.name(i)
        if column == "category":
            category = index.category(i)
            return CATEGORY_LABELS.get(category, category) + (" *" if index.user_category(i) else "")
        if column == "score":  # by a bounce: its percentile in the library (samplematch_gui.fit)
            if self._liking():
                return cosine_text(self.table.score(i))
            return fit_text(float(self.table.current_ranking().fit[i]))
        if column == "duration":
            return format_duration(float(index.durations[i]))
        return self.table.folder_shown(i)

    def _tooltip(self, i: int, column: str) -> str:
        ranking = self.table.current_ranking()
        index = ranking.index
        score = self.table.score(i)
        if column == "score" and not math.isnan(score):
            if ranking.query is not None and ranking.query.kind == "like":
                return (f"Similarity to {ranking.query.name}: {score:.3f} (cosine; 1 = the same "
                        "sound); the bar compares it with the other results")
            mode = "fit" if ranking.query is None else ranking.query.mode
            return fit_tooltip(float(ranking.fit[i]), score, int(ranking.pool.sum()), mode)
        if column == "category":
            if index.user_category(i):
                return f"Your correction (automatic: {index.auto_category(i)}). Double-click to change."
            return "Guessed from the file and folder names. Double-click to correct."
        count = int(self.table.counts[self.table.row_of(i)])
        if column == "name" and count > 1:
            return (f"{index.paths[i]}\nThe best of {count} files of one sound (copies or velocity layers); "
                    "click ▸ or press → to list the others")
        return index.paths[i]

    def flags(self, index):
        base = super().flags(index)
        if not index.isValid():
            return base
        base |= Qt.ItemFlag.ItemIsDragEnabled
        if COLUMNS[index.column()] == "category" and self._correct is not None:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or COLUMNS[index.column()] != "category":
            return False
        return self.correct_categories([self.path(index.row())], value)

    # drag out -----------------------------------------------------------------------------
    def supportedDragActions(self):
        return Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return sample_mime([self.path(r) for r in rows])

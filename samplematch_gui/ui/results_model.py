"""Qt item models over plain RankedSample rows: the table model, and the filter/sort proxy."""
from __future__ import annotations

import dataclasses
import math
import os
from collections import Counter

from PySide6.QtCore import QAbstractTableModel, QMimeData, QSortFilterProxyModel, Qt, Signal

from model.taxonomy import CATEGORIES
from samplematch_gui.library_index import RankedSample
from samplematch_gui.paths import is_inside
from samplematch_gui.ui.sample_drag import sample_mime
from samplematch_gui.ui.theme import CATEGORY_LABELS, category_colour

COLUMNS = ("name", "category", "score", "duration", "folder")
HEADERS = {"name": "Name", "category": "Category", "score": "Fit", "duration": "Length",
           "folder": "Folder"}
NO_SCORE = float("nan")  # library browsing before any query

SortRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
CategoryRole = Qt.ItemDataRole.UserRole + 3
BarRole = Qt.ItemDataRole.UserRole + 4  # score bar length 0..1 within the current results
ItemRole = Qt.ItemDataRole.UserRole + 5


def format_duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def display_folder(folder: str, roots: list[str] = ()) -> str:
    """A sample's folder from its library folder down ("Drums/Kicks"), else with ~ for home."""
    for root in roots:
        if is_inside(folder, root):
            parent = os.path.dirname(root.rstrip(os.sep))
            return os.path.relpath(folder, parent).replace(os.sep, " / ")
    home = os.path.expanduser("~")
    return "~" + folder[len(home):] if home and folder.startswith(home + os.sep) else folder


class ResultsModel(QAbstractTableModel):
    categoryEdited = Signal(str, object)  # path, the user's category (None = automatic again)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items: list[RankedSample] = []
        self._lo, self._hi = 0.0, 1.0
        self._roots: list[str] = []
        self._search_text: dict[str, str] = {}  # path: what the text filter looks in

    # content ------------------------------------------------------------------------------
    def set_results(self, items: list[RankedSample]) -> None:
        self.beginResetModel()
        self._items = list(items)
        scores = [it.score for it in self._items if not math.isnan(it.score)]
        self._lo, self._hi = (min(scores), max(scores)) if scores else (0.0, 1.0)
        self.endResetModel()

    def set_roots(self, roots: list[str]) -> None:
        """Library folders: the folder column is shown relative to them."""
        self._roots = sorted(roots, key=len, reverse=True)
        self._search_text.clear()
        if self._items:
            self.dataChanged.emit(self.index(0, COLUMNS.index("folder")),
                                  self.index(len(self._items) - 1, COLUMNS.index("folder")))

    def items(self) -> list[RankedSample]:
        return list(self._items)

    def item(self, row: int) -> RankedSample:
        return self._items[row]

    def search_text(self, row: int) -> str:
        """The name and the folder as shown (not the hidden part of the path), case-folded."""
        r = self._items[row].row
        text = self._search_text.get(r.path)
        if text is None:
            text = self._search_text[r.path] = f"{r.name} {display_folder(r.folder, self._roots)}".casefold()
        return text

    def sort_keys(self, column: str) -> list:
        return [self._sort_key(it, column) for it in self._items]

    def reorder(self, order: list[int]) -> None:
        """Put the rows in `order` (a permutation), keeping selections on the same samples."""
        if order == list(range(len(self._items))):
            return
        self.layoutAboutToBeChanged.emit()
        new_row = {old: new for new, old in enumerate(order)}
        self._items = [self._items[i] for i in order]
        old_indexes = self.persistentIndexList()
        self.changePersistentIndexList(
            old_indexes, [self.index(new_row[i.row()], i.column()) for i in old_indexes])
        self.layoutChanged.emit()

    def has_scores(self) -> bool:
        return any(not math.isnan(it.score) for it in self._items)

    def category_counts(self, rows: list[int] | None = None) -> Counter:
        picked = self._items if rows is None else (self._items[r] for r in rows)
        return Counter(it.row.category for it in picked)

    def correct_category(self, path: str, category: str | None) -> bool:
        """The user sets a sample's category (None or its automatic one: automatic again)."""
        current = next((it.row for it in self._items if it.row.path == path), None)
        if current is None or (category is not None and category not in CATEGORIES):
            return False
        new = None if category == current.auto_category else category
        if new == current.user_category:
            return False
        self._show_category(path, new)
        self.categoryEdited.emit(path, new)
        return True

    def _show_category(self, path: str, category: str | None) -> None:
        for i, it in enumerate(self._items):
            if it.row.path == path:
                row = dataclasses.replace(it.row, user_category=category)
                self._items[i] = dataclasses.replace(it, row=row)
                first, last = self.index(i, 0), self.index(i, len(COLUMNS) - 1)
                self.dataChanged.emit(first, last)

    # QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._items)

    def columnCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[COLUMNS[section]].upper()
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.InitialSortOrderRole:
            return Qt.SortOrder.DescendingOrder if COLUMNS[section] == "score" else Qt.SortOrder.AscendingOrder
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            right = COLUMNS[section] in ("duration",)
            return int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft)
                       | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        it = self._items[index.row()]
        row, column = it.row, COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(it, column)
        if role == Qt.ItemDataRole.EditRole and column == "category":
            return row.category
        if role == SortRole:
            return self._sort_key(it, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(it, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "duration":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == "category":
            return category_colour(row.category)
        if role == PathRole:
            return row.path
        if role == CategoryRole:
            return row.category
        if role == BarRole:
            return self._bar(it.score)
        if role == ItemRole:
            return it
        return None

    def _display(self, it: RankedSample, column: str) -> str:
        row = it.row
        if column == "name":
            return row.name
        if column == "category":
            label = CATEGORY_LABELS.get(row.category, row.category)
            return label + (" *" if row.user_category else "")
        if column == "score":
            return "" if math.isnan(it.score) else f"{it.score:.2f}"
        if column == "duration":
            return format_duration(row.duration)
        return display_folder(row.folder, self._roots)

    @staticmethod
    def _sort_key(it: RankedSample, column: str):
        row = it.row
        if column == "score":
            return -2.0 if math.isnan(it.score) else it.score
        if column == "duration":
            return row.duration
        if column == "category":
            return CATEGORIES.index(row.category) if row.category in CATEGORIES else len(CATEGORIES)
        return (row.name if column == "name" else row.folder).casefold()

    @staticmethod
    def _tooltip(it: RankedSample, column: str) -> str:
        if column == "score" and not math.isnan(it.score):
            return (f"Cosine similarity to the query: {it.score:.3f} (1 = perfect fit); "
                    "the bar compares it with the other results")
        if column == "category":
            if it.row.user_category:
                return (f"Your correction (automatic: {it.row.auto_category}). "
                        "Double-click to change.")
            return "Guessed from the file and folder names. Double-click to correct."
        return it.row.path

    def _bar(self, score: float) -> float:
        if math.isnan(score):
            return 0.0
        span = self._hi - self._lo
        return 1.0 if span < 1e-9 else 0.08 + 0.92 * (score - self._lo) / span

    def flags(self, index):
        base = super().flags(index)
        if not index.isValid():
            return base
        base |= Qt.ItemFlag.ItemIsDragEnabled
        if COLUMNS[index.column()] == "category":
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or COLUMNS[index.column()] != "category":
            return False
        return self.correct_category(self._items[index.row()].row.path, value)

    # drag out -----------------------------------------------------------------------------
    def supportedDragActions(self):
        return Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return sample_mime([self._items[r].row.path for r in rows])


class ResultsFilter(QSortFilterProxyModel):
    """Category toggles + words in name/folder; sorts by SortRole (score: best first)."""

    filterChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._categories: set[str] = set(CATEGORIES)
        self._words: list[str] = []
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self.setSortRole(SortRole)
        self.setDynamicSortFilter(True)  # re-filter when a category is corrected

    def categories(self) -> set[str]:
        return set(self._categories)

    def set_categories(self, categories: set[str]) -> None:
        self.beginFilterChange()
        self._categories = set(categories)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filterChanged.emit()

    def text(self) -> str:
        return " ".join(self._words)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.filterChanged.emit()

    def _matches_text(self, source_row: int) -> bool:
        if not self._words:
            return True
        haystack = self.sourceModel().search_text(source_row)
        return all(w in haystack for w in self._words)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self._words and self._categories.issuperset(CATEGORIES):
            return True  # nothing filtered: the common case, called once per row
        category = self.sourceModel().item(source_row).row.category
        return category in self._categories and self._matches_text(source_row)

    def text_matched_counts(self) -> Counter:
        """Per category, how many results pass the text filter (the counts on the toggles)."""
        model = self.sourceModel()
        if not self._words:
            return model.category_counts()
        return model.category_counts([r for r in range(model.rowCount()) if self._matches_text(r)])

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (name breaks ties) by reordering the source rows.

        One Python sort of the keys instead of Qt's pairwise lessThan calls, which take seconds
        on a 50,000-sample library; rankings arrive best first, so that order costs nothing.
        """
        self._sort = (column, order)
        model = self.sourceModel()
        if not 0 <= column < len(COLUMNS) or model is None or not model.rowCount():
            return
        keys = model.sort_keys(COLUMNS[column])
        names = model.sort_keys("name")
        order_rows = sorted(range(len(keys)), key=lambda i: (keys[i], names[i]),
                            reverse=order == Qt.SortOrder.DescendingOrder)
        model.reorder(order_rows)

    def setSourceModel(self, model: ResultsModel) -> None:
        super().setSourceModel(model)
        model.modelReset.connect(self._resort)  # new results keep the chosen order

    def _resort(self) -> None:
        self.sort(*self._sort)

    def sort_next_results(self, column: int, order: Qt.SortOrder) -> None:
        """Sort the next results by column when they arrive, in one pass (the caller updates the header)."""
        self._sort = (column, order)

    def sort_column(self) -> int:
        return self._sort[0]

    def sort_order(self) -> Qt.SortOrder:
        return self._sort[1]

    def paths(self, proxy_rows: list[int]) -> list[str]:
        return [self.index(r, 0).data(PathRole) for r in proxy_rows]


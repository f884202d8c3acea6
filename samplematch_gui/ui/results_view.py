"""The results table: score bars, category chips, keyboard audition, drag-out, context menu."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHeaderView, QMenu, QStyle,
                               QStyledItemDelegate, QTableView)

from model.taxonomy import CATEGORIES
from samplematch_gui.ui import theme
from samplematch_gui.ui.results_model import COLUMNS, BarRole, CategoryRole, PathRole
from samplematch_gui.ui.sample_drag import sample_mime, start_sample_drag

ROW_HEIGHT = 30


class ScoreDelegate(QStyledItemDelegate):
    """A bar (length relative to the current results) with the percentage beside it."""

    def paint(self, painter: QPainter, option, index) -> None:
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget else None
        text, option.text = option.text, ""
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        if not text:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect.adjusted(8, 0, -8, 0)
        text_w = 38
        track = QRectF(r.left(), r.center().y() - 3, max(10, r.width() - text_w - 8), 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.RAISED))
        painter.drawRoundedRect(track, 3, 3)
        fill = QRectF(track)
        fill.setWidth(track.width() * float(index.data(BarRole) or 0.0))
        painter.setBrush(QColor(theme.ACCENT))
        painter.drawRoundedRect(fill, 3, 3)
        painter.setPen(QColor(theme.TEXT))
        painter.drawText(QRect(r.right() - text_w, r.top(), text_w, r.height()),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()


class CategoryDelegate(QStyledItemDelegate):
    """A coloured dot before the category; edited with a combo box."""

    def paint(self, painter: QPainter, option, index) -> None:
        self.initStyleOption(option, index)
        colour = theme.category_colour(index.data(CategoryRole))
        text, option.text = option.text, ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = option.rect.adjusted(8, 0, -4, 0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(QRectF(r.left(), r.center().y() - 4, 8, 8))
        painter.setPen(colour.lighter(110))
        painter.drawText(r.adjusted(16, 0, 0, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        for c in CATEGORIES:
            combo.addItem(theme.CATEGORY_LABELS[c], c)
        return combo

    def setEditorData(self, editor: QComboBox, index) -> None:
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
        editor.showPopup()

    def setModelData(self, editor: QComboBox, model, index) -> None:
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ResultsView(QTableView):
    playRequested = Signal(str)  # path: play from the start
    toggleRequested = Signal(str)  # path: play, or stop if it is playing
    rowClicked = Signal(str, bool)  # path, whether the click moved the selection to it
    stopRequested = Signal()
    moreLikeThisRequested = Signal(str)
    revealRequested = Signal(str)
    copyPathsRequested = Signal(list)
    currentPathChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSortingEnabled(True)
        self.setMouseTracking(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.setItemDelegateForColumn(COLUMNS.index("score"), ScoreDelegate(self))
        self.setItemDelegateForColumn(COLUMNS.index("category"), CategoryDelegate(self))
        self.clicked.connect(self._clicked)
        self._row_before_press = -1
        self._announced: str | None = None

    def setModel(self, model) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(60)
        for column, width in {"name": 280, "category": 110, "score": 150, "duration": 80}.items():
            self.setColumnWidth(COLUMNS.index(column), width)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.selectionModel().selectionChanged.connect(self._current_changed)

    # selection ----------------------------------------------------------------------------
    def current_path(self) -> str | None:
        index = self.currentIndex()
        return index.data(PathRole) if index.isValid() else None

    def selected_paths(self) -> list[str]:
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        return [self.model().index(r, 0).data(PathRole) for r in rows]

    def select_first(self) -> None:
        if self.model() is not None and self.model().rowCount():
            self.selectRow(0)

    def _current_changed(self, *_) -> None:
        """Announce a newly selected current sample; focus alone (current, unselected) is silent."""
        current = self.currentIndex()
        if not current.isValid() or not self.selectionModel().isRowSelected(current.row()):
            return
        path = current.data(PathRole)
        if path != self._announced and not self.signalsBlocked():
            self._announced = path
            self.currentPathChanged.emit(path)

    def mousePressEvent(self, event) -> None:
        self._row_before_press = self.currentIndex().row()
        super().mousePressEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.rowClicked.emit(index.data(PathRole), index.row() != self._row_before_press)

    # keyboard -----------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and self.current_path():
            self.toggleRequested.emit(self.current_path())
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_path():
            self.playRequested.emit(self.current_path())
        elif key == Qt.Key.Key_Escape:
            self.stopRequested.emit()
        else:
            super().keyPressEvent(event)

    # drag out to the DAW ------------------------------------------------------------------
    def drag_mime(self):
        return sample_mime(self.selected_paths())

    def startDrag(self, supported_actions) -> None:
        paths = self.selected_paths()
        if paths:
            start_sample_drag(self, paths)

    # context menu -------------------------------------------------------------------------
    def build_context_menu(self) -> QMenu | None:
        paths = self.selected_paths()
        path = self.current_path()
        if not paths or path is None:
            return None
        menu = QMenu(self)
        menu.addAction("Play", lambda: self.playRequested.emit(path)).setShortcut("Space")
        menu.addAction("More like this", lambda: self.moreLikeThisRequested.emit(path))
        menu.addSeparator()
        category_menu = menu.addMenu("Set category")
        current = self.currentIndex().data(CategoryRole)
        for c in CATEGORIES:
            act = category_menu.addAction(theme.CATEGORY_LABELS[c],
                                          lambda c=c: self._correct(paths, c))
            act.setCheckable(True)
            act.setChecked(c == current)
        category_menu.addSeparator()
        category_menu.addAction("Automatic (from name)", lambda: self._correct(paths, None))
        menu.addSeparator()
        label = "Copy path" if len(paths) == 1 else f"Copy {len(paths)} paths"
        menu.addAction(label, lambda: self.copyPathsRequested.emit(paths))
        menu.addAction("Reveal in file manager", lambda: self.revealRequested.emit(path))
        return menu

    def _correct(self, paths: list[str], category: str | None) -> None:
        source = self.model().sourceModel()
        for path in paths:
            source.correct_category(path, category)

    def _context_menu(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid() and not self.selectionModel().isRowSelected(index.row()):
            self.selectRow(index.row())
        menu = self.build_context_menu()
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))

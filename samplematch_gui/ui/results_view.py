"""The results table: score bars, category chips, keyboard audition, drag-out, context menu, and group rows
(duplicates and velocity layers of one sound) that open with ▸ or →, close with ◂ or ←."""
from __future__ import annotations

import functools

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QTableView,
    QWidget,
)

from model.taxonomy import ALL_CATEGORIES
from samplematch_gui.ui import theme
from samplematch_gui.ui.results_model import COLUMNS, BarRole, CategoryRole, GroupRole, PathRole, ResultsModel
from samplematch_gui.ui.sample_drag import start_sample_drag

ROW_HEIGHT = 30
MIN_ROWS = 3
ARROW = 18  # the width of a group row's ▸, and a member row's indent


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


class NameDelegate(QStyledItemDelegate):
    """A group row: ▸ (▾ when open) before the name and its count after it; a member row: indented."""

    def paint(self, painter: QPainter, option, index) -> None:
        count, expanded = index.data(GroupRole) or (1, False)
        if count == 1:
            return super().paint(painter, option, index)
        self.initStyleOption(option, index)
        text, option.text = option.text, ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        r = option.rect.adjusted(6, 0, -6, 0)
        metrics = option.fontMetrics
        if count:
            painter.setPen(QColor(theme.ACCENT))
            painter.drawText(QRect(r.left(), r.top(), ARROW, r.height()), Qt.AlignmentFlag.AlignCenter,
                             "▾" if expanded else "▸")
            badge = f"×{count}"
            badge_w = metrics.horizontalAdvance(badge) + 8
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(QRect(r.right() - badge_w, r.top(), badge_w, r.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, badge)
            text_rect = r.adjusted(ARROW + 2, 0, -badge_w - 4, 0)
            painter.setPen(option.palette.color(option.palette.ColorRole.Text))
        else:
            text_rect = r.adjusted(2 * ARROW, 0, 0, 0)
            painter.setPen(QColor(theme.MUTED))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, text_rect.width()))
        painter.restore()


class FolderDelegate(QStyledItemDelegate):
    """A folder too long for its column loses its start, not the folders nearest the sample."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


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
        for c in ALL_CATEGORIES:
            combo.addItem(theme.CATEGORY_LABELS[c], c)
        return combo

    def setEditorData(self, editor: QWidget, index) -> None:
        assert isinstance(editor, QComboBox)  # createEditor's
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))
        editor.showPopup()

    def setModelData(self, editor: QWidget, model, index) -> None:
        assert isinstance(editor, QComboBox)  # createEditor's
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ResultsHeader(QHeaderView):
    """Sort arrows point the way the values run: ▼ for high to low (Qt draws ▲ for a descending sort)."""

    _FLIPPED = {QStyleOptionHeader.SortIndicator.SortUp: QStyleOptionHeader.SortIndicator.SortDown,
                QStyleOptionHeader.SortIndicator.SortDown: QStyleOptionHeader.SortIndicator.SortUp}

    def initStyleOptionForIndex(self, option: QStyleOptionHeader, logical_index: int) -> None:
        super().initStyleOptionForIndex(option, logical_index)
        option.sortIndicator = self._FLIPPED.get(option.sortIndicator, option.sortIndicator)


class ResultsView(QTableView):
    playRequested = Signal(str)  # path: play from the start
    toggleRequested = Signal(str)  # path: play, or stop if it is playing
    rowClicked = Signal(str, bool)  # path, whether the click moved the selection to it
    stopRequested = Signal()
    moreLikeThisRequested = Signal(str)
    revealRequested = Signal(str)
    copyPathsRequested = Signal(list)
    currentPathChanged = Signal(str)
    noticeLinkActivated = Signal(str)  # a link in the notice over the table (its href)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        header = ResultsHeader(Qt.Orientation.Horizontal, self)
        header.setSectionsClickable(True)  # a click sorts (Qt's own table header is made clickable; ours too)
        self.setHorizontalHeader(header)
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
        self.setItemDelegateForColumn(COLUMNS.index("folder"), FolderDelegate(self))
        self.setItemDelegateForColumn(COLUMNS.index("name"), NameDelegate(self))
        self.clicked.connect(self._clicked)
        self._row_before_press = -1
        self._announced: str | None = None
        self.notice = QLabel(self.viewport())  # why the table is empty, over it
        self.notice.setObjectName("Muted")
        self.notice.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.notice.setWordWrap(True)
        self.notice.linkActivated.connect(self.noticeLinkActivated.emit)
        self.notice.hide()

    def minimumSizeHint(self) -> QSize:
        """However short the window, three rows of results stay in view."""
        hint = super().minimumSizeHint()
        frame = 2 * self.frameWidth()
        return QSize(hint.width(), self.horizontalHeader().sizeHint().height() + MIN_ROWS * ROW_HEIGHT + frame)

    def show_notice(self, text: str) -> None:
        """Rich text over the table ("" for none), e.g. why a filter shows nothing."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self._place_notice()

    def _place_notice(self) -> None:
        self.notice.setGeometry(self.viewport().rect().adjusted(24, 28, -24, 0))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_notice()

    def setModel(self, model) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(60)
        for column, width in {"category": 110, "score": 130, "duration": 80, "folder": 240}.items():
            self.setColumnWidth(COLUMNS.index(column), width)
        self._stretch_names()
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.selectionModel().selectionChanged.connect(self._current_changed)

    def _stretch_names(self) -> None:
        """The name column takes the room the others leave, so the columns fit the window (a narrow one
        shortens the names, not the folder column); the others keep the widths the user gives them."""
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COLUMNS.index("name"), QHeaderView.ResizeMode.Stretch)

    def restore_columns(self, state) -> None:
        """Column widths and the sort from a saved header state (an older release's resize modes are not kept)."""
        self.horizontalHeader().restoreState(state)
        self._stretch_names()

    # selection ----------------------------------------------------------------------------
    def current_path(self) -> str | None:
        """The selected current sample (a current row that is not selected, as focus alone makes it, is not
        the user's choice: it is not highlighted)."""
        index = self.currentIndex()
        if not index.isValid() or not self.selectionModel().isRowSelected(index.row()):
            return None
        return index.data(PathRole)

    def selected_paths(self) -> list[str]:
        rows = sorted(i.row() for i in self.selectionModel().selectedRows())
        return [self.model().index(r, 0).data(PathRole) for r in rows]

    def forget_announced(self) -> None:
        """The announced sample is no longer selected (a filter hid it): selecting it again announces it."""
        self._announced = None

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
        index = self.indexAt(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and self._on_arrow(index, event.position().toPoint().x()):
            _, expanded = index.data(GroupRole)
            self._model().set_expanded(index.row(), not expanded)  # only that: no selection, nothing plays
            return
        self._row_before_press = self.currentIndex().row()
        super().mousePressEvent(event)

    def _on_arrow(self, index: QModelIndex, x: int) -> bool:
        if not index.isValid() or COLUMNS[index.column()] != "name" or (index.data(GroupRole) or (1,))[0] < 2:
            return False
        left = self.visualRect(index).left()
        return left <= x < left + 6 + ARROW

    def _model(self) -> ResultsModel:
        model = self.model()
        assert isinstance(model, ResultsModel)  # the only model it shows
        return model

    def open_group(self, expanded: bool) -> bool:
        """→ / ←: open the current row's group, or close it (from a member's row too, which then selects the
        group's row); False if there is nothing to open or close."""
        current = self.currentIndex()
        if not current.isValid():
            return False
        model, row = self._model(), current.row()
        group = model.group_row(row)
        count, is_open = model.index(group, 0).data(GroupRole)
        if count < 2 or is_open == expanded:
            return False
        if group != row:
            self.selectRow(group)
        model.set_expanded(group, expanded)
        return True

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
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and self.open_group(key == Qt.Key.Key_Right):
            return
        else:
            super().keyPressEvent(event)

    # drag out to the DAW ------------------------------------------------------------------
    def startDrag(self, _supported_actions) -> None:
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
        for c in ALL_CATEGORIES:
            act = category_menu.addAction(theme.CATEGORY_LABELS[c], functools.partial(self._correct, paths, c))
            act.setCheckable(True)
            act.setChecked(c == current)
        category_menu.addSeparator()
        category_menu.addAction("Automatic (from name, kit file or sound)", lambda: self._correct(paths, None))
        menu.addSeparator()
        label = "Copy path" if len(paths) == 1 else f"Copy {len(paths)} paths"
        menu.addAction(label, lambda: self.copyPathsRequested.emit(paths))
        menu.addAction("Reveal in file manager", lambda: self.revealRequested.emit(path))
        return menu

    def _correct(self, paths: list[str], category: str | None) -> None:
        self._model().correct_categories(paths, category)

    def _context_menu(self, pos) -> None:
        index = self.indexAt(pos)
        if index.isValid() and not self.selectionModel().isRowSelected(index.row()):
            self.selectRow(index.row())
        menu = self.build_context_menu()
        if menu is not None:
            menu.exec(self.viewport().mapToGlobal(pos))

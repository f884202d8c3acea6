"""The results as a list (the table) or as a map of the library: two chips (`toggle`, which the window puts in its
status bar, so that the results lose no height in a small window), or F8, switch."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QStackedWidget, QToolButton, QVBoxLayout, QWidget

from samplematch_gui.ui.map_view import LibraryMapView

TOGGLE_KEY = "F8"


class ResultsPages(QWidget):
    mapShown = Signal(bool)

    def __init__(self, table: QWidget, map_view: LibraryMapView, parent: QWidget | None = None):
        super().__init__(parent)
        self.table, self.map_view = table, map_view
        self.list_button = self._chip("List", "The results as a table, best first")
        self.map_button = self._chip("Map", "The library as a map: samples that sound alike lie together "
                                            f"({TOGGLE_KEY})")
        group = QButtonGroup(self)
        group.setExclusive(True)
        group.addButton(self.list_button)
        group.addButton(self.map_button)
        self.list_button.setChecked(True)
        self.map_button.toggled.connect(self.show_map)
        self.toggle = QWidget()
        self.toggle.setStyleSheet("QToolButton#Chip { padding: 0px 8px; min-height: 14px; }")  # status bar height
        row = QHBoxLayout(self.toggle)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.list_button)
        row.addWidget(self.map_button)
        self.stack = QStackedWidget()
        self.stack.addWidget(table)
        self.stack.addWidget(map_view)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.stack, 1)
        self.toggle_action = QAction("Library Map", self)
        self.toggle_action.setShortcut(QKeySequence(TOGGLE_KEY))
        self.toggle_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.toggle_action.triggered.connect(lambda: self.show_map(not self.map_shown()))
        self.addAction(self.toggle_action)

    @staticmethod
    def _chip(text: str, tip: str) -> QToolButton:
        chip = QToolButton()
        chip.setObjectName("Chip")
        chip.setCheckable(True)
        chip.setText(text)
        chip.setToolTip(tip)
        chip.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return chip

    def map_shown(self) -> bool:
        return self.stack.currentWidget() is self.map_view

    def show_map(self, shown: bool) -> None:
        if shown == self.map_shown():
            return
        self.stack.setCurrentWidget(self.map_view if shown else self.table)
        (self.map_button if shown else self.list_button).setChecked(True)  # its toggled signal finds it done
        (self.map_view.plot if shown else self.table).setFocus()
        self.mapShown.emit(shown)

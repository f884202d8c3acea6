"""Category toggles with counts, a text filter and the result count above the table."""
from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from model.taxonomy import CATEGORIES
from samplematch_gui.ui import theme


def dot_icon(colour: QColor, size: int = 10) -> QIcon:
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QIcon(pixmap)


class FilterBar(QWidget):
    categoriesChanged = Signal(set)
    textChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.buttons: dict[str, QToolButton] = {}
        for category in CATEGORIES:
            button = QToolButton()
            button.setObjectName("Chip")
            button.setCheckable(True)
            button.setChecked(True)
            button.setIcon(dot_icon(theme.category_colour(category)))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"Show {theme.CATEGORY_LABELS[category].lower()} samples "
                              "(right-click: only these)")
            button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            button.customContextMenuRequested.connect(lambda _, c=category: self.solo(c))
            button.toggled.connect(self._toggled)
            button.setMinimumWidth(48)  # squeezable: narrow windows show counts only
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            self.buttons[category] = button
            layout.addWidget(button)
        self.all_button = QToolButton()
        self.all_button.setObjectName("Flat")
        self.all_button.setText("All")
        self.all_button.setToolTip("Show every category")
        self.all_button.clicked.connect(lambda: self.set_categories(set(CATEGORIES)))
        layout.addWidget(self.all_button)
        layout.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        layout.addWidget(self.count_label)
        layout.addSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter by name or folder")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(120)
        self.search.setMaximumWidth(240)
        self.search.textChanged.connect(self.textChanged.emit)
        layout.addWidget(self.search)
        self._counts: Counter = Counter()
        self._compact = False
        self.set_counts(Counter())

    def categories(self) -> set[str]:
        return {c for c, b in self.buttons.items() if b.isChecked()}

    def set_categories(self, categories: set[str]) -> None:
        for c, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(c in categories)
            b.blockSignals(False)
        self.categoriesChanged.emit(self.categories())

    def solo(self, category: str) -> None:
        self.set_categories({category})

    def _toggled(self, _checked: bool) -> None:
        self.categoriesChanged.emit(self.categories())

    def set_counts(self, counts: Counter) -> None:
        self._counts = counts
        self._fit()  # longer counts may no longer fit beside the names
        for c, b in self.buttons.items():
            n = f"{counts.get(c, 0):,}"
            b.setText(n if self._compact else f"{theme.CATEGORY_LABELS[c]}  {n}")

    def _full_width(self) -> int:
        """Width the bar needs with category names on the chips and the count shown."""
        spacing = self.layout().spacing()
        chips = sum(b.fontMetrics().horizontalAdvance(
            f"{theme.CATEGORY_LABELS[c]}  {self._counts.get(c, 0):,}") + 46 + spacing
            for c, b in self.buttons.items())
        count = self.count_label.fontMetrics().horizontalAdvance(self.count_label.text()) + 16
        return chips + self.all_button.sizeHint().width() + count + self.search.minimumWidth()

    def resizeEvent(self, event) -> None:
        if self._fit():
            self.set_counts(self._counts)
        super().resizeEvent(event)

    def _fit(self) -> bool:
        """Narrow windows (beside a DAW) get dot + count chips; names stay in the tooltips.
        True when the mode changed."""
        compact = self.width() < self._full_width()
        if compact == self._compact:
            return False
        self._compact = compact
        self.count_label.setVisible(not compact)
        return True

    def set_result_count(self, shown: int, total: int) -> None:
        text = f"{shown:,} of {total:,}" if shown != total else f"{total:,} samples"
        self.count_label.setText(text)

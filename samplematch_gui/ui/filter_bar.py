"""Category chips with counts, a text filter and the result count above the table.

A click on a chip shows just that category (a click on the only one shown shows all again); Ctrl- or
Shift-click adds a category or takes it away; *All* shows every category. The *Non-drums* toggle brings the
files that are not drum one-shots (loops, pads, noise...) into the ranking, with a chip of their own.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from model.taxonomy import CATEGORIES, NON_DRUM
from samplematch_gui.ui import theme

ADDING = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
# What the chips say, from the widest bar to the narrowest: name and count, name, count, only the colour
FULL, NAMES, COUNTS, DOTS = "full", "names", "counts", "dots"
MODES = (FULL, NAMES, COUNTS, DOTS)
TOGGLE_TEXT = "Non-drums"  # beside the toggle's icon when there is room for it


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


def wave_icon(colour: QColor) -> QIcon:
    """A small waveform that goes on: what a loop or a pad looks like."""
    pixmap = QPixmap(28, 20)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(colour, 1.4))
    path = QPainterPath()
    path.moveTo(0.5, 5)
    for x0 in (0.5, 7.0):
        path.cubicTo(x0 + 1.2, 0.5, x0 + 2.0, 0.5, x0 + 3.25, 5)
        path.cubicTo(x0 + 4.5, 9.5, x0 + 5.3, 9.5, x0 + 6.5, 5)
    p.drawPath(path)
    p.end()
    return QIcon(pixmap)


def label_chip(chip: QToolButton, text: str) -> None:
    """The chip says text beside its dot, or only shows the dot."""
    chip.setText(text)
    chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon if text
                            else Qt.ToolButtonStyle.ToolButtonIconOnly)


class Chip(QToolButton):
    """A category's chip; `picked(category, adding)` on a click (adding: Ctrl or Shift held)."""

    picked = Signal(str, bool)

    def __init__(self, category: str):
        super().__init__()
        self.category = category
        self._modifiers: Qt.KeyboardModifier | None = None  # of the mouse click being handled
        self.setObjectName("Chip")
        self.setCheckable(True)
        self.setIcon(dot_icon(theme.category_colour(category)))
        self.setIconSize(QSize(10, 10))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.clicked.connect(self._clicked)

    def mouseReleaseEvent(self, event) -> None:
        self._modifiers = event.modifiers()
        try:
            super().mouseReleaseEvent(event)
        finally:
            self._modifiers = None

    def _clicked(self) -> None:
        modifiers = QApplication.keyboardModifiers() if self._modifiers is None else self._modifiers
        self.picked.emit(self.category, bool(modifiers & ADDING))


class SearchField(QLineEdit):
    """The text filter; ↓ (or Enter) moves on into the results."""

    leave = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.leave.emit()
        else:
            super().keyPressEvent(event)


class FilterBar(QWidget):
    categoriesChanged = Signal(set)  # the categories shown
    textChanged = Signal(str)
    nonDrumsToggled = Signal(bool)  # whether files that are not drum one-shots are ranked and shown

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.all_button = QToolButton()
        self.all_button.setObjectName("Chip")
        self.all_button.setCheckable(True)
        self.all_button.setText("All")
        self.all_button.setToolTip("Show every category")
        self.all_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.all_button.clicked.connect(lambda: self.set_categories(set()))
        layout.addWidget(self.all_button)
        self.buttons: dict[str, Chip] = {}
        for category in CATEGORIES:
            chip = Chip(category)
            chip.picked.connect(self._picked)
            self.buttons[category] = chip
            layout.addWidget(chip)
        self.non_drum_chip = Chip(NON_DRUM)  # a chip like the others, there while non-drums are shown
        self.non_drum_chip.picked.connect(self._picked)
        self.non_drum_chip.hide()
        layout.addWidget(self.non_drum_chip)
        self.non_drums = QToolButton()
        self.non_drums.setObjectName("Chip")
        self.non_drums.setCheckable(True)
        self.non_drums.setIcon(wave_icon(QColor(theme.MUTED)))
        self.non_drums.setIconSize(QSize(14, 10))
        self.non_drums.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.non_drums.setToolTip("Show non-drum files: loops, pads, long tonal sounds, noise and silence are left "
                                  "out of the ranking; this brings them in, with a Non-drum chip")
        self.non_drums.toggled.connect(self.set_non_drums)
        layout.addWidget(self.non_drums)
        layout.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("Muted")
        layout.addWidget(self.count_label)
        layout.addSpacing(8)
        self.search = SearchField()
        self.search.setPlaceholderText("Filter by name, folder or category")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(90)
        self.search.setMaximumWidth(240)
        self.search.textChanged.connect(self.textChanged.emit)
        layout.addWidget(self.search)
        self._chosen: frozenset[str] = frozenset()  # empty: all
        self._counts: Counter = Counter()
        self._needs: dict[str, int] = {}
        self._mode: str | None = None
        self._toggle_text = 0
        self._show_chosen()
        self.set_counts(Counter())

    def categories(self) -> set[str]:
        """The categories shown."""
        return set(self._chosen or self._categories())

    def _categories(self) -> tuple[str, ...]:
        """What All shows: the drum categories and "other", and the non-drums while they are shown."""
        return (*CATEGORIES, NON_DRUM) if self.non_drums.isChecked() else CATEGORIES

    def _chips(self) -> dict[str, Chip]:
        return {**self.buttons, NON_DRUM: self.non_drum_chip} if self.non_drums.isChecked() else self.buttons

    def non_drums_shown(self) -> bool:
        return self.non_drums.isChecked()

    def set_non_drums(self, shown: bool) -> None:
        """Rank and show the files that are not drum one-shots too (their chip appears), or leave them out."""
        if self.non_drums.isChecked() != shown:
            self.non_drums.setChecked(shown)  # toggled: here again
            return
        self.non_drum_chip.setVisible(shown)
        self.nonDrumsToggled.emit(shown)
        self._measure()
        self.set_categories(self._chosen - {NON_DRUM} if not shown else self._chosen)

    def chosen(self) -> set[str]:
        """The categories picked (empty: all of them)."""
        return set(self._chosen)

    def set_categories(self, categories: Iterable[str]) -> None:
        """Show these categories (none, or every one: all)."""
        every = frozenset(self._categories())
        chosen = frozenset(categories) & every
        self._chosen = frozenset() if chosen == every else chosen
        self._show_chosen()
        self.categoriesChanged.emit(self.categories())

    def _picked(self, category: str, adding: bool) -> None:
        if adding:
            self.set_categories(self._chosen ^ {category})
        else:  # the only one shown, clicked again: all of them again
            self.set_categories(set() if self._chosen == {category} else {category})

    def _show_chosen(self) -> None:
        """Chosen chips are lit; while some are chosen the others are dimmed."""
        self.all_button.setChecked(not self._chosen)
        for category, chip in self._chips().items():
            chip.setChecked(category in self._chosen)
            dimmed = bool(self._chosen) and category not in self._chosen
            if chip.property("dimmed") != dimmed:
                chip.setProperty("dimmed", dimmed)
                chip.style().unpolish(chip)
                chip.style().polish(chip)

    def set_counts(self, counts: Counter) -> None:
        self._counts = counts
        for c, chip in self._chips().items():
            n = counts.get(c, 0)
            chip.setToolTip(f"{theme.CATEGORY_LABELS[c]}: {n:,} sample{'' if n == 1 else 's'}\nClick: show only "
                            "these · Ctrl- or Shift-click: show these too, or no longer")
        self._measure()

    def _chip_text(self, category: str, mode: str) -> str:
        n, name = f"{self._counts.get(category, 0):,}", theme.CATEGORY_LABELS[category]
        return {FULL: f"{name}  {n}", NAMES: name, COUNTS: n, DOTS: ""}[mode]

    def _measure(self) -> None:
        """The width the bar needs in each mode (the result count is shown in the full one only)."""
        layout = self.layout()
        assert layout is not None  # set in __init__
        spacing = layout.spacing()
        fixed = self.all_button.sizeHint().width() + spacing + 8 + self.search.minimumWidth()
        count = self.count_label.fontMetrics().horizontalAdvance(self.count_label.text()) + spacing
        self._needs = {}
        for mode in MODES:
            chips = 0
            for c, chip in self._chips().items():
                label_chip(chip, self._chip_text(c, mode))
                chips += chip.sizeHint().width() + spacing
            label_chip(self.non_drums, "")
            toggle = self.non_drums.sizeHint().width() + spacing
            self._needs[mode] = fixed + chips + toggle + (count if mode == FULL else 0)
        label_chip(self.non_drums, TOGGLE_TEXT)
        self._toggle_text = self.non_drums.sizeHint().width() + spacing - toggle  # what its word takes
        self._mode = None
        self._fit()
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self._needs[DOTS], hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        self._measure()  # polished now: the style sheet's paddings count
        super().showEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange) and self._needs:
            self._measure()
        super().changeEvent(event)

    def _fit(self) -> None:
        """Narrower windows (beside a DAW) get chips with less on them; the names and counts are always in the
        tooltips."""
        mode = next((m for m in MODES if self._needs[m] <= self.width()), DOTS)
        worded = self._needs[mode] + self._toggle_text <= self.width()
        if (mode, worded) == (self._mode, self.non_drums.text() != ""):
            return
        self._mode = mode
        label_chip(self.non_drums, TOGGLE_TEXT if worded else "")  # the word where there is room for it
        self.non_drums.setMinimumWidth(self.non_drums.sizeHint().width())
        for c, chip in self._chips().items():
            label_chip(chip, self._chip_text(c, mode))
            chip.setMinimumWidth(chip.sizeHint().width())  # never squeezed: the search field gives way
        self.count_label.setVisible(mode == FULL)

    def mode(self) -> str:
        """What the chips say: FULL, NAMES, COUNTS or DOTS."""
        assert self._mode is not None  # _fit has chosen it
        return self._mode

    def set_result_count(self, shown: int, total: int) -> None:
        text = f"{shown:,} of {total:,}" if shown != total else f"{total:,} samples"
        if text != self.count_label.text():
            self.count_label.setText(text)
            self._measure()

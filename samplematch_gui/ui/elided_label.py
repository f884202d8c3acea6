"""A one-line label that shortens its text with "…" when its row is narrow, instead of cutting it off or widening
the window (a long file name beside a DAW)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QToolTip, QWidget

MIN_CHARACTERS = 6  # shown before the "…" at the narrowest


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight):
        super().__init__(text, parent)
        self._mode = mode
        self.setWordWrap(False)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        metrics = self.fontMetrics()
        narrowest = metrics.horizontalAdvance("…") + MIN_CHARACTERS * metrics.averageCharWidth()
        margins = self.contentsMargins()
        hint.setWidth(min(hint.width(), narrowest + margins.left() + margins.right()))
        return hint

    def elided(self) -> bool:
        """Whether the text is shortened now."""
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def hover_text(self) -> str:
        """What hovering shows: the tooltip, or else the whole text while it is shortened."""
        return self.toolTip() or (self.text() if self.elided() else "")

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and not self.toolTip() and self.elided():
            QToolTip.showText(event.globalPos(), self.text(), self)
            return True
        return super().event(event)

    def paintEvent(self, event) -> None:
        if not self.elided():
            return super().paintEvent(event)  # QLabel's own painting: mouse selection and all
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(self.alignment()), self.palette(), self.isEnabled(), text,
                                  self.foregroundRole())

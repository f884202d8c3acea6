"""Why this score: the selected sample's descriptors against the bounce's hits, each a small bar, and the samples
ranked highly that it is closest to. The measuring runs off the GUI thread (samplematch_gui.score_explanation)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from samplematch_gui.query_session import Ranking
from samplematch_gui.score_explanation import SCALES, Comparison, Explanation, References, explanation_job
from samplematch_gui.ui import theme
from samplematch_gui.ui.card import badge, card_layout
from samplematch_gui.ui.elided_label import ElidedLabel
from samplematch_gui.ui.search_controller import SearchController
from samplematch_gui.ui.workers import TaskRunner

NOTHING = "Select a sample to see how it compares with the bounce"
NO_BOUNCE = "Drop a bounce to see why a sample fits it"


def _muted_line() -> ElidedLabel:
    """A line of small print, one line high even while empty (the card keeps its height as its text comes)."""
    line = ElidedLabel()
    line.setObjectName("Muted")
    line.setMinimumHeight(line.fontMetrics().height())
    return line


class DescriptorBar(QWidget):
    """A track with the reference as a tick and the sample as a dot."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.sample_at: float | None = None
        self.reference_at: float | None = None
        self.colour = QColor(theme.ACCENT)
        self.setFixedHeight(12)
        self.setMinimumWidth(40)

    def sizeHint(self) -> QSize:
        return QSize(120, 12)

    def set_values(self, sample_at: float | None, reference_at: float | None, colour: QColor) -> None:
        self.sample_at, self.reference_at, self.colour = sample_at, reference_at, colour
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width() - 8, self.height()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.RAISED))
        p.drawRoundedRect(QRectF(4, h / 2 - 2, w, 4), 2, 2)
        if self.reference_at is not None:
            p.setPen(QPen(QColor(theme.TEXT), 2))
            x = 4 + self.reference_at * w
            p.drawLine(int(x), 1, int(x), h - 1)
        if self.sample_at is not None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self.colour)
            p.drawEllipse(QRectF(4 + self.sample_at * w - 4, h / 2 - 4, 8, 8))
        p.end()


class DescriptorCell(QWidget):
    """One descriptor: "Brightness: darker", "502 Hz vs 687 Hz" and its bar."""

    def __init__(self, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(1)
        self.line = ElidedLabel(label)
        box.addWidget(self.line)
        self.values = _muted_line()
        box.addWidget(self.values)
        self.bar = DescriptorBar()
        box.addWidget(self.bar)

    def set_comparison(self, comparison: Comparison | None, colour: QColor) -> None:
        if comparison is None:
            self.line.setText(self.label)
            self.values.setText("")
            self.bar.set_values(None, None, colour)
            self.setToolTip("")
            return
        s = comparison.scale
        self.line.setText(f"{s.label}: {comparison.verdict}" if comparison.verdict else s.label)
        self.values.setText(comparison.values)
        reference = None if comparison.reference is None else s.at(comparison.reference)
        self.bar.set_values(s.at(comparison.sample), reference, colour)
        self.setToolTip(f"{comparison.text}\n{s.label}: {s.measure}. Dot: this sample; line: the reference.")


class WhyPanel(QScrollArea):
    """The card scrolls when the window is too short for it, so that it never makes the window taller than the
    results and the other panels need (the window works down to 800x600 and 973x450)."""

    def __init__(self, search: SearchController, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = search
        self.card = QFrame()
        self.setWidget(self.card)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(1)
        self._runner = TaskRunner(self)
        self._references = References()
        self._sample: tuple[str, np.ndarray, int] | None = None
        self.explanation: Explanation | None = None
        outer = card_layout(self.card, (12, 6, 12, 8), 4)
        top = QHBoxLayout()
        top.addWidget(badge("WHY", "Measured on the audio of the sample and of the bounce's hits; the score itself "
                                   "is the model's"))
        self.headline = ElidedLabel(NOTHING)  # the score and the comparisons in one line
        top.addWidget(self.headline, 1)
        outer.addLayout(top)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        self.cells = [DescriptorCell(s.label) for s in SCALES]
        for k, cell in enumerate(self.cells):
            grid.addWidget(cell, 0, k)
        outer.addLayout(grid)
        self.evidence = _muted_line()
        outer.addWidget(self.evidence)
        self._show(None)

    def sizeHint(self) -> QSize:
        return self.card.sizeHint()

    # what the window tells it -----------------------------------------------------------------
    def show_sample(self, path: str, samples: np.ndarray, rate: int) -> None:
        """The selected sample (its preview audio, as the audition read it)."""
        self._sample = (path, samples, rate)
        self._explain()

    def ranking_changed(self, _ranking: Ranking | None = None) -> None:
        self._explain()

    def clear(self) -> None:
        self._sample = None
        self._runner.next_generation()
        self._show(None)

    # work ------------------------------------------------------------------------------------
    def _explain(self) -> None:
        ranking = self.search.session.ranking
        if self._sample is None or ranking is None or not ranking.scored:
            self._runner.next_generation()
            self._show(None)
            return
        path, samples, rate = self._sample
        self._runner.cancel_all()
        self._runner.run(explanation_job(ranking, path, samples, rate, self._references), self._explained,
                         self._failed)

    def _explained(self, generation: int, explanation: Explanation | None) -> None:
        if generation == self._runner.generation:
            self._show(explanation)

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._runner.generation:
            self._show(None)
            self.headline.setText(f"Cannot measure: {message}")

    def _show(self, explanation: Explanation | None) -> None:
        self.explanation = explanation
        ranking = self.search.session.ranking
        if explanation is None:
            self.headline.setText(NOTHING if ranking is not None and ranking.scored else NO_BOUNCE)
            self.headline.setToolTip("")
            self.evidence.setText("")
            for cell in self.cells:
                cell.set_comparison(None, QColor(theme.MUTED))
            return
        colour = QColor(theme.ACCENT)
        i = None if ranking is None else ranking.index.position(explanation.path)
        if ranking is not None and i is not None:
            colour = theme.category_colour(ranking.index.category(i))
        self.headline.setText(f"{explanation.score} · {explanation.summary}")
        self.headline.setToolTip(f"{explanation.score}: {explanation.meaning}.\n{explanation.summary}")
        by_field = {c.scale.field: c for c in explanation.comparisons}
        for scale, cell in zip(SCALES, self.cells, strict=True):
            cell.set_comparison(by_field.get(scale.field), colour)
        if explanation.neighbours:
            names = ", ".join(f"{Path(n.path).name} ({n.score})" for n in explanation.neighbours)
            self.evidence.setText(f"Closest to these {len(explanation.neighbours)} samples you ranked highly: {names}")
            self.evidence.setToolTip("\n".join(f"{n.path}: key cosine {n.cosine:.2f}" for n in explanation.neighbours))
        else:
            self.evidence.setText("")

    def wait(self, msecs: int = 5000) -> bool:
        return self._runner.wait(msecs)

    def shutdown(self) -> None:
        self._runner.cancel_all()

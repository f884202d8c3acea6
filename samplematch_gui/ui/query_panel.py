"""The query: the bounce's waveform and region, or the sample a "more like this" started from."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QStackedWidget, QVBoxLayout, QWidget)

from samplematch_gui.overview import Overview
from samplematch_gui.ui.search_controller import Query
from samplematch_gui.ui.waveform_view import WaveformView

FORMATS = "WAV, AIFF, FLAC, OGG or MP3"
EXCERPT_CHOICES = (1, 3, 5, 10, 20, 30)


def format_time(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class QueryPanel(QFrame):
    openRequested = Signal()
    backToBounceRequested = Signal()
    clearRequested = Signal()
    regionCommitted = Signal(float, float)
    excerptsChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(8)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.badge = QLabel("QUERY")
        self.badge.setObjectName("Badge")
        header.addWidget(self.badge)
        self.title = QLabel("No query yet")
        self.title.setObjectName("QueryTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.title)
        self.detail = QLabel()
        self.detail.setObjectName("Muted")
        header.addWidget(self.detail)
        header.addStretch(1)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setToolTip("Ranking your library…")
        self.busy.hide()
        header.addWidget(self.busy)
        self.excerpts = QComboBox()
        for n in EXCERPT_CHOICES:
            self.excerpts.addItem(f"{n} excerpt{'s' if n > 1 else ''}", n)
        self.excerpts.setCurrentIndex(self.excerpts.findData(10))
        self.excerpts.setToolTip("The query is the average of this many 4-second excerpts spread "
                                 "over the region; more is steadier, fewer is faster")
        self.excerpts.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.excerpts.currentIndexChanged.connect(
            lambda i: self.excerptsChanged.emit(self.excerpts.itemData(i)))
        header.addWidget(self.excerpts)
        self.back_button = QPushButton("← Back to bounce")
        self.back_button.setToolTip("Rank by the bounce again")
        self.back_button.clicked.connect(self.backToBounceRequested.emit)
        self.back_button.hide()
        header.addWidget(self.back_button)
        self.open_button = QPushButton("Open bounce…")
        self.open_button.setToolTip(f"A rough mix of your track ({FORMATS}); Ctrl+O")
        self.open_button.clicked.connect(self.openRequested.emit)
        header.addWidget(self.open_button)
        layout.addLayout(header)

        self.stack = QStackedWidget()
        self.drop_hint = QLabel(f"Drop a bounce of your track here\n{FORMATS} · the whole window "
                                "is a drop target")
        self.drop_hint.setObjectName("DropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.drop_hint)
        self.waveform = WaveformView(with_region=True)
        self.waveform.setToolTip("Drag the shaded region, or its edges, to rank by that part only")
        self.waveform.regionCommitted.connect(self.regionCommitted.emit)
        self.waveform.regionMoving.connect(self._show_region)
        self.stack.addWidget(self.waveform)
        self.stack.setMinimumHeight(90)
        layout.addWidget(self.stack, 1)

    def set_excerpts(self, count: int) -> None:
        if self.excerpts.findData(count) < 0:
            self.excerpts.addItem(f"{count} excerpts", count)
        self.excerpts.blockSignals(True)
        self.excerpts.setCurrentIndex(self.excerpts.findData(count))
        self.excerpts.blockSignals(False)

    def set_hot(self, hot: bool) -> None:
        """Highlight the drop hint while something droppable hovers over the window."""
        self.drop_hint.setProperty("hot", hot)
        self.drop_hint.style().unpolish(self.drop_hint)
        self.drop_hint.style().polish(self.drop_hint)

    def set_bounce_overview(self, overview: Overview) -> None:
        self.waveform.set_overview(overview.low, overview.high, overview.duration)
        self.stack.setCurrentWidget(self.waveform)
        self._show_region(0.0, self.waveform.duration)

    def clear_bounce(self) -> None:
        self.waveform.clear_audio()
        self.stack.setCurrentWidget(self.drop_hint)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    def show_query(self, query: Query | None, bounce: Query | None) -> None:
        """Say which query is active: the bounce (and its region) or a "more like this"."""
        liking = query is not None and query.kind == "like"
        self.back_button.setVisible(liking and bounce is not None)
        if query is None:
            self.badge.setText("QUERY")
            self.title.setText("No query yet")
            self.detail.setText("drop a bounce to rank your library")
            return
        self.title.setToolTip(query.path)
        if query.kind == "like":
            self.badge.setText("MORE LIKE")
            self.title.setText(Path(query.path).name)
            self.detail.setText("samples that sound like this one")
            return
        self.badge.setText("BOUNCE")
        self.title.setText(Path(query.path).name)
        if query.region is not None:
            self._show_region(*query.region)
        else:
            self.detail.setText("whole file")

    def _show_region(self, start: float, end: float) -> None:
        if self.badge.text() != "BOUNCE":
            return
        self.detail.setText(f"{format_time(start)} – {format_time(end)}  ·  {end - start:.1f} s")

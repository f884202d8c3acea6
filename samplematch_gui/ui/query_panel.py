"""The query: the bounce's waveform and region, or the sample a "more like this" started from."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from samplematch_gui.overview import Overview
from samplematch_gui.query_session import Query, Ranking
from samplematch_gui.ui import theme
from samplematch_gui.ui.elided_label import ElidedLabel
from samplematch_gui.ui.mode_switch import ModeSwitch
from samplematch_gui.ui.region_waveform import RegionWaveform
from samplematch_gui.ui.waveform_view import WaveformView

FORMATS = "WAV, AIFF, FLAC, OGG or MP3"
EXCERPT_CHOICES = (1, 3, 5, 10, 20, 30)


def format_time(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


class QueryPanel(QFrame):
    openRequested = Signal()
    backToBounceRequested = Signal()
    regionCommitted = Signal(float, float)
    excerptsChanged = Signal(int)
    modeChanged = Signal(str)  # "fit" or "like" (the mode switch)
    playRequested = Signal()  # play / stop the bounce region

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Card")
        self._showing_bounce = False  # the detail line follows the region as it is dragged
        self._bounce: Query | None = None  # the bounce shown (its region is drawn once its overview arrives)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(8)

        header = QHBoxLayout()
        header.setSpacing(8)
        self.badge = QLabel("QUERY")
        self.badge.setObjectName("Badge")
        header.addWidget(self.badge)
        self.title = ElidedLabel("No query yet", mode=Qt.TextElideMode.ElideMiddle)
        self.title.setObjectName("QueryTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.title)
        self.detail = ElidedLabel()
        self.detail.setObjectName("Muted")
        header.addWidget(self.detail)
        header.addStretch(1)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(56)
        self.busy.setToolTip("Ranking your library…")
        self.busy.hide()
        header.addWidget(self.busy)
        self.mode_switch = ModeSwitch()
        self.mode_switch.modeChanged.connect(self.modeChanged.emit)
        self.mode_switch.hide()
        header.addWidget(self.mode_switch)
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
        self.play_button = QPushButton()
        self.play_button.setToolTip("Play the region, from where you clicked in it (Shift+Space)")
        self.play_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves Space on the list
        self.play_button.clicked.connect(self.playRequested.emit)
        self.set_playing(False)
        self.play_button.hide()
        header.addWidget(self.play_button)
        QShortcut(QKeySequence("Shift+Space"), self, self._play_shortcut,
                  context=Qt.ShortcutContext.WindowShortcut)
        self.back_button = QPushButton("← Back to bounce")
        self.back_button.setToolTip("Rank by the bounce again")
        self.back_button.clicked.connect(self.backToBounceRequested.emit)
        self.back_button.hide()
        header.addWidget(self.back_button)
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip(f"A rough mix of your track ({FORMATS}); Ctrl+O")
        self.open_button.clicked.connect(self.openRequested.emit)
        header.addWidget(self.open_button)
        layout.addLayout(header)
        self.notice = QLabel()  # why this bounce or region is not ranked
        self.notice.setObjectName("BannerText")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)

        self.stack = QStackedWidget()
        self.drop_hint = QLabel(f"Drop a bounce of your track here\n{FORMATS} · the whole window "
                                "is a drop target")
        self.drop_hint.setObjectName("DropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.drop_hint)
        self.waveform = RegionWaveform()
        self.waveform.setToolTip("Ranks by the part inside the region. Drag on the waveform: a new region · drag "
                                 "inside it: move · drag an edge: resize · double-click: the whole file · "
                                 "click: play from there · Shift+Space: play / stop")
        self.waveform.regionCommitted.connect(self.regionCommitted.emit)
        self.waveform.regionMoving.connect(self._show_region)
        self.stack.addWidget(self.waveform)
        self.reference = WaveformView(colour=theme.MUTED)  # "more like this": the sample ranked by
        self.reference.setToolTip("The sample the library is ranked by")
        self.stack.addWidget(self.reference)
        self.stack.setMinimumHeight(52)  # a short window keeps room for the results
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
        region = None if self._bounce is None else self._bounce.region
        if region is not None:  # a region chosen before the overview was read (a restored session)
            self.waveform.set_region(*region, notify=False)
        self.stack.setCurrentWidget(self.waveform)
        self.play_button.show()
        shown = self.waveform.region()
        assert shown is not None  # the overview shows it
        self._show_region(*shown)

    def clear_bounce(self) -> None:
        self.waveform.clear_audio()
        self.stack.setCurrentWidget(self.drop_hint)
        self.play_button.hide()

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("■  Stop" if playing else "▶  Play")

    def _play_shortcut(self) -> None:
        if self.play_button.isVisible():
            self.playRequested.emit()

    def show_ranking(self, ranking: Ranking) -> None:
        """Say why the bounce, or its region, is not ranked (silent, too short); nothing when it is."""
        problem = ranking.problem if ranking.query is not None and ranking.query.kind == "bounce" else None
        self.notice.setText(f"⚠  {problem}" if problem else "")
        self.notice.setVisible(problem is not None)

    def set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    def show_query(self, query: Query | None, bounce: Query | None) -> None:
        """Say which query is active: the bounce (and its region) or a "more like this"."""
        liking = query is not None and query.kind == "like"
        self.back_button.setVisible(liking and bounce is not None)
        self._showing_bounce = query is not None and query.kind == "bounce"
        self.excerpts.setVisible(not liking)  # the bounce's controls, not the reference sample's
        self.mode_switch.setVisible(self._showing_bounce and self.mode_switch.has_choice())
        if self._showing_bounce:
            assert query is not None  # showing the bounce
            self.mode_switch.set_mode(query.mode)
        self.play_button.setVisible(self._showing_bounce and self.waveform.duration > 0)
        if liking:
            self.stack.setCurrentWidget(self.reference)
        elif self.stack.currentWidget() is self.reference:
            self.stack.setCurrentWidget(self.waveform if self.waveform.duration > 0 else self.drop_hint)
        if query is not None and query.kind == "bounce":
            self._bounce = query
        elif query is None:
            self._bounce = None
            self.notice.hide()
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

    def show_reference(self, samples, rate: int) -> None:
        """The waveform of the sample a "more like this" ranks by (None: it cannot be read)."""
        if samples is None:
            self.reference.clear_audio()
        else:
            self.reference.set_audio(samples, rate)

    def show_missing_bounce(self, path: str) -> None:
        """Last time's bounce is gone (moved, renamed, deleted, on a drive not plugged in): said quietly."""
        self.detail.setText(f"last time's bounce, {Path(path).name}, is no longer there")
        self.detail.setToolTip(path)

    def _show_region(self, start: float, end: float) -> None:
        if not self._showing_bounce:
            return
        self.detail.setText(f"{format_time(start)} – {format_time(end)}  ·  {end - start:.1f} s")

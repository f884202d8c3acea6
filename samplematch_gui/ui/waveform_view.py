"""A waveform (min/max envelope) with an optional movable, resizable region (pyqtgraph)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from samplematch_gui.overview import envelope
from samplematch_gui.ui import theme

ENVELOPE_POINTS = 2000


class WaveformView(pg.PlotWidget):
    regionCommitted = Signal(float, float)  # after the user drags or resizes the region
    regionMoving = Signal(float, float)

    def __init__(self, parent=None, with_region: bool = False, colour: str = theme.ACCENT):
        super().__init__(parent, background=theme.BG)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the results list
        self._duration = 0.0
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.hideAxis("left")
        item.showGrid(x=False, y=False)
        item.setMouseEnabled(x=False, y=False)
        item.getViewBox().setDefaultPadding(0.0)
        axis = item.getAxis("bottom")
        axis.setPen(pg.mkPen(theme.BORDER))
        axis.setTextPen(pg.mkPen(theme.MUTED))
        axis.setStyle(tickLength=-4)
        self.setYRange(-1.05, 1.05, padding=0)
        self._top = pg.PlotDataItem()
        self._bottom = pg.PlotDataItem()
        self._fill = pg.FillBetweenItem(self._top, self._bottom)
        for it in (self._fill, self._top, self._bottom):
            self.addItem(it)
        self.set_colour(colour)
        self._playhead = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(theme.TEXT, width=1))
        self._playhead.setZValue(20)
        self._playhead.hide()
        self.addItem(self._playhead)
        self._region: pg.LinearRegionItem | None = None
        self._shades: list[pg.LinearRegionItem] = []
        if with_region:
            brush = QColor(theme.TEXT)
            brush.setAlpha(18)
            hover = QColor(theme.TEXT)
            hover.setAlpha(36)
            shade = QColor(theme.BG)
            shade.setAlpha(170)
            for _ in range(2):  # dim what lies outside the region
                item = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(shade),
                                           pen=pg.mkPen(None))
                item.setZValue(5)
                item.setAcceptHoverEvents(False)
                for line in item.lines:
                    line.setPen(pg.mkPen(None))
                self._shades.append(item)
                self.addItem(item)
                item.hide()
            self._region = pg.LinearRegionItem(
                brush=pg.mkBrush(brush), hoverBrush=pg.mkBrush(hover),
                pen=pg.mkPen(theme.TEXT, width=2), hoverPen=pg.mkPen(theme.ACCENT, width=3))
            self._region.setZValue(10)
            self._region.sigRegionChangeFinished.connect(self._region_finished)
            self._region.sigRegionChanged.connect(self._region_moving)
            self._region.sigRegionChanged.connect(self._update_shades)
            self.addItem(self._region)
            self._region.hide()

    def set_colour(self, colour: str | QColor) -> None:
        line = QColor(colour)
        fill = QColor(colour)
        fill.setAlpha(150)
        for curve in (self._top, self._bottom):
            curve.setPen(pg.mkPen(line, width=1))
        self._fill.setBrush(pg.mkBrush(fill))

    def set_playhead(self, seconds: float | None) -> None:
        """A line at the playing position; None hides it."""
        if seconds is None or seconds > self._duration:
            self._playhead.hide()
        else:
            self._playhead.setValue(seconds)
            self._playhead.show()

    def playhead(self) -> float | None:
        return float(self._playhead.value()) if self._playhead.isVisible() else None

    @property
    def duration(self) -> float:
        return self._duration

    def clear_audio(self) -> None:
        self._duration = 0.0
        self._top.setData([], [])
        self._bottom.setData([], [])
        if self._region is not None:
            self._region.hide()
        for item in self._shades:
            item.hide()

    def set_audio(self, samples: np.ndarray, rate: int) -> None:
        self.set_overview(*envelope(samples, ENVELOPE_POINTS), len(samples) / rate if rate else 0.0)

    def set_overview(self, lo: np.ndarray, hi: np.ndarray, duration: float) -> None:
        """Draw a (min, max) envelope spanning `duration` seconds."""
        self._duration = duration
        t = np.linspace(0.0, self._duration, len(lo))
        scale = max(1e-6, float(max(np.max(np.abs(lo)), np.max(np.abs(hi)))))
        self._top.setData(t, hi / scale)
        self._bottom.setData(t, lo / scale)
        self.setXRange(0.0, max(self._duration, 1e-3), padding=0)
        if self._region is not None:
            self._region.setBounds((0.0, self._duration))
            self._region.blockSignals(True)
            self._region.setRegion((0.0, self._duration))
            self._region.blockSignals(False)
            self._region.show()
            self._update_shades()

    def _update_shades(self, *_) -> None:
        if not self._shades:
            return
        lo, hi = self._region.getRegion()
        self._shades[0].setRegion((0.0, lo))
        self._shades[1].setRegion((hi, self._duration))
        for item in self._shades:
            item.show()

    def region(self) -> tuple[float, float] | None:
        if self._region is None or not self._region.isVisible():
            return None
        lo, hi = self._region.getRegion()
        return float(lo), float(hi)

    def set_region(self, start: float, end: float, notify: bool = True) -> None:
        """Move the region as if the user had (notify: emit regionCommitted)."""
        if self._region is None:
            return
        self._region.blockSignals(not notify)  # setRegion emits sigRegionChangeFinished itself
        self._region.setRegion((start, end))
        self._region.blockSignals(False)
        self._update_shades()

    def _region_finished(self, *_):
        lo, hi = self._region.getRegion()
        self.regionCommitted.emit(float(lo), float(hi))

    def _region_moving(self, *_):
        lo, hi = self._region.getRegion()
        self.regionMoving.emit(float(lo), float(hi))

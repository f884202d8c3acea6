"""A waveform (min/max envelope) with a playhead (pyqtgraph); region_waveform adds the bounce's region."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from samplematch_gui.overview import envelope
from samplematch_gui.ui import theme

ENVELOPE_POINTS = 2000
QUIETEST_SCALE = 0.01  # audio peaking under -40 dBFS is drawn that small, not blown up to look loud


class WaveformView(pg.PlotWidget):
    def __init__(self, parent=None, colour: str = theme.ACCENT):
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
        self._playhead.hide()

    def set_audio(self, samples: np.ndarray, rate: int) -> None:
        self.set_overview(*envelope(samples, ENVELOPE_POINTS), len(samples) / rate if rate else 0.0)

    def set_overview(self, lo: np.ndarray, hi: np.ndarray, duration: float) -> None:
        """Draw a (min, max) envelope spanning `duration` seconds, scaled to its peak."""
        self._duration = duration
        t = np.linspace(0.0, self._duration, len(lo))
        scale = max(QUIETEST_SCALE, float(max(np.max(np.abs(lo)), np.max(np.abs(hi)))))
        self._top.setData(t, hi / scale)
        self._bottom.setData(t, lo / scale)
        self.setXRange(0.0, max(self._duration, 1e-3), padding=0)

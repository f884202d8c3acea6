"""The bounce's waveform and its region, edited with the mouse as in an audio editor:

- drag on the waveform outside the region (or anywhere, while the region is the whole file): draw a new one;
- drag inside the region: move it (its length is kept, also against the file's ends);
- drag an edge: resize;
- click: seek (seekRequested); double-click: the whole file.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from samplematch_gui.ui import theme
from samplematch_gui.ui.waveform_view import WaveformView

EDGE_PX = 6  # how near an edge a press grabs it


class RegionWaveform(WaveformView):
    regionCommitted = Signal(float, float)  # the user let go of a new, moved or resized region
    regionMoving = Signal(float, float)  # while dragging
    seekRequested = Signal(float)  # a click: seconds into the file

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)  # the cursor shows what a press would do
        shade = QColor(theme.BG)
        shade.setAlpha(170)
        self._shades = []
        for _ in range(2):  # dim what lies outside the region
            item = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(shade), pen=pg.mkPen(None))
            item.setZValue(5)
            item.setAcceptHoverEvents(False)
            self._shades.append(item)
            self.addItem(item)
        brush = QColor(theme.TEXT)
        brush.setAlpha(18)
        self._region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(brush), pen=pg.mkPen(theme.TEXT, width=2))
        self._region.setZValue(10)
        self._region.setAcceptHoverEvents(False)
        self.addItem(self._region)
        self._show_items(False)
        self._press: tuple[QPointF, str, float, tuple[float, float]] | None = None  # at, what, seconds, region
        self._dragging = False

    def _show_items(self, visible: bool) -> None:
        for item in (self._region, *self._shades):
            item.setVisible(visible)

    # the region ----------------------------------------------------------------------------
    def clear_audio(self) -> None:
        super().clear_audio()
        self._show_items(False)

    def set_overview(self, lo, hi, duration: float) -> None:
        super().set_overview(lo, hi, duration)
        self._draw(0.0, duration)
        self._show_items(True)

    def region(self) -> tuple[float, float] | None:
        return self._drawn() if self._region.isVisible() else None

    def _drawn(self) -> tuple[float, float]:
        lo, hi = self._region.getRegion()
        return float(lo), float(hi)

    def set_region(self, start: float, end: float, notify: bool = True) -> None:
        """Move the region as if the user had (notify: emit regionCommitted)."""
        self._draw(start, end)
        if notify:
            self.regionCommitted.emit(*self._drawn())

    def _draw(self, start: float, end: float) -> None:
        lo, hi = sorted((max(0.0, min(start, self.duration)), max(0.0, min(end, self.duration))))
        self._region.setRegion((lo, hi))
        self._shades[0].setRegion((0.0, lo))
        self._shades[1].setRegion((hi, self.duration))

    # mouse ---------------------------------------------------------------------------------
    def _seconds(self, pos: QPointF) -> float:
        x = self.getPlotItem().getViewBox().mapSceneToView(self.mapToScene(pos.toPoint())).x()
        return max(0.0, min(float(x), self.duration))

    def x_of(self, seconds: float) -> float:
        """The x pixel (in the viewport) showing `seconds` into the file."""
        scene = self.getPlotItem().getViewBox().mapViewToScene(QPointF(seconds, 0.0))
        return float(self.mapFromScene(scene).x())

    def _part(self, pos: QPointF) -> str:
        """What a press at pos grabs: "start" or "end" (an edge), "inside" or "outside" the region."""
        region = self.region()
        if region is None:
            return "outside"
        near = {edge: abs(self.x_of(t) - pos.x()) for edge, t in zip(("start", "end"), region, strict=True)}
        edge = min(near, key=near.__getitem__)
        if near[edge] <= EDGE_PX:
            return edge
        whole = region[0] <= 0.0 and region[1] >= self.duration  # nothing to move: a drag draws a region
        return "inside" if not whole and region[0] <= self._seconds(pos) <= region[1] else "outside"

    def mousePressEvent(self, event) -> None:
        event.accept()
        region = self.region()
        if event.button() != Qt.MouseButton.LeftButton or self.duration <= 0 or region is None:
            return
        pos = event.position()
        self._press = (pos, self._part(pos), self._seconds(pos), region)
        self._dragging = False
        if self._press[1] == "inside":
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event) -> None:
        event.accept()
        pos = event.position()
        if self._press is None:
            self._hover(pos)
            return
        at, part, anchor, (lo, hi) = self._press
        if not self._dragging and (pos - at).manhattanLength() < QApplication.startDragDistance():
            return
        self._dragging = True
        t = self._seconds(pos)
        if part == "inside":  # moved whole, so its length survives the file's ends
            start = max(0.0, min(lo + t - anchor, self.duration - (hi - lo)))
            new = (start, start + hi - lo)
        elif part == "start":
            new = (t, hi)
        elif part == "end":
            new = (lo, t)
        else:
            new = (anchor, t)
        self._draw(*new)
        self.regionMoving.emit(*self._drawn())

    def mouseReleaseEvent(self, event) -> None:
        event.accept()
        press, dragging = self._press, self._dragging
        self._press, self._dragging = None, False
        self._hover(event.position())
        if press is None:
            return
        if dragging:
            self.regionCommitted.emit(*self._drawn())
        else:
            self.seekRequested.emit(press[2])

    def mouseDoubleClickEvent(self, event) -> None:
        event.accept()
        if event.button() == Qt.MouseButton.LeftButton and self.duration > 0:
            self._press = None  # the release that follows is not a click
            self.set_region(0.0, self.duration)

    def _hover(self, pos: QPointF) -> None:
        part = self._part(pos) if self.duration > 0 else "outside"
        self.setCursor({"start": Qt.CursorShape.SplitHCursor, "end": Qt.CursorShape.SplitHCursor,
                        "inside": Qt.CursorShape.OpenHandCursor}.get(part, Qt.CursorShape.IBeamCursor))

"""The library as a map (pyqtgraph): each sample the results show is a dot where the library map
(samplematch_gui.library_map) puts it, in its category's colour, brighter and bigger the better it fits.

Hover plays a dot (after a short pause, so that sweeping across the map stays quiet), a click selects it,
Shift+drag selects the dots in a rectangle, and a drag that starts on a dot drags the selection's files out (a
copy-only drag, as from the table). The wheel zooms, a drag pans, a double-click shows the whole map again.
Keys go to the results table, so ↑/↓ walk the results while the map shows where they lie.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QMimeData, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsRectItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.ui import theme
from samplematch_gui.ui.sample_drag import sample_mime, start_sample_drag

HOVER_PLAY_MS = 150  # the pointer rests this long on a dot before it plays
HOVER_RADIUS_PX = 8
RADII = (1.5, 2.3, 3.2)  # dot radius in pixels for a poor, a fair and a good fit (no bounce: the middle one)
FAIR_FIT, GOOD_FIT = 60.0, 90.0
DIMMEST = 0.3  # the worst fit is drawn at this share of its category's colour over the background
RING = 1.6  # pixels of outline around a selected dot
HINT = "Hover plays · click selects · Shift+drag selects an area, drag it out · wheel zooms, drag pans"


@lru_cache(maxsize=16)
def _disc(radius: float, row: int) -> np.ndarray:
    """Offsets, in a flat image `row` pixels wide, of the pixels of a dot of this radius."""
    r = int(np.ceil(radius))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    inside = dx * dx + dy * dy <= radius * radius
    return (dy[inside] * row + dx[inside]).astype(np.int64)


def _argb(colour: str) -> np.ndarray:
    c = QColor(colour)
    return np.array([c.red(), c.green(), c.blue()], np.float32)


def dot_colours(categories: list[str], codes: np.ndarray, fit: np.ndarray | None) -> np.ndarray:
    """(n,) opaque ARGB32 per dot: the category's colour, faded into the background the worse the fit (NaN or no
    fit: full colour)."""
    palette = np.stack([_argb(theme.CATEGORY_COLOURS.get(c, theme.MUTED)) for c in categories])
    rgb = palette[codes]
    if fit is not None:
        share = np.where(np.isfinite(fit), DIMMEST + (1 - DIMMEST) * np.nan_to_num(fit) / 100.0, 1.0)
        rgb = _argb(theme.BG) + (rgb - _argb(theme.BG)) * share[:, None].astype(np.float32)
    r, g, b = (np.rint(rgb[:, i]).astype(np.uint32) for i in range(3))
    return (0xFF000000 | (r << 16) | (g << 8) | b).astype(np.uint32)


def dot_levels(fit: np.ndarray | None, n: int) -> np.ndarray:
    """(n,) index into RADII per dot."""
    if fit is None:
        return np.ones(n, np.int8)
    f = np.nan_to_num(fit, nan=0.0)
    return ((f >= FAIR_FIT).astype(np.int8) + (f >= GOOD_FIT)).astype(np.int8)


class MapDots(pg.GraphicsObject):
    """The dots, drawn as one image per view: numpy stamps every visible dot into the viewport's pixels, which
    draws 100,000 dots many times faster than a QPainter call, or a pyqtgraph symbol, per dot."""

    def __init__(self) -> None:
        super().__init__()
        self._xy = np.zeros((0, 2), np.float32)  # in drawing order: the best fit last, on top
        self._colour = np.zeros(0, np.uint32)
        self._level = np.zeros(0, np.int8)
        self._selected = np.zeros(0, bool)
        self._bounds = QRectF()
        self._image: tuple[tuple, QImage, np.ndarray] | None = None  # (view key, image, its pixels)

    def set_dots(self, xy: np.ndarray, colour: np.ndarray, level: np.ndarray, selected: np.ndarray) -> None:
        self.prepareGeometryChange()
        self._xy, self._colour, self._level, self._selected = xy, colour, level, selected
        if len(xy):
            lo, hi = xy.min(axis=0), xy.max(axis=0)
            self._bounds = QRectF(float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))
        else:
            self._bounds = QRectF()
        self._image = None
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        t = painter.transform()
        surface = widget if widget is not None else painter.device()  # the view's viewport
        width, height = surface.width(), surface.height()
        key = (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy(), width, height)
        if self._image is None or self._image[0] != key:  # a hover or a ring moving draws the same dots again
            pixels = self._render(t, width, height)
            image = QImage(pixels.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
            self._image = (key, image, pixels)
        painter.save()
        painter.resetTransform()
        painter.drawImage(0, 0, self._image[1])
        painter.restore()

    def _render(self, t, width: int, height: int) -> np.ndarray:
        reach = int(np.ceil(max(RADII) + RING))
        pad = 2 * reach  # dots centred just outside the view show their part inside it
        row = width + 2 * pad
        pixels = np.zeros((height + 2 * pad) * row, np.uint32)
        x, y = self._xy[:, 0], self._xy[:, 1]
        px = np.rint(x * t.m11() + y * t.m21() + t.dx()).astype(np.int64) + pad
        py = np.rint(x * t.m12() + y * t.m22() + t.dy()).astype(np.int64) + pad
        on = (px >= reach) & (px < row - reach) & (py >= reach) & (py < height + 2 * pad - reach)
        flat = py * row + px
        ring = np.uint32(QColor(theme.TEXT).rgba())
        passes: list[tuple[np.ndarray, float, np.uint32 | None]]
        passes = [(on & ~self._selected & (self._level == i), RADII[i], None) for i in range(len(RADII))]
        passes += [(on & self._selected & (self._level == i), RADII[i] + RING, ring) for i in range(len(RADII))]
        passes += [(on & self._selected & (self._level == i), RADII[i], None) for i in range(len(RADII))]
        for mask, radius, fixed in passes:
            at = flat[mask]
            if not len(at):
                continue
            colour = self._colour[mask] if fixed is None else fixed
            for offset in _disc(radius, row):
                pixels[at + offset] = colour  # later dots (better fits) overwrite earlier ones
        return np.ascontiguousarray(pixels.reshape(-1, row)[pad:pad + height, pad:pad + width]).ravel()


class MapViewBox(pg.ViewBox):
    """The map's mouse: click, double-click, Shift+drag to select, drag from a dot to drag files, else pan."""

    def __init__(self, view: LibraryMapView):
        super().__init__(enableMenu=False, lockAspect=True, defaultPadding=0.04)
        self._view = view
        self._drag: str | None = None  # "select", "files", or None: pan

    def mouseClickEvent(self, ev) -> None:
        where = self.mapToView(ev.pos())
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            if ev.double() and self._view.dot_at(where) is None:
                self.autoRange()
            elif not ev.double():
                self._view.click_at(where)
        elif ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self._view.context_at(where, ev.screenPos())

    def mouseDragEvent(self, ev, axis=None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        start = self.mapToView(ev.buttonDownPos())
        if ev.isStart():
            if (ev.modifiers() | self._view.press_modifiers) & Qt.KeyboardModifier.ShiftModifier:
                self._drag = "select"
            else:
                self._drag = "files" if self._view.dot_at(start) is not None else None
        if self._drag == "select":
            ev.accept()
            self._view.rubber_band(start, self.mapToView(ev.pos()), ev.isFinish())
        elif self._drag == "files":
            ev.accept()
            if ev.isStart():
                self._view.drag_files_from(start)
        else:
            super().mouseDragEvent(ev, axis)


def _ring(radius: float, colour: str, width: float) -> QGraphicsEllipseItem:
    """A ring of a fixed size on screen around a point of the map; a plain Qt item, so that pyqtgraph gives it no
    clicks (they are the map's)."""
    ring = QGraphicsEllipseItem(-radius, -radius, 2 * radius, 2 * radius)
    ring.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
    ring.setPen(QPen(QColor(colour), width))
    return ring


class _MapPlot(pg.PlotWidget):
    """The plot; its keys go to the results table (set by LibraryMapView.send_keys_to)."""

    def __init__(self, view_box: MapViewBox):
        super().__init__(background=theme.BG, viewBox=view_box)
        self.keys_to: QWidget | None = None

    def keyPressEvent(self, event) -> None:
        if self.keys_to is None:
            super().keyPressEvent(event)
            return
        QApplication.sendEvent(self.keys_to, QKeyEvent(event.type(), event.key(), event.modifiers(), event.text(),
                                                       event.isAutoRepeat(), event.count()))


class LibraryMapView(QWidget):
    dotClicked = Signal(int)  # an index position
    hoverPlayed = Signal(int)  # the pointer rested on this position's dot
    areaSelected = Signal(object, bool)  # positions (int64 array) in a dragged rectangle; whether Ctrl added them
    contextRequested = Signal(int, object)  # position, global QPoint(F) of the right-click

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.view_box = MapViewBox(self)
        self.plot = _MapPlot(self.view_box)
        item = self.plot.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.hideButtons()
        self.dots = MapDots()
        self.view_box.addItem(self.dots)
        self._current = _ring(9, theme.ACCENT, 2.0)
        self._current.setZValue(10)
        self._hover_ring = _ring(7, theme.TEXT, 1.5)
        self._hover_ring.setZValue(11)
        self._hover_label = pg.TextItem(color=theme.TEXT, fill=pg.mkBrush(theme.RAISED), anchor=(-0.08, 1.1))
        self._hover_label.setZValue(12)
        self._band = QGraphicsRectItem()
        self._band.setPen(QPen(QColor(theme.ACCENT), 0, Qt.PenStyle.DashLine))
        band_fill = QColor(theme.ACCENT)
        band_fill.setAlpha(40)
        self._band.setBrush(band_fill)
        self._band.setZValue(13)
        for extra in (self._current, self._hover_ring, self._hover_label, self._band):
            self.view_box.addItem(extra, ignoreBounds=True)
            extra.hide()
        self.status = QLabel(self.plot)  # what the map is doing, or how to use it
        self.status.setObjectName("Muted")
        self.status.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.status.move(10, 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

        self.index: LibraryIndex | None = None
        self._coords = np.zeros((0, 2), np.float32)  # per index position (NaN: not laid out yet)
        self._shown = np.zeros(0, np.int64)  # positions the results show, in drawing order
        self._fit: np.ndarray | None = None  # per index position
        self._selected = np.zeros(0, bool)  # per index position
        self._hovered: int | None = None
        self.current: int | None = None  # the position ringed as the results' current sample
        self._fitted = False  # the view was fitted to the map's dots
        self._drawn = np.zeros(0, np.int64)  # the positions drawn, in drawing order (the best fit last)
        self._drawn_xy = np.zeros((0, 2), np.float32)
        self.press_modifiers = Qt.KeyboardModifier.NoModifier  # held when the mouse button went down
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_PLAY_MS)
        self._hover_timer.timeout.connect(self._hover_rested)
        self.plot.viewport().installEventFilter(self)  # every move (pyqtgraph's own signal drops fast ones)
        self.set_status("")

    # content ------------------------------------------------------------------------------
    def set_layout(self, index: LibraryIndex | None, coords: np.ndarray | None) -> None:
        """Where the index's samples lie ((n, 2), NaN where not laid out yet); None: no map yet."""
        if index is not self.index:  # positions of another index: set_rows gives this one's
            self._shown, self._fit = np.zeros(0, np.int64), None
        self.index = index
        n = 0 if index is None else len(index)
        self._coords = np.full((n, 2), np.nan, np.float32) if coords is None else np.asarray(coords, np.float32)
        self._selected = np.zeros(n, bool)
        self._fitted = self._fitted and coords is not None
        self._clear_hover()
        self._redraw()

    def set_rows(self, positions: np.ndarray, fit: np.ndarray | None) -> None:
        """The samples the results show (index positions) and each position's fit (0..100, None: no bounce)."""
        n = len(self._coords)
        self._shown = np.asarray(positions, np.int64)[np.asarray(positions) < n] if n else np.zeros(0, np.int64)
        self._fit = fit if fit is not None and len(fit) == n else None
        if self._fit is not None:
            self._shown = self._shown[np.argsort(np.nan_to_num(self._fit[self._shown], nan=-1.0), kind="stable")]
        self._clear_hover()
        self._redraw()

    def set_selected(self, positions: np.ndarray) -> None:
        selected = np.zeros(len(self._coords), bool)
        selected[np.asarray(positions, np.int64)] = True
        if not np.array_equal(selected, self._selected):
            self._selected = selected
            self._redraw()

    def set_current(self, position: int | None) -> None:
        """The results' current sample: a ring around its dot."""
        if position is None or position >= len(self._coords) or not np.isfinite(self._coords[position]).all():
            self.current = None
            self._current.hide()
            return
        self.current = position
        x, y = self._coords[position]
        self._current.setPos(float(x), float(y))
        self._current.show()

    def set_status(self, text: str) -> None:
        """What the map is doing; "" shows how to use it."""
        self.status.setText(text or HINT)
        self.status.adjustSize()

    def send_keys_to(self, widget: QWidget) -> None:
        self.plot.keys_to = widget

    def _redraw(self) -> None:
        shown = self._shown
        visible = shown[np.isfinite(self._coords[shown]).all(axis=1)] if len(shown) else shown
        self._drawn, self._drawn_xy = visible, self._coords[visible]  # what the pointer can find
        if self.index is None or not len(visible):
            self.dots.set_dots(np.zeros((0, 2), np.float32), np.zeros(0, np.uint32), np.zeros(0, np.int8),
                               np.zeros(0, bool))
            return
        fit = None if self._fit is None else self._fit[visible]
        self.dots.set_dots(self._coords[visible], dot_colours(self.index.categories, self.index.codes[visible], fit),
                           dot_levels(fit, len(visible)), self._selected[visible])
        if not self._fitted:  # the first dots of a map: all of it in view
            self._fitted = True
            self.view_box.autoRange()

    # reading ------------------------------------------------------------------------------
    def dot_at(self, where: QPointF, radius_px: float = HOVER_RADIUS_PX) -> int | None:
        """The position of the dot nearest to a point of the map, within radius_px on screen; None if there is
        none."""
        if not len(self._drawn):
            return None
        sx, sy = self.view_box.viewPixelSize()  # map units per screen pixel
        xy = self._drawn_xy
        d2 = ((xy[:, 0] - where.x()) / sx) ** 2 + ((xy[:, 1] - where.y()) / sy) ** 2
        best = int(np.argmin(d2))
        return int(self._drawn[best]) if d2[best] <= radius_px ** 2 else None

    def positions_in(self, rect: QRectF) -> np.ndarray:
        """The shown positions whose dots lie in a rectangle of the map, best fit first."""
        xy, r = self._drawn_xy, rect.normalized()
        inside = (xy[:, 0] >= r.left()) & (xy[:, 0] <= r.right()) & (xy[:, 1] >= r.top()) & (xy[:, 1] <= r.bottom())
        return self._drawn[inside][::-1]

    def selected_paths(self) -> list[str]:
        """The selected samples' paths, best fit first."""
        if self.index is None:
            return []
        return [self.index.paths[p] for p in self._drawn[self._selected[self._drawn]][::-1]]

    def selection_mime(self) -> QMimeData:
        """What dragging the selection out carries: its files' URLs."""
        return sample_mime(self.selected_paths())

    def on_screen(self, where: QPointF) -> QPointF:
        """Where a point of the map is drawn, in the plot's viewport coordinates."""
        return self.plot.viewportTransform().map(self.view_box.mapViewToScene(where))

    def dot_on_screen(self, position: int) -> QPointF:
        x, y = self._coords[position]
        return self.on_screen(QPointF(float(x), float(y)))

    # mouse (from MapViewBox) ----------------------------------------------------------------
    def click_at(self, where: QPointF) -> None:
        self._hover_timer.stop()  # the click plays it: the hover must not play it again
        position = self.dot_at(where)
        if position is not None:
            self.dotClicked.emit(position)

    def context_at(self, where: QPointF, screen_pos) -> None:
        position = self.dot_at(where)
        if position is not None:
            self.contextRequested.emit(position, screen_pos)

    def rubber_band(self, start: QPointF, end: QPointF, finished: bool) -> None:
        rect = QRectF(start, end).normalized()
        if not finished:
            self._band.setRect(rect)
            self._band.show()
            return
        self._band.hide()
        add = bool((QApplication.keyboardModifiers() | self.press_modifiers) & Qt.KeyboardModifier.ControlModifier)
        self.areaSelected.emit(self.positions_in(rect), add)

    def drag_files_from(self, where: QPointF) -> None:
        """A drag from a dot: the selection's files if the dot is selected, else that one sample's."""
        position = self.dot_at(where)
        if position is None or self.index is None:
            return
        if not self._selected[position]:
            self.dotClicked.emit(position)  # the table selects it (and the map with it)
        paths = self.selected_paths() if self._selected[position] else [self.index.paths[position]]
        self._clear_hover()
        start_sample_drag(self.plot, paths)

    def _mouse_moved(self, event) -> None:
        if event.buttons() != Qt.MouseButton.NoButton:
            return  # a drag: no hovering
        position = self.dot_at(self.view_box.mapSceneToView(self.plot.mapToScene(event.position().toPoint())))
        if position == self._hovered:
            return
        self._clear_hover()
        if position is None or self.index is None:
            return
        self._hovered = position
        x, y = (float(v) for v in self._coords[position])
        self._hover_ring.setPos(x, y)
        self._hover_ring.show()
        label = theme.CATEGORY_LABELS.get(self.index.category(position), self.index.category(position))
        fit = "" if self._fit is None or not np.isfinite(self._fit[position]) else f" · fit {self._fit[position]:.0f}"
        self._hover_label.setText(f"{self.index.name(position)}  ({label}{fit})")
        self._hover_label.setPos(x, y)
        self._hover_label.show()
        self._hover_timer.start()

    def _hover_rested(self) -> None:
        if self._hovered is not None:
            self.hoverPlayed.emit(self._hovered)

    def _clear_hover(self) -> None:
        self._hover_timer.stop()
        self._hovered = None
        self._hover_ring.hide()
        self._hover_label.hide()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Leave:
            self._clear_hover()
        elif event.type() == QEvent.Type.MouseButtonPress:
            self.press_modifiers = event.modifiers()
        elif event.type() == QEvent.Type.MouseMove:
            self._mouse_moved(event)
        return super().eventFilter(watched, event)

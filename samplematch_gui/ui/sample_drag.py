"""Dragging samples out to a DAW or the file manager: file URLs, copy only."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QRect, QRectF, QSize, Qt, QUrl
from PySide6.QtGui import QColor, QDrag, QFont, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from samplematch_gui.ui import theme


def sample_mime(paths: list[str]) -> QMimeData:
    """What a drag carries: file URLs (text/uri-list, which Qt maps to each platform's file drop)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths])
    return mime


def start_sample_drag(source: QWidget, paths: list[str]) -> Qt.DropAction:
    """Run a copy-only drag of paths; the user's files are never moved."""
    drag = QDrag(source)
    drag.setMimeData(sample_mime(paths))
    drag.setPixmap(drag_pixmap(source, paths))
    return drag.exec(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction)


def drag_pixmap(source: QWidget, paths: list[str]) -> QPixmap:
    """A pill with the file name (or the count) under the pointer."""
    label = Path(paths[0]).name if len(paths) == 1 else f"{len(paths)} samples"
    font = QFont(source.font())
    font.setBold(True)
    width = min(360, source.fontMetrics().horizontalAdvance(label) + 40)
    ratio = source.devicePixelRatioF()
    pixmap = QPixmap(QSize(width, 28) * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(theme.ACCENT))
    p.drawRoundedRect(QRectF(0, 0, width, 28), 14, 14)
    p.setPen(QColor(theme.BG))
    p.setFont(font)
    p.drawText(QRect(14, 0, width - 20, 28), Qt.AlignmentFlag.AlignVCenter,
               p.fontMetrics().elidedText(label, Qt.TextElideMode.ElideMiddle, width - 24))
    p.end()
    return pixmap

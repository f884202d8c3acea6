"""Helpers for the UI tests: a recording audio output, a slow embedder, drops, a window factory."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from samplematch_gui.audition import OutputDevice
from samplematch_gui.ui.results_model import PathRole

LIBRARY_SIZE = 8  # readable one-shots in conftest's sample_library (one more file is broken)


class FakeOutput:
    """Records what would have been played."""

    available = True
    reason = ""
    detail = ""
    failure = None  # set it to a PlaybackError (and stop) to act as an output that went away mid-sound

    def __init__(self, devices: list[OutputDevice] | None = None):
        self.volume = 1.0
        self.played: list[tuple[np.ndarray, int]] = []
        self.mixes: list = []  # the in-context mixes (ContextMix, rate) it was given
        self.stops = 0
        self.closed = False
        self._playing = False
        self._device: int | None = None
        self._devices = devices if devices is not None else [
            OutputDevice(0, "Built-in Output", True), OutputDevice(3, "Studio Interface")]

    def play(self, samples, rate):
        self.played.append((np.asarray(samples), rate))
        self._playing = True

    def play_mix(self, mix, rate):
        self.mixes.append((mix, rate))
        self._playing = True

    def stop(self):
        self.stops += 1
        self._playing = False

    def is_playing(self):
        return self._playing

    def devices(self):
        return list(self._devices)

    def device(self):
        return self._device

    def set_device(self, index):
        self._device = index

    def close(self):
        self._playing = False
        self.closed = True


class SlowEmbedder:
    """The real (tiny) embedder, made slow, to prove model work runs off the GUI thread."""

    def __init__(self, inner, key_delay: float = 0.0, query_delay: float = 0.0):
        self._inner = inner
        self.key_delay = key_delay
        self.query_delay = query_delay
        self.query_calls = 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def embed_keys(self, waves):
        time.sleep(self.key_delay)
        return self._inner.embed_keys(waves)

    def embed_query_excerpts(self, excerpts):
        self.query_calls += 1
        time.sleep(self.query_delay)
        return self._inner.embed_query_excerpts(excerpts)


def move_through(widget, points) -> None:
    """Moves the pointer over points as a hand does: pyqtgraph drops the moves that come sooner than
    1/mouseRateLimit s after the last one it took, and a test's back-to-back moves would all be dropped
    (a drag then reads as a click)."""
    import pyqtgraph as pg

    gap_s = 1.5 / pg.getConfigOption("mouseRateLimit")
    for point in points:
        ready = time.perf_counter() + gap_s
        while time.perf_counter() < ready:
            QApplication.processEvents()
        QTest.mouseMove(widget, point)


def url_mime(paths: list[str | Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop_on(widget, paths: list[str | Path]) -> bool:
    """Drag files over the widget and drop them, as a file manager would; True if accepted."""
    mime = url_mime(paths)
    pos: QPoint = widget.rect().center()  # QDragEnter/MoveEvent take a QPoint, QDropEvent a QPointF
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, move)
    drop = QDropEvent(QPointF(pos), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(widget, drop)
    return drop.isAccepted()


def drag_enter_from(widget, paths: list[str | Path], source) -> bool:
    """Drag files over the widget from `source`, a widget of this app; True if accepted."""

    class FromApp(QDragEnterEvent):
        def source(self):
            return source

    mime = url_mime(paths)
    enter = FromApp(widget.rect().center(), Qt.DropAction.CopyAction, mime,
                    Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    return enter.isAccepted()


def visible_names(window) -> list[str]:
    model = window.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def visible_paths(window) -> list[str]:
    model = window.model
    return [model.index(r, 0).data(PathRole) for r in range(model.rowCount())]



class WindowFactory:
    """Makes main windows on one settings file and library cache; closes them at teardown."""

    def __init__(self, tmp_path: Path):
        self.settings_file = tmp_path / "settings.ini"
        self.db_path = tmp_path / "library.sqlite3"
        self.windows = []

    def make(self, embedder=None, output=None, reopen_audio=None):
        from samplematch_gui.ui.main_window import MainWindow
        from samplematch_gui.ui.settings import AppSettings

        window = MainWindow(AppSettings(self.settings_file), self.db_path, output or FakeOutput(),
                            reopen_audio=reopen_audio)
        if window.settings.geometry() is None:
            window.resize(1400, 860)
        window.show()
        if embedder is not None:
            window.set_embedder(embedder)
        self.windows.append(window)
        return window

    def close_all(self):
        for window in self.windows:
            if window.isVisible():
                window.close()

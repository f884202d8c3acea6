"""Start the desktop app: theme, settings, audio output, the window; the model loads off the GUI thread once the
window has painted, so the window shows at once and says that the model is loading."""
from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from samplematch_gui.audition import open_output
from samplematch_gui.engine import load_embedder
from samplematch_gui.library_db import LibraryError
from samplematch_gui.paths import default_db_path
from samplematch_gui.ui.main_window import MainWindow
from samplematch_gui.ui.settings import APPLICATION, ORGANISATION, AppSettings
from samplematch_gui.ui.theme import apply_theme
from samplematch_gui.ui.workers import Task, TaskRunner

# Set (to anything) to print start-up milestones to stderr as `samplematch-startup NAME UNIX_TIME CPU_SECONDS`
# (the process's CPU time so far, all threads): first_paint, model_ready / model_failed. bench/startup.py reads them.
STARTUP_LOG_ENV = "SAMPLEMATCH_STARTUP_LOG"
# A window that never paints (started minimised) still gets its model.
LOAD_AT_LATEST_MS = 1000


def log_milestone(name: str) -> None:
    if os.environ.get(STARTUP_LOG_ENV):
        print(f"samplematch-startup {name} {time.time():.4f} {time.process_time():.3f}", file=sys.stderr,
              flush=True)


class ModelLoader(QObject):
    """Loads the encoders off the GUI thread, once start() is called."""

    loaded = Signal(object)
    missing = Signal(str)

    def __init__(self, weights_dir: Path | None, backend: str | None = None, threads: int | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._runner = TaskRunner(self)
        self._args = (weights_dir, backend, threads)
        self._started = False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        # Both encoders open now, so that the first scan or drop does not wait for them.
        task = Task(lambda cancel, report: load_embedder(*self._args, open_now=True))
        task.signals.finished.connect(self._finished)
        task.signals.failed.connect(self._failed)
        self._runner.start(task)

    def _finished(self, generation: int, embedder) -> None:
        log_milestone("model_ready")
        self.loaded.emit(embedder)

    def _failed(self, generation: int, message: str) -> None:
        log_milestone("model_failed")
        self.missing.emit(message)

    def wait(self) -> bool:
        return self._runner.wait(60000)


class FirstPaint(QObject):
    """Emits `painted` once, when the window's first paint pass has finished."""

    painted = Signal()

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        app = QApplication.instance()
        assert app is not None  # the window has one
        app.installEventFilter(self)  # the paint may reach a child first

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.Paint and isinstance(obj, QWidget)
                and obj.window() is self._window):
            app = QApplication.instance()
            assert app is not None  # the window has one
            app.removeEventFilter(self)
            QTimer.singleShot(0, self._done)  # after the rest of this paint pass
        return False

    def _done(self) -> None:
        log_milestone("first_paint")
        self.painted.emit()


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)  # instance() is typed as the base class
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("SampleMatch")
    apply_theme(app)
    return app


def open_window(demo: bool = False, weights_dir: str | Path | None = None,
                db_path: str | Path | None = None, settings: AppSettings | None = None,
                backend: str | None = None, threads: int | None = None) -> tuple[MainWindow, ModelLoader]:
    """The window, and its model loading in the background from its first paint on (so that loading does not
    slow the paint down)."""
    settings = settings or AppSettings()
    window = MainWindow(settings, db_path or default_db_path(), open_output(),
                        reopen_audio=lambda: open_output(rescan=True))
    window.statusBar().showMessage("Loading the model…")
    loader = ModelLoader(Path(weights_dir) if weights_dir else None, backend, threads, window)
    loader.loaded.connect(window.set_embedder)
    loader.missing.connect(window.set_model_error)
    FirstPaint(window).painted.connect(loader.start)
    QTimer.singleShot(LOAD_AT_LATEST_MS, loader.start)
    if demo:
        window.start_demo()
    return window, loader


def threads_beside_the_daw() -> int:
    """The model uses half the cores: scans and rankings must not starve the DAW beside us."""
    return max(1, (os.cpu_count() or 2) // 2)


class CloseOnSignals(QObject):
    """Ctrl+C in the terminal and SIGTERM (log-out) close the window as its close button does (settings saved).

    Python runs signal handlers only between bytecodes, never inside Qt's event loop: the C-level handler writes
    to a socket that Qt watches, which wakes the loop.
    """

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window
        self._receive, self._send = socket.socketpair()
        self._send.setblocking(False)
        signal.set_wakeup_fd(self._send.fileno())
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: None)
        self._notifier = QSocketNotifier(self._receive.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._close)

    def _close(self) -> None:
        self._receive.recv(64)
        self._window.close()


def run(demo: bool = False, weights_dir: str | Path | None = None,
        db_path: str | Path | None = None, backend: str | None = None) -> int:
    app = create_app()
    try:
        window, loader = open_window(demo, weights_dir, db_path, backend=backend, threads=threads_beside_the_daw())
    except LibraryError as exc:  # not a library (another program's database), newer, locked, unwritable...
        print(f"samplematch: {exc}", file=sys.stderr)
        QMessageBox.critical(None, "SampleMatch cannot open its library", str(exc))
        return 1
    CloseOnSignals(window)
    window.show()
    code = app.exec()
    loader.wait()  # a model still loading must not signal into a deleted window
    return code

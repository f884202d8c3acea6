"""Start the desktop app: theme, settings, audio output, the window, the model in the background."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from samplematch_gui.audition import open_output
from samplematch_gui.engine import load_embedder
from samplematch_gui.paths import default_db_path
from samplematch_gui.ui.main_window import MainWindow
from samplematch_gui.ui.settings import APPLICATION, ORGANISATION, AppSettings
from samplematch_gui.ui.theme import apply_theme
from samplematch_gui.ui.workers import Task, TaskRunner


class ModelLoader(QObject):
    """Loads the encoders off the GUI thread so the window shows at once."""

    loaded = Signal(object)
    missing = Signal(str)

    def __init__(self, weights_dir: Path | None, parent: QObject | None = None):
        super().__init__(parent)
        self._runner = TaskRunner(self)
        task = Task(lambda cancel, report: load_embedder(weights_dir))
        task.signals.finished.connect(self._finished)
        task.signals.failed.connect(self._failed)
        self._runner.start(task)

    def _finished(self, generation: int, embedder) -> None:
        self.loaded.emit(embedder)

    def _failed(self, generation: int, message: str) -> None:
        self.missing.emit(message)

    def wait(self) -> bool:
        return self._runner.wait(60000)


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("SampleMatch")
    apply_theme(app)
    return app


def open_window(demo: bool = False, weights_dir: str | Path | None = None,
                db_path: str | Path | None = None, settings: AppSettings | None = None
                ) -> tuple[MainWindow, ModelLoader]:
    settings = settings or AppSettings()
    window = MainWindow(settings, db_path or default_db_path(), open_output(),
                        reopen_audio=lambda: open_output(rescan=True))
    window.statusBar().showMessage("Loading the model…")
    loader = ModelLoader(Path(weights_dir) if weights_dir else None, window)
    loader.loaded.connect(window.set_embedder)
    loader.missing.connect(window.set_model_error)
    if demo:
        window.start_demo()
    return window, loader


def share_cpu_with_the_daw() -> None:
    """The model uses half the cores: scans and rankings must not starve the DAW beside us."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))


def run(demo: bool = False, weights_dir: str | Path | None = None,
        db_path: str | Path | None = None) -> int:
    share_cpu_with_the_daw()
    app = create_app()
    window, loader = open_window(demo, weights_dir, db_path)
    window.show()
    code = app.exec()
    loader.wait()  # a model still loading must not signal into a deleted window
    return code

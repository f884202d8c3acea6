"""Run the core's jobs (samplematch_gui.jobs) off the GUI thread; results come back as queued signals.

Each task carries a generation number so a receiver can drop results of work it has since superseded.
Receivers must be methods of QObjects living on the GUI thread, so the signals are queued there.
"""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from model.audio import AudioError
from samplematch_gui.engine import ModelMissingError
from samplematch_gui.jobs import Cancelled, Job
from samplematch_gui.library_db import LibraryError

EXPECTED_ERRORS = (AudioError, ModelMissingError, LibraryError, OSError)  # the user's files, not our bugs


class TaskSignals(QObject):
    progress = Signal(int, object)  # generation, payload
    finished = Signal(int, object)  # generation, result
    failed = Signal(int, str)  # generation, one-line message
    cancelled = Signal(int)
    done = Signal(int)  # always last, whatever the outcome


class Task(QRunnable):
    def __init__(self, job: Job, generation: int = 0):
        super().__init__()
        self.setAutoDelete(False)  # Python keeps the reference until `done` is handled
        self.job = job
        self.generation = generation
        self.cancel = threading.Event()
        self.signals = TaskSignals()

    def run(self) -> None:
        gen, sig = self.generation, self.signals
        try:
            if self.cancel.is_set():
                raise Cancelled()
            result = self.job(self.cancel, lambda payload: sig.progress.emit(gen, payload))
        except Cancelled:
            sig.cancelled.emit(gen)
        except Exception as exc:  # reported to the user as one line, never a crash
            if not isinstance(exc, EXPECTED_ERRORS):
                traceback.print_exc()
            sig.failed.emit(gen, str(exc) or type(exc).__name__)
        else:  # a job that returns despite its cancel flag reports what it did (a partial scan)
            sig.finished.emit(gen, result)
        sig.done.emit(gen)


class TaskRunner(QObject):
    """A private thread pool (one thread by default: tasks of one kind run in order)."""

    def __init__(self, parent: QObject | None = None, threads: int = 1):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._live: set[Task] = set()
        self._generation = 0

    def next_generation(self) -> int:
        self._generation += 1
        return self._generation

    @property
    def generation(self) -> int:
        return self._generation

    def run(self, job: Job, finished: Callable[[int, Any], None],  # (generation, what the job returned)
            failed: Callable[[int, str], None] | None = None,
            progress: Callable[[int, Any], None] | None = None,
            done: Callable[[int], None] | None = None) -> Task:
        """Start job as the next generation, with these receivers (GUI-thread QObject methods)."""
        task = Task(job, self.next_generation())
        for signal, slot in ((task.signals.finished, finished), (task.signals.failed, failed),
                             (task.signals.progress, progress), (task.signals.done, done)):
            if slot is not None:
                signal.connect(slot)
        return self.start(task)

    def start(self, task: Task) -> Task:
        """Start a task made and connected by the caller (run() does all three)."""
        self._live.add(task)
        task.signals.done.connect(self._forget)
        self._pool.start(task)
        return task

    def _forget(self, generation: int) -> None:
        self._live = {t for t in self._live if t.generation != generation}

    def cancel_all(self) -> None:
        for task in self._live:
            task.cancel.set()

    def wait(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

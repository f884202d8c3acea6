"""What a drop on the window means: folders to add, a bounce to rank by, things to ignore."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from model.audio import is_audio_path


@dataclass
class DropPlan:
    folders: list[str] = field(default_factory=list)
    bounces: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def useful(self) -> bool:
        return bool(self.folders or self.bounces)


def plan_drop(mime: QMimeData) -> DropPlan:
    plan = DropPlan()
    for url in mime.urls() if mime.hasUrls() else []:
        path = url.toLocalFile()
        if not path:
            plan.ignored.append(url.toString())
        elif os.path.isdir(path):
            plan.folders.append(path)
        elif is_audio_path(path) and os.path.isfile(path):
            plan.bounces.append(path)
        else:
            plan.ignored.append(path)
    return plan


class DropTarget(QObject):
    """Makes a whole window one drop target: folders and bounces, dropped anywhere on it.

    Children never take file drops themselves. Drags that start inside this app (a sample
    dragged out of the table or the preview) are refused, so a sample is not mistaken for a bounce.
    """

    hot = Signal(bool)  # something droppable is over the window
    foldersDropped = Signal(list)
    bounceDropped = Signal(str)
    ignored = Signal(int)  # dropped items that are neither folders nor audio files

    def __init__(self, window: QWidget):
        super().__init__(window)
        for child in window.findChildren(QWidget):
            child.setAcceptDrops(False)
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def _plan(self, event) -> DropPlan | None:
        if event.source() is not None:  # Qt names a source only for drags from this app
            return None
        plan = plan_drop(event.mimeData())
        return plan if plan.useful else None

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if self._plan(event) is None:
                event.ignore()
            else:
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                if kind == QEvent.Type.DragEnter:
                    self.hot.emit(True)
            return True
        if kind == QEvent.Type.DragLeave:
            self.hot.emit(False)
            return True
        if kind == QEvent.Type.Drop:
            self.hot.emit(False)
            plan = self._plan(event)
            if plan is None:
                event.ignore()
                return True
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if plan.folders:
                self.foldersDropped.emit(plan.folders)
            if plan.bounces:
                self.bounceDropped.emit(plan.bounces[0])
            if plan.ignored:
                self.ignored.emit(len(plan.ignored))
            return True
        return False

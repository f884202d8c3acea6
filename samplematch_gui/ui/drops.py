"""What a drop on the window means: folders to add, a bounce to rank by, things to ignore."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from PySide6.QtCore import QMimeData

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

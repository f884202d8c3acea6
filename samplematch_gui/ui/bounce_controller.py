"""The bounce side of the query panel: plays the region (its button, Shift+Space), seeks where the waveform is
clicked, follows the playhead, and shows why a bounce or region is not ranked. The session decides what
plays (QuerySession.playback_span) and reads it off the GUI thread; the audition controller plays it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from samplematch_gui.audition import PREVIEW_RATE
from samplematch_gui.ui.audition_controller import AuditionController
from samplematch_gui.ui.query_panel import QueryPanel
from samplematch_gui.ui.search_controller import SearchController
from samplematch_gui.ui.workers import TaskRunner

PLAY_MAX_SECONDS = 300.0  # a longer region plays its first five minutes (53 MB decoded)


class BounceController(QObject):
    def __init__(self, panel: QueryPanel, search: SearchController, audition: AuditionController,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._panel, self._search, self._audition = panel, search, audition
        self._reader = TaskRunner(self)
        self._cursor: float | None = None  # where a click put the play position
        self._decoded: tuple[str, float, float, np.ndarray] | None = None  # path, start, end, wave
        self._path: str | None = None
        self._region: tuple[float, float] | None = None
        panel.playRequested.connect(self.toggle)
        panel.waveform.seekRequested.connect(self.seek)
        audition.bounceStarted.connect(lambda: panel.set_playing(True))
        audition.bouncePosition.connect(self._moved)
        audition.stopped.connect(self._stopped)
        audition.availabilityChanged.connect(self._availability_changed)
        search.queryChanged.connect(self._query_changed)
        search.resultsReady.connect(panel.show_ranking)
        self._tip = panel.play_button.toolTip()
        self._availability_changed()

    @property
    def cursor(self) -> float | None:
        return self._cursor

    def toggle(self) -> None:
        if self._audition.playing_bounce:
            self._audition.stop()
        else:
            self.play()

    def play(self) -> None:
        session = self._search.session
        span = session.playback_span(self._cursor, PLAY_MAX_SECONDS)
        if span is None or session.bounce is None:
            return
        path, (start, end) = session.bounce.path, span
        cached = self._decoded
        if cached is not None and cached[0] == path and cached[1] <= start and end <= cached[2]:
            first = int(round((start - cached[1]) * PREVIEW_RATE))
            self._audition.play_bounce(path, cached[3][first:first + int(round((end - start) * PREVIEW_RATE))],
                                       PREVIEW_RATE, start)
            return
        self._reader.cancel_all()
        self._reader.run(session.playback_job(start, end, PREVIEW_RATE),
                         lambda generation, wave: self._read(generation, path, start, end, wave),
                         self._failed)

    def _read(self, generation: int, path: str, start: float, end: float, wave: np.ndarray) -> None:
        bounce = self._search.session.bounce
        if generation != self._reader.generation or bounce is None or bounce.path != path:
            return
        self._decoded = (path, start, end, wave)
        self._audition.play_bounce(path, wave, PREVIEW_RATE, start)

    def _failed(self, generation: int, message: str) -> None:
        bounce = self._search.session.bounce
        if generation == self._reader.generation and bounce is not None:
            self._audition.failed.emit(bounce.path, message)

    def seek(self, seconds: float) -> None:
        """A click on the waveform: the play position; while the bounce plays, it plays on from there."""
        self._cursor = seconds
        if self._audition.playing_bounce:
            self.play()
        else:
            self._panel.waveform.set_playhead(seconds)

    def _moved(self, seconds: float) -> None:
        if self._audition.playing_bounce:
            self._panel.waveform.set_playhead(seconds)

    def _stopped(self) -> None:
        self._panel.set_playing(False)
        self._panel.waveform.set_playhead(self._cursor)

    def _availability_changed(self) -> None:
        usable = self._audition.output.available
        self._panel.play_button.setEnabled(usable)
        self._panel.play_button.setToolTip(self._tip if usable else self._audition.reason)

    def _query_changed(self, query) -> None:
        """A new bounce forgets the old one's sound and play position; a new region, the play position."""
        bounce = self._search.session.bounce
        path = None if bounce is None else bounce.path
        region = None if bounce is None else bounce.region
        if path != self._path:
            if self._audition.playing_bounce:
                self._audition.stop()
            self._decoded = None
        if path != self._path or region != self._region:
            self._cursor = None
            if not self._audition.playing_bounce:
                self._panel.waveform.set_playhead(None)
        self._path, self._region = path, region

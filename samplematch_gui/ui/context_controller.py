"""In-context audition, the Qt side: the toggle starts the bounce's analysis and region read off the GUI thread
(samplematch_gui.context_source; an analysis is cached in memory and on disk), then has the audition controller
loop the region with the selected sample; a new region or bounce starts again, a corrected tempo re-derives the
triggers; the loop stops with the toggle, Space, Esc, or a new bounce that cannot be read."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from samplematch_gui.audition import PREVIEW_RATE
from samplematch_gui.context_mix import Candidate
from samplematch_gui.context_scene import ContextScene
from samplematch_gui.context_source import ContextSource, context_job
from samplematch_gui.onset_cache import AnalysisCache
from samplematch_gui.paths import data_dir
from samplematch_gui.ui.audition_controller import AuditionController
from samplematch_gui.ui.context_bar import ContextBar
from samplematch_gui.ui.search_controller import SearchController
from samplematch_gui.ui.workers import TaskRunner

CACHE_FOLDER = "bounce_analysis"  # in the app's data folder, beside the library cache


class ContextController(QObject):
    message = Signal(str)  # for the status bar

    def __init__(self, bar: ContextBar, search: SearchController, audition: AuditionController,
                 current_path: Callable[[], str | None], parent: QObject | None = None,
                 cache: AnalysisCache | None = None):
        super().__init__(parent)
        self._bar, self._search, self._audition, self._current_path = bar, search, audition, current_path
        self._cache = cache if cache is not None else AnalysisCache(data_dir() / CACHE_FOLDER)
        self._reader = TaskRunner(self)
        self._wanted = False  # the toggle is on: loading, or playing
        self._looping = False  # the loop has started (and plays on while a new region loads)
        self._starting = False  # play_context stops what played before: that stop is not the user's
        self._source: ContextSource | None = None
        self._loading: tuple[str, tuple[float, float] | None] | None = None  # the bounce and region read
        self._tempos: dict[str, float] = {}  # the user's tempo, by analysis key
        bar.toggleRequested.connect(self.toggle)
        bar.tempoChanged.connect(self.set_tempo)
        audition.stopped.connect(self._stopped)
        audition.candidateChanged.connect(self._candidate_changed)
        search.queryChanged.connect(self._query_changed)

    @property
    def active(self) -> bool:
        return self._wanted

    def toggle(self) -> None:
        if self._wanted:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        if self._search.bounce is None:
            self._bar.set_active(False)
            self.message.emit("In song plays the selected sample inside a bounce: open or drop one first")
            return
        self._wanted = True
        self._bar.set_active(True, "loading")
        self._load()

    def stop(self) -> None:
        self._wanted = self._looping = False
        self._loading = None
        self._reader.cancel_all()
        self._reader.next_generation()
        if self._audition.in_context:
            self._audition.stop()
        self._bar.set_active(False)

    def _load(self) -> None:
        self._reader.cancel_all()
        bounce = self._search.bounce
        self._loading = None if bounce is None else (bounce.path, bounce.region)
        try:
            job = context_job(self._search.session, self._cache)
        except OSError as exc:
            self._fail(str(exc))
            return
        if job is None:
            self.stop()
            return
        self._reader.run(job, self._loaded, self._failed)

    def _loaded(self, generation: int, source: ContextSource) -> None:
        if generation != self._reader.generation or not self._wanted:
            return
        self._cache.put(source.key, source.analysis, save=source.fresh)
        self._source = source
        region = (source.start, source.start + len(source.loop) / PREVIEW_RATE)
        scene = ContextScene.build(source.bounce, source.analysis, source.loop, PREVIEW_RATE, region,
                                   self._audition.loudness, self._tempos.get(source.key))
        self._starting = True
        try:
            self._audition.play_context(scene, self._current_path(), self._category_of)
        finally:
            self._starting = False
        if not self._audition.in_context:  # no output, or it refused: the audition controller said why
            self.stop()
            return
        self._looping = True
        self._bar.set_tempo(scene.tempo)
        self._candidate_changed(self._audition.mix.candidate if self._audition.mix else None)

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._reader.generation and self._wanted:
            self._fail(message)

    def _fail(self, message: str) -> None:
        bounce = self._search.bounce
        self.stop()
        if bounce is not None:
            self._audition.failed.emit(bounce.path, f"cannot play it in context: {message}")

    def set_tempo(self, bpm: float) -> None:
        """The user's tempo for this bounce (kept for the next start): the beat grid and each part's thinning
        follow it."""
        if self._source is None:
            return
        self._tempos[self._source.key] = bpm
        scene = self._audition.scene
        if scene is not None:
            self._audition.set_scene(scene.with_tempo(bpm))

    def _category_of(self, path: str) -> str | None:
        index = self._search.index
        i = None if index is None else index.position(path)
        return None if index is None or i is None else index.category(i)

    def _candidate_changed(self, candidate: Candidate | None) -> None:
        if self._wanted:
            self._bar.set_active(True, "hits" if candidate is None or not candidate.on_grid else "grid")

    def _stopped(self) -> None:
        """Space, Esc, another sound or a failed output ended the loop: the toggle goes off."""
        if self._looping and not self._starting and not self._audition.in_context:
            self.stop()

    def _query_changed(self, query) -> None:
        """A new region or bounce loops anew (the old loop plays until it is ready); no bounce, and it stops."""
        bounce = self._search.bounce
        if self._source is not None and (bounce is None or bounce.path != self._source.bounce):
            self._source = None  # another bounce: its tempo is not known yet
            self._bar.set_tempo(None)
        if not self._wanted:
            return
        if bounce is None:
            self.stop()
        elif (bounce.path, bounce.region) != self._loading:
            self._load()

    def wait(self, msecs: int = 5000) -> bool:
        return self._reader.wait(msecs)

    def shutdown(self) -> None:
        self._wanted = False
        self._reader.cancel_all()

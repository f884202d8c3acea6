"""Audition: what plays when (a sample, the bounce region, or the sample inside the looping region: in context),
at what loudness, on which device (the AudioOutput does the sound), and whether audition is on: an output that
fails is reported in plain words and audition reads as off until a sound plays again, a device is chosen or the
devices are rescanned. In context, choosing a sample (arrows, a click, Enter) swaps it into the loop from its
next hit on; Space, Esc or stop end the loop."""
from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from model.audio import AudioError
from samplematch_gui.audition import (
    PREVIEW_RATE,
    AudioOutput,
    Loudness,
    OutputDevice,
    PlaybackError,
    load_preview,
    normalise_loudness,
)
from samplematch_gui.context_mix import Candidate, ContextMix
from samplematch_gui.context_scene import ContextScene
from samplematch_gui.ui.settings import AppSettings

CACHE_SIZE = 48


class AuditionController(QObject):
    selected = Signal(str, object, int)  # path, mono samples, rate (for the preview waveform)
    started = Signal(str)  # a sample
    stopped = Signal()  # whatever played
    failed = Signal(str, str)  # path, message
    position = Signal(float)  # seconds into the playing sample (estimated from the clock)
    bounceStarted = Signal()
    bouncePosition = Signal(float)  # seconds into the bounce file
    outputChanged = Signal()  # new device list / availability after a rescan
    availabilityChanged = Signal()  # the output failed (audition off), or works again
    contextStarted = Signal()  # the region loops with the sample in it
    contextPosition = Signal(float)  # seconds into the bounce file, while in context
    candidateChanged = Signal(object)  # the Candidate in the loop (None: the loop alone)

    def __init__(self, output: AudioOutput, settings: AppSettings, parent=None,
                 reopen: Callable[[], AudioOutput] | None = None):
        """reopen: a fresh output with a re-read device list (None: devices are fixed)."""
        super().__init__(parent)
        self.output = output
        self._reopen = reopen
        self._settings = settings
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._playing: str | None = None
        self._offset: float | None = None  # where in the bounce its playback started; None: a sample plays
        self._started_at = 0.0
        self._failure: PlaybackError | None = None
        self._mix: ContextMix | None = None  # in context: the mixer the output plays
        self._scene: ContextScene | None = None
        self._context_sample: str | None = None  # the sample in the loop
        self._category_of: Callable[[str], str | None] = lambda path: None
        self.prepare_seconds = 0.0  # how long the latest candidate took to make ready (load, trim, level)
        self.auto_play = settings.auto_play
        self.loudness = Loudness(mode=settings.loudness_mode)
        self.output.volume = settings.volume
        self._restore_device()
        self._poll = QTimer(self)
        self._poll.setInterval(33)  # playhead refresh while a sound plays
        self._poll.timeout.connect(self._check_finished)

    @property
    def available(self) -> bool:
        return self.output.available and self._failure is None

    @property
    def reason(self) -> str:
        """Why audition is off and what to do, in plain words ("" when it is on)."""
        return self._failure.advice if self._failure is not None else self.output.reason

    @property
    def detail(self) -> str:
        """The sound library's own words for the reason."""
        return self._failure.detail if self._failure is not None else self.output.detail

    @property
    def playing(self) -> str | None:
        return self._playing

    @property
    def playing_bounce(self) -> bool:
        return self._playing is not None and self._offset is not None and self._mix is None

    @property
    def in_context(self) -> bool:
        return self._mix is not None

    @property
    def mix(self) -> ContextMix | None:
        return self._mix

    @property
    def scene(self) -> ContextScene | None:
        return self._scene

    # samples ------------------------------------------------------------------------------
    def _samples(self, path: str) -> np.ndarray:
        if path in self._cache:
            self._cache.move_to_end(path)
            return self._cache[path]
        wave = load_preview(path, PREVIEW_RATE)
        self._cache[path] = wave
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return wave

    def select(self, path: str) -> None:
        """A new current sample: stop the old sound, show the new one, play it if auto-play; in context, it
        takes the old one's place in the loop."""
        if self._mix is None:
            self.stop()
        try:
            wave = self._samples(path)
        except AudioError as exc:
            self.failed.emit(path, str(exc))
            return
        self.selected.emit(path, wave, PREVIEW_RATE)
        if self.auto_play or self._mix is not None:
            self.play(path)

    def play(self, path: str) -> None:
        if self._mix is not None:
            self._swap(path)
            return
        try:
            wave = self._samples(path)
        except AudioError as exc:
            self.failed.emit(path, str(exc))
            return
        if self._start(path, wave, PREVIEW_RATE, None):
            self.started.emit(path)

    def play_bounce(self, path: str, wave: np.ndarray, rate: int, start: float) -> None:
        """Play part of the bounce, `wave` from `start` seconds into the file, level-matched like the samples."""
        if self._start(path, wave, rate, start):
            self.bounceStarted.emit()

    # in context ---------------------------------------------------------------------------
    def play_context(self, scene: ContextScene, path: str | None,
                     category_of: Callable[[str], str | None]) -> None:
        """Loop the scene's region with the sample `path` (None: none yet) on its hits; category_of(path) says
        which hits a sample plays on."""
        self.stop()
        if not self.output.available:
            return
        mix = ContextMix(scene.loop)
        self._scene, self._category_of = scene, category_of
        if path is not None and self._prepare(mix, path) is None:
            path = None  # unreadable (said): the loop plays alone
        try:
            self.output.play_mix(mix, scene.rate)
        except PlaybackError as exc:
            self._scene = None
            self._fail(scene.bounce, exc)
            return
        self._set_failure(None)
        self._mix, self._offset = mix, scene.region[0]
        self._playing, self._context_sample = path or scene.bounce, path
        self._started_at = time.monotonic()
        self._poll.start()
        self.contextStarted.emit()

    def set_scene(self, scene: ContextScene) -> None:
        """The same loop with other triggers (a corrected tempo): the sample plays on them from its next one."""
        if self._mix is None or self._scene is None or scene.loop is not self._scene.loop:
            return
        self._scene = scene
        if self._context_sample is not None:
            self._swap(self._context_sample)

    def _swap(self, path: str) -> None:
        if self._mix is not None and self._prepare(self._mix, path) is not None:
            self._playing = self._context_sample = path

    def _prepare(self, mix: ContextMix, path: str) -> Candidate | None:
        """Make the sample ready and hand it to the mixer (a reference swap); None if it cannot be read."""
        assert self._scene is not None  # set with the mix
        began = time.perf_counter()
        try:
            wave = self._samples(path)
        except AudioError as exc:
            self.failed.emit(path, str(exc))
            return None
        candidate = self._scene.candidate(wave, self._category_of(path))
        mix.candidate = candidate
        self.prepare_seconds = time.perf_counter() - began
        self.candidateChanged.emit(candidate)
        return candidate

    def _start(self, path: str, wave: np.ndarray, rate: int, offset: float | None) -> bool:
        self.stop()
        if not self.output.available:
            return False
        try:
            self.output.play(normalise_loudness(wave, self.loudness), rate)
        except PlaybackError as exc:
            self._fail(path, exc)
            return False
        self._set_failure(None)
        self._playing, self._offset = path, offset
        self._started_at = time.monotonic()
        self._poll.start()
        return True

    def _fail(self, path: str, error: PlaybackError) -> None:
        self.failed.emit(path, str(error))
        self._set_failure(error)

    def _set_failure(self, error: PlaybackError | None) -> None:
        before = self.reason, self.available, self.detail
        self._failure = error
        if (self.reason, self.available, self.detail) != before:
            self.availabilityChanged.emit()

    def toggle(self, path: str) -> None:
        """Space: stop the sample if it is sounding (or the loop, in context), else play it."""
        if self._mix is not None or self._playing == path and self.output.is_playing():
            self.stop()
        else:
            self.play(path)

    def stop(self) -> None:
        self.output.stop()
        self._end()

    def _end(self) -> None:
        self._poll.stop()
        self._mix = self._scene = self._context_sample = None
        if self._playing is not None:
            self._playing = self._offset = None
            self.stopped.emit()

    def _check_finished(self) -> None:
        path, elapsed = self._playing, time.monotonic() - self._started_at
        if self.output.is_playing():
            if self._mix is not None and self._scene is not None:
                self.contextPosition.emit(self._scene.region[0] + self._mix.position / self._scene.rate)
            elif self._offset is None:
                self.position.emit(elapsed)
            else:
                self.bouncePosition.emit(self._offset + elapsed)
            return
        failure = self.output.failure
        self._end()
        if failure is not None and path is not None:
            self._fail(path, failure)

    # settings -----------------------------------------------------------------------------
    def set_volume(self, volume: float) -> None:
        self.output.volume = min(1.0, max(0.0, volume))
        self._settings.volume = self.output.volume

    def set_auto_play(self, on: bool) -> None:
        self.auto_play = bool(on)
        self._settings.auto_play = self.auto_play

    def set_loudness_mode(self, mode: str) -> None:
        self.loudness = Loudness(mode=mode)
        self._settings.loudness_mode = mode

    def devices(self) -> list[OutputDevice]:
        return self.output.devices()

    def set_device(self, device: OutputDevice | None) -> None:
        self.stop()
        self.output.set_device(None if device is None else device.index)
        self._settings.device_name = None if device is None else device.name
        self._settings.device_host_api = None if device is None else device.host_api
        self._set_failure(None)  # the next sound tries the new device

    @property
    def can_rescan(self) -> bool:
        return self._reopen is not None

    def rescan_devices(self) -> None:
        """Pick up interfaces plugged in or out since start; the chosen one is kept by name."""
        if self._reopen is None:
            return
        self.stop()
        self.output.close()
        self.output = self._reopen()
        self.output.volume = self._settings.volume
        self._restore_device()
        self._failure = None
        self.outputChanged.emit()
        self.availabilityChanged.emit()

    def _restore_device(self) -> None:
        """The saved device, by name and host API (PortAudio indices change with the hardware)."""
        name, host_api = self._settings.device_name, self._settings.device_host_api
        named = [d for d in self.output.devices() if d.name == name] if name else []
        match = next((d for d in named if d.host_api == host_api), named[0] if named else None)
        if match is not None:
            self.output.set_device(match.index)

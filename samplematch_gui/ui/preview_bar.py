"""The audition strip: the selected sample's waveform and the preview controls."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel,
                               QPushButton, QSizePolicy, QSlider, QVBoxLayout, QWidget)

from samplematch_gui.ui import theme
from samplematch_gui.ui.audition_controller import AuditionController
from samplematch_gui.ui.results_model import format_duration
from samplematch_gui.ui.sample_drag import start_sample_drag
from samplematch_gui.ui.waveform_view import WaveformView

LOUDNESS_MODES = (("rms", "Level: RMS"), ("peak", "Level: peak"), ("off", "Level: as is"))
DEFAULT_DEVICE = "Default output"


class SampleWaveform(WaveformView):
    """The selected sample's waveform: a click plays it, a drag takes the file to the DAW."""

    clicked = Signal()

    def __init__(self):
        super().__init__(colour=theme.MUTED)
        self.path: str | None = None
        self._pressed_at: QPoint | None = None
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip("Click to play · drag into your DAW")

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.path:
            self._pressed_at = event.position().toPoint()
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._pressed_at is None or not self.path:
            return
        moved = (event.position().toPoint() - self._pressed_at).manhattanLength()
        if moved >= QApplication.startDragDistance():
            self._pressed_at = None
            start_sample_drag(self, [self.path])

    def mouseReleaseEvent(self, event) -> None:
        if self._pressed_at is not None:
            self._pressed_at = None
            self.clicked.emit()
        event.accept()


class PreviewBar(QFrame):
    def __init__(self, audition: AuditionController, parent: QWidget | None = None):
        super().__init__(parent)
        self.audition = audition
        self.setObjectName("Card")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(12)

        info = QVBoxLayout()
        info.setSpacing(2)
        self.name = QLabel("No sample selected")
        self.name.setObjectName("QueryTitle")
        self.name.setMinimumWidth(150)
        self.name.setMaximumWidth(240)
        info.addWidget(self.name)
        self.detail = QLabel("Space plays · Esc stops · ↑↓ browse")
        self.detail.setObjectName("Muted")
        info.addWidget(self.detail)
        for label in (self.name, self.detail):  # long names are cut, not widening the window
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addLayout(info)

        self.play_button = QPushButton("▶")
        self.play_button.setFixedWidth(40)
        self.play_button.setToolTip("Play the selected sample (Space)")
        layout.addWidget(self.play_button)
        self.more_button = QPushButton("More like this")
        self.more_button.setToolTip("Rank the library by similarity to the selected sample "
                                    "(Ctrl+L)")
        self.more_button.setEnabled(False)
        layout.addWidget(self.more_button)
        self.waveform = SampleWaveform()
        self.waveform.setFixedHeight(54)
        self.waveform.setMinimumWidth(60)
        self.waveform.getPlotItem().hideAxis("bottom")
        layout.addWidget(self.waveform, 1)

        controls = QVBoxLayout()
        controls.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(QLabel("Vol"))
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(110)
        self.volume.setValue(round(audition.output.volume * 100))
        self.volume.valueChanged.connect(lambda v: audition.set_volume(v / 100))
        self.volume.setToolTip("Preview volume")
        top.addWidget(self.volume)
        self.auto_play = QCheckBox("Auto-play")
        self.auto_play.setChecked(audition.auto_play)
        self.auto_play.setToolTip("Play each sample as you move through the list")
        self.auto_play.toggled.connect(audition.set_auto_play)
        top.addWidget(self.auto_play)
        controls.addLayout(top)
        bottom = QHBoxLayout()
        self.loudness = QComboBox()
        for mode, label in LOUDNESS_MODES:
            self.loudness.addItem(label, mode)
        self.loudness.setCurrentIndex(max(0, self.loudness.findData(audition.loudness.mode)))
        self.loudness.setToolTip("Level-match previews so loud and quiet samples compare fairly")
        self.loudness.currentIndexChanged.connect(
            lambda i: audition.set_loudness_mode(self.loudness.itemData(i)))
        bottom.addWidget(self.loudness)
        self.device = QComboBox()
        self.device.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device.setMinimumContentsLength(13)
        self.device.setMaximumWidth(220)
        self.device.setToolTip("Audio output for previews")
        self.fill_devices()
        self.device.currentIndexChanged.connect(self._device_chosen)
        bottom.addWidget(self.device)
        controls.addLayout(bottom)
        layout.addLayout(controls)

        for w in (self.play_button, self.more_button, self.volume, self.auto_play):
            w.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves Space/arrows on the list
        audition.selected.connect(self.show_sample)
        audition.started.connect(lambda _: self.play_button.setText("■"))
        audition.stopped.connect(lambda: self.play_button.setText("▶"))
        audition.position.connect(self.waveform.set_playhead)
        audition.stopped.connect(lambda: self.waveform.set_playhead(None))
        self._tips = {w: w.toolTip() for w in self._audio_controls()}
        self.waveform.clicked.connect(lambda: audition.play(self.waveform.path))
        self.set_available(audition.available, audition.reason)
        audition.outputChanged.connect(self._output_changed)

    def _audio_controls(self) -> tuple[QWidget, ...]:
        return self.play_button, self.volume, self.auto_play, self.loudness, self.device

    def _output_changed(self) -> None:
        self.fill_devices()
        self.set_available(self.audition.available, self.audition.reason)

    def fill_devices(self) -> None:
        self.device.blockSignals(True)
        self.device.clear()
        self.device.addItem(DEFAULT_DEVICE, None)
        current = self.audition.output.device()
        devices = self.audition.devices()
        names = Counter(d.name for d in devices)
        for d in devices:
            api = f" · {d.host_api}" if names[d.name] > 1 and d.host_api else ""
            self.device.addItem(d.name + api + ("  (default)" if d.is_default else ""), d)
            if d.index == current:
                self.device.setCurrentIndex(self.device.count() - 1)
        self.device.blockSignals(False)

    def _device_chosen(self, i: int) -> None:
        self.audition.set_device(self.device.itemData(i))

    def set_available(self, available: bool, reason: str) -> None:
        """Without audio output the controls stay visible but say why they are off."""
        for w in self._audio_controls():
            w.setEnabled(available)
            w.setToolTip(self._tips[w] if available else reason)

    def show_sample(self, path: str, samples: np.ndarray, rate: int) -> None:
        self.more_button.setEnabled(True)
        self.name.setText(Path(path).name)
        self.name.setToolTip(path)
        self.detail.setText(format_duration(len(samples) / rate))
        self.waveform.set_audio(samples, rate)
        self.waveform.path = path

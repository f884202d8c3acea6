"""The audition strip: the selected sample's waveform and the preview controls."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from samplematch_gui.ui import theme
from samplematch_gui.ui.audition_controller import AuditionController
from samplematch_gui.ui.context_bar import ContextBar
from samplematch_gui.ui.elided_label import ElidedLabel
from samplematch_gui.ui.results_model import format_duration
from samplematch_gui.ui.sample_drag import start_sample_drag
from samplematch_gui.ui.waveform_view import WaveformView

LOUDNESS_MODES = (("rms", "Level: RMS"), ("peak", "Level: peak"), ("off", "Level: as is"))
DEFAULT_DEVICE = "Default output"
NOTHING_SELECTED = ("No sample selected", "Space plays · Esc stops · ↑↓ browse")


class SampleWaveform(WaveformView):
    """The selected sample's waveform: a click plays it, a drag takes the file to the DAW."""

    clicked = Signal()

    def __init__(self) -> None:
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
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(6)
        layout = QHBoxLayout()
        layout.setSpacing(12)
        outer.addLayout(layout)
        self.notice = QLabel()  # why there is no sound and what to do, whole (it wraps)
        self.notice.setObjectName("BannerText")
        self.notice.setWordWrap(True)
        self.notice.hide()
        outer.addWidget(self.notice)

        info = QVBoxLayout()
        info.setSpacing(2)
        self.name = ElidedLabel(NOTHING_SELECTED[0], mode=Qt.TextElideMode.ElideMiddle)
        self.name.setObjectName("QueryTitle")
        self.name.setMaximumWidth(240)  # long names are shortened, not widening the window
        info.addWidget(self.name)
        self.detail = ElidedLabel(NOTHING_SELECTED[1])
        self.detail.setObjectName("Muted")
        self.detail.setMaximumWidth(240)
        info.addWidget(self.detail)
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
        self.context = ContextBar()  # in context: the toggle (C) and the bounce's tempo
        layout.addWidget(self.context)
        self.waveform = SampleWaveform()
        self.waveform.setFixedHeight(54)
        self.waveform.setMinimumWidth(60)
        # The room the name and the controls leave: in a narrow window the name keeps its width first.
        self.waveform.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
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
        self.device.setMinimumContentsLength(8)  # longer names are shortened in a narrow window
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
        audition.started.connect(lambda _: self.play_button.setText("■"))  # a sample (not the bounce)
        audition.stopped.connect(lambda: self.play_button.setText("▶"))
        audition.position.connect(self.waveform.set_playhead)
        audition.stopped.connect(lambda: self.waveform.set_playhead(None))
        self._tips = {w: w.toolTip() for w in self._audio_controls()}
        self.waveform.clicked.connect(self._play_shown)
        self.show_availability()
        audition.outputChanged.connect(self.fill_devices)
        audition.availabilityChanged.connect(self.show_availability)

    def _play_shown(self) -> None:
        if self.waveform.path is not None:  # a click needs one (SampleWaveform)
            self.audition.play(self.waveform.path)

    def _audio_controls(self) -> tuple[QWidget, ...]:
        return self.play_button, self.volume, self.auto_play, self.loudness, self.device

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

    def show_availability(self) -> None:
        """Without audio output the controls stay visible but say why they are off, and the notice says it
        in full. An output that failed keeps its controls: another device may work, or the same one again."""
        audition = self.audition
        usable = audition.output.available
        for w in self._audio_controls():
            w.setEnabled(usable)
            w.setToolTip(self._tips[w] if usable else audition.reason)
        self.notice.setText(f"⚠  {audition.reason}")
        self.notice.setToolTip(audition.detail)
        self.notice.setVisible(not audition.available)

    def show_sample(self, path: str, samples: np.ndarray, rate: int) -> None:
        self.more_button.setEnabled(True)
        self.name.setText(Path(path).name)
        self.name.setToolTip(path)
        self.detail.setText(format_duration(len(samples) / rate))
        self.waveform.set_audio(samples, rate)
        self.waveform.path = path

    def clear_sample(self) -> None:
        """Nothing selected (a filter hid the selected sample)."""
        self.more_button.setEnabled(False)
        self.name.setText(NOTHING_SELECTED[0])
        self.name.setToolTip("")
        self.detail.setText(NOTHING_SELECTED[1])
        self.waveform.clear_audio()
        self.waveform.path = None

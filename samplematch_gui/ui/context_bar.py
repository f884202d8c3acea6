"""The in-context controls in the preview bar: the toggle (and its key, C), which says while on whether the
sample plays on the bounce's hits or on the beat grid, and the bounce's tempo (correctable). Narrow, so that the
preview bar still fits an 800-px window."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QPushButton, QWidget

from samplematch_gui.ui import theme

TEMPO_RANGE = (40.0, 300.0)
TEXTS = {"": "♫ In song", "loading": "♫ …", "hits": "♫ On hits", "grid": "♫ On grid"}
STATUS_TIPS = {"": "", "loading": "Listening to the bounce (once per bounce)…",
               "hits": "Now: the sample plays on the bounce's own hits of its kind.",
               "grid": "Now: the region has too few hits of the sample's kind, so it plays on a beat grid at the "
                       "tempo beside."}
TOGGLE_TIP = ("Play the selected sample inside the bounce: the region loops and the sample plays on the hits "
              "of its kind (kicks on the kicks, hats on the hats...); ↑↓ swap it on the next hit (C)")
TEMPO_TIP = ("The bounce's tempo in beats a minute (BPM), as measured. Where the region has no hits of the "
             "sample's kind (a bounce without drums) it plays on a beat grid at this tempo: correct it and the grid "
             "follows")
STYLE = ("QPushButton { padding: 5px 8px; }"
         f"QPushButton:checked {{ background: {theme.SELECTION}; border-color: {theme.ACCENT}; "
         f"color: {theme.ACCENT}; }}"
         f"QDoubleSpinBox {{ background: {theme.RAISED}; border: 1px solid {theme.BORDER}; border-radius: 6px; "
         "padding: 4px 4px; }"
         # no arrow buttons (typed, or the wheel / ↑↓ on it): with a style sheet, NoButtons squeezes its text away
         "QDoubleSpinBox::up-button, QDoubleSpinBox::down-button { width: 0px; border: none; }"
         f"QDoubleSpinBox:disabled {{ color: {theme.FAINT}; }}")


class ContextBar(QWidget):
    toggleRequested = Signal()
    tempoChanged = Signal(float)  # BPM, set by the user

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.toggle = QPushButton(TEXTS[""])
        self.toggle.setCheckable(True)
        self.toggle.setToolTip(TOGGLE_TIP)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves Space and the arrows on the list
        self.toggle.setMinimumWidth(max(self.toggle.fontMetrics().horizontalAdvance(t) for t in TEXTS.values()) + 20)
        self.toggle.clicked.connect(self._clicked)
        layout.addWidget(self.toggle)
        self.tempo = QDoubleSpinBox()
        self.tempo.setRange(TEMPO_RANGE[0] - 1, TEMPO_RANGE[1])  # the minimum reads "♩=–": not measured yet
        self.tempo.setSpecialValueText("♩=–")
        self.tempo.setDecimals(1)
        self.tempo.setSingleStep(0.5)
        self.tempo.setPrefix("♩=")  # a metronome mark: beats (BPM) a minute
        self.tempo.setKeyboardTracking(False)  # typing "96" is one change, not "9" then "96"
        self.tempo.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.tempo.setFixedWidth(self.tempo.fontMetrics().horizontalAdvance("♩=300.0") + 14)
        self.tempo.setToolTip(TEMPO_TIP)
        self.tempo.setValue(self.tempo.minimum())
        self.tempo.setEnabled(False)
        self.tempo.valueChanged.connect(self._tempo_changed)
        self.tempo.hide()  # shown while playing in context, where it sets the grid: the bar fits narrow windows
        layout.addWidget(self.tempo)
        self.status = ""  # "", "loading", "hits" or "grid"
        QShortcut(QKeySequence("C"), self, self.toggleRequested.emit, context=Qt.ShortcutContext.WindowShortcut)

    def _tempo_changed(self, bpm: float) -> None:
        if bpm >= TEMPO_RANGE[0]:
            self.tempoChanged.emit(bpm)

    def _clicked(self) -> None:
        self.toggle.setChecked(not self.toggle.isChecked())  # the controller says whether it is on
        self.toggleRequested.emit()

    def set_active(self, on: bool, status: str = "") -> None:
        """status: "loading", "hits" or "grid" while on."""
        self.status = status if on else ""
        self.toggle.setChecked(on)
        self.tempo.setVisible(on)
        self.toggle.setText(TEXTS[self.status])
        self.toggle.setToolTip(" ".join(t for t in (TOGGLE_TIP, STATUS_TIPS[self.status]) if t))

    def set_tempo(self, bpm: float | None) -> None:
        """The tempo shown (None: no bounce analysed yet)."""
        self.tempo.blockSignals(True)
        self.tempo.setValue(self.tempo.minimum() if bpm is None else max(TEMPO_RANGE[0], bpm))
        self.tempo.blockSignals(False)
        self.tempo.setEnabled(bpm is not None)

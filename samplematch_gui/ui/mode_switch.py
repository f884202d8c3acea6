"""The question the bounce asks: "Fits this track" or "Sounds like its drums" (two exclusive buttons)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton, QWidget

# Short labels keep the query header usable at 800 px; the tooltip gives the whole name.
MODES = {"fit": ("Fits", "Fits this track: samples that fit the music of the bounce (its own drums are not what "
                         "they are compared with)"),
         "like": ("Sounds like", "Sounds like its drums: samples that sound like the drum hits heard in the bounce "
                                 "(or the region); pick a category chip to look for one drum; with several, the "
                                 "rows of each are interleaved by score")}
UNAVAILABLE = ("Sounds like its drums: the model in use cannot answer 'sounds like' queries (its folder has no hit "
               "matching)")


class ModeSwitch(QWidget):
    modeChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QPushButton] = {}
        for mode, (label, tip) in MODES.items():
            button = QPushButton(label)
            button.setObjectName("ModeButton")
            button.setCheckable(True)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, m=mode: self.modeChanged.emit(m))
            self.group.addButton(button)
            layout.addWidget(button)
            self.buttons[mode] = button
        self.buttons["fit"].setChecked(True)

    def mode(self) -> str:
        return next(m for m, b in self.buttons.items() if b.isChecked())

    def set_mode(self, mode: str) -> None:
        """Show the session's mode (no modeChanged)."""
        self.buttons[mode].setChecked(True)

    def set_available(self, modes: tuple[str, ...]) -> None:
        """The modes the loaded model answers; the others are disabled and say why. With "fit" alone there is
        nothing to choose: the query panel leaves the switch out (the header keeps its room at 800 px)."""
        for mode, button in self.buttons.items():
            button.setEnabled(mode in modes)
            button.setToolTip(MODES[mode][1] if mode in modes else UNAVAILABLE)

    def has_choice(self) -> bool:
        return all(b.isEnabled() for b in self.buttons.values())

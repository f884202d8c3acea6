"""First run: the three steps, and a demo library for those who want to see it work first."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

STEPS = (
    ("Add your sample folders", "Drop folders on this window, or use Add folder. SampleMatch reads "
     "your one-shots once and never moves, renames or deletes them."),
    ("Drop a bounce of your track", "A rough mix in WAV, AIFF, FLAC, OGG or MP3. Every drum sample "
     "in your library is ranked by how well it fits the music."),
    ("Drag a sample into your DAW", "Audition with Space and the arrow keys, filter by kick, "
     "snare, hi-hat…, then drag the rows you like straight onto a track."),
)


class EmptyState(QWidget):
    addFolderRequested = Signal()
    demoRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        column = QVBoxLayout()
        column.setSpacing(22)
        headline = QLabel("Find the drum sample that fits your track")
        headline.setObjectName("Headline")
        headline.setWordWrap(True)
        column.addWidget(headline)
        lead = QLabel("SampleMatch listens to your unfinished song and ranks the drums in your own "
                      "library by how well they fit it.")
        lead.setObjectName("Muted")
        lead.setWordWrap(True)
        column.addWidget(lead)
        for number, (title, text) in enumerate(STEPS, start=1):
            column.addWidget(self._step(number, title, text))
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add sample folder…")
        self.add_button.setObjectName("Primary")
        self.add_button.clicked.connect(self.addFolderRequested.emit)
        buttons.addWidget(self.add_button)
        self.demo_button = QPushButton("Try it with a demo library")
        self.demo_button.setToolTip("Builds a small drum library and a demo bounce in the app's "
                                    "own data folder, then ranks it (about a minute)")
        self.demo_button.clicked.connect(self.demoRequested.emit)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        column.addSpacing(6)
        column.addLayout(buttons)
        self.note = QLabel()
        self.note.setObjectName("Muted")
        column.addWidget(self.note)
        row = QHBoxLayout()
        row.addStretch(1)
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(700)
        row.addWidget(holder, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(3)

    @staticmethod
    def _step(number: int, title: str, text: str) -> QFrame:
        frame = QFrame()
        layout = QHBoxLayout(frame)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(16)
        badge = QLabel(str(number))
        badge.setObjectName("StepNumber")
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        words.setSpacing(3)
        heading = QLabel(title)
        heading.setObjectName("StepTitle")
        words.addWidget(heading)
        body = QLabel(text)
        body.setObjectName("Muted")
        body.setWordWrap(True)
        words.addWidget(body)
        layout.addLayout(words, 1)
        return frame

    def set_building_demo(self, building: bool) -> None:
        self.demo_button.setEnabled(not building)
        self.note.setText("Building the demo library…" if building else "")

"""The pieces every card of the window starts with: its frame's look and the badge that names it."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout


def card_layout(frame: QFrame, margins: tuple[int, int, int, int], spacing: int) -> QVBoxLayout:
    """Style frame as a card and give it a vertical layout."""
    frame.setObjectName("Card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    return layout


def badge(text: str, tooltip: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("Badge")
    label.setToolTip(tooltip)
    return label

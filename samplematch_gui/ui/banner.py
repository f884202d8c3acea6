"""A banner across the top of the window for a missing model (the app still opens)."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from samplematch_gui.ui import theme


class Banner(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 10)
        self.text = QLabel()
        self.text.setObjectName("BannerText")
        self.text.setWordWrap(True)
        layout.addWidget(self.text, 1)
        self.command = QLabel()
        self.command.setFont(theme.mono_font())
        self.command.setStyleSheet(f"background: {theme.BG}; padding: 4px 8px; border-radius: 4px;")
        layout.addWidget(self.command)
        self.copy_button = QPushButton("Copy command")
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.command.text()))
        layout.addWidget(self.copy_button)
        self.hide()

    def show_message(self, message: str, command: str = "") -> None:
        self.text.setText(message)
        self.command.setText(command)
        self.command.setVisible(bool(command))
        self.copy_button.setVisible(bool(command))
        self.show()

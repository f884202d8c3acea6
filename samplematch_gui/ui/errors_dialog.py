"""The list of files a scan could not read (never blocking: the scan goes on without them)."""
from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)


class ErrorsDialog(QDialog):
    def __init__(self, problems: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Files that could not be read")
        self.resize(820, 420)
        self.problems = problems
        layout = QVBoxLayout(self)
        intro = QLabel(f"{len(problems):,} files were skipped. The rest of your library is "
                       "indexed; fix or remove these files and rescan to include them.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(problems), 2)
        self.table.setHorizontalHeaderLabels(["FILE", "PROBLEM"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        for i, (path, message) in enumerate(problems):
            item = QTableWidgetItem(path)
            item.setToolTip(path)
            self.table.setItem(i, 0, item)
            self.table.setItem(i, 1, QTableWidgetItem(message))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 440)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy list")
        copy.clicked.connect(self.copy)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        return "\n".join(f"{path}\t{message}" for path, message in self.problems)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())

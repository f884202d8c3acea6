"""The sidebar: sample folders, scan progress with cancel, library size and errors."""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from samplematch_gui.result_table import display_folder
from samplematch_gui.scanner import ScanProgress, ScanSummary


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s left"
    return f"{seconds // 60} min {seconds % 60:02d} s left"


def section_title(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("SectionTitle")
    return label


class LibraryPanel(QFrame):
    addRequested = Signal()
    removeRequested = Signal(str)
    rescanRequested = Signal()
    cancelRequested = Signal()
    errorsRequested = Signal()
    bounceRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("Sidebar")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 16, 14, 12)
        layout.setSpacing(10)

        brand = QHBoxLayout()
        brand.setSpacing(0)
        for text, name in (("Sample", "Brand"), ("Match", "BrandAccent")):
            label = QLabel(text)
            label.setObjectName(name)
            brand.addWidget(label)
        brand.addStretch()
        layout.addLayout(brand)
        layout.addSpacing(6)

        layout.addWidget(section_title("Sample folders"))
        self.folder_list = QListWidget()
        self.folder_list.setTextElideMode(Qt.TextElideMode.ElideLeft)
        self.folder_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.folder_list.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.folder_list, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.add_button = self._button("+ Add", "Add a sample folder… (or drop folders on the "
                                       "window)", self.addRequested.emit)
        self.rescan_button = self._button("Rescan", "Look for new or changed samples (F5)",
                                          self.rescanRequested.emit)
        self.remove_button = self._button("Remove", "Remove the selected folder from the library "
                                          "(its files are not touched)", self._remove_selected)
        for b in (self.add_button, self.rescan_button, self.remove_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)

        layout.addSpacing(6)
        layout.addWidget(section_title("Recent bounces"))
        self.recent_list = QListWidget()
        self.recent_list.setToolTip("Click to rank your library by this bounce again")
        self.recent_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.recent_list.itemClicked.connect(
            lambda item: self.bounceRequested.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.recent_list, 1)

        self.scan_box = QWidget()
        scan = QVBoxLayout(self.scan_box)
        scan.setContentsMargins(0, 0, 0, 0)
        scan.setSpacing(4)
        row = QHBoxLayout()
        self.scan_title = QLabel("Scanning…")
        row.addWidget(self.scan_title, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop scanning; indexed samples are kept and the next scan "
                                      "resumes")
        self.cancel_button.clicked.connect(self.cancelRequested.emit)
        row.addWidget(self.cancel_button)
        scan.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        scan.addWidget(self.progress)
        self.scan_detail = QLabel()
        self.scan_detail.setObjectName("Muted")
        scan.addWidget(self.scan_detail)
        self.scan_box.hide()
        layout.addWidget(self.scan_box)

        footer = QHBoxLayout()
        self.stats = QLabel()
        self.stats.setObjectName("Muted")
        footer.addWidget(self.stats, 1)
        self.errors_button = QPushButton()
        self.errors_button.setToolTip("Files that could not be read")
        self.errors_button.clicked.connect(self.errorsRequested.emit)
        self.errors_button.hide()
        footer.addWidget(self.errors_button)
        layout.addLayout(footer)
        self._has_folders = False
        self._update_buttons()

    @staticmethod
    def _button(text: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # folders ------------------------------------------------------------------------------
    def set_folders(self, folders: list[str], counts: dict[str, int] | None = None) -> None:
        self._has_folders = bool(folders)
        self.folder_list.clear()
        for folder in folders:
            name = os.path.basename(folder.rstrip(os.sep)) or folder
            count = "" if counts is None else f"  ·  {counts.get(folder, 0):,}"
            item = QListWidgetItem(f"{name}{count}\n{display_folder(os.path.dirname(folder))}")
            item.setData(Qt.ItemDataRole.UserRole, folder)
            item.setToolTip(folder if os.path.isdir(folder)
                            else f"{folder}\nNot found: kept until the drive returns")
            self.folder_list.addItem(item)
        if not folders:
            self._placeholder(self.folder_list, "No folders yet")
        self._update_buttons()

    @staticmethod
    def _placeholder(view: QListWidget, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        view.addItem(item)

    def set_recent(self, paths: list[str]) -> None:
        self.recent_list.clear()
        for path in paths:
            item = QListWidgetItem(os.path.basename(path))
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            if not os.path.isfile(path):
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setToolTip(f"{path}\nNot found")
            self.recent_list.addItem(item)
        if not paths:
            self._placeholder(self.recent_list, "None yet")

    def selected_folder(self) -> str | None:
        items = self.folder_list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _remove_selected(self) -> None:
        folder = self.selected_folder()
        if folder:
            self.removeRequested.emit(folder)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self.selected_folder() is not None)
        self.rescan_button.setEnabled(self._has_folders)

    # scanning -----------------------------------------------------------------------------
    def scan_started(self) -> None:
        self.scan_title.setText("Scanning…")
        self.progress.setRange(0, 0)  # busy until the first batch reports
        self.scan_detail.setText("Looking for new or changed samples")
        self.cancel_button.setEnabled(True)
        self.scan_box.show()

    def scan_progress(self, p: ScanProgress) -> None:
        self.progress.setRange(0, max(1, p.total))
        self.progress.setValue(p.done)
        self.scan_title.setText(f"Scanning {p.done:,} / {p.total:,}")
        name = os.path.basename(p.current)
        self.scan_detail.setText(f"{format_eta(p.eta)} · {name}")
        self.scan_detail.setToolTip(p.current)

    def scan_cancelling(self) -> None:
        self.scan_title.setText("Stopping…")
        self.cancel_button.setEnabled(False)

    def scan_finished(self, summary: ScanSummary | None) -> None:
        self.scan_box.hide()

    def set_stats(self, samples: int, errors: int) -> None:
        self.stats.setText(f"{samples:,} samples indexed")
        self.errors_button.setText(f"⚠ {errors:,}")
        self.errors_button.setToolTip(f"{errors:,} files could not be read: show them")
        self.errors_button.setVisible(errors > 0)

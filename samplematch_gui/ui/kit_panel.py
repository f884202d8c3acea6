"""The suggested kit: one row per slot (lock, choice and its four alternatives, play), the whole kit dragged out
as one multi-file drag or copied to a folder. The suggesting and the copying run off the GUI thread
(samplematch_gui.kit_suggest, kit_export); the kit follows the bounce's ranking as it changes."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QWidget,
)

from samplematch_gui.kit_export import CopyReport, copy_kit, kit_files
from samplematch_gui.kit_suggest import SLOTS, Candidate, Kit, Slot, kit_job
from samplematch_gui.query_session import Ranking
from samplematch_gui.ui.card import badge, card_layout
from samplematch_gui.ui.elided_label import ElidedLabel
from samplematch_gui.ui.sample_drag import sample_mime, start_sample_drag
from samplematch_gui.ui.search_controller import SearchController
from samplematch_gui.ui.workers import TaskRunner

NEEDS_BOUNCE = "Drop a bounce: the kit is chosen to fit it"
NEEDS_BOUNCE_QUERY = "Back to the bounce (Ctrl+B) to suggest a kit for it"
PREFERRED_WIDTH = 430
LOCKED, UNLOCKED = "Locked", "Lock"  # words: an emoji padlock needs a font many Linux desktops lack


def _candidate_text(c: Candidate) -> str:
    return f"{c.fit:.0f} · {Path(c.path).name}"  # the fit first: a long name is cut, not the fit


class KitDragHandle(QLabel):
    """Drag it to take the whole kit, every file in one drag."""

    def __init__(self, paths: Callable[[], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self._paths = paths
        self._pressed_at: QPoint | None = None
        self.setObjectName("DropHint")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumHeight(34)
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setToolTip("Drag the whole kit into your DAW or a folder (copies; your files are never moved)")

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._paths():
            self._pressed_at = event.position().toPoint()
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        if self._pressed_at is None:
            return
        if (event.position().toPoint() - self._pressed_at).manhattanLength() >= QApplication.startDragDistance():
            self._pressed_at = None
            start_sample_drag(self, self._paths())

    def mouseReleaseEvent(self, event) -> None:
        self._pressed_at = None


class SlotRow:
    """One slot's widgets in the panel's grid."""

    def __init__(self, slot: Slot, grid: QGridLayout, row: int):
        self.slot = slot
        self.include = QCheckBox(slot.label)
        self.include.setChecked(True)
        self.include.setEnabled(slot.optional)
        self.include.setToolTip("In the kit" if slot.optional else "Every kit has one")
        self.lock = QToolButton()
        self.lock.setObjectName("Chip")  # lit when checked
        self.lock.setCheckable(True)
        self.lock.setText(UNLOCKED)
        self.lock.setToolTip("Lock this piece: Suggest keeps it and chooses the rest around it")
        self.lock.toggled.connect(lambda on: self.lock.setText(LOCKED if on else UNLOCKED))
        self.choice = QComboBox()
        self.choice.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.choice.setMinimumContentsLength(8)  # the fit and the start of the name; the dock may be narrow
        self.play = QToolButton()
        self.play.setObjectName("Flat")
        self.play.setText("▶")
        self.play.setToolTip("Play this piece")
        for k, w in enumerate((self.lock, self.include, self.choice, self.play)):
            grid.addWidget(w, row, k)
        self.candidates: list[Candidate] = []

    def path(self) -> str | None:
        i = self.choice.currentIndex()
        return self.candidates[i].path if 0 <= i < len(self.candidates) else None

    def fill(self, choice: Candidate | None, alternatives: tuple[Candidate, ...], locked: bool) -> None:
        self.choice.blockSignals(True)
        self.choice.clear()
        self.candidates = [] if choice is None else [choice, *alternatives]
        for c in self.candidates:
            self.choice.addItem(_candidate_text(c))
            self.choice.setItemData(self.choice.count() - 1,
                                    f"{c.path}\nfit {c.fit:.1f}, coherence with the kit {c.coherence:.1f}",
                                    Qt.ItemDataRole.ToolTipRole)
        if choice is None:
            self.choice.addItem("none in your library" if self.include.isChecked() else "not in the kit")
        self.choice.setEnabled(choice is not None)
        self.choice.setToolTip(self.choice.itemData(0, Qt.ItemDataRole.ToolTipRole) or "")
        self.choice.blockSignals(False)
        self.lock.blockSignals(True)
        self.lock.setChecked(locked)
        self.lock.setText(LOCKED if locked else UNLOCKED)
        self.lock.blockSignals(False)
        self.lock.setEnabled(choice is not None)
        self.play.setEnabled(choice is not None)


class KitPanel(QFrame):
    playRequested = Signal(str)
    message = Signal(str)  # for the status bar

    def __init__(self, search: SearchController, sample_folders: Callable[[], list[str]],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.search = search
        self._sample_folders = sample_folders
        self._suggester = TaskRunner(self)
        self._copier = TaskRunner(self)
        self.kit: Kit | None = None
        self.busy = False  # a suggestion is being made
        outer = card_layout(self, (12, 10, 12, 12), 8)
        top = QHBoxLayout()
        top.addWidget(badge("KIT"))
        self.summary = ElidedLabel(NEEDS_BOUNCE)
        self.summary.setObjectName("Muted")
        top.addWidget(self.summary, 1)
        outer.addLayout(top)
        self.suggest_button = QPushButton("Suggest a kit")
        self.suggest_button.setObjectName("Primary")
        self.suggest_button.setToolTip("The best kick, snare, hats... for the bounce that also go together; "
                                       "locked pieces are kept (Ctrl+K)")
        self.suggest_button.clicked.connect(self.suggest)
        outer.addWidget(self.suggest_button)
        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setColumnStretch(2, 1)
        self.rows = {s.name: SlotRow(s, grid, k) for k, s in enumerate(SLOTS)}
        for row in self.rows.values():
            row.include.toggled.connect(self.suggest)
            row.choice.activated.connect(lambda _, r=row: self._chose(r))
            row.play.clicked.connect(lambda _=False, r=row: self._play(r))
        outer.addLayout(grid)
        self.drag_handle = KitDragHandle(self.paths)
        outer.addWidget(self.drag_handle)
        self.copy_button = QPushButton("Copy kit to folder…")
        self.copy_button.setToolTip("Copies the kit's files into a folder you choose (never moves, never "
                                    "replaces a file)")
        self.copy_button.clicked.connect(self.choose_folder)
        outer.addWidget(self.copy_button)
        self.problems = QLabel()
        self.problems.setObjectName("BannerText")
        self.problems.setWordWrap(True)
        self.problems.hide()
        outer.addWidget(self.problems)
        outer.addStretch(1)
        self._show_kit(None)

    def sizeHint(self) -> QSize:
        """Room for the pieces' names when the dock opens (it may be made narrower)."""
        hint = super().sizeHint()
        return QSize(max(hint.width(), PREFERRED_WIDTH), hint.height())

    # the kit --------------------------------------------------------------------------------
    def paths(self) -> list[str]:
        """The kit's files as shown, in slot order."""
        return [p for r in self.rows.values() if r.include.isChecked() and (p := r.path())]

    def mime(self) -> QMimeData:
        return sample_mime(self.paths())

    def locks(self) -> dict[str, str]:
        return {name: p for name, r in self.rows.items() if r.lock.isChecked() and (p := r.path())}

    def suggest(self) -> None:
        """Suggest the kit for the bounce's ranking, keeping the locked pieces."""
        ranking = self.search.session.ranking
        problem = self._problem(ranking)
        if problem is not None:
            self._suggester.next_generation()
            self.busy = False
            self.summary.setText(problem)
            return
        assert ranking is not None  # _problem says so
        slots = [name for name, r in self.rows.items() if r.include.isChecked()]
        self._suggester.cancel_all()
        self._suggester.run(kit_job(ranking, self.locks(), slots), self._suggested, self._failed, done=self._done)
        self.busy = True
        self.summary.setText("Choosing a kit…")

    def ranking_changed(self, ranking: Ranking) -> None:
        """New results: a kit on show is suggested again for them."""
        if self.kit is not None and self.isVisible():
            self.suggest()

    @staticmethod
    def _problem(ranking: Ranking | None) -> str | None:
        if ranking is None or ranking.query is None:
            return NEEDS_BOUNCE
        if ranking.query.kind != "bounce":
            return NEEDS_BOUNCE_QUERY
        return ranking.problem if not ranking.scored else None

    def _suggested(self, generation: int, kit: Kit) -> None:
        if generation == self._suggester.generation:
            self._show_kit(kit)

    def _failed(self, generation: int, message: str) -> None:
        if generation == self._suggester.generation:
            self.summary.setText(f"No kit: {message}")

    def _done(self, generation: int) -> None:
        if generation == self._suggester.generation:
            self.busy = False

    def _show_kit(self, kit: Kit | None) -> None:
        self.kit = kit
        picks = {} if kit is None else {p.slot.name: p for p in kit.picks}
        for name, row in self.rows.items():
            pick = picks.get(name)
            row.fill(None if pick is None else pick.choice, () if pick is None else pick.alternatives,
                     pick is not None and pick.locked)
        if kit is not None:
            self.summary.setText(f"Fit {kit.fit:.0f} · coherence {kit.coherence:.0f}")
            self.summary.setToolTip("Fit: the pieces' mean fit to the bounce (percentile in your library). "
                                    "Coherence: how close the pieces sound to each other (key similarity, as a "
                                    "percentile among the candidates' pairs)")
        self._update_actions()

    def _chose(self, row: SlotRow) -> None:
        """An alternative picked: it is locked in its slot, and the rest are chosen around it."""
        row.lock.setChecked(True)
        self.suggest()

    def _play(self, row: SlotRow) -> None:
        path = row.path()
        if path:
            self.playRequested.emit(path)

    def _update_actions(self) -> None:
        count = len(self.paths())
        self.drag_handle.setText(f"⇲  Drag the kit ({count} files)" if count else "No kit yet")
        self.drag_handle.setEnabled(bool(count))
        self.copy_button.setEnabled(bool(count))

    # copying --------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Copy the kit into a folder")
        if folder:
            self.copy_to(folder)

    def copy_to(self, folder: str) -> None:
        """Copy the kit as shown into folder (off the GUI thread); the report comes back as messages."""
        pieces = [(r.slot, p) for r in self.rows.values() if r.include.isChecked() and (p := r.path())]
        if pieces:
            files, folders = kit_files(pieces), self._sample_folders()
            self._copier.run(lambda cancel, report: copy_kit(files, folder, folders), self._copied,
                             self._copy_failed)

    def _copied(self, generation: int, report: CopyReport) -> None:
        self.problems.setText("\n".join(report.problems))
        self.problems.setVisible(bool(report.problems))
        where = Path(report.copied[0]).parent if report.copied else None
        said = f"Copied {len(report.copied)} file(s) to {where}" if where else "Nothing copied"
        if report.problems:
            said += f"; {len(report.problems)} not copied (see the kit panel)"
        self.message.emit(said)

    def _copy_failed(self, generation: int, message: str) -> None:
        self.message.emit(f"Cannot copy the kit: {message}")

    def wait(self, msecs: int = 5000) -> bool:
        return self._suggester.wait(msecs) and self._copier.wait(msecs)

    def shutdown(self) -> None:
        self._suggester.cancel_all()
        self._copier.cancel_all()

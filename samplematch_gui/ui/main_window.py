"""The main window: composes the panels and wires them to the library, search and audition."""
from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from model.audio import AUDIO_EXTENSIONS, AudioError
from samplematch_gui.audition import PREVIEW_RATE, AudioOutput, load_preview
from samplematch_gui.demo import DemoLibrary, build_demo
from samplematch_gui.engine import BUILD_COMMAND
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.query_session import QuerySession
from samplematch_gui.scanner import ScanSummary
from samplematch_gui.ui.audition_controller import AuditionController
from samplematch_gui.ui.banner import Banner
from samplematch_gui.ui.bounce_controller import BounceController
from samplematch_gui.ui.context_controller import ContextController
from samplematch_gui.ui.drops import DropTarget
from samplematch_gui.ui.empty_state import EmptyState
from samplematch_gui.ui.errors_dialog import ErrorsDialog
from samplematch_gui.ui.filter_bar import FilterBar
from samplematch_gui.ui.kit_panel import KitPanel
from samplematch_gui.ui.library_controller import LibraryController
from samplematch_gui.ui.library_panel import LibraryPanel
from samplematch_gui.ui.map_controller import MapController
from samplematch_gui.ui.map_view import LibraryMapView
from samplematch_gui.ui.menus import build_menus
from samplematch_gui.ui.preview_bar import PreviewBar
from samplematch_gui.ui.query_panel import QueryPanel
from samplematch_gui.ui.results_model import CategoryRole, PathRole, ResultsModel
from samplematch_gui.ui.results_pages import ResultsPages
from samplematch_gui.ui.results_view import ResultsView
from samplematch_gui.ui.reveal import reveal
from samplematch_gui.ui.search_controller import SearchController
from samplematch_gui.ui.settings import AppSettings
from samplematch_gui.ui.sidebar_splitter import SidebarSplitter
from samplematch_gui.ui.theme import CATEGORY_LABELS, category_colour
from samplematch_gui.ui.why_panel import WhyPanel
from samplematch_gui.ui.workers import TaskRunner

AUDIO_FILTER = "Audio ({})".format(" ".join(f"*{e}" for e in sorted(AUDIO_EXTENSIONS)))


class MainWindow(QMainWindow):
    def __init__(self, settings: AppSettings, db_path: str | Path, audio: AudioOutput,
                 parent: QWidget | None = None,
                 reopen_audio: Callable[[], AudioOutput] | None = None):
        super().__init__(parent)
        self.setWindowTitle("SampleMatch")
        self.resize(1360, 840)
        self.settings = settings
        self.db = LibraryDB(db_path)
        self.library = LibraryController(self.db, settings, self)
        self.search = SearchController(QuerySession(db_path), self)
        self.audition = AuditionController(audio, settings, self, reopen_audio)
        self._jobs = TaskRunner(self)
        self._closed = False
        self._folders_shown: tuple | None = None
        self._reselect_later: str | None = None  # selected when the results were cleared for a new query
        self._build_widgets()
        self.drops = DropTarget(self)
        self._build_menus()
        self._wire()
        self._restore()
        self._folders_changed(self.library.folders())
        self.library_panel.set_recent(self.settings.recent_bounces)
        self._update_stats()
        self._update_page()
        self.search.reload_index()
        self._restore_last_bounce()

    # construction -------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.recent_menu = QMenu("Open Recent", self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.banner = Banner()
        self.library_panel = LibraryPanel()
        self.empty_state = EmptyState()
        self.query_panel = QueryPanel()
        self.filter_bar = FilterBar()
        self.model = ResultsModel(self.search.correct_categories, self)
        self.table = ResultsView()
        self.table.setModel(self.model)
        self.preview = PreviewBar(self.audition)
        self.why_panel = WhyPanel(self.search)  # the selected sample's score in words

        results = QWidget()
        box = QVBoxLayout(results)
        box.setContentsMargins(0, 4, 0, 0)
        box.setSpacing(8)
        box.addWidget(self.filter_bar)
        self.results_pages = ResultsPages(self.table, LibraryMapView())  # the results as a list or a map
        box.addWidget(self.results_pages, 1)
        self.workspace_splitter = QSplitter(Qt.Orientation.Vertical)
        self.workspace_splitter.addWidget(self.query_panel)
        self.workspace_splitter.addWidget(results)
        self.workspace_splitter.addWidget(self.why_panel)  # keeps its height; the results take what is left
        # A short window (973x450 beside a DAW) squeezes the explanation rather than refuse the height.
        self.why_panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.workspace_splitter.setStretchFactor(1, 1)
        self.workspace_splitter.setSizes([190, 600, self.why_panel.sizeHint().height()])
        self.workspace_splitter.setChildrenCollapsible(False)
        workspace = QWidget()
        ws = QVBoxLayout(workspace)
        ws.setContentsMargins(14, 12, 14, 12)
        ws.setSpacing(10)
        ws.addWidget(self.workspace_splitter, 1)
        ws.addWidget(self.preview)

        self.pages = QStackedWidget()
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(workspace)
        self.workspace = workspace
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        banner_holder = QWidget()
        bl = QVBoxLayout(banner_holder)
        bl.setContentsMargins(14, 12, 14, 0)
        bl.addWidget(self.banner)
        rl.addWidget(banner_holder)
        self._banner_holder = banner_holder
        banner_holder.hide()
        rl.addWidget(self.pages, 1)

        self.main_splitter = SidebarSplitter(self.library_panel, right)
        self.main_splitter.setSizes([270, 1090])
        self.main_splitter.setHandleWidth(1)
        self.setCentralWidget(self.main_splitter)

        self.sidebar_button = QToolButton()  # while the sidebar is hidden, the way back to it
        self.sidebar_button.setObjectName("Flat")
        self.sidebar_button.setText("☰ Library")
        self.sidebar_button.setToolTip("Show the sample folders and recent bounces (F9)")
        self.sidebar_button.clicked.connect(lambda: self.show_sidebar(True))
        self.sidebar_button.hide()
        self.statusBar().addPermanentWidget(self.sidebar_button)
        self._build_kit_dock()
        self.audition_label = QLabel()
        self.statusBar().addPermanentWidget(self.audition_label)
        self._show_audition_state()
        self._leave_keys_to_the_list()

    def _build_kit_dock(self) -> None:
        """The kit panel docks on the right, hidden until a kit is asked for (Ctrl+K or the status bar's button)."""
        self.kit_panel = KitPanel(self.search, self.library.folders)
        self.kit_dock = QDockWidget("Suggested kit", self)
        self.kit_dock.setObjectName("KitDock")
        self.kit_dock.setWidget(self.kit_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.kit_dock)
        self.kit_dock.hide()
        self.kit_button = QToolButton()
        self.kit_button.setObjectName("Flat")
        self.kit_button.setText("Suggest a kit")
        self.kit_button.setToolTip("A whole kit for the bounce: kick, snare, hats... that fit it and go together "
                                   "(Ctrl+K)")
        self.kit_button.clicked.connect(self.suggest_kit)
        self.statusBar().addPermanentWidget(self.kit_button)

    def suggest_kit(self) -> None:
        self.kit_dock.show()
        self.kit_dock.raise_()
        self.kit_panel.suggest()

    def _leave_keys_to_the_list(self) -> None:
        """A click on a button, slider or combo box does not take the keyboard: Space and the arrows stay
        with the results (Tab still reaches every control)."""
        for kind in (QAbstractButton, QAbstractSlider, QComboBox):
            for control in self.findChildren(kind):
                if control.focusPolicy() & Qt.FocusPolicy.ClickFocus:
                    control.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def _build_menus(self) -> None:
        self.auto_play_action, self.sidebar_action = build_menus(self)
        self.sidebar_action.setChecked(True)
        self.main_splitter.sidebarShown.connect(self._sidebar_shown)
        self.auto_play_action.setChecked(self.audition.auto_play)
        self.auto_play_action.toggled.connect(self.preview.auto_play.setChecked)
        self.preview.auto_play.toggled.connect(self.auto_play_action.setChecked)

    def _wire(self) -> None:
        lib, panel = self.library, self.library_panel
        panel.addRequested.connect(self.choose_folder)
        panel.removeRequested.connect(lib.remove_folder)
        panel.rescanRequested.connect(lib.rescan)
        panel.cancelRequested.connect(self.cancel_scan)
        panel.errorsRequested.connect(self.show_errors)
        panel.bounceRequested.connect(self.open_bounce)
        lib.foldersChanged.connect(self._folders_changed)
        lib.scanStarted.connect(panel.scan_started)
        lib.scanProgress.connect(panel.scan_progress)
        lib.scanFinished.connect(self._scan_finished)
        lib.scanFailed.connect(self._scan_failed)
        lib.libraryChanged.connect(self._library_changed)

        self.drops.hot.connect(self.query_panel.set_hot)
        self.drops.foldersDropped.connect(self.add_folders)
        self.drops.bounceDropped.connect(self.open_bounce)
        self.drops.ignored.connect(lambda n: self.statusBar().showMessage(
            f"Ignored {n} item(s) that are neither folders nor audio files", 6000))
        self.empty_state.addFolderRequested.connect(self.choose_folder)
        self.empty_state.demoRequested.connect(self.start_demo)

        s, q = self.search, self.query_panel
        q.openRequested.connect(self.choose_bounce)
        q.backToBounceRequested.connect(s.back_to_bounce)
        q.regionCommitted.connect(s.set_region)
        s.bounceLoaded.connect(self._bounce_loaded)
        s.bounceFailed.connect(self._bounce_failed)
        s.queryChanged.connect(self._query_changed)
        s.resultsReady.connect(self.show_results)
        s.resultsReady.connect(self.kit_panel.ranking_changed)
        s.resultsReady.connect(self.why_panel.ranking_changed)
        self.kit_panel.playRequested.connect(self.audition.play)
        self.kit_panel.message.connect(lambda m: self.statusBar().showMessage(m, 10000))
        q.excerptsChanged.connect(self._excerpts_changed)
        q.modeChanged.connect(self._mode_changed)
        s.busyChanged.connect(q.set_busy)
        s.failed.connect(lambda m: self.statusBar().showMessage(m, 8000))

        self.filter_bar.categoriesChanged.connect(self.model.set_categories)
        self.filter_bar.textChanged.connect(self.model.set_text)
        self.filter_bar.nonDrumsToggled.connect(self.search.set_include_non_drums)
        self.filter_bar.search.leave.connect(self._into_results)
        self.table.noticeLinkActivated.connect(self._clear_filters)
        s.busyChanged.connect(self._show_notice)
        self.model.filterChanged.connect(self._update_counts)
        self.model.filterChanged.connect(self._check_selection)
        self.model.modelReset.connect(self._update_counts)

        t = self.table
        t.playRequested.connect(self.audition.play)
        t.toggleRequested.connect(self.audition.toggle)
        t.rowClicked.connect(self._row_clicked)
        t.stopRequested.connect(self.audition.stop)
        t.currentPathChanged.connect(self.audition.select)
        t.moreLikeThisRequested.connect(s.more_like)
        t.revealRequested.connect(self._reveal)
        t.copyPathsRequested.connect(self._copy_paths)
        self.audition.failed.connect(
            lambda path, m: self.statusBar().showMessage(f"Cannot play {Path(path).name}: {m}",
                                                         8000))
        self.audition.selected.connect(self._tint_preview)
        self.audition.selected.connect(self.why_panel.show_sample)
        self.audition.outputChanged.connect(self._devices_rescanned)
        self.preview.play_button.clicked.connect(self._toggle_play)
        self.preview.more_button.clicked.connect(self.more_like_current)
        self.bounce_controller = BounceController(q, s, self.audition, self)  # plays the region, seeks
        self.context = ContextController(self.preview.context, s, self.audition, self.table.current_path, self)
        self.audition.contextPosition.connect(q.waveform.set_playhead)  # the loop's playhead
        self.preview.context.tempo.editingFinished.connect(self.table.setFocus)  # the arrows browse again
        self.context.message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.map = MapController(self.results_pages.map_view, t, self.model, self.audition, self.db.path, self)
        self.results_pages.mapShown.connect(self.map.set_active)
        self.statusBar().insertPermanentWidget(0, self.results_pages.toggle)  # List | Map, by the other view toggles
        self.audition.availabilityChanged.connect(self._show_audition_state)

    # settings -----------------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        for name, splitter in self._splitters().items():
            state = self.settings.splitter_state(name)
            if state is not None:
                splitter.restoreState(state)
        self._give_why_panel_room()
        columns = self.settings.splitter_state("columns")
        if columns is not None:
            self.table.restore_columns(columns)
        self.filter_bar.set_non_drums(self.settings.show_non_drums)
        self.filter_bar.set_categories(self.settings.categories)
        self.main_splitter.set_wanted(self.settings.sidebar)
        self.search.set_excerpts(self.settings.excerpts)
        self.query_panel.set_excerpts(self.settings.excerpts)

    def _give_why_panel_room(self) -> None:
        """A layout saved before the WHY card existed (two panes) restores it at its minimum, 1 px: it gets its own
        height from the results. (A QSplitter's state is a marker, a version, then its sizes: a count first.)"""
        state = self.settings.splitter_state("workspace")
        if state is None or int.from_bytes(bytes(state.data())[8:12], "big") != 2:
            return
        query, results, _ = self.workspace_splitter.sizes()
        height = self.why_panel.sizeHint().height()
        self.workspace_splitter.setSizes([query, max(1, results - height), height])

    def _restore_last_bounce(self) -> None:
        """Relaunched: the bounce and region of last time, ranked once the model is loaded; a bounce that has
        gone since is only mentioned."""
        last = self.settings.last_bounce
        if last is None:
            return
        path, region = last
        if not os.path.isfile(path):
            self.query_panel.show_missing_bounce(path)
            return
        self.open_bounce(path)
        if region is not None and self.search.bounce is not None:
            self.search.set_region(*region)

    def show_sidebar(self, shown: bool) -> None:
        """The user shows or hides the sidebar; shown in a window too narrow for it, the window widens."""
        splitter = self.main_splitter
        splitter.set_wanted(shown, insist=True)
        if shown and splitter.width() < splitter.width_for_both():
            self.resize(self.width() + splitter.width_for_both() - splitter.width(), self.height())
        self.settings.sidebar = shown

    def _sidebar_shown(self, shown: bool) -> None:
        self.sidebar_action.setChecked(shown)
        self.sidebar_button.setVisible(not shown)

    def _splitters(self) -> dict[str, QSplitter]:
        return {"main": self.main_splitter, "workspace": self.workspace_splitter}

    def save_settings(self) -> None:
        self.settings.set_geometry(self.saveGeometry())
        for name, splitter in self._splitters().items():
            self.settings.set_splitter_state(name, splitter.saveState())
        self.settings.set_splitter_state("columns", self.table.horizontalHeader().saveState())
        self.settings.categories = self.filter_bar.chosen()
        self.settings.show_non_drums = self.filter_bar.non_drums_shown()
        bounce = self.search.bounce
        self.settings.last_bounce = None if bounce is None else (bounce.path, bounce.region)
        self.settings.sync()

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and not self._closed:
            self.library.refresh_folders()  # back from a terminal where `samplematch index` ran?
        super().changeEvent(event)

    def keyPressEvent(self, event) -> None:
        """Space that no control took (the focus is on a slider, a label, nothing): play or stop."""
        if event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self._toggle_play()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if self._closed:
            return super().closeEvent(event)
        self._closed = True
        self.save_settings()
        self.hide()  # gone at once; a scan still finishing its batch is waited for out of sight
        self.audition.stop()
        self.audition.output.close()
        self.library.shutdown()
        self.search.shutdown()
        self.kit_panel.shutdown()
        self.why_panel.shutdown()
        self.map.shutdown()
        self.context.shutdown()
        self._jobs.cancel_all()
        for wait in (self.library.wait, self.search.wait, self.map.wait, self.kit_panel.wait, self.why_panel.wait,
                     self.context.wait, self._jobs.wait):
            wait(10000)
        QCoreApplication.sendPostedEvents()  # the workers' last signals, while the db is open
        for controller in (self.library, self.search, self.audition):
            controller.blockSignals(True)
        self.db.close()
        super().closeEvent(event)

    # model --------------------------------------------------------------------------------
    def set_embedder(self, embedder) -> None:
        """The model is loaded: scan for changes since last time and rank any pending query."""
        self.statusBar().showMessage("Model ready", 3000)
        self.library.set_embedder(embedder)
        self.search.set_embedder(embedder)
        self.query_panel.mode_switch.set_available(self.search.modes())
        if self.search.session.query is not None:  # the switch, if it has a choice (else the message stays)
            self.query_panel.show_query(self.search.session.query, self.search.bounce)
        self._restore_mode()
        self.library.rescan()

    def set_model_error(self, message: str) -> None:
        self._banner_holder.show()
        self.banner.show_message("No SampleMatch model is installed, so nothing can be ranked yet. "
                                 "Build the model, then restart SampleMatch:", BUILD_COMMAND)
        self.banner.setToolTip(message)
        self.statusBar().showMessage(message)

    # library ------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a sample folder",
                                                  self.settings.dialog_folder("samples"))
        if folder:
            self.settings.set_dialog_folder("samples", os.path.dirname(folder.rstrip(os.sep)) or folder)
            self.add_folders([folder])

    def add_folders(self, folders: list[str]) -> None:
        added, refused = self.library.add_folders(folders)
        said = [f"Added {', '.join(Path(f).name for f in added)}"] if added else []
        if said or refused:
            self.statusBar().showMessage("; ".join(said + refused), 15000 if refused else 5000)

    def cancel_scan(self) -> None:
        self.library.cancel_scan()
        self.library_panel.scan_cancelling()

    def _folders_changed(self, folders: list[str]) -> None:
        self.model.set_roots(folders)
        self._show_folders()
        self._update_page()

    def _show_folders(self) -> None:
        """The folder list with each folder's sample count (from the rows on show)."""
        folders = self.library.folders()
        shown = (folders, self.model.folder_counts(folders))
        if shown != self._folders_shown:  # rebuilding the list would drop its selection
            self._folders_shown = shown
            self.library_panel.set_folders(*shown)

    def _scan_finished(self, summary: ScanSummary) -> None:
        self.library_panel.scan_finished(summary)
        problems = len(summary.errors)
        if summary.cancelled:
            text = f"Scan stopped after {summary.indexed:,} new samples; rescan (F5) to resume"
        else:
            text = f"Library up to date: {summary.indexed:,} new, {summary.removed:,} removed"
        if problems:
            text += f", {problems:,} unreadable"
        self.statusBar().showMessage(text, 10000)

    def _scan_failed(self, message: str) -> None:
        self.library_panel.scan_finished(None)
        self.statusBar().showMessage(f"Scan failed: {message}", 10000)

    def _library_changed(self) -> None:
        if not self.library.scanning():
            self.library_panel.scan_finished(None)
        self._update_stats()
        self.search.reload_index()

    def _update_stats(self) -> None:
        self.library_panel.set_stats(self.library.sample_count(), len(self.library.problems()))

    def show_errors(self) -> ErrorsDialog:
        dialog = ErrorsDialog(self.library.problems(), self)
        dialog.open()
        return dialog

    def _update_page(self) -> None:
        has_work = bool(self.library.folders()) or self.search.bounce is not None
        self.pages.setCurrentWidget(self.workspace if has_work else self.empty_state)

    # demo ---------------------------------------------------------------------------------
    def start_demo(self) -> None:
        """Build (once) the demo library and bounce in the data folder, add it, rank it."""
        self.empty_state.set_building_demo(True)
        self.statusBar().showMessage("Building the demo library…")
        self._jobs.run(lambda cancel, report: build_demo(), self._demo_ready, self._demo_failed)

    def _demo_ready(self, generation: int, demo: DemoLibrary) -> None:
        self.empty_state.set_building_demo(False)
        self.add_folders([str(demo.folder)])
        self.open_bounce(str(demo.bounce))
        self.statusBar().showMessage(f"Demo library: {demo.count} samples in {demo.folder}", 10000)

    def _demo_failed(self, generation: int, message: str) -> None:
        self.empty_state.set_building_demo(False)
        self.statusBar().showMessage(f"Could not build the demo library: {message}", 10000)

    # query --------------------------------------------------------------------------------
    def choose_bounce(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a bounce of your track",
                                              self.settings.dialog_folder("bounce"), AUDIO_FILTER)
        if path:
            self.settings.set_dialog_folder("bounce", os.path.dirname(path))
            self.open_bounce(path)

    def open_bounce(self, path: str) -> None:
        self.search.open_bounce(path)
        self._restore_mode()
        self._update_page()
        self.table.setFocus()  # ready for Space and the arrow keys

    def _mode_changed(self, mode: str) -> None:
        bounce = self.search.bounce
        self.search.set_mode(mode)
        if bounce is not None and self.search.bounce is not None and self.search.bounce.mode == mode:
            self.settings.set_bounce_mode(bounce.path, mode)

    def _restore_mode(self) -> None:
        """The bounce asks what it asked last time, once a model that answers it is loaded."""
        bounce = self.search.bounce
        if bounce is None:
            return
        mode = self.settings.bounce_mode(bounce.path)
        if mode != bounce.mode and mode in self.search.modes():
            self.search.set_mode(mode)

    def _bounce_loaded(self, path: str, overview) -> None:
        self.query_panel.set_bounce_overview(overview)
        self.settings.add_recent_bounce(path)
        self.library_panel.set_recent(self.settings.recent_bounces)

    def _bounce_failed(self, path: str, message: str) -> None:
        self.statusBar().showMessage(f"Cannot use {Path(path).name} as a query: {message}", 10000)
        self._update_page()

    def _query_changed(self, query) -> None:
        shown = self.model.query()
        if query is not None and shown is not None and (shown.kind, shown.path) != (query.kind, query.path):
            self._reselect_later = self.table.current_path() or self._reselect_later
            self.model.clear()  # the old query's scores must not sit under the new one's name
        if query is not None and query.kind == "like":
            self._show_reference(query.path)
        self.query_panel.show_query(query, self.search.bounce)
        bounce = self.search.bounce
        self.setWindowTitle("SampleMatch" if bounce is None else f"{bounce.name} — SampleMatch")
        if self.search.bounce is None:
            self.query_panel.clear_bounce()

    def _show_reference(self, path: str) -> None:
        """More like this: the sample ranked by takes the bounce's place above the results."""
        try:
            self.query_panel.show_reference(load_preview(path, PREVIEW_RATE), PREVIEW_RATE)
        except AudioError as exc:
            self.query_panel.show_reference(None, PREVIEW_RATE)
            self.statusBar().showMessage(f"Cannot show {Path(path).name}: {exc}", 8000)

    def _excerpts_changed(self, count: int) -> None:
        self.settings.excerpts = count
        self.search.set_excerpts(count)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_bounces
        for path in recent:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setEnabled(os.path.isfile(path))
            action.triggered.connect(lambda _=False, p=path: self.open_bounce(p))
        if not recent:
            self.recent_menu.addAction("No recent bounces").setEnabled(False)

    def more_like_current(self) -> None:
        path = self.table.current_path()
        if path:
            self.search.more_like(path)

    # results ------------------------------------------------------------------------------
    def show_results(self, ranking) -> None:
        """A new query shows best first from the top; a re-rank of the same one (the library
        changed) keeps the user's sort, selection and scroll position."""
        current = self.table.current_path() or self._reselect_later
        scroll = self.table.verticalScrollBar().value()
        self._reselect_later = None
        new_query = self.model.set_ranking(ranking)
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the indicator only: the rows are sorted already
        header.setSortIndicator(self.model.sort_column(), self.model.sort_order())
        header.blockSignals(False)
        self._reselect(current)
        self._check_selection()
        if new_query:
            self.table.scrollToTop()
        else:
            self.table.verticalScrollBar().setValue(scroll)
        self._show_folders()  # the counts follow the model reset

    def _reselect(self, path: str | None) -> None:
        """Keep the sample the user was on selected, without replaying it."""
        row = -1 if path is None else self.model.row_of_path(path)
        if row >= 0:
            self.table.blockSignals(True)
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.blockSignals(False)

    def _check_selection(self) -> None:
        """A selected sample that a filter or new results took away is no longer shown as selected."""
        if self.table.current_path() is None and self.preview.waveform.path is not None:
            self.table.forget_announced()
            self.preview.clear_sample()
            self.why_panel.clear()

    def _update_counts(self) -> None:
        self.filter_bar.set_counts(self.model.text_matched_counts())
        self.filter_bar.set_result_count(self.model.shown_count(), self.model.total())
        self._show_notice()

    def _show_notice(self, *_) -> None:
        """Say why the table is empty: the filters hide every result, or a new query is being ranked."""
        query, text = self.search.query, ""
        if not self.model.rowCount() and self.model.total():
            text = f"{self._hidden_by_filters()}. <a href=\"show-all\">Show all samples</a>"
        elif not self.model.rowCount() and query is not None and self.search.busy():
            text = f"Ranking your library by {escape(query.name)}…"
        self.table.show_notice(text)

    def _hidden_by_filters(self) -> str:
        chosen = sorted(self.filter_bar.chosen(), key=list(CATEGORY_LABELS).index)
        kinds = " or ".join(CATEGORY_LABELS[c].lower() for c in chosen)
        words = escape(self.filter_bar.search.text().strip())
        if not words:
            return f"No {kinds} samples among the {self.model.total():,} results"
        return f"No {kinds} sample matches “{words}”" if kinds else f"Nothing matches “{words}”"

    def _clear_filters(self, _link: str = "") -> None:
        self.filter_bar.search.clear()
        self.filter_bar.set_categories(set())

    def _into_results(self) -> None:
        """From the search box (↓): on to the results, the selected one or the first."""
        if not self.model.rowCount():
            return
        self.table.setFocus()
        current = self.table.currentIndex()
        if not (current.isValid() and self.table.selectionModel().isRowSelected(current.row())):
            self.table.selectRow(0)

    def _tint_preview(self, path: str, *_) -> None:
        """The selected sample's waveform takes its category colour."""
        index = self.table.currentIndex()
        if index.isValid() and index.data(PathRole) == path:
            self.preview.waveform.set_colour(category_colour(index.data(CategoryRole)))

    def _row_clicked(self, path: str, moved: bool) -> None:
        """A click plays, unless it moved the selection and auto-play already started it."""
        if not (moved and self.audition.auto_play):
            self.audition.play(path)

    def play_current(self) -> None:
        path = self.table.current_path()
        if path:
            self.audition.play(path)

    def _toggle_play(self) -> None:
        if self.audition.playing:
            self.audition.stop()
        else:
            self.play_current()

    def _reveal(self, path: str) -> None:
        error = reveal(path)
        if error:
            self.statusBar().showMessage(error, 8000)

    def _copy_paths(self, paths: list[str]) -> None:
        QGuiApplication.clipboard().setText("\n".join(paths))
        what = f"the path of {Path(paths[0]).name}" if len(paths) == 1 else f"{len(paths):,} paths"
        self.statusBar().showMessage(f"Copied {what}", 4000)

    def _devices_rescanned(self) -> None:
        self._show_audition_state()
        if self.audition.available:
            n = len(self.audition.devices())
            self.statusBar().showMessage(f"Audio devices rescanned: {n} output(s)", 6000)

    def _show_audition_state(self) -> None:
        if self.audition.available:
            self.audition_label.setText("Audition on")
            self.audition_label.setToolTip("")
        else:
            self.audition_label.setText("Audition off")
            self.audition_label.setToolTip(self.audition.reason)
            self.statusBar().showMessage(self.audition.reason, 15000)

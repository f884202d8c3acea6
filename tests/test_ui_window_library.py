"""Main window, library side: scan progress/cancel/resume, errors, corrections, settings, demo."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer

from samplematch_gui import scanner
from samplematch_gui.demo import DemoSources, build_demo
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.ui import library_controller, main_window
from tests.ui_fakes import LIBRARY_SIZE, SlowEmbedder, drop_on, visible_names


def wait_scanned(qtbot, w, rows=LIBRARY_SIZE):
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == rows, timeout=60000)


def test_scan_shows_progress_can_be_cancelled_and_resumes(windows, qtbot, monkeypatch,
                                                          sample_library, tiny_embedder):
    monkeypatch.setattr(scanner, "BATCH_SIZE", 1)
    w = windows.make(SlowEmbedder(tiny_embedder, key_delay=0.3))
    panel = w.library_panel
    with qtbot.waitSignal(w.library.scanProgress, timeout=30000) as first:
        w.add_folders([str(sample_library)])
    assert first.args[0].done == 1 and first.args[0].total == 9  # 8 samples + 1 broken file
    assert panel.scan_box.isVisibleTo(w)
    assert panel.progress.maximum() == 9 and panel.progress.value() >= 1
    assert "left" in panel.scan_detail.text() and panel.scan_title.text().startswith("Scanning")
    with qtbot.waitSignal(w.library.scanFinished, timeout=30000) as stopped:
        panel.cancel_button.click()
    partial = stopped.args[0]
    assert partial.cancelled and 1 <= partial.indexed + len(partial.errors) < 9
    qtbot.waitUntil(lambda: not w.library.scanning())
    assert not panel.scan_box.isVisibleTo(w)
    assert "rescan" in w.statusBar().currentMessage().lower()
    done_before = partial.indexed
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000) as resumed:
        panel.rescan_button.click()
    summary = resumed.args[0]
    assert not summary.cancelled
    assert summary.skipped >= done_before  # finished work is not redone
    assert summary.indexed == LIBRARY_SIZE - done_before
    wait_scanned(qtbot, w)


def test_a_long_scan_shows_samples_as_they_are_indexed(windows, qtbot, monkeypatch,
                                                       sample_library, tiny_embedder):
    monkeypatch.setattr(scanner, "BATCH_SIZE", 1)
    monkeypatch.setattr(library_controller, "REFRESH_DURING_SCAN_S", 0.0)
    w = windows.make(SlowEmbedder(tiny_embedder, key_delay=0.3))
    w.add_folders([str(sample_library)])
    qtbot.waitUntil(lambda: 0 < w.model.total() < LIBRARY_SIZE and w.library.scanning(),
                    timeout=30000)
    wait_scanned(qtbot, w)


def test_gui_keeps_processing_events_during_a_scan(windows, qtbot, monkeypatch, sample_library,
                                                   tiny_embedder):
    monkeypatch.setattr(scanner, "BATCH_SIZE", 2)
    w = windows.make(SlowEmbedder(tiny_embedder, key_delay=0.4))
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(w.library.scanning()))
    timer.start(20)
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000):
        w.add_folders([str(sample_library)])
    timer.stop()
    assert sum(ticks) >= 40  # about 2 s of scanning; the GUI thread never stalled


def test_unreadable_files_are_listed_and_do_not_block(windows, qtbot, sample_library,
                                                      tiny_embedder):
    w = windows.make(tiny_embedder)
    drop_on(w, [sample_library])
    wait_scanned(qtbot, w)
    button = w.library_panel.errors_button
    assert button.isVisibleTo(w) and "1" in button.text()
    assert w.library_panel.stats.text() == f"{LIBRARY_SIZE} samples indexed"
    dialog = w.show_errors()
    try:
        assert dialog.table.rowCount() == 1
        assert dialog.table.item(0, 0).text().endswith("not_audio.wav")
        assert dialog.table.item(0, 1).text()
        assert "not_audio.wav" in dialog.text()
    finally:
        dialog.close()


def test_removing_a_folder_forgets_its_samples_but_keeps_the_files(windows, qtbot, sample_library,
                                                                   tiny_embedder):
    w = windows.make(tiny_embedder)
    w.add_folders([str(sample_library)])
    wait_scanned(qtbot, w)
    files_before = sorted(p for p in sample_library.rglob("*"))
    w.library_panel.folder_list.setCurrentRow(0)
    w.library_panel.remove_button.click()
    qtbot.waitUntil(lambda: w.model.rowCount() == 0)
    assert w.library.folders() == [] and w.settings.folders == []
    assert sorted(p for p in sample_library.rglob("*")) == files_before
    assert w.pages.currentWidget() is w.empty_state


def test_category_correction_persists(windows, qtbot, sample_library, tiny_embedder):
    w = windows.make(tiny_embedder)
    w.add_folders([str(sample_library)])
    wait_scanned(qtbot, w)
    w.filter_bar.search.setText("Ride Bell")
    w.table.selectRow(0)
    path = w.table.current_path()
    w.table._correct([path], "tom")  # what the context menu's "Set category" does
    assert w.model.index(0, 1).data() == "Tom *"
    with LibraryDB(w.db.path) as db:
        assert next(r for r in db.rows() if r.path == path).category == "tom"
    with qtbot.waitSignal(w.library.scanFinished, timeout=60000):
        w.library.rescan()  # survives a rescan
    w.close()
    again = windows.make(tiny_embedder)
    qtbot.waitUntil(lambda: again.model.total() == LIBRARY_SIZE, timeout=30000)
    again.filter_bar.search.setText("Ride Bell")
    assert again.model.index(0, 1).data() == "Tom *"
    assert again.filter_bar.buttons["tom"].toolTip().startswith("Tom: 1 sample\n")


def test_settings_persist_across_window_recreation(windows, qtbot, sample_library, bounce,
                                                   tiny_embedder):
    w = windows.make(tiny_embedder)
    w.add_folders([str(sample_library)])
    wait_scanned(qtbot, w)
    with qtbot.waitSignal(w.search.bounceLoaded, timeout=30000):
        w.open_bounce(str(bounce))
    w.filter_bar.set_categories({"kick", "snare"})
    w.filter_bar.search.setText("punch")
    w.preview.volume.setValue(35)
    w.preview.auto_play.setChecked(False)
    w.preview.loudness.setCurrentIndex(w.preview.loudness.findData("peak"))
    w.preview.device.setCurrentIndex(w.preview.device.findText("Studio Interface"))
    w.resize(1010, 707)
    w.workspace_splitter.setSizes([220, 250, w.why_panel.sizeHint().height()])
    w.table.setColumnWidth(4, 333)  # the folder column (the name column takes the rest)
    qtbot.wait(50)
    sizes = w.workspace_splitter.sizes()
    w.close()

    again = windows.make()
    assert again.library.folders() == [str(sample_library.resolve())]
    assert again.filter_bar.categories() == {"kick", "snare"}
    assert again.filter_bar.search.text() == ""  # not kept: it would hide most of the library unasked
    assert again.filter_bar.buttons["kick"].isChecked() and not again.filter_bar.all_button.isChecked()
    assert again.preview.volume.value() == 35 and again.audition.output.volume == 0.35
    assert not again.preview.auto_play.isChecked() and not again.audition.auto_play
    assert again.preview.loudness.currentData() == "peak"
    assert again.audition.output.device() == 3
    assert again.preview.device.currentText() == "Studio Interface"
    # Qt fits a restored window to the screen (offscreen: 800 px wide); the height fits.
    assert again.height() == 707
    assert again.settings.geometry() is not None
    assert again.workspace_splitter.sizes() == sizes
    assert again.table.columnWidth(4) == 333
    assert again.settings.recent_bounces == [str(bounce)]
    again.recent_menu.aboutToShow.emit()
    assert [a.text() for a in again.recent_menu.actions()] == ["bounce.wav"]


def test_demo_button_builds_a_library_and_ranks_it(windows, qtbot, monkeypatch, tiny_embedder):
    # Generated sounds keep the test fast; which sources are used is tested in test_demo.py.
    nowhere = DemoSources(hydrogen_dir=Path(os.devnull), sonic_pi_dir=Path(os.devnull))
    monkeypatch.setattr(main_window, "build_demo", lambda: build_demo(sources=nowhere))
    w = windows.make(tiny_embedder)
    assert w.pages.currentWidget() is w.empty_state
    w.empty_state.demo_button.click()
    qtbot.waitUntil(lambda: w.model.has_scores() and w.model.rowCount() == 42
                    and not w.library.scanning(), timeout=60000)
    assert w.pages.currentWidget() is w.workspace
    assert w.query_panel.title.text() == "demo_bounce.wav"
    assert "kick_01.wav" in visible_names(w)


def test_hand_edited_settings_of_the_wrong_type_fall_back_to_defaults(windows):
    from samplematch_gui.ui.settings import AppSettings

    edited = AppSettings(windows.settings_file)
    for key, raw in {"query/excerpts": "1e999", "filters/categories": "5", "library/folders": "7",
                     "query/recent": '[3, "/x/mix.wav"]', "audition/volume": "[1]",
                     "audition/auto_play": '"no"', "audition/device": "42"}.items():
        edited._s.setValue(key, raw)
    edited.sync()
    w = windows.make()
    assert w.settings.excerpts == 10 and w.filter_bar.categories() == set(w.filter_bar.buttons)
    assert w.library.folders() == [] and w.settings.recent_bounces == ["/x/mix.wav"]
    assert w.preview.volume.value() == 80 and w.preview.auto_play.isChecked()
    assert w.audition.output.device() is None


def test_a_folder_removed_and_added_back_during_a_scan_stays(windows, qtbot, monkeypatch, sample_library,
                                                             tmp_path, tiny_embedder):
    monkeypatch.setattr(scanner, "BATCH_SIZE", 1)
    other = tmp_path / "Other"
    other.mkdir()
    w = windows.make(SlowEmbedder(tiny_embedder, key_delay=0.2))
    w.add_folders([str(sample_library), str(other)])
    qtbot.waitUntil(w.library.scanning)
    w.library.remove_folder(str(sample_library.resolve()))
    w.add_folders([str(sample_library)])
    wait_scanned(qtbot, w)
    assert sorted(w.library.folders()) == sorted([str(sample_library.resolve()), str(other.resolve())])
    with LibraryDB(w.db.path) as db:
        assert sorted(db.folders()) == sorted(w.library.folders()) and db.count() == LIBRARY_SIZE


def test_a_correction_made_while_the_library_reloads_is_kept(windows, qtbot, monkeypatch, sample_library,
                                                             tiny_embedder):
    w = windows.make(tiny_embedder)
    w.add_folders([str(sample_library)])
    wait_scanned(qtbot, w)
    real_read = LibraryDB.sample_blocks
    read_done = threading.Event()

    def slow_read(db, model_id, size=4096):  # a reload reads the cache, then takes a while to arrive
        yield from real_read(db, model_id, size)
        read_done.set()
        time.sleep(0.5)

    monkeypatch.setattr(LibraryDB, "sample_blocks", slow_read)
    w.filter_bar.search.setText("Ride Bell")
    w.table.selectRow(0)
    path = w.table.current_path()
    with qtbot.waitSignal(w.search.resultsReady, timeout=10000):
        w.search.reload_index()  # as a scan does every few seconds
        assert read_done.wait(5)
        w.table._correct([path], "tom")
    assert w.model.index(0, 1).data() == "Tom *"
    monkeypatch.setattr(LibraryDB, "sample_blocks", real_read)
    with qtbot.waitSignal(w.search.resultsReady, timeout=10000):
        w.search.reload_index()
    assert w.model.index(0, 1).data() == "Tom *"


def test_nested_folders_each_count_the_samples_inside_them(windows, qtbot, sample_library, tiny_embedder):
    w = windows.make(tiny_embedder)
    w.add_folders([str(sample_library), str(sample_library / "Kicks")])
    wait_scanned(qtbot, w)
    qtbot.waitUntil(lambda: w.library_panel.folder_list.count() == 2)
    lines = sorted(w.library_panel.folder_list.item(i).text().split("\n")[0]
                   for i in range(w.library_panel.folder_list.count()))
    assert lines == ["Kicks  ·  2", "My Samples  ·  8"]
    w.library.remove_folder(str(sample_library.resolve()))
    qtbot.waitUntil(lambda: w.model.rowCount() == 2)  # the kicks are still in a listed folder
    assert w.library_panel.folder_list.item(0).text().startswith("Kicks  ·  2")

"""What the window says and where it starts: status messages, file dialogs, folders added elsewhere, a library
file it cannot use, errors in its background work."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QStyleOptionHeader

from samplematch_gui import scanner
from samplematch_gui.library_db import LibraryDB, LibraryError
from samplematch_gui.result_table import COLUMNS
from samplematch_gui.ui import library_controller
from samplematch_gui.ui.workers import Task
from tests import sounds
from tests.ui_fakes import LIBRARY_SIZE, SlowEmbedder, drop_on, visible_names

REPO = Path(__file__).resolve().parent.parent


def scanned_window(windows, qtbot, sample_library, embedder):
    w = windows.make(embedder)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE, timeout=60000)
    return w


def test_copy_path_says_what_it_copied(windows, qtbot, sample_library, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    paths = [w.model.path(r) for r in range(3)]
    w.table.copyPathsRequested.emit(paths[:1])
    assert w.statusBar().currentMessage() == f"Copied the path of {Path(paths[0]).name}"
    w.table.copyPathsRequested.emit(paths)
    assert w.statusBar().currentMessage() == "Copied 3 paths"
    assert QGuiApplication.clipboard().text() == "\n".join(paths)


def test_file_dialogs_open_at_home_then_where_they_were_last_used(windows, monkeypatch, tmp_path, bounce,
                                                                  sample_library):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    asked = []

    def open_file(parent, caption, folder, *filters):
        asked.append(folder)
        return str(bounce), filters[0]

    def pick_folder(parent, caption, folder, *_):
        asked.append(folder)
        return str(sample_library)

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_file))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick_folder))
    w = windows.make()
    w.choose_bounce()
    w.choose_folder()
    w.choose_bounce()
    w.choose_folder()
    assert asked == [str(home), str(home), str(bounce.parent), str(sample_library.parent)]
    assert os.getcwd() not in asked


def test_a_folder_indexed_from_the_command_line_meanwhile_is_picked_up(windows, qtbot, sample_library, tmp_path,
                                                                        tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    other = tmp_path / "Extra Kit"
    sounds.write(other / "Rims" / "rim_01.wav", sounds.snare(np.random.default_rng(3)))
    with LibraryDB(w.db.path) as db:  # what `samplematch index "Extra Kit"` does beside the window
        scanner.scan_library(db, [db.add_folder(other)], tiny_embedder)
    w.library.refresh_folders()  # the window does this when it becomes active again, and on F5
    qtbot.waitUntil(lambda: w.model.total() == LIBRARY_SIZE + 1, timeout=30000)
    listed = [w.library_panel.folder_list.item(i).text() for i in range(w.library_panel.folder_list.count())]
    assert any(t.startswith("Extra Kit  ·  1") for t in listed)
    row = visible_names(w).index("rim_01.wav")
    assert w.model.index(row, COLUMNS.index("folder")).data() == "Extra Kit / Rims"  # not the raw path
    assert w.settings.folders == w.library.folders()


def test_a_folder_whose_name_is_not_utf8_is_refused_with_a_message(windows, tmp_path, sample_library):
    odd = os.fsdecode(os.fsencode(tmp_path) + b"/Caf\xe9 Drums")
    os.mkdir(odd)
    w = windows.make()
    w.add_folders([odd, str(sample_library)])  # the other folder is still added
    assert "not valid UTF-8" in w.statusBar().currentMessage()
    assert w.library.folders() == [str(sample_library.resolve())]


def test_a_library_error_during_a_scan_is_one_line_not_a_traceback(windows, qtbot, monkeypatch, capfd,
                                                                    sample_library, tiny_embedder):
    full = "cannot write /x/library.sqlite3: the disk is full; free some space and try again"

    def disk_full(*args, **kwargs):
        raise LibraryError(full)

    monkeypatch.setattr(library_controller, "scan_library", disk_full)
    w = windows.make(tiny_embedder)
    w.add_folders([str(sample_library)])
    qtbot.waitUntil(lambda: not w.library.scanning(), timeout=30000)
    assert w.statusBar().currentMessage() == f"Scan failed: {full}"
    assert "Traceback" not in capfd.readouterr().err


def test_a_task_reports_a_library_error_without_a_traceback(qtbot, capfd):
    task = Task(lambda cancel, report: (_ for _ in ()).throw(LibraryError("cannot write x: the disk is full")))
    with qtbot.waitSignal(task.signals.failed) as failed:
        task.run()
    assert failed.args[1] == "cannot write x: the disk is full"
    assert "Traceback" not in capfd.readouterr().err


def test_another_programs_database_as_db_is_a_message_not_a_crash(tmp_path):
    """`samplematch --db firefox.sqlite`: a dialog and a line on stderr name the file, exit 1, the file untouched."""
    foreign = tmp_path / "places.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        conn.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    before = foreign.read_bytes()
    script = textwrap.dedent(f"""
        from PySide6.QtWidgets import QMessageBox
        QMessageBox.critical = staticmethod(lambda parent, title, text: print("DIALOG", title, "|", text))
        from samplematch_gui.cli import main
        raise SystemExit(main(["--db", {str(foreign)!r}]))
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=90)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{foreign} is not a SampleMatch library" in proc.stderr
    dialog = [line for line in proc.stdout.splitlines() if line.startswith("DIALOG")]
    assert len(dialog) == 1 and f"{foreign} is not a SampleMatch library" in dialog[0]
    assert foreign.read_bytes() == before


def test_sort_arrows_point_the_way_the_values_run(windows, qtbot, sample_library, bounce, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    header, score = w.table.horizontalHeader(), COLUMNS.index("score")
    assert header.sortIndicatorSection() == score
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    def arrow(section):
        option = QStyleOptionHeader()
        header.initStyleOptionForIndex(option, section)  # what paintSection draws
        return option.sortIndicator

    assert arrow(score) == QStyleOptionHeader.SortIndicator.SortDown  # high to low: ▼
    name = COLUMNS.index("name")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(name) + 20, header.height() // 2))
    assert header.sortIndicatorSection() == name and w.model.sort_column() == name
    assert arrow(name) == QStyleOptionHeader.SortIndicator.SortUp  # A to Z: ▲
    assert visible_names(w) == sorted(visible_names(w), key=str.casefold)


def test_quitting_during_a_scan_closes_the_window_at_once(windows, qtbot, monkeypatch, sample_library,
                                                          tiny_embedder):
    monkeypatch.setattr(scanner, "BATCH_SIZE", 1)
    w = windows.make(SlowEmbedder(tiny_embedder, key_delay=0.3))
    w.add_folders([str(sample_library)])
    qtbot.waitUntil(lambda: w.library_panel.progress.value() >= 1, timeout=30000)
    seen = []
    wait = w.library.wait
    monkeypatch.setattr(w.library, "wait", lambda msecs=5000: seen.append(w.isVisible()) or wait(msecs))
    w.close()
    assert seen == [False]  # hidden before the scan's last batch was waited for

"""Main window, query side: drops, ranking, filters, stale queries, region, more-like-this."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt, QTimer

from samplematch_gui.engine import BUILD_COMMAND
from samplematch_gui.query_session import QuerySession
from samplematch_gui.result_table import COLUMNS
from samplematch_gui.ui.app import open_window
from samplematch_gui.ui.settings import AppSettings
from tests import sounds
from tests.ui_fakes import LIBRARY_SIZE, SlowEmbedder, drag_enter_from, drop_on, visible_paths

REPO = Path(__file__).resolve().parent.parent


def scanned_window(windows, qtbot, sample_library, embedder):
    w = windows.make(embedder)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE,
                    timeout=60000)
    return w


def expected_ranking(db_path, embedder, bounce, region=None, excerpts=None) -> list[str]:
    """The ranking the CLI's way: the same session, run here and now."""
    session = QuerySession(db_path)
    session.embedder, session.excerpts = embedder, excerpts
    index = session.load_index()
    session.open_bounce(bounce)
    if region is not None:
        session.set_region(*region)
    try:
        return [index.paths[i] for i in session.rank().order]
    finally:
        session.close()


def test_first_run_shows_the_three_steps(windows):
    w = windows.make()
    assert w.pages.currentWidget() is w.empty_state
    text = " ".join(label.text() for label in w.empty_state.findChildren(type(w.audition_label)))
    for step in ("Add your sample folders", "Drop a bounce", "Drag a sample into your DAW"):
        assert step in text
    assert w.empty_state.demo_button.isEnabled()


def test_dropping_folder_then_bounce_shows_the_ranking(windows, qtbot, sample_library, bounce,
                                                       tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    assert w.pages.currentWidget() is w.workspace
    assert not w.model.has_scores()  # library browsing before a query
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        assert drop_on(w, [bounce])
    qtbot.waitUntil(lambda: w.query_panel.stack.currentWidget() is w.query_panel.waveform)
    assert w.query_panel.waveform.duration == pytest.approx(12.0, abs=0.01)
    assert w.query_panel.waveform.region() == pytest.approx((0.0, 12.0), abs=0.01)
    assert w.query_panel.title.text() == "bounce.wav"
    assert visible_paths(w) == expected_ranking(w.db.path, tiny_embedder, bounce)
    scores = [w.model.score(r) for r in range(w.model.rowCount())]
    shown = [float(w.model.index(r, 2).data()) for r in range(w.model.rowCount())]
    assert shown == sorted(shown, reverse=True) and max(scores) <= 1.0
    assert w.filter_bar.count_label.text() == f"{LIBRARY_SIZE} samples"


def test_drops_anywhere_reach_the_window(windows, qtbot, sample_library, bounce, tmp_path,
                                         tiny_embedder):
    """Children (waveform, table, search field) never swallow a file drop."""
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.bounceLoaded, timeout=30000):
        assert drop_on(w.table.viewport(), [bounce])
    other = tmp_path / "second.wav"
    sf.write(other, sounds.song(np.random.default_rng(4), 5.0), 44100)
    for target in (w.query_panel.waveform.viewport(), w.filter_bar.search):
        with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
            assert drop_on(target, [other])
        assert w.query_panel.title.text() == "second.wav"


def test_non_audio_drop_is_refused(windows, tmp_path):
    w = windows.make()
    note = tmp_path / "notes.txt"
    note.write_text("hello")
    assert not drop_on(w, [note])
    assert w.search.query is None


def test_a_new_drop_cancels_the_stale_query(windows, qtbot, sample_library, bounce, tmp_path,
                                             tiny_embedder):
    slow = SlowEmbedder(tiny_embedder, query_delay=0.8)
    w = scanned_window(windows, qtbot, sample_library, slow)
    other = tmp_path / "other.wav"
    sf.write(other, sounds.song(np.random.default_rng(9), 6.0), 44100)
    delivered = []
    w.search.resultsReady.connect(lambda ranking: delivered.append([ranking.index.paths[i] for i in ranking.order]))
    drop_on(w, [bounce])
    qtbot.wait(200)  # the first query is now running in the worker
    drop_on(w, [other])
    qtbot.waitUntil(lambda: bool(delivered) and not w.search.busy(), timeout=30000)
    qtbot.wait(1200)  # the stale job has finished by now; its result must not appear
    assert delivered == [expected_ranking(w.db.path, tiny_embedder, other)]
    assert w.query_panel.title.text() == "other.wav"


def test_region_changes_are_debounced_into_one_ranking(windows, qtbot, sample_library, bounce,
                                                       tiny_embedder):
    slow = SlowEmbedder(tiny_embedder)
    w = scanned_window(windows, qtbot, sample_library, slow)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        drop_on(w, [bounce])
    qtbot.waitUntil(lambda: w.query_panel.waveform.duration > 0)
    calls = slow.query_calls
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        for end in (10.0, 9.0, 8.0):
            w.query_panel.waveform.set_region(2.0, end)
    assert slow.query_calls == calls + 1
    assert w.search.query.region == (2.0, 8.0)
    assert visible_paths(w) == expected_ranking(w.db.path, tiny_embedder, bounce, (2.0, 8.0))
    assert "0:02.0 – 0:08.0" in w.query_panel.detail.text()


def test_excerpt_count_changes_the_query_and_is_remembered(windows, qtbot, sample_library, bounce,
                                                           tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    combo = w.query_panel.excerpts
    assert combo.currentData() == 10  # the method's default
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        drop_on(w, [bounce])
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        combo.setCurrentIndex(combo.findData(3))
    assert visible_paths(w) == expected_ranking(w.db.path, tiny_embedder, bounce, None, 3)
    assert w.settings.excerpts == 3
    w.close()
    assert windows.make().query_panel.excerpts.currentData() == 3


def test_gui_keeps_processing_events_during_a_query(windows, qtbot, sample_library, bounce,
                                                    tiny_embedder):
    slow = SlowEmbedder(tiny_embedder, query_delay=1.5)
    w = scanned_window(windows, qtbot, sample_library, slow)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(w.search.busy()))
    timer.start(20)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        drop_on(w, [bounce])
    timer.stop()
    assert sum(ticks) >= 20  # the timer fired again and again while the query ran
    assert w.query_panel.busy.isHidden()


def test_more_like_this_ranks_by_the_selected_sample(windows, qtbot, sample_library, bounce,
                                                     tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        drop_on(w, [bounce])
    w.table.selectRow(3)
    chosen = w.table.current_path()
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.preview.more_button.click()
    assert visible_paths(w)[0] == chosen
    assert float(w.model.index(0, 2).data()) == pytest.approx(1.0)  # itself, cosine 1
    assert w.query_panel.badge.text() == "MORE LIKE"
    assert w.query_panel.title.text() == os.path.basename(chosen)
    assert w.query_panel.back_button.isVisibleTo(w)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.query_panel.back_button.click()
    assert w.query_panel.badge.text() == "BOUNCE"
    assert visible_paths(w) == expected_ranking(w.db.path, tiny_embedder, bounce)


def test_a_rerank_of_the_same_query_keeps_the_users_sort_and_selection(windows, qtbot, sample_library, bounce,
                                                                       tmp_path, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    name = COLUMNS.index("name")
    w.table.sortByColumn(name, Qt.SortOrder.DescendingOrder)
    w.table.selectRow(3)
    chosen = w.table.current_path()
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.search.reload_index()  # what a finished scan or a scan's periodic refresh does
    assert w.model.sort_column() == name and w.model.sort_order() == Qt.SortOrder.DescendingOrder
    assert w.table.current_path() == chosen
    other = tmp_path / "other.wav"
    sounds.write(other, sounds.song(np.random.default_rng(7), 6.0))
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(other))  # a new query: best first again
    assert w.model.sort_column() == COLUMNS.index("score")
    assert w.model.sort_order() == Qt.SortOrder.DescendingOrder


def test_the_first_ranking_of_a_bounce_dropped_before_the_library_is_best_first(windows, qtbot, sample_library,
                                                                                bounce, tiny_embedder):
    w = windows.make(tiny_embedder)
    qtbot.waitUntil(lambda: w.search.index is not None, timeout=30000)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))  # nothing indexed yet: an empty ranking
    assert w.model.rowCount() == 0
    w.add_folders([str(sample_library)])  # the same query is ranked again as the scan finishes
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.has_scores()
                    and w.model.rowCount() == LIBRARY_SIZE, timeout=60000)
    assert w.model.sort_column() == COLUMNS.index("score")
    assert visible_paths(w) == expected_ranking(w.db.path, tiny_embedder, bounce)


def test_an_unreadable_bounce_is_reported_and_not_kept(windows, qtbot, sample_library, tmp_path,
                                                       tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF nonsense")
    with qtbot.waitSignal(w.search.bounceFailed, timeout=30000):
        drop_on(w, [bad])
    assert w.search.query is None
    assert "broken.wav" in w.statusBar().currentMessage()
    assert w.settings.recent_bounces == []


def test_an_unreadable_bounce_leaves_the_working_one_and_its_ranking(windows, qtbot, sample_library, bounce,
                                                                     tmp_path, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    qtbot.waitUntil(lambda: w.query_panel.stack.currentWidget() is w.query_panel.waveform)
    ranking = visible_paths(w)
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF nonsense")
    for dropped in (bad, tmp_path / "deleted since.wav"):
        with qtbot.waitSignal(w.search.bounceFailed, timeout=5000):
            w.open_bounce(str(dropped))
        assert dropped.name in w.statusBar().currentMessage()
        assert w.search.query.path == str(bounce) and w.query_panel.title.text() == "bounce.wav"
        assert w.query_panel.stack.currentWidget() is w.query_panel.waveform
        assert w.model.has_scores() and visible_paths(w) == ranking


def test_samples_dragged_from_the_app_are_not_taken_as_a_bounce(windows, sample_library, tiny_embedder):
    w = windows.make(tiny_embedder)
    sample = sample_library / "Kicks" / "808_BD_01.wav"
    for source in (w.table.viewport(), w.preview.waveform):
        assert not drag_enter_from(w, [sample], source)
    assert drop_on(w, [sample])  # the same file from a file manager is a bounce


def test_without_weights_the_window_opens_with_a_banner(qapp, qtbot, tmp_path, sample_library):
    window, loader = open_window(weights_dir=tmp_path / "no-model", db_path=tmp_path / "db.sqlite3",
                                 settings=AppSettings(tmp_path / "s.ini"))
    try:
        window.show()
        qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=30000)
        assert window.banner.command.text() == BUILD_COMMAND
        assert "model" in window.banner.text.text()
        window.add_folders([str(sample_library)])  # the rest of the app still works
        assert window.library.folders() == [str(sample_library.resolve())]
        assert not window.library.scanning()
    finally:
        window.close()


def test_run_opens_the_window_and_returns_the_exit_code(tmp_path, tiny_weights):
    """`samplematch` end to end, in its own process: run() ends with the app's exit code."""
    script = textwrap.dedent(f"""
        from PySide6.QtCore import Qt, QTimer
        from PySide6.QtWidgets import QApplication
        from samplematch_gui.ui import app as app_module
        app_module.share_cpu_with_the_daw = lambda: None
        app_module.create_app([])  # run() uses this instance; the timer needs it
        def look_and_quit():
            shown = [w for w in QApplication.topLevelWidgets()
                     if isinstance(w, app_module.MainWindow) and w.isVisible()]
            print("windows", len(shown), shown[0].windowTitle())
            QApplication.instance().exit(7)
        QTimer.singleShot(1000, look_and_quit)
        raise SystemExit(app_module.run(weights_dir={str(tiny_weights)!r},
                                        db_path={str(tmp_path / "db.sqlite3")!r}))
    """)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"))  # QSettings lands in tmp
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 7, proc.stderr
    assert "windows 1 SampleMatch" in proc.stdout

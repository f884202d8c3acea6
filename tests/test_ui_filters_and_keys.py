"""The filters and the keyboard as a producer uses them: category chips, the search box, Space, ↓."""
from __future__ import annotations

import numpy as np
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests import sounds
from tests.ui_fakes import LIBRARY_SIZE, SlowEmbedder, drop_on, visible_names, visible_paths

LEFT = Qt.MouseButton.LeftButton


def scanned_window(windows, qtbot, sample_library, embedder):
    w = windows.make(embedder)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and len(visible_names(w)) == LIBRARY_SIZE, timeout=60000)
    return w


def ranked_window(windows, qtbot, sample_library, bounce, embedder):
    """A fresh window, active (keys reach it), with the library ranked by the bounce."""
    w = scanned_window(windows, qtbot, sample_library, embedder)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    qtbot.waitUntil(lambda: w.model.has_scores())
    return w


def click_row(qtbot, w, row: int) -> None:
    rect = w.table.visualRect(w.model.index(row, 0))
    qtbot.mouseClick(w.table.viewport(), LEFT, pos=rect.center())


def row_of(w, name: str) -> int:
    return visible_names(w).index(name)


def selected_paths(w) -> list[str]:
    return [w.model.index(i.row(), 0).data(Qt.ItemDataRole.UserRole + 1)
            for i in w.table.selectionModel().selectedRows()]


def test_a_chip_click_shows_that_category_ctrl_or_shift_adds_and_all_clears(windows, qtbot, sample_library,
                                                                             tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    bar, chips = w.filter_bar, w.filter_bar.buttons
    left = Qt.MouseButton.LeftButton
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier

    def shown_state():
        """What the bar shows: All lit, or the lit chips; dimmed chips are those not shown."""
        lit = {c for c, chip in chips.items() if chip.isChecked()}
        dimmed = {c for c, chip in chips.items() if chip.property("dimmed")}
        assert bar.all_button.isChecked() == (not lit) and dimmed == (set(chips) - lit if lit else set())
        return lit

    assert chips["kick"].text() == "Kick  2" and chips["hihat"].text() == "Hi-hat  2"
    assert shown_state() == set()
    qtbot.mouseClick(chips["kick"], left)
    assert sorted(visible_names(w)) == ["808_BD_01.wav", "Punchy Kick 2.flac"]
    assert shown_state() == {"kick"} and w.filter_bar.count_label.text() == f"2 of {LIBRARY_SIZE}"
    qtbot.mouseClick(chips["snare"], left, ctrl)
    qtbot.mouseClick(chips["hihat"], left, shift)
    assert shown_state() == {"kick", "snare", "hihat"} and len(visible_names(w)) == 5
    qtbot.mouseClick(chips["snare"], left, ctrl)  # Ctrl-click on a shown one takes it away
    assert shown_state() == {"kick", "hihat"} and len(visible_names(w)) == 4
    qtbot.mouseClick(chips["tom"], left)  # a plain click: only that one
    assert shown_state() == {"tom"} and visible_names(w) == ["Tom Hi.wav"]
    qtbot.mouseClick(chips["tom"], left)  # the only one shown, clicked again: all
    assert shown_state() == set() and len(visible_names(w)) == LIBRARY_SIZE
    qtbot.mouseClick(chips["crash"], left)
    qtbot.mouseClick(bar.all_button, left)
    assert shown_state() == set() and len(visible_names(w)) == LIBRARY_SIZE
    chips["ride"].setFocus()
    qtbot.keyClick(chips["ride"], Qt.Key.Key_Space)  # the keyboard picks a chip too
    assert shown_state() == {"ride"} and visible_names(w) == ["Ride Bell.wav"]
    bar.all_button.click()

    qtbot.keyClicks(w.filter_bar.search, "hat")
    assert sorted(visible_names(w)) == ["Closed Hat 1.aiff", "Open Hat.ogg"]
    assert chips["hihat"].text() == "Hi-hat  2" and chips["kick"].text() == "Kick  0"
    bar.set_categories({"snare"})
    assert visible_names(w) == []
    assert w.filter_bar.count_label.text() == f"0 of {LIBRARY_SIZE}"


def test_filtering_never_plays_and_the_selection_stays_on_a_shown_row_or_goes(windows, qtbot, sample_library,
                                                                               bounce, tiny_embedder):
    w = ranked_window(windows, qtbot, sample_library, bounce, tiny_embedder)
    played, chips = w.audition.output.played, w.filter_bar.buttons
    assert w.table.hasFocus() and not played  # opening a bounce plays nothing and selects nothing
    assert selected_paths(w) == [] and w.table.current_path() is None
    qtbot.mouseClick(chips["kick"], LEFT)  # the way: fresh launch, open a bounce, click Kick
    qtbot.wait(50)
    assert not played and selected_paths(w) == [] and w.preview.waveform.path is None

    w.filter_bar.set_categories(set())
    click_row(qtbot, w, row_of(w, "Tom Hi.wav"))  # auto-play: the click plays it
    assert len(played) == 1 and w.preview.waveform.path.endswith("Tom Hi.wav")
    qtbot.mouseClick(chips["kick"], LEFT)  # hides the selected tom
    qtbot.wait(50)
    assert len(played) == 1 and selected_paths(w) == [] and w.table.current_path() is None
    assert w.preview.waveform.path is None and w.preview.name.text() == "No sample selected"  # not a hidden one
    assert not w.preview.more_button.isEnabled()
    qtbot.mouseClick(chips["tom"], LEFT, Qt.KeyboardModifier.ControlModifier)  # the tom is back: not played
    qtbot.wait(50)
    assert len(played) == 1 and selected_paths(w) == []

    click_row(qtbot, w, row_of(w, "808_BD_01.wav"))
    assert len(played) == 2
    kick = w.table.current_path()
    for step in (lambda: qtbot.mouseClick(chips["snare"], LEFT, Qt.KeyboardModifier.ShiftModifier),
                 lambda: qtbot.keyClicks(w.filter_bar.search, "808"), lambda: w.filter_bar.search.clear(),
                 lambda: qtbot.mouseClick(w.filter_bar.all_button, LEFT)):
        step()
        qtbot.wait(20)
        assert selected_paths(w) == [kick] and w.table.current_path() == kick and len(played) == 2
    click_row(qtbot, w, row_of(w, "Tom Hi.wav"))  # a sample hidden and shown again plays when clicked
    click_row(qtbot, w, row_of(w, "808_BD_01.wav"))
    assert len(played) == 4


def test_down_from_the_search_box_moves_into_the_results(windows, qtbot, sample_library, bounce,
                                                         tiny_embedder):
    w = ranked_window(windows, qtbot, sample_library, bounce, tiny_embedder)
    w.filter_bar.search.setFocus()
    qtbot.keyClicks(w.filter_bar.search, "hat")
    qtbot.keyClick(w.filter_bar.search, Qt.Key.Key_Down)
    assert w.table.hasFocus() and w.table.current_path() == visible_paths(w)[0]
    assert len(w.audition.output.played) == 1  # auto-play, as ↓ in the list does
    qtbot.keyClick(w.table, Qt.Key.Key_Down)
    assert w.table.current_path() == visible_paths(w)[1]


def test_space_plays_after_a_click_on_the_volume_slider_or_a_combo_box(windows, qtbot, sample_library, bounce,
                                                                       tiny_embedder):
    w = ranked_window(windows, qtbot, sample_library, bounce, tiny_embedder)
    w.preview.auto_play.setChecked(False)
    output = w.audition.output
    click_row(qtbot, w, 0)  # plays it
    qtbot.keyClick(w.table, Qt.Key.Key_Escape)
    volume = w.preview.volume
    qtbot.mouseClick(volume, LEFT, pos=QPoint(volume.width() // 3, volume.height() // 2))
    assert volume.value() != 80  # the click moved it
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Space)
    assert len(output.played) == 2 and w.audition.playing
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Space)  # again: stop
    assert not w.audition.playing
    for combo in (w.preview.loudness, w.preview.device, w.query_panel.excerpts):
        qtbot.mouseClick(combo, LEFT)
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None)
        QApplication.activePopupWidget().close()  # chosen nothing
        qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
        before = len(output.played)
        qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Space)
        assert QApplication.activePopupWidget() is None, combo  # Space did not open it again
        assert len(output.played) == before + 1 and w.audition.playing, combo
        w.audition.stop()
    volume.setFocus(Qt.FocusReason.TabFocusReason)  # reached with Tab: ←/→ move it, Space still plays
    qtbot.keyClick(volume, Qt.Key.Key_Space)
    assert w.audition.playing


def test_search_matches_the_category_too(windows, qtbot, sample_library, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    qtbot.keyClicks(w.filter_bar.search, "hi-hat")  # in no name or folder ("Hats"): the category's name
    assert sorted(visible_names(w)) == ["Closed Hat 1.aiff", "Open Hat.ogg"]
    assert w.filter_bar.buttons["hihat"].text().endswith("2") and w.filter_bar.buttons["kick"].text().endswith("0")
    w.filter_bar.search.setText("perc")
    assert visible_names(w) == []
    tom = next(p for p in visible_paths(w.filter_bar.search.clear() or w) if p.endswith("Tom Hi.wav"))
    w.model.correct_categories([tom], "perc")  # a correction is searched by its new category
    w.filter_bar.search.setText("perc")
    assert visible_names(w) == ["Tom Hi.wav"]


def test_a_filter_that_hides_everything_says_so_and_offers_to_show_all(windows, qtbot, sample_library,
                                                                        tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    notice = w.table.notice
    assert not notice.isVisible()
    qtbot.keyClicks(w.filter_bar.search, "zzz")
    assert visible_names(w) == [] and notice.isVisible()
    assert "Nothing matches “zzz”" in notice.text() and "Show all" in notice.text()
    w.filter_bar.set_categories({"kick", "clap"})
    assert "No kick or clap sample matches “zzz”" in notice.text()
    w.filter_bar.search.clear()
    w.filter_bar.set_categories({"clap"})  # the sample library has no claps
    assert f"No clap samples among the {LIBRARY_SIZE} results" in notice.text()
    notice.linkActivated.emit("show-all")
    assert len(visible_names(w)) == LIBRARY_SIZE and not notice.isVisible()
    assert w.filter_bar.all_button.isChecked() and w.filter_bar.search.text() == ""


def test_a_search_is_not_restored_on_the_next_start(windows, qtbot, sample_library, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    qtbot.keyClicks(w.filter_bar.search, "punch")
    assert visible_names(w) == ["Punchy Kick 2.flac"]
    w.close()
    again = windows.make(tiny_embedder)
    qtbot.waitUntil(lambda: len(visible_names(again)) == LIBRARY_SIZE, timeout=30000)
    assert again.filter_bar.search.text() == ""


def test_a_new_bounce_does_not_show_the_old_ones_results_under_its_name(windows, qtbot, sample_library, bounce,
                                                                         tmp_path, tiny_embedder):
    slow = SlowEmbedder(tiny_embedder)
    w = ranked_window(windows, qtbot, sample_library, bounce, slow)
    click_row(qtbot, w, 2)
    chosen = w.table.current_path()
    second = tmp_path / "second.mp3"
    sf.write(second, sounds.song(np.random.default_rng(5), 6.0), 44100, format="MP3")
    slow.query_delay = 1.0
    w.open_bounce(str(second))
    assert w.query_panel.title.text() == "second.mp3"
    assert visible_names(w) == [] and w.table.notice.isVisible()
    assert "Ranking your library by second.mp3" in w.table.notice.text()
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        pass
    assert len(visible_names(w)) == LIBRARY_SIZE and not w.table.notice.isVisible()
    assert w.model.query().path == str(second) and w.table.current_path() == chosen

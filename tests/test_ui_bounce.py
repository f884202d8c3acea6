"""The bounce in the window: what cannot be ranked is said, fit as a percentile, playing and editing the region
on its waveform, the last bounce restored on relaunch, audio-off messages."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtTest import QTest

from model.audio import resample
from samplematch_gui.audition import NO_DEVICE, OUTPUT_LOST, NullOutput, PlaybackError
from samplematch_gui.result_table import COLUMNS
from tests import sounds
from tests.test_ui_window_query import expected_ranking, scanned_window
from tests.ui_fakes import LIBRARY_SIZE, FakeOutput, drop_on, move_through, visible_paths

FIT = COLUMNS.index("score")


@pytest.fixture
def ranked(windows, qtbot, sample_library, bounce, tiny_embedder):
    """A window with the library indexed and the 12-s bounce ranked, playing into a recording output."""
    output = FakeOutput()
    w = windows.make(tiny_embedder, output)
    drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE, timeout=60000)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    qtbot.waitUntil(lambda: w.query_panel.waveform.duration > 0)
    w.audition.set_auto_play(False)
    return w, output


# what cannot be ranked, and fit ---------------------------------------------------------------------
def test_a_silent_or_too_short_bounce_is_said_instead_of_ranked(windows, qtbot, sample_library, bounce, tmp_path,
                                                                tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros((10 * 44100, 2), np.float32), 44100)
    clip = tmp_path / "clip.wav"
    sf.write(clip, sounds.song(np.random.default_rng(3), 2.0), 44100)
    notice = w.query_panel.notice
    for dropped, words in ((silent, "silent.wav is silent (digital silence)"), (clip, "clip.wav is only 2.0 s long")):
        with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
            drop_on(w, [dropped])
        assert notice.isVisibleTo(w) and words in notice.text()
        assert not w.model.has_scores() and w.model.rowCount() == LIBRARY_SIZE  # the library, unscored
        assert all(w.model.index(r, FIT).data() == "" for r in range(LIBRARY_SIZE))
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        drop_on(w, [bounce])
    assert not notice.isVisibleTo(w) and w.model.has_scores()
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.query_panel.waveform.set_region(3.0, 5.0)
    assert "The region is only 2.0 s long" in notice.text() and notice.isVisibleTo(w)


def test_fit_reads_as_the_percentile_with_the_cosine_in_the_tooltip(ranked):
    w, _ = ranked
    shown = [w.model.index(r, FIT).data() for r in range(LIBRARY_SIZE)]
    assert shown[0] == "100.0" and shown[-1] == "0.0"
    assert shown == [f"{100 * (LIBRARY_SIZE - 1 - r) / (LIBRARY_SIZE - 1):.1f}" for r in range(LIBRARY_SIZE)]
    tip = w.model.index(0, FIT).data(Qt.ItemDataRole.ToolTipRole)
    assert f"better than 100.0 % of the {LIBRARY_SIZE} drum samples" in tip
    assert f"{w.model.score(0):.3f}" in tip


# the region on the waveform -------------------------------------------------------------------------
def _at(view, seconds: float) -> QPoint:
    return QPoint(round(view.x_of(seconds)), view.viewport().height() // 2)


def drag(view, start: float, end: float) -> None:
    port = view.viewport()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=_at(view, start))
    move_through(port, [_at(view, t) for t in np.linspace(start, end, 6)[1:]])
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=_at(view, end))


def test_regions_are_drawn_moved_resized_and_reset_with_the_mouse(ranked, qtbot):
    w, _ = ranked
    view = w.query_panel.waveform
    seconds_per_pixel = view.duration / view.viewport().width()
    tolerance = 3 * seconds_per_pixel
    committed = []
    view.regionCommitted.connect(lambda a, b: committed.append((a, b)))
    assert view.region() == pytest.approx((0.0, 12.0))
    drag(view, 3.0, 5.0)  # on the whole file: a new region
    assert view.region() == pytest.approx((3.0, 5.0), abs=tolerance) and len(committed) == 1

    drag(view, 8.0, 10.5)  # outside the region: a new one
    assert view.region() == pytest.approx((8.0, 10.5), abs=tolerance) and len(committed) == 2
    drag(view, 9.0, 11.8)  # inside: moved whole, its length kept against the end of the file
    assert view.region() == pytest.approx((12.0 - 2.5, 12.0), abs=tolerance)
    drag(view, 7.0, 0.3)  # a new region drawn right to left
    assert view.region() == pytest.approx((0.3, 7.0), abs=tolerance)
    drag(view, 7.0, 9.0)  # the end edge: resized
    assert view.region() == pytest.approx((0.3, 9.0), abs=tolerance)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):  # the last one is ranked
        drag(view, 0.3, 2.0)  # the start edge
    assert view.region() == pytest.approx((2.0, 9.0), abs=tolerance)
    assert w.search.query.region == pytest.approx(committed[-1]) and len(committed) == 6
    assert visible_paths(w) == expected_ranking(w.db.path, w.search.session.embedder, w.search.bounce.path,
                                                committed[-1])

    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, 5.0))
    assert view.region() == pytest.approx((0.0, 12.0), abs=1e-6)
    assert committed[-1] == pytest.approx((0.0, 12.0), abs=1e-6)


# playing the bounce ---------------------------------------------------------------------------------
def test_the_region_plays_and_stops_from_its_button_and_shift_space(ranked, qtbot):
    w, out = ranked
    panel = w.query_panel
    panel.waveform.set_region(2.0, 8.0, notify=False)
    w.search.set_region(2.0, 8.0)
    assert panel.play_button.isVisibleTo(w) and "Play" in panel.play_button.text()
    w.table.selectRow(0)  # auto-play is off: nothing plays
    QTest.keyClick(w.table, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(out.played) == 1, timeout=10000)
    samples, rate = out.played[-1]
    assert rate == 44100 and len(samples) == pytest.approx(6.0 * 44100, abs=2)
    mono = sf.read(w.search.bounce.path, dtype="float32")[0].mean(axis=1)
    part = resample(mono[2 * 48000:8 * 48000], 48000, 44100)
    assert np.corrcoef(samples, part)[0, 1] > 0.9999  # the region itself (level-matched like the samples)
    assert w.audition.playing_bounce and "Stop" in panel.play_button.text()
    with qtbot.waitSignal(w.audition.bouncePosition, timeout=2000):
        pass
    assert 2.0 <= panel.waveform.playhead() < 8.0
    assert w.preview.waveform.playhead() is None and w.preview.play_button.text() == "▶"  # not a sample
    panel.play_button.click()
    assert not w.audition.playing_bounce and not out.is_playing() and "Play" in panel.play_button.text()
    assert panel.waveform.playhead() is None

    panel.play_button.click()  # again: from the decoded region, at once
    assert len(out.played) == 2 and w.audition.playing_bounce
    QTest.keyClick(w.table, Qt.Key.Key_Space)  # a sample takes over the output
    assert not w.audition.playing_bounce and w.audition.playing == w.table.current_path()
    assert "Play" in panel.play_button.text()


def test_a_click_on_the_waveform_seeks(ranked, qtbot):
    w, out = ranked
    view = w.query_panel.waveform
    view.set_region(2.0, 8.0)
    spp = view.duration / view.viewport().width()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, 5.0))
    assert view.region() == pytest.approx((2.0, 8.0))  # a click is not a drag
    assert view.playhead() == pytest.approx(5.0, abs=2 * spp) and out.played == []  # stopped: the play position
    w.query_panel.play_button.click()
    qtbot.waitUntil(lambda: len(out.played) == 1, timeout=10000)
    assert len(out.played[-1][0]) / 44100 == pytest.approx(3.0, abs=2 * spp)  # from there to the region's end
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, 3.0))  # playing: jumps there
    qtbot.waitUntil(lambda: len(out.played) == 2, timeout=10000)
    assert len(out.played[-1][0]) / 44100 == pytest.approx(5.0, abs=2 * spp)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_at(view, 10.0))  # after the region
    qtbot.waitUntil(lambda: len(out.played) == 3, timeout=10000)
    assert len(out.played[-1][0]) / 44100 == pytest.approx(2.0, abs=2 * spp)  # on to the end of the file


# relaunch --------------------------------------------------------------------------------------------
def test_relaunch_restores_the_last_bounce_its_region_and_ranking(windows, qtbot, sample_library, bounce,
                                                                  tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    qtbot.waitUntil(lambda: w.query_panel.waveform.duration > 0)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.query_panel.waveform.set_region(2.0, 9.0)
    w.close()

    again = windows.make()  # the model loads after the window shows, as in the app
    assert again.search.bounce.path == str(bounce) and again.search.query.region == (2.0, 9.0)
    assert again.pages.currentWidget() is again.workspace
    qtbot.waitUntil(lambda: again.query_panel.waveform.duration > 0, timeout=10000)
    assert again.query_panel.waveform.region() == pytest.approx((2.0, 9.0))
    assert "0:02.0 – 0:09.0" in again.query_panel.detail.text()
    with qtbot.waitSignal(again.search.resultsReady, timeout=30000):
        again.set_embedder(tiny_embedder)
    qtbot.waitUntil(lambda: again.model.has_scores(), timeout=30000)
    assert visible_paths(again) == expected_ranking(again.db.path, tiny_embedder, bounce, (2.0, 9.0))


def test_a_last_bounce_that_is_gone_is_mentioned_quietly(windows, qtbot, tmp_path, tiny_embedder):
    song = tmp_path / "moved away.wav"
    sf.write(song, sounds.song(np.random.default_rng(5), 6.0), 44100)
    w = windows.make(tiny_embedder)
    w.open_bounce(str(song))
    qtbot.waitUntil(lambda: w.query_panel.waveform.duration > 0, timeout=10000)
    w.close()
    song.unlink()
    again = windows.make(tiny_embedder)
    assert again.search.bounce is None and again.search.query is None
    assert "moved away.wav, is no longer there" in again.query_panel.detail.text()
    assert again.query_panel.detail.toolTip() == str(song)


# audio off --------------------------------------------------------------------------------------------
def test_without_an_output_the_preview_bar_says_what_to_do(windows):
    w = windows.make(output=NullOutput(NO_DEVICE, "PortAudio: Error querying device -1"))
    assert not w.preview.notice.isHidden() and NO_DEVICE in w.preview.notice.text()  # shown with the workspace
    assert "Rescan Audio Devices" in w.preview.notice.text() and "-1" not in w.preview.notice.text()
    assert w.preview.notice.toolTip() == "PortAudio: Error querying device -1"
    assert w.audition_label.text() == "Audition off" and w.audition_label.toolTip() == NO_DEVICE
    assert not w.query_panel.play_button.isEnabled() and w.query_panel.play_button.toolTip() == NO_DEVICE


def test_an_output_that_goes_away_turns_audition_off_in_plain_words(ranked, qtbot, monkeypatch):
    w, out = ranked
    w.resize(800, 600)
    qtbot.wait(50)
    assert w.audition_label.text() == "Audition on" and not w.preview.notice.isVisibleTo(w)
    w.table.selectRow(0)
    path = w.table.current_path()
    QTest.keyClick(w.table, Qt.Key.Key_Space)
    assert w.audition.playing == path
    out.failure = PlaybackError("the audio output stopped during the sound (unplugged?)", OUTPUT_LOST)
    out.stop()  # the device went away under the sound
    qtbot.waitUntil(lambda: w.audition_label.text() == "Audition off", timeout=2000)
    assert w.audition_label.toolTip() == OUTPUT_LOST and w.preview.notice.isVisibleTo(w)
    message = w.statusBar().currentMessage()
    assert message == OUTPUT_LOST
    room = w.statusBar().width() - w.audition_label.width() - 16
    assert QFontMetrics(w.statusBar().font()).horizontalAdvance(message) <= room  # not cut off at 800 px
    assert w.preview.play_button.isEnabled()  # another device, or the same one back, may work

    out.failure = None
    monkeypatch.setattr(out, "play", lambda samples, rate: (_ for _ in ()).throw(
        PlaybackError("the audio output is not responding (unplugged or busy?)", OUTPUT_LOST,
                      "Error opening OutputStream: Illegal combination of I/O devices [PaErrorCode -9993]")))
    messages = []
    w.statusBar().messageChanged.connect(messages.append)
    QTest.keyClick(w.table, Qt.Key.Key_Space)  # a stream that cannot open: PortAudio's words stay in the tooltip
    assert messages == [f"Cannot play {Path(path).name}: the audio output is not responding (unplugged or busy?)",
                        OUTPUT_LOST]
    assert "-9993" in w.preview.notice.toolTip() and w.audition_label.text() == "Audition off"
    monkeypatch.undo()
    QTest.keyClick(w.table, Qt.Key.Key_Space)  # it works again
    assert w.audition_label.text() == "Audition on" and not w.preview.notice.isVisibleTo(w)

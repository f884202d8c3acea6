"""Audition from the results table (keys, clicks, auto-play), drag-out to a DAW, audition off."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from samplematch_gui.audition import NO_DEVICE, NullOutput, OutputDevice, PlaybackError, load_preview
from samplematch_gui.ui import main_window, results_view, sample_drag
from samplematch_gui.ui.reveal import reveal_command
from tests.ui_fakes import LIBRARY_SIZE, FakeOutput, drop_on


@pytest.fixture
def ready(windows, qtbot, sample_library, tiny_embedder):
    """A window with the sample library indexed and a recording audio output."""
    output = FakeOutput()
    w = windows.make(tiny_embedder, output)
    drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.rowCount() == LIBRARY_SIZE,
                    timeout=60000)
    w.table.setFocus()
    return w, output


def key(w, k):
    QTest.keyClick(w.table, k)


def test_keyboard_audition(ready, qtbot):
    w, out = ready
    started = []
    w.audition.started.connect(started.append)
    w.table.selectRow(0)  # a new selection auto-plays
    first = w.table.current_path()
    assert started == [first]
    samples, rate = out.played[-1]
    assert rate == 44100
    expected = load_preview(first)
    rms = np.sqrt(np.mean(np.square(samples.astype(np.float64))))
    assert len(samples) == len(expected) and 20 * np.log10(rms) == pytest.approx(-18, abs=0.1)

    key(w, Qt.Key.Key_Space)  # Space stops the sound that is playing ...
    assert w.audition.playing is None and not out.is_playing()
    key(w, Qt.Key.Key_Space)  # ... and plays it again
    assert started == [first, first]
    key(w, Qt.Key.Key_Return)  # Enter restarts it
    assert started == [first, first, first] and out.is_playing()
    with qtbot.waitSignal(w.audition.position, timeout=2000):  # the playhead moves
        pass
    assert 0 < w.preview.waveform.playhead() < w.preview.waveform.duration
    key(w, Qt.Key.Key_Escape)
    assert w.preview.waveform.playhead() is None
    assert not out.is_playing() and w.audition.playing is None

    stops = out.stops
    key(w, Qt.Key.Key_Down)  # moves and auto-plays; the previous sound is stopped first
    second = w.table.current_path()
    assert second != first and started[-1] == second and out.stops > stops
    assert w.preview.name.text() == os.path.basename(second)  # the selected sample's waveform
    assert w.preview.waveform.duration > 0
    key(w, Qt.Key.Key_Up)
    assert w.table.current_path() == first and started[-1] == first

    w.auto_play_action.trigger()  # Audition menu: auto-play off (the checkbox follows)
    assert not w.preview.auto_play.isChecked() and not w.audition.auto_play
    count = len(started)
    key(w, Qt.Key.Key_Down)
    assert len(started) == count and not out.is_playing()  # moved, silent
    assert w.preview.name.text() == os.path.basename(second)
    key(w, Qt.Key.Key_Space)
    assert started[-1] == second


def test_clicks_play_once_and_volume_and_normalisation(ready, qtbot):
    w, out = ready
    started = []
    w.audition.started.connect(started.append)
    rect = w.table.visualRect(w.model.index(2, 0))
    QTest.mouseClick(w.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(started) == 1  # selection auto-play, not a second start for the click
    QTest.mouseClick(w.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(started) == 2  # clicking the current row plays it again
    w.preview.volume.setValue(40)
    assert out.volume == pytest.approx(0.4)
    w.preview.loudness.setCurrentIndex(w.preview.loudness.findData("peak"))
    w.audition.play(w.table.current_path())
    assert np.max(np.abs(out.played[-1][0])) == pytest.approx(10 ** (-18 / 20), rel=1e-3)
    w.preview.play_button.click()  # the play button toggles: stop
    assert w.audition.playing is None


@pytest.fixture
def drags(monkeypatch):
    """Every drag started, as (actions, default action, file paths, has a pixmap)."""
    started = []

    class RecordingDrag(sample_drag.QDrag):
        def exec(self, actions, default):
            started.append((actions, default, [u.toLocalFile() for u in self.mimeData().urls()],
                            not self.pixmap().isNull()))
            return Qt.DropAction.CopyAction

    monkeypatch.setattr(sample_drag, "QDrag", RecordingDrag)
    return started


def test_a_device_that_refuses_to_play_is_reported_and_nothing_plays(ready, qtbot, monkeypatch):
    w, output = ready

    def refuse(samples, rate):
        raise PlaybackError("the output device cannot play it (Device unavailable)")

    monkeypatch.setattr(output, "play", refuse)
    w.table.selectRow(0)
    key(w, Qt.Key.Key_Space)
    assert "Device unavailable" in w.statusBar().currentMessage()
    assert w.audition.playing is None
    key(w, Qt.Key.Key_Down)  # the next selection is still handled
    assert w.table.currentIndex().row() == 1


def test_drag_out_carries_file_urls_and_only_copies(ready, drags):
    w, _ = ready
    w.table.selectRow(1)
    w.table.selectionModel().select(
        w.model.index(4, 0), w.table.selectionModel().SelectionFlag.Select
        | w.table.selectionModel().SelectionFlag.Rows)
    paths = [w.model.index(r, 0).data(results_view.PathRole) for r in (1, 4)]
    w.table.startDrag(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction)
    assert drags == [(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction, paths, True)]
    assert all(os.path.exists(p) for p in paths)


def test_the_preview_waveform_plays_on_click_and_drags_its_sample_out(ready, drags):
    w, out = ready
    w.audition.set_auto_play(False)
    w.table.selectRow(2)
    path = w.table.current_path()
    view = w.preview.waveform.viewport()
    start = QPoint(20, view.height() // 2)
    QTest.mouseClick(view, Qt.MouseButton.LeftButton, pos=start)
    assert w.audition.playing == path and len(out.played) == 1
    QTest.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    QTest.mouseMove(view, start + QPoint(40, 0))
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, pos=start + QPoint(40, 0))
    assert drags == [(Qt.DropAction.CopyAction, Qt.DropAction.CopyAction, [path], True)]
    assert len(out.played) == 1  # a drag is not a click


def test_drag_out_for_real_offscreen_returns_and_keeps_files(ready):
    w, _ = ready
    w.table.selectRow(0)
    path = w.table.current_path()
    w.table.startDrag(Qt.DropAction.CopyAction)  # QDrag.exec returns at once offscreen
    assert os.path.exists(path)


def test_context_menu_offers_the_sample_actions(ready, qtbot):
    w, _ = ready
    w.table.selectRow(0)
    menu = w.table.build_context_menu()
    titles = [a.text() for a in menu.actions() if a.text()]
    assert titles == ["Play", "More like this", "Set category", "Copy path",
                      "Reveal in file manager"]
    copy = next(a for a in menu.actions() if a.text() == "Copy path")
    copy.trigger()
    assert w.table.current_path() in clipboard_text()


def test_reveal_in_file_manager(ready, monkeypatch):
    w, _ = ready
    revealed = []
    monkeypatch.setattr(main_window, "reveal", lambda path: revealed.append(path))
    w.table.selectRow(0)
    menu = w.table.build_context_menu()
    next(a for a in menu.actions() if a.text() == "Reveal in file manager").trigger()
    assert revealed == [w.table.current_path()]
    assert reveal_command("/a/b/kick.wav", "darwin") == ["open", "-R", "/a/b/kick.wav"]
    assert reveal_command("/a/b/kick.wav", "linux") == ["xdg-open", "/a/b"]
    assert reveal_command("C:/x/kick.wav", "win32")[0] == "explorer"
    assert reveal_command("C:/x/kick.wav", "win32")[1].startswith("/select,")


def clipboard_text() -> str:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.clipboard().text()


def test_without_audio_output_the_app_runs_and_says_why(windows, qtbot, sample_library,
                                                        tiny_embedder):
    reason = NO_DEVICE
    w = windows.make(tiny_embedder, NullOutput(reason))
    assert w.audition_label.text() == "Audition off" and w.audition_label.toolTip() == reason
    for control in (w.preview.play_button, w.preview.volume, w.preview.device):
        assert not control.isEnabled() and control.toolTip() == reason
    drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: w.model.rowCount() == LIBRARY_SIZE, timeout=60000)
    w.table.selectRow(0)
    QTest.keyClick(w.table, Qt.Key.Key_Space)  # nothing plays, nothing breaks
    assert w.audition.playing is None
    assert w.preview.name.text() == os.path.basename(w.table.current_path())


def test_device_list_and_choice(windows):
    out = FakeOutput()
    w = windows.make(output=out)
    items = [w.preview.device.itemText(i) for i in range(w.preview.device.count())]
    assert items == ["Default output", "Built-in Output  (default)", "Studio Interface"]
    w.preview.device.setCurrentIndex(2)
    assert out.device() == 3 and w.settings.device_name == "Studio Interface"
    w.preview.device.setCurrentIndex(0)
    assert out.device() is None and w.settings.device_name is None


def test_one_device_under_several_host_apis_is_told_apart_and_restored(windows):
    def windows_like():  # PortAudio on Windows: the same interface under three host APIs
        return FakeOutput([OutputDevice(1, "Speakers", True, "MME"), OutputDevice(5, "Focusrite USB", False, "MME"),
                           OutputDevice(9, "Focusrite USB", False, "Windows WASAPI"),
                           OutputDevice(12, "Focusrite USB", False, "Windows DirectSound")])

    w = windows.make(output=windows_like())
    items = [w.preview.device.itemText(i) for i in range(w.preview.device.count())]
    assert items == ["Default output", "Speakers  (default)", "Focusrite USB · MME",
                     "Focusrite USB · Windows WASAPI", "Focusrite USB · Windows DirectSound"]
    w.preview.device.setCurrentIndex(3)
    w.close()
    again = windows.make(output=windows_like())
    assert again.audition.output.device() == 9
    assert again.preview.device.currentText() == "Focusrite USB · Windows WASAPI"


def _rescan_action(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Audition")
    return next(a for a in menu.actions() if a.text() == "Rescan Audio Devices")


def test_rescanning_devices_turns_audition_on_when_an_interface_is_plugged_in(windows):
    reason = NO_DEVICE
    plugged = FakeOutput([OutputDevice(5, "USB Interface", True)])
    w = windows.make(output=NullOutput(reason), reopen_audio=lambda: plugged)
    assert not w.preview.play_button.isEnabled()
    w.settings.volume = 0.4
    rescan = _rescan_action(w)
    assert rescan.isEnabled()
    rescan.trigger()
    assert w.audition.output is plugged and plugged.volume == pytest.approx(0.4)
    assert w.audition_label.text() == "Audition on"
    items = [w.preview.device.itemText(i) for i in range(w.preview.device.count())]
    assert items == ["Default output", "USB Interface  (default)"]
    for control in (w.preview.play_button, w.preview.volume, w.preview.device):
        assert control.isEnabled() and control.toolTip() != reason


def test_a_chosen_interface_unplugged_and_plugged_back_is_chosen_again(windows):
    outputs = iter([FakeOutput([OutputDevice(0, "Built-in Output", True)]),
                    FakeOutput([OutputDevice(0, "Built-in Output", True),
                                OutputDevice(7, "Studio Interface")])])
    first = FakeOutput()
    w = windows.make(output=first, reopen_audio=lambda: next(outputs))
    w.preview.device.setCurrentIndex(2)  # Studio Interface, index 3
    w.audition.rescan_devices()  # unplugged: previews go to the default output
    assert first.closed and w.audition.output.device() is None
    assert w.preview.device.currentText() == "Default output"
    assert w.settings.device_name == "Studio Interface"  # remembered for when it comes back
    w.audition.rescan_devices()  # plugged back in, now at another PortAudio index
    assert w.audition.output.device() == 7
    assert w.preview.device.currentText() == "Studio Interface"


def test_without_a_way_to_reopen_the_output_rescan_is_disabled(windows):
    w = windows.make()
    rescan = _rescan_action(w)
    assert not rescan.isEnabled()

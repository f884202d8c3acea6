"""In-context audition from the window: the toggle and C loop the bounce region with the selected sample in it,
the arrows swap the sample without stopping the loop, the tempo can be corrected, C or Space stops."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from samplematch_gui.audition import PREVIEW_RATE
from samplematch_gui.paths import data_dir
from samplematch_gui.ui.context_controller import CACHE_FOLDER
from tests.test_ui_audition import key
from tests.test_ui_bounce import ranked  # noqa: F401  (a fixture: pytest finds it here)
from tests.ui_fakes import FakeOutput


@pytest.fixture
def window(request):
    """test_ui_bounce's window: the library indexed and the 12-s bounce ranked, playing into a FakeOutput."""
    w, output = request.getfixturevalue("ranked")
    w.table.setFocus()
    return w, output


def test_c_loops_the_region_with_the_sample_and_the_arrows_swap_it_on_the_next_hit(window, qtbot):
    w, out = window
    bar = w.preview.context
    assert not bar.toggle.isChecked() and not bar.tempo.isEnabled()
    w.table.selectRow(0)
    first = w.table.current_path()
    key(w, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: len(out.mixes) == 1, timeout=30000)
    mix, rate = out.mixes[0]
    scene = w.audition.scene
    assert rate == PREVIEW_RATE and w.audition.in_context and bar.toggle.isChecked()
    assert len(mix.loop) == pytest.approx(12.0 * PREVIEW_RATE, abs=2)  # no region: the whole 12-s bounce
    assert scene.tempo == pytest.approx(120.0, abs=1.5) and bar.tempo.value() == pytest.approx(scene.tempo, abs=0.05)
    assert bar.tempo.isEnabled() and bar.status in ("hits", "grid")
    assert bar.toggle.text() == ("♫ On grid" if mix.candidate.on_grid else "♫ On hits")
    index = w.search.index
    kind = index.category(index.position(first))
    assert w.audition.playing == first
    assert mix.candidate.triggers == scene.triggers_of(kind).frames.tolist() and len(mix.candidate.triggers)
    assert list(data_dir().joinpath(CACHE_FOLDER).glob("*.npz"))  # the analysis is kept for next time

    stops, before = out.stops, mix.candidate
    key(w, Qt.Key.Key_Down)  # swap: same loop, same stream, another sample
    second = w.table.current_path()
    assert second != first and w.audition.playing == second
    assert out.stops == stops and len(out.mixes) == 1 and out.is_playing()
    assert mix.candidate is not before
    kind = index.category(index.position(second))
    assert mix.candidate.triggers == scene.triggers_of(kind).frames.tolist()
    assert w.preview.name.text() in second  # the preview shows the sample in the loop
    assert w.audition.prepare_seconds < 0.05

    with qtbot.waitSignal(w.audition.contextPosition, timeout=2000):  # the loop's playhead on the bounce
        pass

    swapped = mix.candidate
    bar.tempo.setValue(96.0)  # the user corrects the tempo: the grid (and thinning) follow it
    assert w.audition.scene.tempo == 96.0 and mix.candidate is not swapped and len(out.mixes) == 1

    key(w, Qt.Key.Key_C)  # C again stops
    assert not w.audition.in_context and not bar.toggle.isChecked() and not out.is_playing()
    assert bar.toggle.text() == "♫ In song"
    key(w, Qt.Key.Key_Down)  # browsing is back to auditioning the sample alone
    assert len(out.mixes) == 1
    key(w, Qt.Key.Key_C)  # again: the analysis is cached, the corrected tempo kept
    qtbot.waitUntil(lambda: len(out.mixes) == 2, timeout=30000)
    assert w.audition.scene.tempo == 96.0 and bar.tempo.value() == 96.0
    key(w, Qt.Key.Key_C)


def test_the_button_toggles_and_space_or_a_new_region_behave(window, qtbot):
    w, out = window
    bar = w.preview.context
    w.filter_bar.search.setFocus()
    QTest.keyClick(w.filter_bar.search, Qt.Key.Key_C)  # typing a "c" in the search box is just typing
    assert w.filter_bar.search.text() == "c" and not bar.toggle.isChecked()
    w.filter_bar.search.clear()
    w.table.setFocus()
    w.table.selectRow(0)
    bar.toggle.click()
    qtbot.waitUntil(lambda: w.audition.in_context, timeout=30000)
    assert bar.toggle.isChecked()
    w.query_panel.waveform.set_region(2.0, 8.0, notify=False)
    w.search.set_region(2.0, 8.0)  # a new region loops anew
    qtbot.waitUntil(lambda: len(out.mixes) == 2, timeout=30000)
    assert len(out.mixes[-1][0].loop) == pytest.approx(6.0 * PREVIEW_RATE, abs=2)
    assert w.audition.scene.region[0] == 2.0 and bar.toggle.isChecked()
    key(w, Qt.Key.Key_Space)  # Space stops, as it stops any sound
    assert not w.audition.in_context and not bar.toggle.isChecked()
    bar.toggle.click()
    qtbot.waitUntil(lambda: w.audition.in_context, timeout=30000)
    bar.toggle.click()
    assert not w.audition.in_context and not out.is_playing()


def test_without_a_bounce_the_toggle_says_what_is_missing(windows, qtbot):
    w = windows.make(None, FakeOutput())
    w.preview.context.toggle.click()
    assert not w.audition.in_context and not w.preview.context.toggle.isChecked()
    assert "open or drop one first" in w.statusBar().currentMessage()

"""The window's non-drum toggle, and one row per sound: duplicates and velocity layers under an expand arrow."""
from __future__ import annotations

import numpy as np
import soundfile as sf
from PySide6.QtCore import QPoint, Qt

from model.taxonomy import NON_DRUM
from samplematch_gui.ui import results_view
from samplematch_gui.ui.results_model import GroupRole
from samplematch_gui.ui.results_view import ARROW
from tests import sounds
from tests.ui_fakes import LIBRARY_SIZE, drop_on, visible_names

LEFT = Qt.MouseButton.LeftButton


def ranked(windows, qtbot, library, bounce, embedder, size, files):
    """A window with the library (files readable files, size of them ranked by default) ranked by the bounce."""
    w = windows.make(embedder)
    assert drop_on(w, [library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == files, timeout=60000)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    qtbot.waitUntil(lambda: w.model.has_scores() and w.model.total() == size, timeout=30000)
    return w


def test_the_non_drum_toggle_brings_them_in_and_out_and_is_remembered(windows, qtbot, sample_library, bounce,
                                                                      tiny_embedder):
    rng = np.random.default_rng(7)
    sounds.write(sample_library / "Loops" / "Drum Loop 120bpm.wav", sounds.song(rng, 4.0)[:, 0])  # by its name
    sounds.write(sample_library / "Misc" / "placeholder.wav", np.zeros(sounds.SR // 2, np.float32))  # silent
    non_drums = {"Drum Loop 120bpm.wav", "placeholder.wav"}
    w = ranked(windows, qtbot, sample_library, bounce, tiny_embedder, LIBRARY_SIZE, LIBRARY_SIZE + 2)
    bar = w.filter_bar
    assert not bar.non_drums.isChecked() and not bar.non_drum_chip.isVisible()
    assert not non_drums & set(visible_names(w)) and w.model.total() == LIBRARY_SIZE

    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        qtbot.mouseClick(bar.non_drums, LEFT)
    qtbot.waitUntil(lambda: non_drums <= set(visible_names(w)))
    assert w.model.total() == LIBRARY_SIZE + 2 and w.model.has_scores()
    assert bar.non_drum_chip.isVisible() and "Non-drum: 2 samples" in bar.non_drum_chip.toolTip()
    qtbot.mouseClick(bar.non_drum_chip, LEFT)  # a chip like the others: only the non-drums
    assert set(visible_names(w)) == non_drums and bar.categories() == {NON_DRUM}
    qtbot.mouseClick(bar.all_button, LEFT)
    assert len(visible_names(w)) == LIBRARY_SIZE + 2

    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        qtbot.mouseClick(bar.non_drums, LEFT)  # off again: out of the ranking and of the table
    qtbot.waitUntil(lambda: w.model.total() == LIBRARY_SIZE)
    assert not non_drums & set(visible_names(w)) and not bar.non_drum_chip.isVisible()
    qtbot.mouseClick(bar.non_drums, LEFT)
    qtbot.mouseClick(bar.non_drum_chip, LEFT)
    qtbot.waitUntil(lambda: set(visible_names(w)) == non_drums)
    w.close()

    again = windows.make(tiny_embedder)  # relaunched: the toggle, the chip and the ranking come back
    assert again.filter_bar.non_drums.isChecked() and again.filter_bar.categories() == {NON_DRUM}
    qtbot.waitUntil(lambda: again.model.has_scores() and set(visible_names(again)) == non_drums, timeout=60000)
    again.filter_bar.set_non_drums(False)
    qtbot.waitUntil(lambda: again.model.total() == LIBRARY_SIZE, timeout=30000)
    assert len(visible_names(again)) == LIBRARY_SIZE  # the non-drum chip went with them: all shown
    again.close()
    third = windows.make(tiny_embedder)
    assert not third.filter_bar.non_drums.isChecked()
    qtbot.waitUntil(lambda: third.model.has_scores() and len(visible_names(third)) == LIBRARY_SIZE, timeout=60000)


def _group_row(w, name: str) -> int:
    return visible_names(w).index(name)


def test_a_group_row_expands_into_its_members_and_drags_its_best_member(windows, qtbot, sample_library, bounce,
                                                                        tiny_embedder, monkeypatch):
    rng = np.random.default_rng(8)
    pcm = np.round(sounds.snare(rng) * 32767).astype(np.int16)
    sf.write(sample_library / "Snares" / "Snare 3.wav", pcm, sounds.SR)  # one recording twice
    sf.write(sample_library / "Snares" / "Snare 3.flac", pcm, sounds.SR)
    tom = sounds.kick(rng, 120, 0.5)
    layers = [f"Tom-{v}.wav" for v in ("Soft", "Med", "Hard")]
    for gain, name in zip((0.3, 0.6, 1.0), layers, strict=True):
        sounds.write(sample_library / "Toms" / "Floor" / name, gain * tom)  # velocity layers of one tom
    w = ranked(windows, qtbot, sample_library, bounce, tiny_embedder, LIBRARY_SIZE + 5, LIBRARY_SIZE + 5)
    names = visible_names(w)
    assert len(names) == LIBRARY_SIZE + 2  # two more sounds, five more files
    snares = [n for n in names if n.startswith("Snare 3")]
    toms = [n for n in names if n.startswith("Tom-")]
    assert len(snares) == 1 and len(toms) == 1
    row = _group_row(w, toms[0])
    count, expanded = w.model.index(row, 0).data(GroupRole)
    assert (count, expanded) == (3, False)
    assert "The best of 3 files" in w.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)

    # A click on its arrow opens it: the other layers follow, best first; it plays nothing, selects nothing.
    played = len(w.audition.output.played)
    arrow = w.table.visualRect(w.model.index(row, 0)).topLeft() + QPoint(6 + ARROW // 2, 15)
    qtbot.mouseClick(w.table.viewport(), LEFT, pos=arrow)
    assert w.model.index(row, 0).data(GroupRole) == (3, True)
    members = visible_names(w)[row:row + 3]
    assert sorted(members) == sorted(layers) and members[0] == toms[0]
    member_scores = [w.model.score(r) for r in range(row, row + 3)]
    assert member_scores == sorted(member_scores, reverse=True)  # the group row is its best member
    assert [w.model.index(r, 0).data(GroupRole)[0] for r in range(row, row + 3)] == [3, 0, 0]
    assert len(w.audition.output.played) == played and w.table.current_path() is None
    assert len(visible_names(w)) == LIBRARY_SIZE + 4

    # ← on a member closes the group and selects its row; → opens it again.
    w.table.setFocus()
    w.table.selectRow(row + 2)
    qtbot.keyClick(w.table, Qt.Key.Key_Left)
    assert w.model.index(row, 0).data(GroupRole) == (3, False) and w.table.current_path().endswith(toms[0])
    assert len(visible_names(w)) == LIBRARY_SIZE + 2
    qtbot.keyClick(w.table, Qt.Key.Key_Right)
    assert visible_names(w)[row:row + 3] == members

    # Dragging the group row drags its best member alone.
    dragged = []
    monkeypatch.setattr(results_view, "start_sample_drag", lambda view, paths: dragged.append(paths))
    w.table.selectRow(row)
    w.table.startDrag(Qt.DropAction.CopyAction)
    assert dragged == [[str(sample_library / "Toms" / "Floor" / toms[0])]]
    assert w.model.mimeData([w.model.index(row, 0)]).urls()[0].toLocalFile() == dragged[0][0]

"""The library map in the window: laid out once and read back, a click selects the row and a row marks its dot,
a rectangle selects and drags out, hover plays, dots in their category's colour, faded and smaller with a poor
fit."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from samplematch_gui.ui import map_view, sample_drag, theme
from tests import sounds
from tests.test_ui_window_query import scanned_window
from tests.ui_fakes import LIBRARY_SIZE, FakeOutput, drop_on, move_through


def show_map(w, qtbot):
    w.results_pages.show_map(True)
    qtbot.waitUntil(lambda: w.map.map is not None and not w.map.busy()
                    and w.map.map.index is w.model.table.index, timeout=240000)
    qtbot.wait(50)  # painted
    return w.results_pages.map_view


def make_mapped(windows, qtbot, sample_library, embedder):
    output = FakeOutput()
    w = windows.make(embedder, output=output)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE, timeout=60000)
    return w, show_map(w, qtbot), output


@pytest.fixture
def mapped(windows, qtbot, sample_library, tiny_embedder):
    return make_mapped(windows, qtbot, sample_library, tiny_embedder)


@pytest.fixture
def drags(monkeypatch):
    started = []

    class RecordingDrag(sample_drag.QDrag):
        def exec(self, actions, default):
            started.append([u.toLocalFile() for u in self.mimeData().urls()])
            return Qt.DropAction.CopyAction

    monkeypatch.setattr(sample_drag, "QDrag", RecordingDrag)
    return started


def pixel_of(view, position: int) -> QPoint:
    return view.dot_on_screen(position).toPoint()


def colour_at(view, point: QPoint) -> QColor:
    return QColor(view.plot.viewport().grab().toImage().pixel(point))


def isolated(view, positions, gap_px: float = 12.0) -> list[int]:
    """The positions whose dots have no other dot within gap_px on screen."""
    at = {p: view.dot_on_screen(p) for p in positions}
    return [p for p in positions
            if all((at[p] - at[q]).manhattanLength() > gap_px for q in positions if q != p)]


def test_the_map_is_laid_out_once_read_back_next_time_and_again_when_the_library_changes(
        windows, qtbot, sample_library, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    QTest.keyClick(w.table, Qt.Key.Key_F8)  # the key shows the map
    assert w.results_pages.map_shown()
    view = show_map(w, qtbot)
    first = w.map.map
    assert not first.cached and first.coords.shape == (LIBRARY_SIZE, 2) and np.isfinite(first.coords).all()
    assert len(view.dots._xy) == LIBRARY_SIZE
    w.close()

    again = windows.make(tiny_embedder)  # the next start: read from the library database
    qtbot.waitUntil(lambda: not again.library.scanning() and again.model.total() == LIBRARY_SIZE, timeout=60000)
    show_map(again, qtbot)
    assert again.map.map.cached and np.array_equal(again.map.map.coords, first.coords)

    sounds.write(sample_library / "Kicks" / "New Kick.wav", sounds.kick(np.random.default_rng(5), 55))
    again.library.rescan()
    qtbot.waitUntil(lambda: again.model.total() == LIBRARY_SIZE + 1, timeout=60000)
    show_map(again, qtbot)
    assert not again.map.map.cached and len(again.map.map.coords) == LIBRARY_SIZE + 1


def test_a_click_on_a_dot_selects_its_row_and_a_selected_row_marks_its_dot(mapped, qtbot):
    w, view, output = mapped
    w.audition.set_auto_play(False)
    index = w.model.table.index
    path = w.model.path(3)
    position = index.position(path)
    QTest.mouseMove(view.plot.viewport(), pixel_of(view, position))  # hovered first, as a hand gets there
    QTest.mouseClick(view.plot.viewport(), Qt.MouseButton.LeftButton, pos=pixel_of(view, position))
    assert w.table.current_path() == path and w.table.selected_paths() == [path]
    assert w.audition.playing == path and len(output.played) == 1  # plays as a click on its row does
    qtbot.wait(3 * map_view.HOVER_PLAY_MS)
    assert len(output.played) == 1  # and only once: the click took the hover's turn
    assert view.current == position and view.selected_paths() == [path]

    w.table.selectRow(5)  # the other way: the row's dot is ringed and outlined
    other = index.position(w.model.path(5))
    assert view.current == other and view.selected_paths() == [w.model.path(5)]
    QTest.keyClick(view.plot, Qt.Key.Key_Down)  # keys on the map walk the results
    assert w.table.currentIndex().row() == 6 and view.current == index.position(w.model.path(6))


def test_a_rectangle_selects_its_dots_rows_and_drags_their_files_out(mapped, qtbot, drags):
    w, view, _ = mapped
    index = w.model.table.index
    coords = w.map.map.coords
    split = float(np.median(coords[:, 0]))
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    pad = 0.02 * float(max(hi - lo))
    corner_a = QPointF(float(lo[0]) - pad, float(lo[1]) - pad)
    corner_b = QPointF(split + 1e-4, float(hi[1]) + pad)
    expected = {index.paths[i] for i in range(len(index)) if coords[i, 0] <= split + 1e-4}
    assert 0 < len(expected) < len(index)

    port = view.plot.viewport()
    a, b = view.on_screen(corner_a).toPoint(), view.on_screen(corner_b).toPoint()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, a)
    move_through(port, [a + (b - a) * t for t in np.linspace(0, 1, 6)[1:]])
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, b)
    assert set(view.selected_paths()) == expected
    assert set(w.table.selected_paths()) == expected  # the table selects the same samples
    mime = view.selection_mime()
    assert mime.hasUrls() and "text/uri-list" in mime.formats()
    assert {u.toLocalFile() for u in mime.urls()} == expected
    assert drags == []  # selecting is not dragging

    start = pixel_of(view, index.position(sorted(expected)[0]))  # a drag from a selected dot takes them all
    QTest.mousePress(port, Qt.MouseButton.LeftButton, pos=start)
    move_through(port, [start + QPoint(30, 0), start + QPoint(60, 0)])
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 0))
    assert len(drags) == 1 and set(drags[0]) == expected


def test_hover_plays_the_dot_the_pointer_rests_on_not_those_it_passes(windows, qtbot, monkeypatch, sample_library,
                                                                     tiny_embedder):
    monkeypatch.setattr(map_view, "HOVER_PLAY_MS", 3000)  # a pause that a busy test machine cannot outlast
    w, view, output = make_mapped(windows, qtbot, sample_library, tiny_embedder)
    w.audition.set_auto_play(False)
    index = w.model.table.index
    spots = isolated(view, list(range(len(index))))
    assert len(spots) >= 2
    passed, rested = spots[0], spots[1]
    port = view.plot.viewport()
    QTest.mouseMove(port, pixel_of(view, passed))
    QTest.mouseMove(port, pixel_of(view, rested))  # sooner than the pause: the first never plays
    assert output.played == []
    qtbot.waitUntil(lambda: w.audition.playing is not None, timeout=20000)
    qtbot.wait(500)
    assert w.audition.playing == index.paths[rested] and len(output.played) == 1
    assert w.table.current_path() is None  # hovering plays, it does not select


def test_dots_have_their_category_colour_fading_and_shrinking_with_a_poor_fit(mapped, qtbot, bounce):
    w, view, _ = mapped
    index = w.model.table.index
    spots = isolated(view, list(range(len(index))))
    assert spots
    for p in spots:
        assert colour_at(view, pixel_of(view, p)) == QColor(theme.CATEGORY_COLOURS[index.category(p)])

    w.open_bounce(str(bounce))
    qtbot.waitUntil(lambda: w.model.has_scores(), timeout=60000)
    qtbot.wait(50)
    fit = w.model.table.ranking.fit
    spots = isolated(view, list(range(len(index))))
    best, worst = max(spots, key=lambda p: fit[p]), min(spots, key=lambda p: fit[p])
    assert fit[best] > map_view.GOOD_FIT and fit[worst] < map_view.FAIR_FIT
    assert colour_at(view, pixel_of(view, best)) == QColor(theme.CATEGORY_COLOURS[index.category(best)])
    full, bg = QColor(theme.CATEGORY_COLOURS[index.category(worst)]), QColor(theme.BG)
    share = map_view.DIMMEST + (1 - map_view.DIMMEST) * fit[worst] / 100
    faded = colour_at(view, pixel_of(view, worst))
    for channel in ("red", "green", "blue"):
        want = getattr(bg, channel)() + (getattr(full, channel)() - getattr(bg, channel)()) * share
        assert abs(getattr(faded, channel)() - want) <= 1
    edge = QPoint(3, 0)  # inside the good fit's radius, outside the poor fit's
    assert colour_at(view, pixel_of(view, best) + edge) == colour_at(view, pixel_of(view, best))
    assert colour_at(view, pixel_of(view, worst) + edge) == QColor(theme.BG)

"""The window beside a DAW: usable at 800x600 and at half of a 1920-px screen, nothing cut off or overlapping."""
from __future__ import annotations

import shutil
from collections import Counter

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from samplematch_gui.ui.elided_label import ElidedLabel
from samplematch_gui.ui.filter_bar import COUNTS, DOTS, FULL, MODES, NAMES, FilterBar
from samplematch_gui.ui.results_view import MIN_ROWS, ROW_HEIGHT
from samplematch_gui.ui.sidebar_splitter import ROOM
from samplematch_gui.ui.theme import apply_theme
from tests.ui_fakes import LIBRARY_SIZE, drop_on

LONG_BOUNCE = "Late Night Drive - rough mix 2024-11-30 final FINAL v12 (no vocals).wav"


@pytest.fixture(autouse=True)
def themed(qapp):
    """The app's own style sheet and font (their paddings decide what fits), for this module's tests only."""
    saved = qapp.styleSheet(), qapp.palette(), qapp.font()
    apply_theme(qapp)
    yield
    qapp.setStyleSheet(saved[0])
    qapp.setPalette(saved[1])
    qapp.setFont(saved[2])


def controls(container: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QComboBox, QLabel, QLineEdit)
    return [w for w in container.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible()]


def drawn_whole(c: QWidget) -> bool:
    """Wide enough for what it shows: a label's or button's text (a shortening label: its "…" form)."""
    if isinstance(c, ElidedLabel) or isinstance(c, (QComboBox, QLineEdit)):
        return c.width() >= c.minimumSizeHint().width()
    if isinstance(c, QLabel) and c.wordWrap():
        return True
    text = c.fontMetrics().horizontalAdvance(c.text())
    icon = c.iconSize().width() if isinstance(c, QAbstractButton) and not c.icon().isNull() else 0
    return c.contentsRect().width() >= text + icon


def assert_nothing_cut_or_overlapping(w) -> None:
    """Every control is at least as wide as it needs to be drawn whole (a label may shorten its text with "…"),
    lies inside the window, and the controls of one row do not overlap."""
    window = w.rect()
    for panel in (w.query_panel, w.filter_bar, w.preview, w.library_panel):
        if not panel.isVisible():
            continue
        shown = controls(panel)
        for c in shown:
            assert drawn_whole(c), (type(c).__name__, c.objectName(), c.text() if hasattr(c, "text") else "")
            rect = c.rect().translated(c.mapTo(w, c.rect().topLeft()))
            assert window.contains(rect), (c, rect, window)
            if isinstance(c, ElidedLabel) and c.elided():
                assert c.text() in c.hover_text() or c.hover_text() == c.toolTip() != "", c.text()
        boxes = [(c, c.rect().translated(c.mapTo(w, c.rect().topLeft()))) for c in shown
                 if c.parentWidget() is panel]
        for i, (a, ra) in enumerate(boxes):
            for b, rb in boxes[i + 1:]:
                assert not ra.intersects(rb), (a, b)
    for chip in w.filter_bar.buttons.values():
        assert chip.width() >= chip.sizeHint().width(), chip.text()  # a chip's text is never cut


@pytest.mark.parametrize("size", [(800, 600), (960, 1000), (960, 540), (1024, 640), (973, 450)])
def test_the_window_fits_beside_a_daw(windows, qtbot, sample_library, bounce, tmp_path, tiny_embedder, size):
    long_bounce = tmp_path / LONG_BOUNCE
    shutil.copy(bounce, long_bounce)
    w = windows.make(tiny_embedder)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE, timeout=60000)
    with qtbot.waitSignal(w.search.bounceLoaded, timeout=30000):
        w.open_bounce(str(long_bounce))
    qtbot.waitUntil(lambda: w.model.has_scores())
    w.table.selectRow(0)
    w.query_panel.set_busy(True)  # the busy bar too: the header at its fullest

    w.resize(*size)
    qtbot.waitUntil(lambda: (w.width(), w.height()) == size)
    qtbot.wait(50)
    assert w.minimumSizeHint().width() <= 800
    room = w.main_splitter.width() >= w.main_splitter.width_for_both(ROOM)
    assert w.library_panel.isVisible() == room != w.sidebar_button.isVisible()  # else it stepped aside
    assert_nothing_cut_or_overlapping(w)
    assert w.query_panel.title.toolTip() == str(long_bounce)
    table = w.table
    assert table.horizontalScrollBar().maximum() == 0  # every column on screen, the folder one too
    assert table.columnWidth(0) >= 120  # the names stay readable
    assert w.filter_bar.mode() == (NAMES if size[0] > 900 else COUNTS)  # the names from half a screen up
    assert table.viewport().height() >= MIN_ROWS * ROW_HEIGHT  # results in view, even 450 px high

    w.resize(1400, 860)  # room again: the sidebar comes back by itself
    qtbot.waitUntil(lambda: w.library_panel.isVisible() and not w.sidebar_button.isVisible())
    qtbot.wait(50)
    assert_nothing_cut_or_overlapping(w)


def test_the_library_panel_can_be_shown_in_a_narrow_window_and_hidden_in_a_wide_one(windows, qtbot):
    w = windows.make()
    w.resize(960, 700)
    qtbot.waitUntil(lambda: not w.library_panel.isVisible())
    assert not w.sidebar_action.isChecked()
    w.sidebar_button.click()  # F9 / View → Library Panel does the same
    qtbot.waitUntil(w.library_panel.isVisible)
    qtbot.wait(50)
    assert w.width() <= 960 and w.sidebar_action.isChecked()
    assert_nothing_cut_or_overlapping(w)
    w.resize(800, 600)  # too narrow for both even at their least widths: it steps aside again
    qtbot.waitUntil(lambda: not w.library_panel.isVisible() and w.sidebar_button.isVisible())
    w.sidebar_button.click()  # asked for here, it gets its room: the window widens
    qtbot.waitUntil(w.library_panel.isVisible)
    assert w.width() == w.main_splitter.width_for_both() and w.width() <= 960  # both fit half a 1920-px screen
    qtbot.wait(50)
    assert_nothing_cut_or_overlapping(w)
    w.resize(1400, 860)
    w.sidebar_action.trigger()  # hidden by hand: it stays hidden, however wide
    qtbot.waitUntil(lambda: not w.library_panel.isVisible())
    w.close()
    again = windows.make()
    again.resize(1400, 860)
    qtbot.wait(50)
    assert not again.library_panel.isVisible() and again.sidebar_button.isVisible()


def test_chips_say_less_as_the_bar_narrows_and_are_never_cut(qapp, qtbot):
    holder = QWidget()  # the bar in a layout, as in the window
    qtbot.addWidget(holder)
    bar = FilterBar()
    QVBoxLayout(holder).addWidget(bar)
    bar.set_counts(Counter({c: 1234 for c in bar.buttons}))
    bar.set_result_count(1234 * 9, 1234 * 9)
    holder.show()
    needs = bar._needs
    assert max(needs.values()) == needs[FULL] and min(needs.values()) == needs[DOTS]
    assert bar.minimumSizeHint().width() == needs[DOTS]
    texts = {FULL: "Kick  1,234", NAMES: "Kick", COUNTS: "1,234", DOTS: ""}
    for width in sorted(needs.values(), reverse=True):
        holder.resize(width + holder.width() - bar.width(), 60)
        best = next(m for m in MODES if needs[m] <= width)  # the most that fits
        qtbot.waitUntil(lambda best=best: bar.mode() == best)
        assert bar.buttons["kick"].text() == texts[best]
        assert bar.count_label.isVisible() == (best == FULL)
        assert all(chip.width() >= chip.sizeHint().width() for chip in bar.buttons.values())
        assert "Kick: 1,234 samples" in bar.buttons["kick"].toolTip()
    holder.resize(needs[FULL] + holder.width() - bar.width(), 60)
    qtbot.waitUntil(lambda: bar.mode() == FULL)
    bar.set_counts(Counter({c: 123_456 for c in bar.buttons}))  # a scan grew the library: the counts no longer fit
    assert bar.mode() == NAMES and bar.buttons["kick"].text() == "Kick"
    qtbot.wait(50)
    assert all(chip.width() >= chip.sizeHint().width() for chip in bar.buttons.values())

"""More like this: the sample ranked by takes the bounce's place, and the score column says what it is."""
from __future__ import annotations

import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from samplematch_gui.result_table import COLUMNS
from tests.ui_fakes import LIBRARY_SIZE, drop_on, visible_paths

SCORE = COLUMNS.index("score")


def test_more_like_this_shows_the_reference_sample_and_a_similarity_column(windows, qtbot, sample_library, bounce,
                                                                           tiny_embedder):
    w = windows.make(tiny_embedder)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE, timeout=60000)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.open_bounce(str(bounce))
    panel = w.query_panel
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.waveform)
    header = lambda: w.model.headerData(SCORE, Qt.Orientation.Horizontal)  # noqa: E731
    assert header() == "FIT" and panel.excerpts.isVisible()

    reference = next(p for p in visible_paths(w) if p.endswith("Crash 16in.wav"))
    w.table.selectRow(visible_paths(w).index(reference))
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.more_like_current()
    assert header() == "SIMILARITY"
    assert panel.stack.currentWidget() is panel.reference
    assert panel.reference.duration == pytest.approx(sf.info(reference).duration, abs=0.01)
    assert not panel.excerpts.isVisible() and not panel.play_button.isVisible() and panel.back_button.isVisible()
    assert panel.title.text() == "Crash 16in.wav"
    top = w.model.index(0, SCORE)
    assert visible_paths(w)[0] == reference and top.data() == "1.00"  # itself first
    assert "Similarity to Crash 16in.wav" in top.data(Qt.ItemDataRole.ToolTipRole)

    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        panel.back_button.click()
    assert header() == "FIT" and panel.stack.currentWidget() is panel.waveform
    assert panel.excerpts.isVisible() and panel.play_button.isVisible()

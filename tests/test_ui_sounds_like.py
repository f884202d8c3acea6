"""The window's mode switch: "Fits this track" / "Sounds like its drums" re-ranks, the category chooses the
class, the mode persists per bounce, and a model without like queries disables it."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from samplematch_gui.engine import load_embedder
from samplematch_gui.query_session import QuerySession
from samplematch_gui.result_table import COLUMNS
from tests import sounds
from tests.ui_fakes import LIBRARY_SIZE, drop_on, visible_paths


@pytest.fixture(scope="module", params=["like queries", "hit matching"])
def like_embedder(request, like_weights, matched_weights):
    """A model trained with "sounds like" queries, and one that answers them by hit matching."""
    return load_embedder(like_weights if request.param == "like queries" else matched_weights)


def _ranked_window(windows, qtbot, sample_library, bounce, embedder):
    w = windows.make(embedder)
    assert drop_on(w, [sample_library])
    qtbot.waitUntil(lambda: not w.library.scanning() and w.model.total() == LIBRARY_SIZE, timeout=60000)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        assert drop_on(w, [bounce])
    return w


def _cli_order(db_path, embedder, bounce, mode, categories=None) -> list[str]:
    session = QuerySession(db_path)
    session.embedder = embedder
    index = session.load_index()
    session.open_bounce(bounce)
    session.set_mode(mode)
    try:
        ranking = session.rank(categories)
        return [index.paths[i] for i in ranking.order]
    finally:
        session.close()


def test_the_switch_reranks_and_the_chosen_category_drives_the_query(windows, qtbot, sample_library, bounce,
                                                                     like_embedder):
    w = _ranked_window(windows, qtbot, sample_library, bounce, like_embedder)
    switch = w.query_panel.mode_switch
    assert switch.isVisible() and switch.buttons["like"].isEnabled() and switch.mode() == "fit"
    fit_order = visible_paths(w)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        switch.buttons["like"].click()
    assert w.search.session.query.mode == "like" and switch.mode() == "like"
    assert visible_paths(w) == _cli_order(w.db.path, like_embedder, bounce, "like")
    assert visible_paths(w) != fit_order
    score_column = COLUMNS.index("score")
    assert w.model.headerData(score_column, Qt.Orientation.Horizontal) == "MATCH"
    assert w.model.index(0, score_column).data(Qt.ItemDataRole.ToolTipRole).startswith("Sounds more like the drums")
    kick_chip = w.filter_bar.buttons["kick"]
    kick_chip.click()
    qtbot.waitUntil(lambda: {w.model.index(r, 1).data() for r in range(w.model.rowCount())} == {"Kick"})
    assert visible_paths(w) == _cli_order(w.db.path, like_embedder, bounce, "like", {"kick"})
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        switch.buttons["fit"].click()
    assert visible_paths(w) == _cli_order(w.db.path, like_embedder, bounce, "fit", {"kick"})
    assert w.model.headerData(score_column, Qt.Orientation.Horizontal) == "FIT"


def test_the_mode_persists_per_bounce(windows, qtbot, sample_library, bounce, tmp_path, like_embedder):
    other = tmp_path / "other.wav"
    sf.write(other, sounds.song(np.random.default_rng(7), 8.0), 44100)
    w = _ranked_window(windows, qtbot, sample_library, bounce, like_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        w.query_panel.mode_switch.buttons["like"].click()
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        assert drop_on(w, [other])
    assert w.search.bounce.mode == "fit" and w.query_panel.mode_switch.mode() == "fit"   # a new bounce: fit
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        assert drop_on(w, [bounce])
    qtbot.waitUntil(lambda: w.search.bounce.mode == "like")                               # this one: like again
    assert w.query_panel.mode_switch.mode() == "like"
    w.close()
    again = windows.make(like_embedder)                                                   # relaunched
    qtbot.waitUntil(lambda: again.search.bounce is not None and again.search.bounce.mode == "like", timeout=30000)
    assert again.search.bounce.path == str(bounce)


def test_a_model_without_like_queries_disables_the_switch_and_says_why(windows, qtbot, sample_library, bounce,
                                                                       tiny_embedder):
    w = _ranked_window(windows, qtbot, sample_library, bounce, tiny_embedder)
    like = w.query_panel.mode_switch.buttons["like"]
    assert not like.isEnabled() and "cannot answer 'sounds like' queries" in like.toolTip()
    assert not w.query_panel.mode_switch.isVisible()       # nothing to choose with this model
    assert w.query_panel.mode_switch.buttons["fit"].isChecked()

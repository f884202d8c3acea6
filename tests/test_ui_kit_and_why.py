"""The window's kit panel (suggest, lock, drag, copy) and the why-this-score panel, offscreen."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

from samplematch_gui.kit_suggest import SLOT_NAMES
from samplematch_gui.score_explanation import SCALES
from tests.test_ui_window_query import scanned_window
from tests.ui_fakes import drop_on

SLOT_CATEGORIES = {"kick": {"kick"}, "snare": {"snare", "clap"}, "closed_hat": {"hihat"}, "open_hat": {"hihat"},
                   "ride": {"ride"}, "crash": {"crash"}, "tom": {"tom"}}


@pytest.fixture
def ranked(windows, qtbot, sample_library, bounce, tiny_embedder):
    w = scanned_window(windows, qtbot, sample_library, tiny_embedder)
    with qtbot.waitSignal(w.search.resultsReady, timeout=30000):
        assert drop_on(w, [bounce])
    qtbot.waitUntil(lambda: w.search.session.ranking is not None and w.search.session.ranking.scored,
                    timeout=30000)
    return w


def _suggest(w, qtbot):
    w.suggest_kit()
    qtbot.waitUntil(lambda: w.kit_panel.kit is not None and not w.kit_panel.busy, timeout=30000)
    return w.kit_panel


def _shown(panel) -> dict[str, str | None]:
    return {name: row.path() for name, row in panel.rows.items()}


def test_suggest_fills_every_slot_with_distinct_samples_of_its_kind(ranked, qtbot):
    assert ranked.kit_dock.isHidden()
    panel = _suggest(ranked, qtbot)
    assert ranked.kit_dock.isVisible()
    shown = _shown(panel)
    assert list(shown) == list(SLOT_NAMES) and all(shown.values())
    assert len(set(shown.values())) == len(shown)
    index = ranked.search.index
    for name, path in shown.items():
        assert index.category(index.position(path)) in SLOT_CATEGORIES[name]
    assert shown["open_hat"].endswith("Open Hat.ogg") and shown["closed_hat"].endswith("Closed Hat 1.aiff")
    assert panel.summary.text().startswith("Fit ")
    assert panel.drag_handle.text().endswith("(7 files)")


def test_a_locked_slot_is_kept_when_the_rest_is_suggested_again(ranked, qtbot):
    panel = _suggest(ranked, qtbot)
    kicks = panel.rows["kick"]
    assert kicks.choice.count() == 2  # the library's two kicks: the choice and one alternative
    other_kick = kicks.candidates[1].path
    kicks.choice.setCurrentIndex(1)
    kicks.choice.activated.emit(1)  # as a user's pick: it locks the slot and suggests the rest again
    qtbot.waitUntil(lambda: panel.kit is not None and panel.kit.pick("kick").locked, timeout=30000)
    assert kicks.lock.isChecked() and kicks.path() == other_kick
    panel.rows["tom"].include.setChecked(False)  # an optional slot out: suggested again without it
    qtbot.waitUntil(lambda: "tom" not in {p.slot.name for p in panel.kit.picks}, timeout=30000)
    assert panel.kit.pick("kick").choice.path == other_kick and kicks.path() == other_kick
    assert "tom" not in {Path(p).stem.lower().split()[0] for p in panel.paths()} and len(panel.paths()) == 6
    kicks.lock.setChecked(False)
    panel.suggest()
    qtbot.waitUntil(lambda: not panel.busy and not panel.kit.pick("kick").locked, timeout=30000)


def test_the_whole_kit_drags_as_one_multi_file_drag(ranked, qtbot):
    panel = _suggest(ranked, qtbot)
    urls = panel.mime().urls()
    assert [u.toLocalFile() for u in urls] == panel.paths() and len(urls) == len(SLOT_NAMES)
    assert all(isinstance(u, QUrl) and u.isLocalFile() and os.path.isfile(u.toLocalFile()) for u in urls)


def test_copy_writes_copies_into_the_chosen_folder_and_leaves_the_originals(ranked, qtbot, tmp_path):
    panel = _suggest(ranked, qtbot)
    sources = panel.paths()
    before = {p: Path(p).read_bytes() for p in sources}
    out = tmp_path / "My kit"
    out.mkdir()
    (out / f"1 Kick - {Path(sources[0]).name}").write_bytes(b"already here")
    with qtbot.waitSignal(panel.message, timeout=30000) as said:
        panel.copy_to(str(out))
    copies = sorted(os.listdir(out))
    assert len(copies) == len(sources)
    assert (out / f"1 Kick - {Path(sources[0]).name}").read_bytes() == b"already here"  # never replaced
    for n, source in enumerate(sources[1:], 2):
        copy = next(out / c for c in copies if c.startswith(f"{n} "))
        assert copy.read_bytes() == before[source]
    assert all(Path(p).read_bytes() == before[p] for p in sources)  # the originals stay
    assert "Copied 6 file(s)" in said.args[0] and "1 not copied" in said.args[0]
    assert panel.problems.isVisibleTo(panel) and panel.problems.text().count("\n") == 0
    with qtbot.waitSignal(panel.message, timeout=30000) as said:  # into a sample folder: refused
        panel.copy_to(str(Path(sources[0]).parent))
    assert "Nothing copied" in said.args[0] and "never writes" in panel.problems.text()


def test_the_why_panel_follows_the_selection(ranked, qtbot):
    why = ranked.why_panel
    assert why.explanation is None
    ranked.table.selectRow(0)
    first = ranked.table.current_path()
    qtbot.waitUntil(lambda: why.explanation is not None and why.explanation.path == first, timeout=30000)
    assert why.headline.text().startswith("Fit 100.0 · Against the bounce's hits: ")
    assert len(why.explanation.comparisons) == len(SCALES)
    assert why.evidence.text().startswith("Closest to these 3 samples you ranked highly")
    assert all(cell.bar.sample_at is not None and " vs " in cell.values.text() for cell in why.cells)
    ranked.table.selectRow(ranked.model.rowCount() - 1)
    last = ranked.table.current_path()
    qtbot.waitUntil(lambda: why.explanation is not None and why.explanation.path == last, timeout=30000)
    assert last != first and why.headline.text().startswith("Fit 0.0")
    hidden_by = "kick" if ranked.search.index.category(ranked.search.index.position(last)) != "kick" else "snare"
    ranked.filter_bar.set_categories({hidden_by})
    qtbot.waitUntil(lambda: why.explanation is None, timeout=5000)  # the filter hid it: nothing to explain


def test_a_layout_saved_before_the_why_card_gives_it_room(windows, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QSplitter

    from samplematch_gui.ui.settings import AppSettings

    old = QSplitter(Qt.Orientation.Vertical)  # the workspace as it was: the query and the results
    old.addWidget(QLabel("query"))
    old.addWidget(QLabel("results"))
    old.setSizes([200, 500])
    settings = AppSettings(windows.settings_file)
    settings.set_splitter_state("workspace", old.saveState())
    settings.sync()
    w = windows.make()
    qtbot.waitUntil(lambda: w.workspace_splitter.sizes()[2] > 1)
    assert w.workspace_splitter.sizes()[2] >= w.why_panel.card.minimumSizeHint().height()
    w.workspace_splitter.setSizes([200, 400, 1])  # squeezed on purpose: kept so
    w.close()
    assert windows.make().workspace_splitter.sizes()[2] == 1

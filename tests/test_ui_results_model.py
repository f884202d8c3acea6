"""Results table model and its filter/sort proxy over plain RankedSample rows."""
from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from samplematch_gui.library_db import SampleRow
from samplematch_gui.library_index import RankedSample
from samplematch_gui.ui.results_model import (COLUMNS, PathRole, ResultsFilter, ResultsModel,
                                              display_folder, format_duration)


def ranked(name: str, category: str, score: float, folder: str = "/lib/Drums") -> RankedSample:
    row = SampleRow(path=f"{folder}/{name}", folder=folder, name=name, size=1, mtime_ns=1,
                    duration=0.5, auto_category=category, user_category=None, error=None,
                    model_id="m")
    return RankedSample(row, score)


@pytest.fixture
def models(qapp):
    model = ResultsModel()
    proxy = ResultsFilter()
    proxy.setSourceModel(model)
    proxy.sort(COLUMNS.index("score"), Qt.SortOrder.DescendingOrder)
    model.set_results([
        ranked("Kick Deep.wav", "kick", 0.31), ranked("Snare Tight.wav", "snare", 0.92),
        ranked("Hat Closed.wav", "hihat", 0.55, "/lib/Hats"),
        ranked("Kick Punch.wav", "kick", 0.77),
    ])
    return model, proxy


def names(proxy) -> list[str]:
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_best_score_first(models):
    _, proxy = models
    assert names(proxy) == ["Snare Tight.wav", "Kick Punch.wav", "Hat Closed.wav", "Kick Deep.wav"]
    assert proxy.index(0, COLUMNS.index("score")).data() == "0.92"


def test_category_and_text_filters_and_counts(models):
    model, proxy = models
    proxy.set_categories({"kick"})
    assert names(proxy) == ["Kick Punch.wav", "Kick Deep.wav"]
    proxy.set_categories({"kick", "hihat"})
    proxy.set_text("  HAT ")
    assert names(proxy) == ["Hat Closed.wav"]
    proxy.set_text("lib hats")  # every word must match, the folder counts too
    assert names(proxy) == ["Hat Closed.wav"]
    proxy.set_text("kick")
    assert proxy.text_matched_counts() == {"kick": 2}  # counts ignore the category toggles
    proxy.set_text("")
    assert proxy.text_matched_counts() == {"kick": 2, "snare": 1, "hihat": 1}
    assert model.rowCount() == 4


def test_sorting_other_columns(models):
    _, proxy = models
    proxy.sort(COLUMNS.index("name"), Qt.SortOrder.AscendingOrder)
    assert names(proxy)[0] == "Hat Closed.wav"
    proxy.sort(COLUMNS.index("category"), Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 1).data() for r in range(4)] == ["Kick", "Kick", "Snare", "Hi-hat"]


def test_sorting_breaks_ties_by_name_and_survives_new_results(models):
    model, proxy = models
    proxy.sort(COLUMNS.index("duration"), Qt.SortOrder.AscendingOrder)  # all 0.5 s: by name
    assert names(proxy) == sorted(names(proxy))
    model.set_results([ranked("b.wav", "kick", 0.1), ranked("a.wav", "kick", 0.2)])
    assert names(proxy) == ["a.wav", "b.wav"]  # the chosen column still applies


def test_sorting_keeps_the_selected_sample_selected(models):
    _, proxy = models
    from PySide6.QtCore import QItemSelectionModel

    selection = QItemSelectionModel(proxy)
    selection.setCurrentIndex(proxy.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    chosen = selection.currentIndex().data(PathRole)
    proxy.sort(COLUMNS.index("name"), Qt.SortOrder.DescendingOrder)
    assert selection.currentIndex().data(PathRole) == chosen


def test_category_correction_edits_the_row_and_reports_it(models, qtbot):
    model, proxy = models
    index = proxy.index(0, COLUMNS.index("category"))  # Snare Tight
    with qtbot.waitSignal(model.categoryEdited) as sig:
        assert proxy.setData(index, "crash")
    assert sig.args == ["/lib/Drums/Snare Tight.wav", "crash"]
    assert proxy.index(0, COLUMNS.index("category")).data() == "Crash *"
    with qtbot.waitSignal(model.categoryEdited) as sig:  # back to the automatic category
        assert model.correct_category("/lib/Drums/Snare Tight.wav", "snare")
    assert sig.args == ["/lib/Drums/Snare Tight.wav", None]
    assert not proxy.setData(index, "not-a-category")


def test_category_filter_follows_a_correction(models):
    model, proxy = models
    proxy.set_categories({"kick"})
    model.correct_category("/lib/Drums/Snare Tight.wav", "kick")
    assert "Snare Tight.wav" in names(proxy)


def test_mime_data_carries_file_urls_for_a_copy(models):
    model, proxy = models
    indexes = [proxy.index(0, 0), proxy.index(0, 2), proxy.index(2, 0)]
    mime = proxy.mimeData(indexes)
    assert [u.toLocalFile() for u in mime.urls()] == [
        "/lib/Drums/Snare Tight.wav", "/lib/Hats/Hat Closed.wav"]
    assert "text/uri-list" in mime.formats()
    assert model.supportedDragActions() == Qt.DropAction.CopyAction
    assert proxy.index(0, 0).flags() & Qt.ItemFlag.ItemIsDragEnabled


def test_unscored_library_rows_and_formatting(qapp):
    model = ResultsModel()
    model.set_results([ranked("a.wav", "kick", math.nan)])
    assert not model.has_scores()
    assert model.index(0, COLUMNS.index("score")).data() == ""
    assert model.index(0, 0).data(PathRole) == "/lib/Drums/a.wav"
    model.set_roots(["/lib"])
    assert model.index(0, COLUMNS.index("folder")).data() == "lib / Drums"
    assert display_folder("/elsewhere/x", ["/lib"]) == "/elsewhere/x"
    assert [format_duration(s) for s in (0.123, 12.34, 75)] == ["0.12 s", "12.3 s", "1:15"]


def test_text_filter_looks_only_at_what_the_table_shows(qapp):
    model, proxy = ResultsModel(), ResultsFilter()
    proxy.setSourceModel(model)
    model.set_roots(["/home/sam/Samples"])
    model.set_results([ranked("BD 1.wav", "kick", 0.5, "/home/sam/Samples/Kicks"),
                       ranked("SD 1.wav", "snare", 0.4, "/home/sam/Samples/Snares")])
    proxy.set_text("home")  # in the path, but not in the Folder column ("Samples / Kicks")
    assert names(proxy) == []
    proxy.set_text("samples kicks")
    assert names(proxy) == ["BD 1.wav"]


def test_the_first_click_on_fit_sorts_best_first(models):
    model, _ = models
    assert model.headerData(COLUMNS.index("score"), Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.InitialSortOrderRole) == Qt.SortOrder.DescendingOrder
    assert model.headerData(COLUMNS.index("name"), Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.InitialSortOrderRole) == Qt.SortOrder.AscendingOrder


def test_filter_chips_drop_their_names_when_the_counts_no_longer_fit(qapp):
    from collections import Counter

    from samplematch_gui.ui.filter_bar import FilterBar

    bar = FilterBar()
    bar.set_counts(Counter(kick=3))
    bar.resize(bar._full_width() + 40, 40)
    bar.show()
    qapp.processEvents()
    assert bar.buttons["kick"].text() == "Kick  3" and bar.count_label.isVisible()
    bar.set_counts(Counter({c: 123_456 for c in bar.buttons}))  # a scan grew the library
    assert bar.buttons["kick"].text() == "123,456" and not bar.count_label.isVisible()
    bar.resize(bar._full_width() + 40, 40)
    qapp.processEvents()
    assert bar.buttons["kick"].text() == "Kick  123,456"
    bar.close()

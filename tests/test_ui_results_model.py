"""The results table's Qt model: lazy reads of the core's arrays, filters, sorts, corrections, drags."""
from __future__ import annotations

import math
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from model.scoring import top_indices
from samplematch_gui.library_db import LibraryDB, SampleRecord, SampleRow
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.query_session import Query, QuerySession, Ranking
from samplematch_gui.result_table import COLUMNS, display_folder
from samplematch_gui.ui.results_model import PathRole, ResultsModel, format_duration
from samplematch_gui.ui.results_view import ResultsView

SAMPLES = [("Kick Deep.wav", "kick", 0.31, "/lib/Drums"), ("Snare Tight.wav", "snare", 0.92, "/lib/Drums"),
           ("Hat Closed.wav", "hihat", 0.55, "/lib/Hats"), ("Kick Punch.wav", "kick", 0.77, "/lib/Drums")]


def library(db_path, samples) -> QuerySession:
    """A session over a library file holding these samples (the scores come with the ranking)."""
    with LibraryDB(db_path) as db:
        db.write_batch(SampleRecord(f"{folder}/{name}", "/lib", 1, 1, 0.5, category, "m",
                                    embedding=np.ones(2, np.float32)) for name, category, _, folder in samples)
    session = QuerySession(db_path)
    session.load_index()
    return session


def ranking(index: LibraryIndex, samples, query=Query("bounce", "/b.wav")) -> Ranking:
    by_path = {f"{folder}/{name}": score for name, _, score, folder in samples}
    scores = np.array([by_path[p] for p in index.paths], np.float32)
    return Ranking(index, top_indices(scores) if query else np.arange(len(scores)), scores, query)


@pytest.fixture
def models(qapp, tmp_path):
    session = library(tmp_path / "lib.db", SAMPLES)
    model = ResultsModel(session.correct_categories)
    model.set_ranking(ranking(session.index, SAMPLES))
    return model, session


def names(model) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_best_score_first(models):
    model, _ = models
    assert names(model) == ["Snare Tight.wav", "Kick Punch.wav", "Hat Closed.wav", "Kick Deep.wav"]
    fit = COLUMNS.index("score")  # a bounce's fit reads as the percentile in the library; the cosine is the tip
    assert [model.index(r, fit).data() for r in range(4)] == ["100.0", "66.7", "33.3", "0.0"]
    assert "better than 66.7 % of the 4 drum samples" in model.index(1, fit).data(Qt.ItemDataRole.ToolTipRole)
    assert "0.770" in model.index(1, fit).data(Qt.ItemDataRole.ToolTipRole)
    assert model.score(0) == pytest.approx(0.92) and model.has_scores()
    assert model.sort_column() == COLUMNS.index("score") and model.sort_order() == Qt.SortOrder.DescendingOrder


def test_category_and_text_filters_and_counts(models):
    model, _ = models
    model.set_categories({"kick"})
    assert names(model) == ["Kick Punch.wav", "Kick Deep.wav"]
    model.set_categories({"kick", "hihat"})
    model.set_text("  HAT ")
    assert names(model) == ["Hat Closed.wav"]
    model.set_text("lib hats")  # every word must match, the folder counts too
    assert names(model) == ["Hat Closed.wav"]
    model.set_text("kick")
    assert model.text_matched_counts() == {"kick": 2}  # counts ignore the category toggles
    model.set_text("")
    assert model.text_matched_counts() == {"kick": 2, "snare": 1, "hihat": 1}
    assert model.rowCount() == 3 and model.total() == 4


def test_sorting_other_columns(models):
    model, _ = models
    model.sort(COLUMNS.index("name"), Qt.SortOrder.AscendingOrder)
    assert names(model)[0] == "Hat Closed.wav"
    model.sort(COLUMNS.index("category"), Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 1).data() for r in range(4)] == ["Kick", "Kick", "Snare", "Hi-hat"]


def test_sorting_breaks_ties_by_name_and_survives_new_results(models, tmp_path):
    model, _ = models
    model.sort(COLUMNS.index("duration"), Qt.SortOrder.AscendingOrder)  # all 0.5 s: by name
    assert names(model) == sorted(names(model))
    two = [("b.wav", "kick", 0.1, "/lib"), ("a.wav", "kick", 0.2, "/lib")]
    model.set_ranking(ranking(library(tmp_path / "two.db", two).index, two))
    assert names(model) == ["a.wav", "b.wav"]  # the chosen column still applies (the same query)


def test_sorting_and_filtering_keep_the_selected_sample_selected(models):
    model, _ = models
    selection = QItemSelectionModel(model)
    selection.setCurrentIndex(model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    chosen = selection.currentIndex().data(PathRole)
    model.sort(COLUMNS.index("name"), Qt.SortOrder.DescendingOrder)
    assert selection.currentIndex().data(PathRole) == chosen
    model.set_text("hat")
    assert selection.currentIndex().data(PathRole) == chosen and model.rowCount() == 1
    model.set_text("kick")  # filtered out: nothing is current
    assert not selection.currentIndex().isValid()


def test_category_correction_is_saved_and_shown(models, tmp_path):
    model, session = models
    index = model.index(0, COLUMNS.index("category"))  # Snare Tight
    assert model.setData(index, "crash")
    assert model.index(0, COLUMNS.index("category")).data() == "Crash *"
    with LibraryDB(tmp_path / "lib.db") as db:
        assert next(r for r in db.rows() if r.name == "Snare Tight.wav").category == "crash"
    assert model.correct_categories(["/lib/Drums/Snare Tight.wav"], "snare")  # back to the automatic one
    assert model.index(0, COLUMNS.index("category")).data() == "Snare"
    assert not model.setData(index, "not-a-category")
    assert not ResultsModel().flags(index) & Qt.ItemFlag.ItemIsEditable  # nowhere to save it


def test_category_filter_follows_a_correction(models):
    model, _ = models
    model.set_categories({"kick"})
    assert model.correct_categories(["/lib/Drums/Snare Tight.wav", "/lib/Hats/Hat Closed.wav"], "kick")
    assert {"Snare Tight.wav", "Hat Closed.wav"} <= set(names(model))
    assert model.text_matched_counts()["kick"] == 4


def test_mime_data_carries_file_urls_for_a_copy(models):
    model, _ = models
    indexes = [model.index(0, 0), model.index(0, 2), model.index(2, 0)]
    mime = model.mimeData(indexes)
    assert [u.toLocalFile() for u in mime.urls()] == [
        "/lib/Drums/Snare Tight.wav", "/lib/Hats/Hat Closed.wav"]
    assert "text/uri-list" in mime.formats()
    assert model.supportedDragActions() == Qt.DropAction.CopyAction
    assert model.index(0, 0).flags() & Qt.ItemFlag.ItemIsDragEnabled


def test_unscored_library_rows_and_formatting(qapp, tmp_path):
    samples = [("a.wav", "kick", math.nan, "/lib/Drums")]
    model = ResultsModel()
    model.set_ranking(ranking(library(tmp_path / "lib.db", samples).index, samples, query=None))
    assert not model.has_scores()
    assert model.index(0, COLUMNS.index("score")).data() == ""
    assert model.index(0, 0).data(PathRole) == "/lib/Drums/a.wav"
    model.set_roots(["/lib"])
    assert model.index(0, COLUMNS.index("folder")).data() == "lib / Drums"
    assert display_folder("/elsewhere/x", ["/lib"]) == "/elsewhere/x"
    assert [format_duration(s) for s in (0.123, 12.34, 75)] == ["0.12 s", "12.3 s", "1:15"]


def test_text_filter_looks_only_at_what_the_table_shows(qapp, tmp_path):
    samples = [("BD 1.wav", "kick", 0.5, "/home/sam/Samples/Kicks"),
               ("SD 1.wav", "snare", 0.4, "/home/sam/Samples/Snares")]
    model = ResultsModel()
    model.set_roots(["/home/sam/Samples"])
    model.set_ranking(ranking(library(tmp_path / "lib.db", samples).index, samples))
    model.set_text("home")  # in the path, but not in the Folder column ("Samples / Kicks")
    assert names(model) == []
    model.set_text("samples kicks")
    assert names(model) == ["BD 1.wav"]


def test_a_big_ranking_is_read_lazily_a_visible_row_at_a_time(qapp, monkeypatch):
    n = 100_000
    rows = [SampleRow(f"/lib/Pack {i % 50}/s{i:06d}.wav", f"/lib/Pack {i % 50}", f"s{i:06d}.wav", 1, 1, 0.5,
                      ("kick", "snare")[i % 2], None, None, "m") for i in range(n)]
    index = LibraryIndex(rows)
    scores = np.random.default_rng(0).random(n).astype(np.float32)
    reads = []
    real_name = LibraryIndex.name
    monkeypatch.setattr(LibraryIndex, "name", lambda self, i: reads.append(i) or real_name(self, i))
    model = ResultsModel()
    view = ResultsView()
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    model.set_ranking(Ranking(index, top_indices(scores), scores, Query("bounce", "/b.wav")))
    qapp.processEvents()
    assert model.rowCount() == n and reads and len(set(reads)) < 100  # only the rows on screen
    assert model.index(n - 1, 0).data() == index.name(int(np.argmin(scores)))
    view.selectRow(5)
    chosen = view.current_path()
    view.sortByColumn(COLUMNS.index("name"), Qt.SortOrder.AscendingOrder)  # a header click
    assert model.index(0, 0).data() == "s000000.wav" and view.current_path() == chosen
    assert model.row_of_path(chosen) == view.currentIndex().row()
    model.set_categories({"snare"})
    assert model.rowCount() == n // 2 and model.index(0, 0).data() == "s000001.wav"
    assert len(set(reads)) < 1000
    view.close()


def test_the_first_click_on_fit_sorts_best_first(models):
    model, _ = models
    assert model.headerData(COLUMNS.index("score"), Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.InitialSortOrderRole) == Qt.SortOrder.DescendingOrder
    assert model.headerData(COLUMNS.index("name"), Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.InitialSortOrderRole) == Qt.SortOrder.AscendingOrder

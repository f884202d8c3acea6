"""The result table's filters and sorts on arrays, against a plain Python reference of the same rules."""
import math
import os

import numpy as np
import pytest

from model.taxonomy import CATEGORIES
from samplematch_gui.library_db import SampleRow
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.query_session import Query, Ranking
from samplematch_gui.result_table import COLUMNS, ResultTable, display_folder

WORDS = ("kick", "Snare", "hat", "ride", "tom", "Boom", "tight", "808", "Vinyl")


def synthetic(n: int, seed: int = 0) -> tuple[LibraryIndex, list[SampleRow]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        folder = f"/lib/Pack {rng.integers(12)}/{WORDS[rng.integers(len(WORDS))]}s"
        name = f"{WORDS[rng.integers(len(WORDS))]} {rng.integers(40)} {i}.wav"
        rows.append(SampleRow(f"{folder}/{name}", folder, name, 1, 1, float(rng.integers(1, 30)) / 10,
                              CATEGORIES[rng.integers(len(CATEGORIES))], None, None, "m"))
    rows.sort(key=lambda r: r.path)
    return LibraryIndex(rows, rng.standard_normal((n, 16)).astype(np.float32), "m"), rows


def reference(rows, scores, categories, words, column, descending, roots):
    """What the table must show, the straightforward way."""
    def text(r):
        return f"{r.name} {display_folder(r.folder, roots)} {r.category}".casefold()

    def key(i):
        r = rows[i]
        primary = {"name": 0, "score": -scores[i], "duration": r.duration, "folder": r.folder.casefold(),
                   "category": CATEGORIES.index(r.category)}[column]
        return (primary, r.name.casefold(), r.path)

    kept = [i for i, r in enumerate(rows) if r.category in categories and all(w in text(r) for w in words)]
    if column == "score":
        return [i for i in sorted(kept, key=lambda i: -scores[i])][::1 if descending else -1]
    return sorted(kept, key=key, reverse=descending)


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("descending", [False, True])
def test_filters_and_sorts_match_the_reference(column, descending):
    index, rows = synthetic(1500)
    query = np.random.default_rng(1).standard_normal(16)
    order, scores = index.rank(query)
    table = ResultTable()
    table.set_roots(["/lib"])
    table.set_ranking(Ranking(index, order, scores, Query("bounce", "/b.wav")))
    table.set_categories({"kick", "snare", "tom"})
    table.set_text("S i")  # words anywhere in the name or the folder as shown
    table.set_sort(column, descending)
    expected = reference(rows, scores, {"kick", "snare", "tom"}, ("s", "i"), column, descending, ("/lib",))
    assert len(expected) > 20
    assert table.shown.tolist() == expected
    assert [table.row_of(p) for p in expected] == list(range(len(expected)))
    hidden = set(range(len(index))) - set(expected)
    assert all(table.row_of(p) == -1 for p in hidden)


def test_a_new_query_is_best_first_a_rerank_keeps_the_sort_and_the_library_is_by_name():
    index, rows = synthetic(300)
    table = ResultTable()
    unscored = Ranking(index, np.arange(len(index)), np.full(len(index), np.nan, np.float32))
    assert table.set_ranking(unscored)
    assert (table.sort_column, table.descending) == ("name", False)
    assert [rows[i].name.casefold() for i in table.shown] == sorted(r.name.casefold() for r in rows)
    assert table.bar(0) == 0.0 and math.isnan(table.score(0))
    query = Query("bounce", "/b.wav")
    ranked = Ranking(index, *index.rank(np.ones(16)), query)
    assert table.set_ranking(ranked)  # a new query
    assert (table.sort_column, table.descending) == ("score", True)
    assert table.shown.tolist() == ranked.order.tolist()
    assert table.bar(table.position(0)) == pytest.approx(1.0)
    assert table.bar(table.position(len(table) - 1)) == pytest.approx(0.08)
    table.set_sort("duration", False)
    assert not table.set_ranking(Ranking(index, *index.rank(np.ones(16)), query))  # the same query again
    assert table.sort_column == "duration"
    assert table.set_ranking(Ranking(index, *index.rank(-np.ones(16)), Query("like", rows[0].path)))
    assert table.sort_column == "score"


def test_counts_follow_the_text_filter_and_nested_folders_count_in_each():
    index, rows = synthetic(400)
    table = ResultTable()
    table.set_ranking(Ranking(index, np.arange(len(index)), np.zeros(len(index), np.float32)))
    table.set_text("808")
    table.set_categories({"kick"})
    counts = table.text_matched_counts()  # per category, whatever the category toggles say
    for c in CATEGORIES:
        assert counts[c] == sum(1 for r in rows if r.category == c and "808" in f"{r.name} {r.folder}".casefold())
    folders = ["/lib", "/lib/Pack 3", "/elsewhere"]
    assert table.folder_counts(folders) == {
        "/lib": len(rows), "/lib/Pack 3": sum(r.folder.startswith("/lib/Pack 3/") for r in rows), "/elsewhere": 0}


def test_a_correction_in_the_index_shows_after_a_refresh():
    index, rows = synthetic(200)
    table = ResultTable()
    table.set_ranking(Ranking(index, np.arange(len(index)), np.zeros(len(index), np.float32)))
    table.set_categories({"tom"})
    path = next(r.path for r in rows if r.category != "tom")
    index.set_user_category(index.position(path), "tom")
    table.refresh()
    assert table.row_of(index.position(path)) >= 0


def test_a_word_matches_the_category_as_shown_too():
    rows = [SampleRow(f"/lib/One Shots/{name}.wav", "/lib/One Shots", f"{name}.wav", 1, 1, 0.3, category, None, None,
                      "m") for name, category in (("CH 01", "hihat"), ("OH 02", "hihat"), ("BD 808", "kick"),
                                                  ("808 cowbell", "perc"))]
    index = LibraryIndex(rows, np.eye(4, dtype=np.float32), "m")
    table = ResultTable({"hihat": "Hi-hat", "kick": "Kick", "perc": "Perc"})
    table.set_ranking(Ranking(index, np.arange(4), np.zeros(4, np.float32)))

    def names(text):
        table.set_text(text)
        return [index.name(i) for i in table.shown]

    assert names("hi-hat") == names("HIHAT") == ["CH 01.wav", "OH 02.wav"]  # as shown, or as stored
    assert names("808 kick") == ["BD 808.wav"]  # every word, each in the name, the folder or the category
    assert table.text_matched_counts() == {"kick": 1}
    index.set_user_category(index.position("/lib/One Shots/808 cowbell.wav"), "kick")  # a correction
    table.refresh()
    assert names("808 kick") == ["808 cowbell.wav", "BD 808.wav"]


def test_display_folder():
    home = os.path.expanduser("~")
    assert display_folder("/lib/Drums/Kicks", ["/lib/Drums"]) == "Drums / Kicks"
    assert display_folder(home + "/x", []) == "~/x" and display_folder("/elsewhere/x", ["/lib"]) == "/elsewhere/x"

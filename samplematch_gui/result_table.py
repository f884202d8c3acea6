"""What the results table shows: a ranking filtered by category and words and sorted by a column, all
on arrays of index positions, so a 100,000-sample ranking is filtered or re-sorted in milliseconds.

A word of the text filter matches a sample's name, its folder as shown, or its category. Duplicates and the
velocity layers of one piece (samplematch_gui.sample_groups) take one row, their best member's: the best in
the ranking of those the filters keep; an expanded group lists the others under it, best first."""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping

import numpy as np

from model.taxonomy import CATEGORIES
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.paths import is_inside
from samplematch_gui.query_session import Ranking

COLUMNS = ("name", "category", "score", "duration", "folder")


def display_folder(folder: str, roots: tuple[str, ...] | list[str] = ()) -> str:
    """A sample's folder from its library folder down ("Drums / Kicks"), else with ~ for home."""
    for root in roots:
        if is_inside(folder, root):
            parent = os.path.dirname(root.rstrip(os.sep))
            return os.path.relpath(folder, parent).replace(os.sep, " / ")
    home = os.path.expanduser("~")
    return "~" + folder[len(home):] if home and folder.startswith(home + os.sep) else folder


class ResultTable:
    def __init__(self, category_names: Mapping[str, str] | None = None):
        """category_names: what a category is called on screen ("hihat": "Hi-hat"), for the text filter."""
        self.category_names = dict(category_names or {})
        self.ranking: Ranking | None = None
        self.categories = frozenset(CATEGORIES)
        self.words: tuple[str, ...] = ()
        self.sort_column: str | None = None  # one of COLUMNS; None: the ranking's own order
        self.descending = False
        self.roots: tuple[str, ...] = ()  # library folders, longest first: the folder column is relative
        self.shown = np.zeros(0, np.int64)  # index positions in table order
        self.counts = np.zeros(0, np.int64)  # per row: the samples its group shows (0: a member row)
        self.kept = 0  # samples through the filters, grouped or not
        self._expanded: tuple[LibraryIndex | None, set[int]] = (None, set())  # groups shown open, by group id
        self._rows: np.ndarray | None = None  # per index position, its table row (-1: filtered out)
        self._folder_text: tuple[tuple, list[str]] | None = None  # ((index, roots), shown folders)
        self._word_masks: tuple[tuple, list[np.ndarray]] | None = None  # ((index, roots, words), per word)
        self._span = (0.0, 1.0)  # lowest and highest score: the score bars' range

    @property
    def index(self) -> LibraryIndex | None:
        return None if self.ranking is None else self.ranking.index

    def __len__(self) -> int:
        return len(self.shown)

    def total(self) -> int:
        return 0 if self.ranking is None else len(self.ranking.order)

    # what is shown ---------------------------------------------------------------------------
    def set_ranking(self, ranking: Ranking) -> bool:
        """Show a ranking; True for a new query. A new query (or the first ranking of one) is shown best
        first; a re-rank of the same query keeps the chosen sort; the library without a query is by name
        unless another column was chosen."""
        before = self.ranking
        new_query = before is None or ranking.query != before.query
        if ranking.scored and (before is None or new_query or not before.scored or self.sort_column is None):
            self.sort_column, self.descending = "score", True
        elif not ranking.scored and self.sort_column in (None, "score"):
            self.sort_column, self.descending = "name", False
        self.ranking = ranking
        scores = ranking.scores[ranking.order] if len(ranking.order) else ranking.scores
        finite = scores[np.isfinite(scores)]
        self._span = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        self.refresh()
        return new_query

    def clear(self) -> None:
        """No results; the filters stay."""
        self.ranking = None
        self.refresh()

    def set_categories(self, categories) -> None:
        self.categories = frozenset(categories)
        self.refresh()

    def set_text(self, text: str) -> None:
        self.words = tuple(text.casefold().split())
        self.refresh()

    def set_sort(self, column: str | None, descending: bool) -> None:
        self.sort_column, self.descending = column, descending
        self.refresh()

    def set_roots(self, roots) -> None:
        self.roots = tuple(sorted(roots, key=len, reverse=True))
        self.refresh()

    def set_expanded(self, position: int, expanded: bool) -> None:
        """Show (or fold away) the other members of the sample's group."""
        index = self.current_ranking().index
        if self._expanded[0] is not index:
            self._expanded = (index, set())
        group = int(index.groups.group_of[position])
        if expanded:
            self._expanded[1].add(group)
        else:
            self._expanded[1].discard(group)
        self.refresh()

    def refresh(self) -> None:
        """Filter and sort again (after a category correction, too)."""
        self._rows = None
        ranking = self.ranking
        if ranking is None:
            self.shown, self.counts, self.kept = np.zeros(0, np.int64), np.zeros(0, np.int64), 0
            return
        keep = self._kept()
        if self.sort_column == "score" and ranking.scored:  # the ranking is best first already
            shown = ranking.order if keep is None else ranking.order[keep[ranking.order]]
            shown = shown if self.descending else shown[::-1]
        elif self.sort_column is None:
            shown = ranking.order if keep is None else ranking.order[keep[ranking.order]]
        else:
            shown = self._sorted(keep)
        self.kept = len(shown)
        self.shown, self.counts = self._grouped(shown)

    def _grouped(self, shown: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows for these positions (in table order): of a group only its best member (the first in the
        ranking), where it stands, and under an expanded group its other members, best first; and per row the
        samples its group shows (0 on a member's row)."""
        ranking = self.current_ranking()
        groups = ranking.index.groups.group_of
        if not len(shown) or ranking.index.groups.sizes.max() < 2:
            return shown, np.ones(len(shown), np.int64)
        rank = np.full(len(groups), len(groups), np.int64)
        rank[ranking.order] = np.arange(len(ranking.order))
        group = groups[shown]
        by_group = np.lexsort((rank[shown], group))
        starts = np.flatnonzero(np.r_[True, group[by_group][1:] != group[by_group][:-1]])
        best = np.zeros(len(groups), bool)
        best[shown[by_group[starts]]] = True
        count = np.zeros(len(groups), np.int64)
        count[group[by_group[starts]]] = np.diff(np.r_[starts, len(shown)])
        is_best = best[shown]
        rows = shown[is_best]
        index, open_groups = self._expanded
        open_member = ~is_best & np.isin(group, list(open_groups)) if index is ranking.index and open_groups \
            else np.zeros(len(shown), bool)
        if not open_member.any():
            return rows, count[groups[rows]]
        members = shown[open_member]
        row_of_group = np.zeros(len(groups), np.int64)
        row_of_group[groups[rows]] = np.arange(len(rows))
        under = np.concatenate([np.arange(len(rows)), row_of_group[groups[members]]])
        arranged = np.lexsort((np.concatenate([np.full(len(rows), -1), rank[members]]), under))
        positions = np.concatenate([rows, members])[arranged]
        counts = np.concatenate([count[groups[rows]], np.zeros(len(members), np.int64)])[arranged]
        return positions, counts

    def _kept(self) -> np.ndarray | None:
        """(n,) bool over index positions: in the ranking and through the filters (None: all of them)."""
        ranking = self.current_ranking()
        index = ranking.index
        filtered = not self.categories.issuperset(index.categories) or self.words
        if not filtered and len(ranking.order) == len(index):
            return None
        keep = np.zeros(len(index), np.bool_)
        keep[ranking.order] = True
        if not self.categories.issuperset(index.categories):
            keep &= index.in_categories(self.categories)
        if self.words:
            keep &= self._matches_text()
        return keep

    def _sorted(self, keep: np.ndarray | None) -> np.ndarray:
        """The kept positions by the sort column, names breaking ties (both reversed when descending)."""
        index, column = self.current_ranking().index, self.sort_column
        if column in ("name", "score"):  # an unscored "score" column: every score ties
            by_name = index.name_order
            shown = by_name if keep is None else by_name[keep[by_name]]
        else:
            kept = np.arange(len(index)) if keep is None else np.flatnonzero(keep)
            if column == "category":
                primary = np.minimum(index.codes[kept], len(CATEGORIES))  # names outside CATEGORIES last
            elif column == "duration":
                primary = index.durations[kept]
            else:
                primary = index.folder_rank[index.folder_ids[kept]]
            shown = kept[np.lexsort((index.name_rank[kept], primary))]
        return shown[::-1] if self.descending else shown

    def _shown_folders(self) -> list[str]:
        index = self.current_ranking().index
        key = (index, self.roots)
        if self._folder_text is None or self._folder_text[0] != key:
            self._folder_text = (key, [display_folder(f, self.roots) for f in index.folders])
        return self._folder_text[1]

    def _matches_text(self) -> np.ndarray:
        """(n,) bool: every word is in the name, the folder as shown (not the hidden part of the path) or the
        category (which a correction may have changed since the last call)."""
        index = self.current_ranking().index
        key = (index, self.roots, self.words)
        if self._word_masks is None or self._word_masks[0] != key:
            folders = [f.casefold() for f in self._shown_folders()]
            names = index.folded_names
            masks = []
            for word in self.words:
                in_folder = np.fromiter((word in f for f in folders), np.bool_, len(folders))
                masks.append(np.fromiter((word in n for n in names), np.bool_, len(names))
                             | in_folder[index.folder_ids])
            self._word_masks = (key, masks)
        categories = [f"{c} {self.category_names.get(c, '')}".casefold() for c in index.categories]
        mask = np.ones(len(index), np.bool_)
        for word, in_text in zip(self.words, self._word_masks[1], strict=True):
            in_category = np.fromiter((word in c for c in categories), np.bool_, len(categories))
            mask &= in_text | in_category[index.codes]
        return mask

    def current_ranking(self) -> Ranking:
        """The ranking shown, for what only exists with one (its rows)."""
        if self.ranking is None:
            raise RuntimeError("no ranking is shown")
        return self.ranking

    # one row ---------------------------------------------------------------------------------
    def position(self, row: int) -> int:
        return int(self.shown[row])

    def expanded(self, row: int) -> bool:
        """Whether the row's group is shown open."""
        index, open_groups = self._expanded
        return index is self.current_ranking().index and int(index.groups.group_of[self.position(row)]) in open_groups

    def row_of(self, position: int | None) -> int:
        """The table row showing an index position, -1 if it is filtered out or not in the ranking."""
        if position is None or self.ranking is None:
            return -1
        if self._rows is None:
            self._rows = np.full(len(self.ranking.index), -1, np.int64)
            self._rows[self.shown] = np.arange(len(self.shown))
        return int(self._rows[position])

    def score(self, position: int) -> float:
        return float(self.current_ranking().scores[position])

    def bar(self, position: int) -> float:
        """The score bar's length, 0..1 within the current results."""
        score = self.score(position)
        if not np.isfinite(score):
            return 0.0
        lo, hi = self._span
        return 1.0 if hi - lo < 1e-9 else 0.08 + 0.92 * (score - lo) / (hi - lo)

    def folder_shown(self, position: int) -> str:
        return self._shown_folders()[self.current_ranking().index.folder_ids[position]]

    # counts ----------------------------------------------------------------------------------
    def text_matched_counts(self) -> Counter:
        """Per category, how many results pass the text filter (the counts on the category toggles)."""
        if self.ranking is None:
            return Counter()
        index, order = self.ranking.index, self.ranking.order
        if self.words:
            order = order[self._matches_text()[order]]
        counts = np.bincount(index.codes[order], minlength=len(index.categories))
        return Counter({c: int(n) for c, n in zip(index.categories, counts, strict=True) if n})

    def folder_counts(self, folders: list[str]) -> Counter:
        """Per library folder, how many results lie inside it (nested folders count in each)."""
        if self.ranking is None:
            return Counter()
        index = self.ranking.index
        per_folder = np.bincount(index.folder_ids[self.ranking.order], minlength=len(index.folders))
        return Counter({f: int(sum(n for d, n in zip(index.folders, per_folder, strict=True)
                                   if n and is_inside(d, f)))
                        for f in folders})

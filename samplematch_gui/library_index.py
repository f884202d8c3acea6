"""The library in memory: a column per sample attribute, and the embeddings as one quantised matrix.

Positions follow the library's path order. Columns instead of an object per sample keep a 100,000-sample
library small and let filters and sorts run on arrays. A user's category correction is applied here, in
place, so every reader of the index sees it at once.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cached_property

import numpy as np

from model.conditioning import DRUM_CLASSES, class_indices
from model.mix_hits import HitMatching, best_similarity
from model.scoring import cosine_scores, quantise_rows, top_indices, unit_rows
from model.taxonomy import CATEGORIES, NON_DRUM
from samplematch_gui.library_db import LibraryDB, SampleRow
from samplematch_gui.sample_groups import SampleGroups, group_samples

_CHUNK = 4096  # samples per float copy of their vectors (hit scores)

NONE = -1  # in user_codes: no correction


class LibraryIndex:
    def __init__(self, rows: Iterable[SampleRow] = (), matrix: np.ndarray | None = None,
                 model_id: str | None = None):
        """rows with their (n, dim) embeddings by model_id; without a matrix, rows only (nothing to rank)."""
        self._build([(list(rows), matrix)], model_id)

    @classmethod
    def from_db(cls, db: LibraryDB, model_id: str | None) -> LibraryIndex:
        """The samples embedded by model_id (None: every indexed sample, without embeddings)."""
        return cls.from_blocks(db.sample_blocks(model_id), model_id)

    @classmethod
    def from_blocks(cls, blocks: Iterable[tuple[list[SampleRow], np.ndarray | None]],
                    model_id: str | None) -> LibraryIndex:
        """Built a block of rows at a time, so that only the quantised matrix is ever held whole."""
        index = cls.__new__(cls)
        index._build(blocks, model_id)
        return index

    def _build(self, blocks: Iterable[tuple[list[SampleRow], np.ndarray | None]], model_id: str | None) -> None:
        self.model_id = model_id
        self.categories: list[str] = list(CATEGORIES)  # codes index this; unknown names are appended
        code = {c: i for i, c in enumerate(self.categories)}

        def code_of(category: str) -> int:
            if category not in code:
                code[category] = len(self.categories)
                self.categories.append(category)
            return code[category]

        folder_id: dict[str, int] = {}
        self.paths: list[str] = []
        durations, auto, user, folders, vectors, scales, hashes, peaks = [], [], [], [], [], [], [], []
        for rows, matrix in blocks:
            for r in rows:
                self.paths.append(r.path)
                durations.append(r.duration)
                auto.append(code_of(r.auto_category))
                user.append(NONE if r.user_category is None else code_of(r.user_category))
                folders.append(folder_id.setdefault(r.folder, len(folder_id)))
                hashes.append(r.content_hash or 0)
                peaks.append(np.nan if r.peak_db is None else r.peak_db)
            if model_id is None and matrix is not None:
                raise ValueError("embeddings need the id of the model that computed them")
            if model_id is not None and rows:
                if matrix is None:
                    raise ValueError(f"rows by model {model_id} need its embeddings")
                q, s = quantise_rows(matrix)
                vectors.append(q)
                scales.append(s)
        self.durations = np.array(durations)  # float64, as stored
        self.auto_codes = np.array(auto, np.int16)
        self.user_codes = np.array(user, np.int16)
        self.codes = np.where(self.user_codes >= 0, self.user_codes, self.auto_codes)  # what the user sees
        self.folder_ids = np.array(folders, np.int32)
        self.folders = list(folder_id)
        self.content_hashes = np.array(hashes, np.int64)  # 0: none
        self.peaks = np.array(peaks, np.float32)  # dBFS of the key window; NaN: not known
        self._vectors = None if model_id is None else (
            np.concatenate(vectors) if vectors else np.zeros((0, 0), np.uint8))
        self._scales = np.concatenate(scales) if scales else np.zeros(0, np.float32)
        self._hub: tuple[HitMatching, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def ranks_for(self, model_id: str) -> bool:
        """Whether this index holds embeddings by model_id."""
        return self._vectors is not None and self.model_id == model_id

    @property
    def _embedded(self) -> np.ndarray:
        if self._vectors is None:
            raise ValueError("this index holds no embeddings: it was built without a model id")
        return self._vectors

    def warm(self) -> LibraryIndex:
        """Build the lookup and sort keys now (in a worker, so that the GUI thread never waits for them)."""
        for key in ("_position", "name_order", "name_rank", "folded_names", "folder_rank", "groups"):
            getattr(self, key)
        return self

    # one sample ------------------------------------------------------------------------------
    @cached_property
    def _position(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.paths)}

    def position(self, path: str) -> int | None:
        return self._position.get(path)

    def name(self, i: int) -> str:
        return os.path.basename(self.paths[i])

    def category(self, i: int) -> str:
        return self.categories[self.codes[i]]

    def auto_category(self, i: int) -> str:
        return self.categories[self.auto_codes[i]]

    def user_category(self, i: int) -> str | None:
        code = self.user_codes[i]
        return None if code == NONE else self.categories[code]

    def set_user_category(self, i: int, category: str | None) -> None:
        """Show a saved correction (None: the automatic category again)."""
        if category is not None and category not in self.categories:
            self.categories.append(category)
        self.user_codes[i] = NONE if category is None else self.categories.index(category)
        self.codes[i] = self.auto_codes[i] if category is None else self.user_codes[i]

    def vector(self, i: int) -> np.ndarray:
        """The sample's unit embedding, float32."""
        return unit_rows(self._embedded[i], self._scales[i])

    # many samples ----------------------------------------------------------------------------
    def unit_vectors(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """(hi - lo, dim) float32 unit embeddings of positions lo..hi (a float copy: four times the index's own
        memory for those rows)."""
        return unit_rows(self._embedded[lo:hi], self._scales[lo:hi])

    def in_categories(self, categories: Iterable[str]) -> np.ndarray:
        """(n,) bool: whether each sample's category is one of these."""
        wanted = np.zeros(len(self.categories), bool)
        wanted[[self.categories.index(c) for c in set(categories) if c in self.categories]] = True
        return wanted[self.codes]

    def scores(self, query: np.ndarray) -> np.ndarray:
        """(n,) float32 cosine of every sample to the query vector; a class-conditioned query
        ((classes, d), model.conditioning.DRUM_CLASSES) scores each sample by its category's vector."""
        if not len(self):
            return np.zeros(0, np.float32)
        row_class = None
        if query.ndim == 2:
            if len(query) != len(DRUM_CLASSES):
                raise ValueError(f"a query of {len(query)} class vectors; the app's classes are {DRUM_CLASSES}")
            row_class = class_indices(DRUM_CLASSES, self.categories)[self.codes]
        return cosine_scores(self._embedded, self._scales, query, row_class)

    def rank(self, query: np.ndarray, categories: Iterable[str] | None = None,
             top: int | None = None, include_non_drums: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(positions best first, every position's score); top None or 0 means all. Samples that are not
        one-shots (NON_DRUM) are left out unless include_non_drums or categories names them."""
        scores = self.scores(query)
        return self.order(scores, categories, top, include_non_drums), scores

    def order(self, scores: np.ndarray, categories: Iterable[str] | None = None, top: int | None = None,
              include_non_drums: bool = False) -> np.ndarray:
        """Positions best first by these (n,) scores, among the categories as rank() chooses them."""
        if categories is None and not include_non_drums and NON_DRUM in self.categories:
            categories = [c for c in self.categories if c != NON_DRUM]
        among = None if categories is None else np.flatnonzero(self.in_categories(categories))
        return top_indices(scores, top, among)

    def hit_scores(self, hits: np.ndarray, matching: HitMatching) -> np.ndarray:
        """(n,) float32 every sample's hit score for a mix's unit hit embeddings (model.mix_hits)."""
        best = np.concatenate([best_similarity(hits, self.unit_vectors(lo, lo + _CHUNK))
                               for lo in range(0, len(self), _CHUNK)]) if len(self) else np.zeros(0, np.float32)
        return best - self.hub_levels(matching)

    def hub_levels(self, matching: HitMatching) -> np.ndarray:
        """(n,) float32 every sample's hub level for this hit matching, computed once per index."""
        if self._hub is None or self._hub[0] is not matching:
            levels = np.concatenate([matching.hub_levels(self.unit_vectors(lo, lo + _CHUNK))
                                     for lo in range(0, len(self), _CHUNK)]) if len(self) else np.zeros(0, np.float32)
            self._hub = (matching, levels)
        return self._hub[1]

    @cached_property
    def groups(self) -> SampleGroups:
        """Duplicates and velocity layers of one sound (samplematch_gui.sample_groups), from the categories
        at load time."""
        return group_samples([os.path.basename(p) for p in self.paths], self.folder_ids, self.codes,
                             self.durations, self.content_hashes, self.peaks, self._vectors, self._scales)

    # sort and search keys --------------------------------------------------------------------
    @cached_property
    def folded_names(self) -> list[str]:
        return [os.path.basename(p).casefold() for p in self.paths]

    @cached_property
    def name_order(self) -> np.ndarray:
        """Positions by case-folded name (then path)."""
        # numpy sorts without holding the GIL, so the GUI thread runs on while a worker sorts.
        return np.argsort(np.array(self.folded_names, dtype=str), kind="stable")

    @cached_property
    def name_rank(self) -> np.ndarray:
        rank = np.empty(len(self), np.int64)
        rank[self.name_order] = np.arange(len(self))
        return rank

    @cached_property
    def folder_rank(self) -> np.ndarray:
        """Per folder id, its place among the folders by case-folded path."""
        order = np.argsort(np.array([f.casefold() for f in self.folders], dtype=str), kind="stable")
        rank = np.empty(len(self.folders), np.int64)
        rank[order] = np.arange(len(self.folders))
        return rank

"""Ranking: the library's embeddings as one in-memory, L2-normalised matrix."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scoring import l2_normalise, top_indices
from samplematch_gui.library_db import LibraryDB, SampleRow


@dataclass(frozen=True)
class RankedSample:
    row: SampleRow
    score: float


class LibraryIndex:
    def __init__(self, rows: list[SampleRow], matrix: np.ndarray):
        self.rows = rows
        self.unit = l2_normalise(matrix) if len(rows) else np.zeros((0, 1), np.float32)
        names = sorted({r.category for r in rows})
        self._category_code = {c: i for i, c in enumerate(names)}
        self._codes = np.array([self._category_code[r.category] for r in rows], dtype=np.int16)
        self._position = {r.path: i for i, r in enumerate(rows)}

    @classmethod
    def from_db(cls, db: LibraryDB, model_id: str) -> "LibraryIndex":
        return cls(*db.embeddings(model_id))

    def __len__(self) -> int:
        return len(self.rows)

    def vector(self, path: str) -> np.ndarray | None:
        i = self._position.get(path)
        return None if i is None else self.unit[i]

    def rank_arrays(self, query: np.ndarray, categories: set[str] | None = None,
                    top: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(row indices, cosine scores), best first; top None or 0 means all."""
        if not len(self.rows):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        scores = self.unit @ l2_normalise(query)
        if categories is not None:
            wanted = [self._category_code[c] for c in categories if c in self._category_code]
            keep = np.flatnonzero(np.isin(self._codes, wanted))
            order = keep[top_indices(scores[keep], top)]
        else:
            order = top_indices(scores, top)
        return order, scores[order]

    def rank(self, query: np.ndarray, categories: set[str] | None = None,
             top: int | None = None) -> list[RankedSample]:
        order, scores = self.rank_arrays(query, categories, top)
        return [RankedSample(self.rows[i], float(s)) for i, s in zip(order, scores)]

    def rank_like(self, path: str, categories: set[str] | None = None,
                  top: int | None = None) -> list[RankedSample]:
        """More like this: key-to-key cosine to the sample at path."""
        vec = self.vector(path)
        if vec is None:
            raise KeyError(f"{path} is not in the library index")
        return self.rank(vec, categories, top)

"""Bounce analyses (model.bounce_onsets) kept in memory and as small .npz files in the app's data
folder, by the bounce file's path, size and mtime and the span analysed: a bounce is analysed once, and
again only once it has changed."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from model.bounce_onsets import BANDS, BounceAnalysis

VERSION = 1  # bump when the analysis changes: results of an older one are then analysed again


def analysis_key(path: str, span: tuple[float, float]) -> str:
    """Raises OSError for a file that is not there."""
    st = os.stat(path)
    return hashlib.sha1(f"{VERSION}|{path}|{st.st_size}|{st.st_mtime_ns}|{span[0]:.3f}|{span[1]:.3f}"
                        .encode()).hexdigest()


class AnalysisCache:
    def __init__(self, folder: Path | None = None, keep: int = 64):
        """folder: where the files go (None: memory only); keep: how many files stay (the newest)."""
        self._folder = folder
        self._keep = keep
        self._memory: dict[str, BounceAnalysis] = {}

    def in_memory(self, key: str) -> BounceAnalysis | None:
        return self._memory.get(key)

    def load(self, key: str) -> BounceAnalysis | None:
        """From memory, else from its file (any thread: touches no shared state)."""
        if key in self._memory or self._folder is None:
            return self._memory.get(key)
        try:
            with np.load(self._folder / f"{key}.npz") as data:
                return _from_arrays(dict(data))
        except (OSError, KeyError, ValueError):
            return None  # not there, or damaged: analysed again

    def put(self, key: str, analysis: BounceAnalysis, save: bool = True) -> None:
        """Keep it in memory, and (save) write its file; a folder that cannot be written keeps it in memory only."""
        self._memory[key] = analysis
        if self._folder is None or not save:
            return
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
            partial = self._folder / f"{key}.partial.npz"
            arrays: dict[str, Any] = _to_arrays(analysis)  # (numpy's stub types **kwds like allow_pickle)
            np.savez(partial, **arrays)
            os.replace(partial, self._folder / f"{key}.npz")
            files = sorted(self._folder.glob("*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in files[self._keep:]:
                old.unlink(missing_ok=True)
        except OSError:
            pass


def _to_arrays(a: BounceAnalysis) -> dict[str, np.ndarray]:
    per_band = {f"{field}_{b}": getattr(a, field)[b] for field in ("hits", "strengths", "levels") for b in BANDS}
    return per_band | {"scalars": np.array([a.tempo, a.start, a.duration], np.float64)}


def _from_arrays(d: dict[str, np.ndarray]) -> BounceAnalysis:
    tempo, start, duration = (float(v) for v in d["scalars"])
    hits, strengths, levels = ({b: d[f"{field}_{b}"] for b in BANDS} for field in ("hits", "strengths", "levels"))
    return BounceAnalysis(hits, strengths, levels, tempo, start, duration)

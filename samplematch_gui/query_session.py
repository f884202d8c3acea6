"""The one query state, for the app and the CLI alike: the library index, the open bounce, the active
query, its cached vector and its ranking (as arrays).

Quick steps (open a bounce, move the region, correct a category) run where they are called; the slow
ones (read the index, read the overview, rank) are handed out as jobs that touch no session state, so the
app can run them off the GUI thread and install what they return, or drop it when it has gone stale.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from model.conditioning import QUERY_MODES, mode_block, mode_offset
from model.config import ModelConfig
from model.inference import Embedder
from model.taxonomy import ALL_CATEGORIES, NON_DRUM
from samplematch_gui import fit, query_check
from samplematch_gui.bounce_file import BounceFile
from samplematch_gui.jobs import CancelFlag, Job, check_cancelled
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.library_index import LibraryIndex


@dataclass(frozen=True)
class Query:
    kind: str  # "bounce": a dropped mix; "like": more like a library sample
    path: str
    region: tuple[float, float] | None = None  # seconds, bounce only; None = whole file
    mode: str = "fit"  # bounce only: "fit" (drums that fit it) or "like" (that sound like its own drums)

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Ranking:
    """A query's results as arrays over one index: its positions best first and every position's score.

    A query that cannot be ranked (a silent or too short bounce region) comes back as the library without
    scores, with `problem` saying why."""
    index: LibraryIndex
    order: np.ndarray  # int64 positions, best first (all of them, unless a top or a filter was asked)
    scores: np.ndarray  # float32 per index position; NaN everywhere for the library without a query
    query: Query | None = None
    problem: str | None = None

    @property
    def scored(self) -> bool:
        return self.query is not None and self.problem is None

    @cached_property
    def pool(self) -> np.ndarray:
        """(n,) bool: the samples the percentiles compare with, the library's drum samples (all, if it has
        none)."""
        drums = ~self.index.in_categories([NON_DRUM])
        return drums if drums.any() else np.ones(len(self.index), bool)

    @cached_property
    def fit(self) -> np.ndarray:
        """(n,) float32 percentile of each score among the pool's scores (see samplematch_gui.fit)."""
        return fit.percentiles(self.scores, self.pool)


@dataclass(frozen=True)
class _Asked:
    """What a query asks with: its vector, and for a bounce with hit matching its drum hits' unit key
    embeddings ((h, d); model.mix_hits)."""
    vector: np.ndarray
    hits: np.ndarray | None = None


@dataclass(frozen=True)
class _Ranked:
    key: tuple  # what the vector was computed from
    asked: _Asked | None  # None: the query was refused (ranking.problem says why)
    ranking: Ranking


@dataclass(frozen=True)
class _Loaded:
    index: LibraryIndex
    load: int  # the load's number: corrections saved after it started may be missing from it


class QuerySession:
    def __init__(self, db_path: str | Path, readonly: bool = False):
        self.db_path = Path(db_path)
        self._readonly = readonly
        self.embedder: Embedder | None = None
        self.index: LibraryIndex | None = None
        self.query: Query | None = None
        self.bounce: Query | None = None  # kept while "more like this" is active
        self.excerpts: int | None = None  # None: the model's default
        self.ranking: Ranking | None = None  # the latest one installed
        self._bounce_file: BounceFile | None = None
        self._asked: tuple[tuple, _Asked] | None = None
        self._loads = 0
        self._corrections: dict[str, tuple[str | None, int]] = {}  # path: (category, loads when saved)

    def _db(self) -> LibraryDB:
        return LibraryDB.open_readonly(self.db_path) if self._readonly else LibraryDB(self.db_path)

    # library ---------------------------------------------------------------------------------
    def index_job(self) -> Job:
        """Reads the index for the current model (rows only before a model is loaded), with its samples' hub
        levels where the model has hit matching; install it with set_index."""
        self._loads += 1
        load, model_id = self._loads, None if self.embedder is None else self.embedder.model_id
        matching = None if self.embedder is None else self.embedder.hit_matching

        def job(cancel: CancelFlag | None, report) -> _Loaded:
            with self._db() as db:
                index = LibraryIndex.from_db(db, model_id)
            index.warm()
            if matching is not None and index.ranks_for(matching.model_id):
                index.hub_levels(matching)  # here, so that the first ranking does not wait for it
            return _Loaded(index, load)

        return job

    def set_index(self, loaded: _Loaded) -> None:
        """Install a read index, with the corrections it may have missed."""
        self._corrections = {p: c for p, c in self._corrections.items() if c[1] >= loaded.load}
        for path, (category, _) in self._corrections.items():
            i = loaded.index.position(path)
            if i is not None:
                loaded.index.set_user_category(i, category)
        self.index = loaded.index

    def load_index(self) -> LibraryIndex:
        loaded = self.index_job()(None, _ignore)
        self.set_index(loaded)
        return loaded.index

    def correct_categories(self, paths: list[str], category: str | None) -> int:
        """The user sets samples' category (None, or a sample's automatic one: automatic again); each is
        saved, then shown wherever the index is read. Returns how many changed."""
        index = self.index
        if index is None or (category is not None and category not in ALL_CATEGORIES):
            return 0
        changes = []
        for path in paths:
            i = index.position(path)
            new = None if i is None or category == index.auto_category(i) else category
            if i is not None and new != index.user_category(i):
                changes.append((path, i, new))
        if changes:
            with self._db() as db:
                for path, i, new in changes:
                    db.set_user_category(path, new)
                    index.set_user_category(i, new)
                    self._corrections[path] = (new, self._loads)
        return len(changes)

    # queries ---------------------------------------------------------------------------------
    def open_bounce(self, path: str | Path) -> Query:
        """Make a bounce the query; one that is plainly unusable raises AudioError and changes nothing."""
        opened = BounceFile(path)
        self._close_bounce()
        self._bounce_file = opened
        self.bounce = self.query = Query("bounce", str(path))
        return self.bounce

    def overview_job(self, points: int) -> Job:
        bounce = self._open_file()
        return lambda cancel, report: bounce.overview(points, cancel)

    def playback_span(self, cursor: float | None, max_seconds: float) -> tuple[float, float] | None:
        """What Play plays of the bounce, in seconds: the region, or from the cursor (a click) inside it to
        its end; from a cursor outside the region, to the end of the file. At most max_seconds; None without a
        bounce or with the cursor at the file's end."""
        if self._bounce_file is None or self.bounce is None:
            return None
        duration = self._bounce_file.seconds()
        lo, hi = self.bounce.region or (0.0, duration)
        if cursor is None:
            start, end = lo, hi
        elif lo <= cursor < hi:
            start, end = cursor, hi
        else:
            start, end = cursor, duration
        start, end = max(0.0, start), min(end, duration, start + max_seconds)
        return (start, end) if end > start else None

    def playback_job(self, start: float, end: float, sample_rate: int) -> Job:
        """The bounce from start to end seconds, mono at sample_rate (to play it)."""
        bounce = self._open_file()
        return lambda cancel, report: bounce.span(start, end, sample_rate, cancel)

    def set_region(self, start: float, end: float) -> Query | None:
        if self.bounce is None:
            return None
        self.bounce = self.query = dataclasses.replace(self.bounce, region=(start, end))
        return self.bounce

    def modes(self) -> tuple[str, ...]:
        """The query modes the loaded model answers: "fit" always, "like" with hit matching or a model trained
        for it."""
        if self.embedder is None:
            return ("fit",)
        if self.embedder.hit_matching is not None:
            return QUERY_MODES
        return self.embedder.cfg.query_modes or ("fit",)

    def set_mode(self, mode: str) -> Query | None:
        """Ask the bounce another question (QUERY_MODES); the ranking job then slices the cached vector."""
        if mode not in QUERY_MODES:
            raise ValueError(f"unknown mode {mode!r}; the modes are {', '.join(QUERY_MODES)}")
        if mode not in self.modes():
            raise ValueError("this model cannot answer 'sounds like' queries (its folder has no hit matching: "
                             "samplematch-train fit-hits)")
        if self.bounce is None:
            return None
        active = self.query is self.bounce
        self.bounce = dataclasses.replace(self.bounce, mode=mode)
        if active:
            self.query = self.bounce
        return self.bounce

    def more_like(self, path: str) -> Query:
        self.query = Query("like", path)
        return self.query

    def back_to_bounce(self) -> Query | None:
        if self.bounce is not None:
            self.query = self.bounce
        return self.bounce

    def clear(self) -> None:
        """No query: the library without scores."""
        self._close_bounce()
        self.query = None

    def _open_file(self) -> BounceFile:
        if self._bounce_file is None:
            raise RuntimeError("no bounce is open")
        return self._bounce_file

    def _close_bounce(self) -> None:
        if self._bounce_file is not None:
            self._bounce_file.close()
        self._bounce_file = self.bounce = None

    def close(self) -> None:
        self._close_bounce()

    # ranking ---------------------------------------------------------------------------------
    def rankable(self) -> bool:
        return (self.query is not None and self.embedder is not None and self.index is not None
                and self.index.ranks_for(self.embedder.model_id))

    def unranked(self) -> Ranking | None:
        """The library without a query: by path, no scores."""
        if self.index is None:
            return None
        n = len(self.index)
        return Ranking(self.index, np.arange(n), np.full(n, np.nan, np.float32))

    def ranking_job(self, categories: set[str] | None = None, top: int | None = None,
                    include_non_drums: bool = False) -> Job | None:
        """Ranks the active query (None if it cannot be yet); install its result with accept. Non-drum files
        (loops, pads, noise...) are ranked only with include_non_drums."""
        if not self.rankable():
            return None
        query, embedder, index, bounce = self.query, self.embedder, self.index, self._bounce_file
        assert query is not None and embedder is not None and index is not None  # rankable() says so
        excerpts = self.excerpts or embedder.cfg.query_excerpts
        key: tuple
        if query.kind == "bounce":
            assert bounce is not None  # a bounce query keeps its file open
            key = ("bounce", query.path, bounce.frames(query.region), excerpts, embedder.model_id)
        else:
            key = ("like", query.path, embedder.model_id)
        cached = self._asked[1] if self._asked is not None and self._asked[0] == key else None
        matching = embedder.hit_matching

        def job(cancel: CancelFlag | None, report) -> _Ranked:
            asked = cached
            if asked is None and query.kind == "like":
                i = index.position(query.path)
                if i is None:
                    raise KeyError(f"{query.name} is not in the indexed library")
                asked = _Asked(index.vector(i))
            elif asked is None:
                assert bounce is not None
                asked, problem = _bounce_query(bounce, query, embedder, excerpts, cancel)
                if asked is None or problem is not None:
                    return _Ranked(key, None, _refused(index, query, problem))
            check_cancelled(cancel)
            if query.kind == "like":
                scores = index.scores(asked.vector)
            elif matching is None or asked.hits is None:
                scores = index.scores(mode_vector(asked.vector, embedder.cfg, query.mode))
            elif not len(asked.hits):  # nothing in it sounds like a hit: fit asks the query alone
                if query.mode == "like":
                    return _Ranked(key, asked, _refused(index, query, query_check.no_hits_problem(query.name)))
                scores = index.scores(mode_vector(asked.vector, embedder.cfg, "fit"))
            else:
                hit = index.hit_scores(asked.hits, matching)
                scores = hit if query.mode == "like" else matching.fit_scores(
                    index.scores(mode_vector(asked.vector, embedder.cfg, "fit")), hit)
            check_cancelled(cancel)
            ranking = Ranking(index, index.order(scores, categories, top, include_non_drums), scores, query)
            _ = ranking.fit  # computed here, off the GUI thread
            return _Ranked(key, asked, ranking)

        return job

    def accept(self, ranked: _Ranked) -> Ranking:
        if ranked.asked is not None:
            self._asked = (ranked.key, ranked.asked)
        self.ranking = ranked.ranking
        return self.ranking

    def rank(self, categories: set[str] | None = None, top: int | None = None,
             include_non_drums: bool = False) -> Ranking:
        """Rank the active query here and now (the CLI)."""
        job = self.ranking_job(categories, top, include_non_drums)
        if job is None:
            raise RuntimeError("nothing to rank: a query, a model and its library index are needed")
        return self.accept(job(None, _ignore))


def _refused(index: LibraryIndex, query: Query, problem: str | None) -> Ranking:
    n = len(index)
    return Ranking(index, np.arange(n), np.full(n, np.nan, np.float32), query, problem)


def _bounce_query(bounce: BounceFile, query: Query, embedder: Embedder, excerpts: int,
                  cancel: CancelFlag | None) -> tuple[_Asked | None, str | None]:
    """The bounce region's query vector (and hits, with hit matching), or None and why the region cannot be a
    query. Excerpts that are silent or nearly so are left out (the silence before a track starts says nothing
    about it)."""
    region, seconds = query.region, bounce.seconds()
    window, whole = embedder.cfg.query_seconds, region is None
    if region is None or region[0] < seconds:  # a region after the end is an error of its own (excerpts says it)
        if region is not None:
            seconds = min(region[1], seconds) - region[0]
        problem = query_check.length_problem(seconds, window, query.name, whole)
        if problem is not None:
            return None, problem
    batch = bounce.excerpts(embedder.sample_rate, window, excerpts, query.region, cancel)
    check_cancelled(cancel)
    problem = query_check.silence_problem(batch, query.name, whole)
    if problem is not None:
        return None, problem
    audible = batch[query_check.audible(batch)]
    vector = embedder.embed_query_excerpts(audible)
    if embedder.hit_matching is None:
        return _Asked(vector), None
    return _Asked(vector, embedder.embed_excerpt_hits(audible, cancel)), None


def mode_vector(vector: np.ndarray, cfg: ModelConfig, mode: str) -> np.ndarray:
    """The bounce vector's answer for one mode: the mode's class block, or a single-vector model's vector."""
    if vector.ndim == 1:
        mode_offset(cfg.query_modes, cfg.query_classes, mode)  # raises for a mode the model has not
        return vector
    return mode_block(vector, cfg.query_modes, cfg.query_classes, mode)


def _ignore(payload) -> None:
    pass

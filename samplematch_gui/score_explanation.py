"""Why this score, in plain words: how the selected sample compares with the bounce's hits on descriptors a
producer knows, and which of the samples ranked highly it is closest to.

Only what is measured is said. The descriptors are signal measures of the sample's audio and of the bounce's
(samplematch_gui.descriptors: the bounce on the hits of ten 4-s excerpts spread over its region, as its query's
are by default); they describe the sound, they are not the model's reasons. The evidence is the key cosine
between the sample and the best-ranked samples. "Electronic or acoustic" is left out: no plain measure of a
one-shot tells a drum machine from a miked drum (an 808 kick and a recorded one are both a decaying low tone).
In "more like this" the reference is the sample ranked by instead of the bounce.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from model import audio
from samplematch_gui.bounce_file import BounceFile
from samplematch_gui.descriptors import LEVEL_HOP_S, Descriptors, measure, measure_hits
from samplematch_gui.fit import fit_text
from samplematch_gui.jobs import CancelFlag, Job, check_cancelled
from samplematch_gui.query_session import Query, Ranking

ANALYSIS_RATE = 44100
BOUNCE_EXCERPTS, BOUNCE_EXCERPT_SECONDS = 10, 4.0
EVIDENCE_AMONG = 25  # "ranked highly": the best this many results
EVIDENCE_COUNT = 3


def _hz(v: float) -> str:
    return f"{v / 1000:.1f} kHz" if v >= 1000 else f"{v:.0f} Hz"


def _seconds(v: float) -> str:
    if v < LEVEL_HOP_S:
        return f"< {1000 * LEVEL_HOP_S:.0f} ms"  # the level's resolution
    return f"{1000 * v:.0f} ms" if v < 1 else f"{v:.2f} s"


def _share(v: float) -> str:
    return f"{100 * v:.0f} %"


@dataclass(frozen=True)
class Scale:
    """One descriptor as a bar: its field, words for more and less, the range drawn and what counts as alike."""
    field: str
    label: str
    less: str  # the sample has less of it than the reference
    more: str
    alike: str  # about as much
    lo: float
    hi: float
    log: bool  # alike within `within` octaves (log) or units
    within: float
    show: Callable[[float], str]
    measure: str  # what it is, for the tooltip

    def at(self, value: float) -> float:
        """Where value sits along the bar, 0..1."""
        if self.log:
            value, lo, hi = math.log(max(value, self.lo)), math.log(self.lo), math.log(self.hi)
        else:
            lo, hi = self.lo, self.hi
        return float(min(1.0, max(0.0, (value - lo) / (hi - lo))))

    def difference(self, sample: float, reference: float) -> float:
        """Positive: the sample has more; in octaves or units, the unit of `within`."""
        if self.log:
            return math.log2(max(sample, self.lo) / max(reference, self.lo))
        return sample - reference


SCALES = (
    Scale("brightness_hz", "Brightness", "darker", "brighter", "as bright", 60.0, 12000.0, True, 0.35, _hz,
          "spectral centroid"),
    Scale("attack_s", "Attack", "punchier", "softer attack", "as punchy", 0.0, 0.08, False, 0.005, _seconds,
          "time from 20 dB below the peak to within 3 dB of it"),
    Scale("decay_s", "Decay", "shorter", "longer", "as long", 0.02, 3.0, True, 0.5, _seconds,
          "time from the peak until the level stays 20 dB below it"),
    Scale("tonal", "Tonal", "noisier", "more tonal", "as tonal", 0.0, 1.0, False, 0.15, _share,
          "share of the energy in sharp spectral peaks (100 % a pure tone, 0 % noise)"),
    Scale("low_share", "Low end", "less low end", "more low end", "as much low end", 0.0, 1.0, False, 0.1, _share,
          "share of the energy below 150 Hz"),
)


@dataclass(frozen=True)
class Comparison:
    scale: Scale
    sample: float
    reference: float | None  # None: nothing to compare with
    verdict: str  # "brighter", "as bright", "" without a reference

    @property
    def values(self) -> str:
        """Like "2.8 kHz vs 656 Hz"; the sample's own value without a reference."""
        s = self.scale
        return s.show(self.sample) if self.reference is None else f"{s.show(self.sample)} vs {s.show(self.reference)}"

    @property
    def text(self) -> str:
        """Like "Brightness: brighter (2.8 kHz vs 656 Hz)"."""
        said = f"{self.verdict} ({self.values})" if self.verdict else self.values
        return f"{self.scale.label}: {said}"


@dataclass(frozen=True)
class Neighbour:
    path: str
    score: str  # its place in the ranking: "fit 99.5" (or, in "more like this", "similarity 0.93")
    cosine: float  # key cosine to the selected sample


@dataclass(frozen=True)
class Explanation:
    path: str
    score: str  # "Fit 99.8", "Similarity 0.93 to Kick 1.wav"
    meaning: str  # what the score says, in words
    summary: str  # the comparisons in one line
    comparisons: tuple[Comparison, ...]
    neighbours: tuple[Neighbour, ...]


def reference_key(query: Query) -> tuple:
    return query.kind, query.path, query.region


def reference_descriptors(query: Query, cancel: CancelFlag | None = None) -> Descriptors | None:
    """The bounce's hits, or in "more like this" the sample ranked by; None when it has no clear hits."""
    if query.kind == "like":
        return measure(audio.load(query.path, ANALYSIS_RATE, max_seconds=3.0), ANALYSIS_RATE)
    bounce = BounceFile(query.path)
    try:
        excerpts = bounce.excerpts(ANALYSIS_RATE, BOUNCE_EXCERPT_SECONDS, BOUNCE_EXCERPTS, query.region, cancel)
    finally:
        bounce.close()
    return measure_hits(excerpts, ANALYSIS_RATE)


def compare(sample: Descriptors, reference: Descriptors | None) -> tuple[Comparison, ...]:
    out = []
    for s in SCALES:
        mine = getattr(sample, s.field)
        theirs = None if reference is None else getattr(reference, s.field)
        verdict = ""
        if theirs is not None:
            d = s.difference(mine, theirs)
            verdict = s.alike if abs(d) < s.within else s.more if d > 0 else s.less
        out.append(Comparison(s, mine, theirs, verdict))
    return tuple(out)


def nearest_ranked(ranking: Ranking, i: int, count: int = EVIDENCE_COUNT,
                   among: int = EVIDENCE_AMONG) -> tuple[Neighbour, ...]:
    """The `count` samples among the best `among` results (the sample itself aside) closest to sample i by key
    cosine, closest first."""
    index = ranking.index
    best = [int(j) for j in ranking.order[:among + 1] if j != i][:among]
    if not best:
        return ()
    mine = index.vector(i)
    cosines = np.array([float(index.vector(j) @ mine) for j in best])
    query = ranking.query
    bounce = query is not None and query.kind == "bounce"
    label = "sounds like" if query is not None and query.mode == "like" else "fit"

    def score(j: int) -> str:
        return f"{label} {fit_text(float(ranking.fit[j]))}" if bounce else f"similarity {ranking.scores[j]:.2f}"

    return tuple(Neighbour(index.paths[best[k]], score(best[k]), float(cosines[k]))
                 for k in np.argsort(-cosines, kind="stable")[:count])


def explain(ranking: Ranking, path: str, wave: np.ndarray, rate: int,
            reference: Descriptors | None) -> Explanation | None:
    """Why the sample at path scores as it does in a scored ranking (None if it is not in it)."""
    i = ranking.index.position(path)
    if i is None or not ranking.scored or ranking.query is None:
        return None
    bounce = ranking.query.kind == "bounce"
    if bounce:
        shown = fit_text(float(ranking.fit[i]))
        if ranking.query.mode == "like":
            score = f"Sounds like {shown}"
            meaning = f"sounds more like the bounce's drums than {shown} % of your drum samples"
        else:
            score, meaning = f"Fit {shown}", f"fits this bounce better than {shown} % of your drum samples"
        against = "the bounce's hits"
    else:
        score = f"Similarity {ranking.scores[i]:.2f} to {ranking.query.name}"
        meaning, against = "the cosine of the two samples' key vectors (1: the same sound)", ranking.query.name
    sample = measure(wave, rate)
    if sample is None:
        return Explanation(path, score, meaning, "The sample is silent: nothing to measure.", (),
                           nearest_ranked(ranking, i))
    comparisons = compare(sample, reference)
    if reference is None:
        summary = (f"{'The bounce has no clear hits' if bounce else 'The reference is silent'} to compare with; "
                   "the sample's own measures:")
    else:
        summary = f"Against {against}: " + ", ".join(c.verdict for c in comparisons) + "."
    return Explanation(path, score, meaning, summary, comparisons, nearest_ranked(ranking, i))


class References:
    """The references measured so far, by query (a bounce's hits are measured once per bounce and region), kept
    for the latest `keep` of them; safe to share between worker threads."""

    def __init__(self, keep: int = 8):
        self._keep = keep
        self._known: dict[tuple, Descriptors | None] = {}
        self._lock = threading.Lock()

    def get(self, query: Query, cancel: CancelFlag | None = None) -> Descriptors | None:
        key = reference_key(query)
        with self._lock:
            if key in self._known:
                return self._known[key]
        measured = reference_descriptors(query, cancel)  # kept even if the asker has gone: the next one wants it
        with self._lock:
            self._known[key] = measured
            while len(self._known) > self._keep:
                self._known.pop(next(iter(self._known)))
        return measured


def explanation_job(ranking: Ranking, path: str, wave: np.ndarray, rate: int, references: References) -> Job:
    """Explains the sample at path (explain) against the ranking's query, measured through references."""
    def job(cancel: CancelFlag | None, report) -> Explanation | None:
        query = ranking.query
        reference = None if query is None or not ranking.scored else references.get(query, cancel)
        check_cancelled(cancel)
        return explain(ranking, path, wave, rate, reference)

    return job

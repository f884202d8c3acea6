"""Suggest a whole kit for a bounce: a kick, a snare (or clap), a closed hat and, where the library has them, an
open hat, a ride, a crash and a tom, chosen for their fit to the bounce and for how well they go together.

Fit is the ranking's percentile (samplematch_gui.fit). Coherence is measured, not learned: the cosine of two
pieces' key embeddings, as a percentile among the pairs of the two slots' candidates. On Debian's Hydrogen kits
and the curated drum pack, two pieces of one real kit are closer than pieces of different kits
(bench/kit_coherence.py; README, "Suggest a kit"). A kit's score is (1 - w) x its mean fit + w x the mean
coherence of its pairs; it is maximised slot by slot from several starting kits, locked slots held fixed.

Hi-hats are split into closed and open ones by their name ("open", "OHH", "pedal", "closed"...), else by their
measured decay (samplematch_gui.descriptors): on Debian's named hats the open ones decay in 0.21 s or more (5th
percentile) and the closed ones in 0.17 s or less (95th).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from model import audio
from model.taxonomy import tokens
from samplematch_gui import fit
from samplematch_gui.descriptors import decay_seconds
from samplematch_gui.jobs import CancelFlag, Job, check_cancelled
from samplematch_gui.query_session import Ranking

OPEN, CLOSED = "open", "closed"
_HAT_WORDS = {**dict.fromkeys(("open", "opened", "op", "ohh", "hho", "ho", "semi", "semiopen", "swish"), OPEN),
              **dict.fromkeys(("closed", "close", "cl", "chh", "hhc", "ch", "pedal", "pd", "phh", "foot", "choke",
                               "chick"), CLOSED)}
DECAY_READ_SECONDS = 1.0  # enough to tell a decay from the threshold
DECAY_RATE = 22050


@dataclass(frozen=True)
class Slot:
    name: str
    label: str  # shown
    file_label: str  # starts a copied file's name
    categories: tuple[str, ...]
    optional: bool = False
    hat: str | None = None  # hi-hat slots: OPEN or CLOSED


SLOTS = (
    Slot("kick", "Kick", "Kick", ("kick",)),
    Slot("snare", "Snare / clap", "Snare", ("snare", "clap")),
    Slot("closed_hat", "Closed hat", "Closed hat", ("hihat",), hat=CLOSED),
    Slot("open_hat", "Open hat", "Open hat", ("hihat",), optional=True, hat=OPEN),
    Slot("ride", "Ride", "Ride", ("ride",), optional=True),
    Slot("crash", "Crash", "Crash", ("crash",), optional=True),
    Slot("tom", "Tom", "Tom", ("tom",), optional=True),
)
SLOT_NAMES = tuple(s.name for s in SLOTS)


@dataclass(frozen=True)
class KitConfig:
    candidates: int = 30  # per slot, best fits first
    alternatives: int = 4
    coherence_weight: float = 0.4
    open_hat_decay_s: float = 0.2
    starts: int = 5  # per slot: kits started from its best candidates (and the best-fit kit)


@dataclass(frozen=True)
class Candidate:
    position: int  # in the ranking's index
    path: str
    fit: float  # percentile, 0..100
    coherence: float  # mean coherence percentile with the kit's other pieces (0..100); NaN alone
    score: float  # the kit's score with this piece in the slot


@dataclass(frozen=True)
class SlotPick:
    slot: Slot
    choice: Candidate | None  # None: the library has no such sample
    alternatives: tuple[Candidate, ...]
    locked: bool = False


@dataclass(frozen=True)
class Kit:
    picks: tuple[SlotPick, ...]
    fit: float  # mean fit of the chosen pieces, 0..100
    coherence: float  # mean coherence of their pairs, 0..100; NaN with fewer than two pieces
    score: float  # 0..100

    def pick(self, slot: str) -> SlotPick:
        return next(p for p in self.picks if p.slot.name == slot)

    def chosen(self) -> list[tuple[Slot, Candidate]]:
        return [(p.slot, p.choice) for p in self.picks if p.choice is not None]


class KitError(ValueError):
    """No kit can be suggested (no scored ranking); str() says why."""


def hat_kind_by_name(path: str) -> str | None:
    """OPEN or CLOSED when the file name (else its folder's) says which; None otherwise."""
    folder, name = os.path.split(path)
    for words in (tokens(os.path.splitext(name)[0]), tokens(os.path.basename(folder))):
        for word in words:
            if word in _HAT_WORDS:
                return _HAT_WORDS[word]
    return None


def measured_decay(path: str) -> float | None:
    """The sample's decay in seconds (descriptors.decay_seconds, on its first second); None if unreadable."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _decay(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8192)
def _decay(path: str, mtime_ns: int, size: int) -> float | None:
    try:
        wave = audio.load(path, DECAY_RATE, max_seconds=DECAY_READ_SECONDS)
    except (audio.AudioError, OSError):
        return None
    return decay_seconds(wave, DECAY_RATE)


def kit_job(ranking: Ranking, locks: Mapping[str, str] | None = None, slots: Iterable[str] | None = None,
            cfg: KitConfig = KitConfig()) -> Job:
    return lambda cancel, report: suggest_kit(ranking, locks, slots, cfg, cancel=cancel)


def suggest_kit(ranking: Ranking, locks: Mapping[str, str] | None = None, slots: Iterable[str] | None = None,
                cfg: KitConfig = KitConfig(), hat_decay: Callable[[str], float | None] = measured_decay,
                cancel: CancelFlag | None = None) -> Kit:
    """The best kit for a scored bounce ranking. locks: {slot name: path} kept as they are; slots: the slots to
    fill (default all; the required ones always). hat_decay: a hi-hat's decay in seconds (None: unreadable,
    left out) for hats whose name does not say open or closed."""
    if not ranking.scored:
        raise KitError(ranking.problem or "rank the library by a bounce first")
    wanted = set(SLOT_NAMES if slots is None else slots) | {s.name for s in SLOTS if not s.optional}
    active = [s for s in SLOTS if s.name in wanted]
    pools = _candidate_pools(ranking, active, cfg, hat_decay, cancel)
    locked = {s.name: _locked_position(ranking, locks or {}, s) for s in active}
    for s in active:  # a locked piece is among its slot's candidates, and the only one that may be chosen
        lock = locked[s.name]
        if lock is not None and lock not in pools[s.name]:
            pools[s.name] = np.append(pools[s.name], lock)
    filled = [s for s in active if len(pools[s.name])]
    scorer = _Scorer(ranking, [pools[s.name] for s in filled], cfg.coherence_weight)
    fixed = [None if locked[s.name] is None else int(np.flatnonzero(pools[s.name] == locked[s.name])[0])
             for s in filled]
    choice = scorer.best(fixed, cfg.starts)
    picks = {s.name: _pick(scorer, k, s, choice, fixed[k] is not None, cfg.alternatives)
             for k, s in enumerate(filled)}
    total_fit, coherence, score = scorer.parts(choice)
    return Kit(tuple(picks.get(s.name, SlotPick(s, None, ())) for s in active), total_fit, coherence, score)


def _locked_position(ranking: Ranking, locks: Mapping[str, str], slot: Slot) -> int | None:
    path = locks.get(slot.name)
    return None if path is None else ranking.index.position(path)


def _candidate_pools(ranking: Ranking, active: list[Slot], cfg: KitConfig,
                     hat_decay: Callable[[str], float | None], cancel: CancelFlag | None) -> dict[str, np.ndarray]:
    """Per slot, its best-fitting candidates' positions, best first."""
    index, fits = ranking.index, ranking.fit
    pools = {}
    for slot in active:
        members = np.flatnonzero(index.in_categories(slot.categories) & np.isfinite(fits))
        best = members[np.argsort(-fits[members], kind="stable")]
        if slot.hat is None:
            pools[slot.name] = best[:cfg.candidates]
        else:
            pools[slot.name] = np.array(_hats_of_kind(index.paths, best, slot.hat, cfg, hat_decay, cancel), np.int64)
    return pools


def _hats_of_kind(paths: list[str], best: np.ndarray, kind: str, cfg: KitConfig,
                  hat_decay: Callable[[str], float | None], cancel: CancelFlag | None) -> list[int]:
    """The best-fitting hats of one kind; unnamed hats are measured, at most 3 x candidates of them."""
    found: list[int] = []
    measured = 0
    for i in best.tolist():
        if len(found) == cfg.candidates:
            break
        said = hat_kind_by_name(paths[i])
        if said is None:
            if measured == 3 * cfg.candidates:
                continue
            check_cancelled(cancel)
            measured += 1
            decay = hat_decay(paths[i])
            said = None if decay is None else OPEN if decay > cfg.open_hat_decay_s else CLOSED
        if said == kind:
            found.append(i)
    return found


def _pick(scorer: _Scorer, k: int, slot: Slot, choice: list[int], locked: bool, alternatives: int) -> SlotPick:
    """The slot's choice and its best alternatives, one per sound: a duplicate or velocity layer of the choice
    or of a better alternative (samplematch_gui.sample_groups) is not another option."""
    scores = scorer.swap_scores(choice, k)
    group_of = scorer.ranking.index.groups.group_of[scorer.pools[k]]
    seen, others = {int(group_of[choice[k]])}, list[int]()
    for j in np.argsort(-scores, kind="stable").tolist():
        if len(others) == alternatives:
            break
        if int(group_of[j]) not in seen:
            seen.add(int(group_of[j]))
            others.append(j)
    return SlotPick(slot, scorer.candidate(k, choice[k], choice, scores),
                    tuple(scorer.candidate(k, j, choice, scores) for j in others), locked)


class _Scorer:
    """Fit and pairwise coherence of every slot's candidates, and the kit score of any choice of them."""

    def __init__(self, ranking: Ranking, pools: list[np.ndarray], weight: float):
        self.ranking, self.pools, self.weight = ranking, pools, weight
        self.fit = [ranking.fit[p].astype(np.float64) / 100 for p in pools]
        vectors = [np.stack([ranking.index.vector(int(i)) for i in p]) for p in pools]
        self.pairs = list(combinations(range(len(pools)), 2))
        self.coherence: dict[tuple[int, int], np.ndarray] = {}
        for a, b in self.pairs:
            cosines = vectors[a] @ vectors[b].T
            flat = cosines.ravel()
            share = fit.percentiles(flat, np.ones(len(flat), bool)).reshape(cosines.shape) / 100
            self.coherence[a, b], self.coherence[b, a] = share, share.T

    def parts(self, choice: list[int]) -> tuple[float, float, float]:
        """(mean fit, mean coherence, score), each 0..100."""
        mean_fit = float(np.mean([f[c] for f, c in zip(self.fit, choice, strict=True)])) if choice else float("nan")
        if not self.pairs:
            return 100 * mean_fit, float("nan"), 100 * mean_fit
        coherence = float(np.mean([self.coherence[a, b][choice[a], choice[b]] for a, b in self.pairs]))
        return 100 * mean_fit, 100 * coherence, 100 * ((1 - self.weight) * mean_fit + self.weight * coherence)

    def swap_scores(self, choice: list[int], k: int) -> np.ndarray:
        """The kit's score (0..1) with each of slot k's candidates in place of its choice."""
        n = len(self.pools)
        fit_rest = sum(self.fit[s][choice[s]] for s in range(n) if s != k)
        score = (1 - self.weight) * (fit_rest + self.fit[k]) / n
        if self.pairs:
            rest = sum(self.coherence[a, b][choice[a], choice[b]] for a, b in self.pairs if k not in (a, b))
            with_k = sum(self.coherence[k, s][:, choice[s]] for s in range(n) if s != k)
            score = score + self.weight * (rest + with_k) / len(self.pairs)
        return score

    def candidate(self, k: int, j: int, choice: list[int], scores: np.ndarray) -> Candidate:
        others = [self.coherence[k, s][j, choice[s]] for s in range(len(self.pools)) if s != k]
        position = int(self.pools[k][j])
        return Candidate(position, self.ranking.index.paths[position], 100 * float(self.fit[k][j]),
                         100 * float(np.mean(others)) if others else float("nan"), 100 * float(scores[j]))

    def best(self, fixed: list[int | None], starts: int) -> list[int]:
        """The best choice found by coordinate ascent from the best-fit kit and from kits that start with each
        slot's `starts` best candidates (fixed slots keep their candidate)."""
        first = [int(np.argmax(f)) if c is None else c for f, c in zip(self.fit, fixed, strict=True)]
        seeds = [first]
        for k, f in enumerate(self.fit):
            if fixed[k] is None:
                for j in np.argsort(-f, kind="stable")[:starts].tolist():
                    seeds.append([j if s == k else c for s, c in enumerate(first)])
        results = [self._ascend(seed, fixed) for seed in seeds]
        return max(results, key=lambda c: self.parts(c)[2])

    def _ascend(self, choice: list[int], fixed: list[int | None]) -> list[int]:
        choice = list(choice)
        for _ in range(20):
            changed = False
            for k in range(len(self.pools)):
                if fixed[k] is not None:
                    continue
                j = int(np.argmax(self.swap_scores(choice, k)))
                if j != choice[k]:
                    choice[k], changed = j, True
            if not changed:
                break
        return choice

"""When a candidate of each category plays in the looped bounce region: on the hits its band has there
(model.bounce_onsets), or, where that band has too few, on a beat grid at the bounce's tempo (which
the user may correct). Plain Python, no Qt.

| category | band (hits) | thinned to | on the beat grid (4/4, from the strongest downbeat) |
|---|---|---|---|
| kick | low, 30-150 Hz | | beats 1 and 3 |
| tom | low-mid, 150-500 Hz | the strongest per bar | the last eighth of every bar |
| snare, clap | mid, 2-8 kHz | | beats 2 and 4 |
| perc, other | mid, 2-8 kHz | | the off-beat eighths |
| hi-hat | top, 7-16 kHz | | every eighth |
| ride | top, 7-16 kHz | | every beat |
| crash | top, 7-16 kHz | the strongest per 4 bars | beat 1 of every fourth bar |
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.bounce_onsets import BounceAnalysis, strongest_apart


@dataclass(frozen=True)
class Part:
    band: str
    eighths: tuple[int, ...]  # the eighths of a bar (0-7) it plays on the beat grid
    every_bars: int = 1  # on the grid: in every n-th bar only
    thin_bars: float = 0.0  # on hits: at most one (the strongest) per this many bars; 0: every hit


PARTS = {
    "kick": Part("low", (0, 4)),
    "tom": Part("low_mid", (7,), thin_bars=1),
    "snare": Part("mid", (2, 6)),
    "clap": Part("mid", (2, 6)),
    "perc": Part("mid", (1, 3, 5, 7)),
    "other": Part("mid", (1, 3, 5, 7)),
    "hihat": Part("top", tuple(range(8))),
    "ride": Part("top", (0, 2, 4, 6)),
    "crash": Part("top", (0,), every_bars=4, thin_bars=4),
}
FALLBACK = "perc"  # the part of a non-drum sample (a loop, a pad) auditioned anyway
BEATS_PER_BAR = 4
MIN_HITS = 2
MIN_HITS_PER_BAR = 2.0  # fewer hits a bar in the region (on average) and the part plays on the grid


@dataclass(frozen=True)
class Triggers:
    """One category's trigger frames in the loop (ascending, from 0 = the region's start) and the level of the
    bounce's own hits there (None on the grid: there are none to match)."""
    frames: np.ndarray  # int64
    on_grid: bool
    hit_rms: float | None


@dataclass(frozen=True)
class Grid:
    """The beat grid at a tempo: its bars start at first_bar + k * bar."""
    tempo: float  # BPM
    first_bar: float  # seconds into the file

    @classmethod
    def of(cls, analysis: BounceAnalysis, tempo: float) -> Grid:
        """The grid whose beats lie on the most hits, its bars starting on the beat with the most kicks."""
        phase = analysis.beat_phase(tempo)
        return cls(tempo, phase + analysis.downbeat(tempo, phase, BEATS_PER_BAR) * 60.0 / tempo)

    @property
    def bar(self) -> float:
        return BEATS_PER_BAR * 60.0 / self.tempo


def part_name(category: str | None) -> str:
    return category if category in PARTS else FALLBACK


def triggers(analysis: BounceAnalysis, category: str | None, region: tuple[float, float], grid: Grid,
             rate: int) -> Triggers:
    """Where a candidate of `category` plays in the region (seconds into the file), at `rate` frames a second."""
    part = PARTS[part_name(category)]
    start, end = region
    times, strengths = analysis.hits[part.band], analysis.strengths[part.band]
    inside = (times >= start) & (times < end)
    if inside.sum() >= max(MIN_HITS, MIN_HITS_PER_BAR * (end - start) / grid.bar):
        hits, levels = times[inside], analysis.levels[part.band][inside]
        if part.thin_bars:
            kept = strongest_apart(hits, strengths[inside], part.thin_bars * grid.bar)
            hits, levels = hits[kept], levels[kept]
        return Triggers(_frames(hits - start, rate), False, float(np.median(levels)))
    return Triggers(_frames(beat_grid(part, region, grid) - start, rate), True, None)


def beat_grid(part: Part, region: tuple[float, float], grid: Grid) -> np.ndarray:
    """Seconds into the file of the part's grid positions inside the region."""
    start, end = region
    bars = np.arange(np.floor((start - grid.first_bar) / grid.bar), np.ceil((end - grid.first_bar) / grid.bar) + 1)
    bars = bars[bars % part.every_bars == 0]
    eighth = grid.bar / (2 * BEATS_PER_BAR)
    times = (grid.first_bar + bars[:, None] * grid.bar + np.array(part.eighths)[None, :] * eighth).ravel()
    return np.sort(times[(times >= start) & (times < end)])


def _frames(seconds: np.ndarray, rate: int) -> np.ndarray:
    return np.round(np.asarray(seconds) * rate).astype(np.int64)

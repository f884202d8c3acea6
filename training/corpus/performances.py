"""Human drum performances: an excerpt of a Groove MIDI Dataset take (Roland TD-11 notes mapped to GM drum
notes, timing and velocities as played) under an MMA chord-chart accompaniment at the take's tempo, whose
own drums are dropped. Takes are played to a click from time 0, so bar k starts at k * 4 beats."""
from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .accompaniment import mma_accompaniment
from .kits_pack import DEFAULT_PACK
from .midi import notes, read_midi
from .parts import Accompaniment

GROOVE_DIR = DEFAULT_PACK / "midi" / "groove"
# TD-11 pads -> GM notes. A drum's rim / edge zone plays the same kit piece as its head / bow
# (22 hat edge, 26 open hat edge, 58 floor tom rim, 45 tom 2 rim, 50 tom 1 rim, 55/52 crash 1/2 edge,
# 59 ride edge); 37 (cross stick) stays the GM side stick, 40 (snare rim shot) the second GM snare.
TD11_TO_GM = {36: 36, 38: 38, 40: 40, 37: 37, 42: 42, 22: 42, 44: 44, 46: 46, 26: 46, 43: 43, 58: 43,
              47: 47, 45: 47, 48: 48, 50: 48, 49: 49, 55: 49, 57: 57, 52: 57, 51: 51, 59: 51, 53: 53}
# Electronic songs take straight backbeat styles, which suit programmed-sounding kits; acoustic songs any.
ELECTRONIC_STYLES = ("funk", "hiphop", "pop", "rock", "dance", "soul", "punk", "reggae", "afrobeat")
EARLY_S = 0.03     # a hit this much before the excerpt's first bar line is its (early) downbeat


@dataclass(frozen=True)
class Performance:
    file: str        # relative to the dataset folder
    drummer: str
    style: str       # e.g. "funk/groove1"
    bpm: int
    duration: float

    def bars(self) -> int:
        return int(self.duration * self.bpm / 240.0)


@functools.cache
def performances(groove_dir: Path = GROOVE_DIR) -> tuple[Performance, ...]:
    """The 4/4 'beat' takes listed in info.csv (the 'fill' takes are one or two bars long)."""
    index = Path(groove_dir) / "info.csv"
    if not index.is_file():
        return ()
    with open(index, newline="") as f:
        rows = list(csv.DictReader(f))
    return tuple(Performance(r["midi_filename"], r["drummer"], r["style"], int(r["bpm"]), float(r["duration"]))
                 for r in rows if r["beat_type"] == "beat" and r["time_signature"] == "4-4"
                 and (Path(groove_dir) / r["midi_filename"]).is_file())


@functools.cache
def performance_hits(path: Path) -> tuple[tuple[float, int, int], ...]:
    """(seconds, GM note, velocity) of a take, parsed once per process."""
    return tuple((n.start, TD11_TO_GM[n.pitch], n.velocity) for n in notes(read_midi(path).events)
                 if n.pitch in TD11_TO_GM)


def excerpt(hits, bpm: float, start_bar: int, seconds: float) -> list[tuple[float, int, int]]:
    """The hits of `seconds` from bar start_bar (4/4) on, in seconds from that bar line."""
    t0 = start_bar * 240.0 / bpm
    return [(max(t - t0, 0.0), n, v) for t, n, v in hits if t0 - EARLY_S <= t < t0 + seconds]


def groove_accompaniment(rng: np.random.Generator, seconds: float, genre: str, grooves: dict[str, int],
                         mma_home: Path, groove_dir: Path = GROOVE_DIR) -> Accompaniment:
    """grooves: MMA grooves of 4 beats per bar (bar 1 of the chart = the excerpt's first bar)."""
    def long_enough(p: Performance) -> bool:
        return p.bars() >= math.ceil(seconds * p.bpm / 240.0)
    takes = [p for p in performances(groove_dir) if long_enough(p)]
    styled = [p for p in takes if genre == "acoustic" or p.style.split("/")[0] in ELECTRONIC_STYLES]
    pool = styled or takes
    take = pool[int(rng.integers(len(pool)))]
    hits = performance_hits(Path(groove_dir) / take.file)
    last_bar = take.bars() - math.ceil(seconds * take.bpm / 240.0)
    # some takes begin after bars of silence
    first_bar = min(math.ceil((hits[0][0] - EARLY_S) * take.bpm / 240.0), last_bar) if hits else 0
    start_bar = int(rng.integers(first_bar, last_bar + 1))
    backing = mma_accompaniment(rng, seconds, genre, grooves, mma_home, tempo=take.bpm)
    info = {**backing.info, "generator": "groove-midi+mma", "performance": take.file, "style": take.style,
            "drummer": take.drummer, "bpm": take.bpm, "start_bar": start_bar}
    return Accompaniment(excerpt(hits, take.bpm, start_bar, seconds), backing.melodic, info)

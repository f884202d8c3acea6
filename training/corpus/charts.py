"""Random chord charts: one chord per bar from common progressions in a random key."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NOTE_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
# (semitones above the key, quality) per step; major keys then minor keys.
PROGRESSIONS = (
    ((0, ""), (7, ""), (9, "m"), (5, "")), ((9, "m"), (5, ""), (0, ""), (7, "")),
    ((0, ""), (5, ""), (7, ""), (5, "")), ((2, "m7"), (7, "7"), (0, "maj7"), (9, "m7")),
    ((0, ""), (9, "m"), (5, ""), (7, "")), ((0, "maj7"), (5, "maj7")),
    ((0, "m"), (10, ""), (8, ""), (10, "")), ((0, "m"), (5, "m"), (7, "m"), (0, "m")),
    ((0, "m"), (8, ""), (3, ""), (10, "")), ((0, "m7"), (5, "m7")),
)
QUALITY_INTERVALS = {"": (0, 4, 7), "m": (0, 3, 7), "7": (0, 4, 7, 10), "m7": (0, 3, 7, 10),
                     "maj7": (0, 4, 7, 11)}


@dataclass(frozen=True)
class Chord:
    root: int        # pitch class 0..11
    quality: str     # key of QUALITY_INTERVALS

    @property
    def name(self) -> str:
        return NOTE_NAMES[self.root] + self.quality

    def pitches(self, octave: int = 4) -> list[int]:
        return [12 * (octave + 1) + self.root + i for i in QUALITY_INTERVALS[self.quality]]


def random_chart(rng: np.random.Generator, bars: int) -> list[Chord]:
    key = int(rng.integers(12))
    progression = PROGRESSIONS[int(rng.integers(len(PROGRESSIONS)))]
    return [Chord((key + step) % 12, quality) for step, quality in
            (progression[i % len(progression)] for i in range(bars))]

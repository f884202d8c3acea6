"""What an accompaniment generator hands to the song builder."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Accompaniment:
    drum_hits: list[tuple[float, int, int]]        # (seconds, GM drum note, velocity)
    melodic: list[tuple[str, str, np.ndarray]]     # (stem name, role, mono wave at 44.1 kHz)
    info: dict = field(default_factory=dict)       # tempo, groove, chords... (stored in song.json)


def unique_name(base: str, taken: set[str]) -> str:
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name

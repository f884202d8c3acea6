"""What songs are made of: the kits and the accompaniment generators (Debian-packaged or synthetic)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .generators import Generator, accompaniment_generators, generator_sources
from .kits import Kit
from .kits_hydrogen import hydrogen_kits
from .kits_pack import drum_pack_dir, pack_kits
from .kits_samples import sonic_pi_kits
from .kits_sf2 import sf2_kits
from .parts import Accompaniment
from .rooms import build_rooms
from .synthetic import synthetic_accompaniment, synthetic_kits

# How often each accompaniment generator is chosen (renormalised over those installed): MMA's pattern
# grooves, human drum performances (Groove MIDI) over MMA, and whole written arrangements (Freedoom).
GENERATOR_WEIGHTS = {"mma": 0.3, "groove": 0.35, "freedoom": 0.35}


@dataclass
class Inventory:
    kits: list[Kit]
    accompany: Callable[[np.random.Generator, float, str], Accompaniment]
    sources: dict[str, dict]          # non-kit sources (the accompaniment's), for corpus.json
    licence_files: list[str] = field(default_factory=list)
    rooms: tuple[str, ...] = ()       # measured room impulse responses (.npy files)


def synthetic_inventory(seed: int) -> Inventory:
    return Inventory(synthetic_kits(seed), synthetic_accompaniment,
                     {"accompaniment:synthetic": {"name": "numpy bass/chord synthesis", "kind": "synthetic",
                                                  "licence": "CC0 (generated)", "origin": "training.corpus.synthetic"}})


class Accompanist:
    """Picks one installed generator per song (from the song's own rng) and records which."""

    def __init__(self, generators: dict[str, Generator]):
        self.names = sorted(generators)
        self.generators = generators
        weights = np.array([GENERATOR_WEIGHTS[n] for n in self.names])
        self.p = weights / weights.sum()

    def __call__(self, rng: np.random.Generator, seconds: float, genre: str) -> Accompaniment:
        name = self.names[int(rng.choice(len(self.names), p=self.p))]
        return self.generators[name](rng, seconds, genre)


def real_inventory(cache_dir: Path, progress=None, pack: Path | None = None) -> Inventory | None:
    """Kits from the drum pack (when there), hydrogen, sonic-pi, FluidR3 and avldrums; MMA, Groove MIDI and
    Freedoom accompaniment. None when no usable kit is installed; synthetic accompaniment when no generator
    is (MMA, fluidsynth or the MIDI missing)."""
    pack = pack or drum_pack_dir()
    kits = [k for k in pack_kits(pack) + hydrogen_kits() + sonic_pi_kits() + sf2_kits(cache_dir, progress)
            if k.usable()]
    if not kits:
        return None
    rooms = tuple(build_rooms(pack, cache_dir))
    generators = accompaniment_generators(cache_dir)
    if not generators:
        fallback = synthetic_inventory(0)
        return Inventory(kits, fallback.accompany, fallback.sources, rooms=rooms)
    sources, files = generator_sources(generators)
    return Inventory(kits, Accompanist(generators), sources, files, rooms)

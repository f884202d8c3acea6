"""What songs are made of: the kits and the accompaniment generator (Debian-packaged or synthetic)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

import numpy as np

from .accompaniment import mma_accompaniment, mma_available, prepare_mma_home, working_grooves
from .kits import Kit
from .kits_hydrogen import hydrogen_kits
from .kits_pack import drum_pack_dir, pack_kits
from .kits_samples import sonic_pi_kits
from .kits_sf2 import FLUID_COPYRIGHT, sf2_kits
from .parts import Accompaniment
from .rooms import build_rooms
from .synthetic import synthetic_accompaniment, synthetic_kits

MMA_COPYRIGHT = "/usr/share/doc/mma/copyright"


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


def real_inventory(cache_dir: Path, progress=None, pack: Path | None = None) -> Inventory | None:
    """Kits from the drum pack (when there), hydrogen, sonic-pi, FluidR3 and avldrums; MMA + FluidR3
    accompaniment. None when no usable kit is installed; synthetic accompaniment when MMA or fluidsynth
    is missing."""
    pack = pack or drum_pack_dir()
    kits = [k for k in pack_kits(pack) + hydrogen_kits() + sonic_pi_kits() + sf2_kits(cache_dir, progress)
            if k.usable()]
    if not kits:
        return None
    rooms = tuple(build_rooms(pack, cache_dir))
    if not mma_available():
        fallback = synthetic_inventory(0)
        return Inventory(kits, fallback.accompany, fallback.sources, rooms=rooms)
    home = prepare_mma_home(cache_dir)
    grooves = working_grooves(home, cache_dir)
    if not grooves:
        fallback = synthetic_inventory(0)
        return Inventory(kits, fallback.accompany, fallback.sources, rooms=rooms)
    source = {"name": "MMA grooves rendered with FluidR3_GM", "kind": "sf2",
              "licence": "MIT (FluidR3_GM); GPL-2+ (MMA and its style library)",
              "origin": "mma, fluid-soundfont-gm", "grooves": sorted(grooves)}
    return Inventory(kits, partial(_mma, grooves=grooves, home=home), {"accompaniment:mma-fluidr3": source},
                     [f for f in (FLUID_COPYRIGHT, MMA_COPYRIGHT) if Path(f).is_file()], rooms)


def _mma(rng: np.random.Generator, seconds: float, genre: str, grooves: dict, home: Path) -> Accompaniment:
    return mma_accompaniment(rng, seconds, genre, grooves, home)

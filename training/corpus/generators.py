"""The accompaniment generators whose data and tools are installed, and their corpus.json source records."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from .accompaniment import mma_accompaniment, mma_available, prepare_mma_home, working_grooves
from .freedoom import FREEDOOM_DIR, MUSESCORE_GM, freedoom_accompaniment, freedoom_index, soundfonts
from .kits_pack import DEFAULT_PACK
from .kits_sf2 import FLUID_COPYRIGHT, fluidsynth_available
from .parts import Accompaniment
from .performances import GROOVE_DIR, groove_accompaniment, performances

Generator = Callable[[np.random.Generator, float, str], Accompaniment]
MMA_COPYRIGHT = "/usr/share/doc/mma/copyright"
MUSESCORE_COPYRIGHT = "/usr/share/doc/musescore-general-soundfont-lossless/copyright"
PACK_LICENSES = DEFAULT_PACK / "LICENSES"

# generator name -> (source id, record, licence files); a file that does not exist is not copied.
SOURCES = {
    "mma": ("accompaniment:mma-fluidr3",
            {"name": "MMA grooves rendered with FluidR3_GM", "kind": "sf2",
             "licence": "MIT (FluidR3_GM); GPL-2+ (MMA and its style library)", "origin": "mma, fluid-soundfont-gm"},
            [FLUID_COPYRIGHT, MMA_COPYRIGHT]),
    "groove": ("accompaniment:groove-midi",
               {"name": "Magenta Groove MIDI Dataset v1.0.0 drum performances, MMA accompaniment (FluidR3_GM)",
                "kind": "midi", "licence": "CC-BY-4.0 (Groove MIDI Dataset, Google LLC); MIT (FluidR3_GM); "
                "GPL-2+ (MMA styles)", "origin": "https://magenta.tensorflow.org/datasets/groove",
                "attribution": "Jon Gillick, Adam Roberts, Jesse Engel, Douglas Eck, David Bamman: Learning to "
                               "Groove with Inverse Sequence Transformations, ICML 2019"},
               [str(PACK_LICENSES / "groove-midi" / f) for f in ("LICENSE", "CC-BY-4.0-legalcode.txt", "README")]
               + [FLUID_COPYRIGHT, MMA_COPYRIGHT]),
    "freedoom": ("accompaniment:freedoom",
                 {"name": "Freedoom music (General MIDI songs) rendered with FluidR3_GM / MuseScore_General",
                  "kind": "midi", "licence": "BSD-3-Clause (Copyright (c) 2001-2024 Contributors to the Freedoom "
                  "project); MIT (FluidR3_GM, MuseScore_General)", "origin": "https://github.com/freedoom/freedoom"},
                 [str(FREEDOOM_DIR / "COPYING.adoc"), str(PACK_LICENSES / "freedoom" / "CREDITS-MUSIC"),
                  FLUID_COPYRIGHT] + ([MUSESCORE_COPYRIGHT] if MUSESCORE_GM.is_file() else [])),
}


def accompaniment_generators(cache_dir: Path, groove_dir: Path = GROOVE_DIR, freedoom_dir: Path = FREEDOOM_DIR
                             ) -> dict[str, Generator]:
    """{"mma", "groove", "freedoom": f(rng, seconds, genre) -> Accompaniment}, each only if usable here."""
    found: dict[str, Generator] = {}
    if not fluidsynth_available():
        return found
    if mma_available():
        home = prepare_mma_home(cache_dir)
        grooves = working_grooves(home, cache_dir)
        if grooves:
            found["mma"] = partial(mma_accompaniment, grooves=grooves, mma_home=home)
        four_four = {g: beats for g, beats in grooves.items() if beats == 4}
        if four_four and performances(Path(groove_dir)):
            found["groove"] = partial(groove_accompaniment, grooves=four_four, mma_home=home,
                                      groove_dir=Path(groove_dir))
    index = freedoom_index(freedoom_dir, cache_dir) if Path(freedoom_dir).is_dir() else {}
    if index and soundfonts():
        found["freedoom"] = partial(freedoom_accompaniment, index=index, midi_dir=Path(freedoom_dir))
    return found


def generator_sources(names) -> tuple[dict[str, dict], list[str]]:
    """corpus.json source records and the existing licence files of the named generators."""
    sources = {SOURCES[n][0]: SOURCES[n][1] for n in names}
    files = sorted({f for n in names for f in SOURCES[n][2] if Path(f).is_file()})
    return sources, files

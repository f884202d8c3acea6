"""Drum kits: named pieces with a role and velocity layers (files or in-memory waves)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from model.audio import AudioError, load

from .layout import SAMPLE_RATE

MAX_SAMPLE_S = 4.0
ELECTRONIC_HINTS = ("808", "909", "electro", "electronic", "elec", "rave", "techno", "house", "dance",
                    "synth", "hardelectro", "tr-", "trap", "hiphop", "zap")


@dataclass
class Layer:
    vmin: float                    # velocity range as a fraction of 127
    vmax: float
    path: str = ""
    wave: np.ndarray | None = None

    def audio(self) -> np.ndarray:
        return self.wave if self.wave is not None else _load_cached(self.path)


@dataclass
class Piece:
    name: str
    role: str
    layers: list[Layer]

    def layer_for(self, velocity: int) -> Layer:
        v = velocity / 127.0
        for layer in self.layers:
            if layer.vmin <= v <= layer.vmax:
                return layer
        return min(self.layers, key=lambda layer: min(abs(layer.vmin - v), abs(layer.vmax - v)))


@dataclass
class Kit:
    name: str            # unique, e.g. "hydrogen:GMRockKit"
    kind: str            # hydrogen | sf2 | sonic-pi | lmms | avldrums | synthetic
    origin: str          # folder, file or package
    licence: str
    electronic: bool
    pieces: list[Piece]
    licence_files: list[str] = field(default_factory=list)
    family: str = ""     # kits of one recording session (e.g. close and room mixes): always one source
    attribution: str = ""  # the credit its licence asks for

    def roles(self) -> set[str]:
        return {p.role for p in self.pieces}

    def usable(self) -> bool:
        """A kit can drive a song when it has at least a kick and a snare."""
        return {"kick", "snare"} <= self.roles()


def looks_electronic(*names: str) -> bool:
    text = " ".join(names).lower()
    return any(h in text for h in ELECTRONIC_HINTS)


def even_layers(paths_or_waves: list) -> list[Layer]:
    """Velocity layers splitting 0..1 evenly, softest first."""
    n = len(paths_or_waves)
    out = []
    for i, item in enumerate(paths_or_waves):
        lo, hi = i / n, (i + 1) / n
        out.append(Layer(lo, hi, wave=item) if isinstance(item, np.ndarray) else Layer(lo, hi, path=str(item)))
    return out


@cache
def _load_cached(path: str) -> np.ndarray:
    try:
        wave = load(path, SAMPLE_RATE, max_seconds=MAX_SAMPLE_S)
    except AudioError:
        return np.zeros(0, np.float32)
    wave.setflags(write=False)
    return wave

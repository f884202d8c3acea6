"""Drum stems from drum hits: each GM note is mapped to one piece of the song's kit (chosen once per
song), each hit triggers the piece's velocity layer; one stem per role (kick, snare, hihat, ...)."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from .gm import NOTE_HINTS, note_role
from .kits import Kit, Layer, Piece


def _name_words(name: str) -> set[str]:
    return set(re.findall(r"[a-z]+|\d+", name.lower()))


def _suits(piece: Piece, hints: tuple[str, ...]) -> bool:
    words = _name_words(piece.name)
    return any(h in words or any(w.startswith(h) for w in words if len(h) > 2) for h in hints)


def assign_pieces(kit: Kit, notes: set[int], rng: np.random.Generator) -> dict[int, Piece]:
    """One kit piece per note: a piece of the note's role, preferring names that fit the note
    (open/closed/pedal hat, floor/high tom, clap, ...). Notes whose role the kit lacks are left out."""
    mapping = {}
    for note in sorted(notes):
        candidates = [p for p in kit.pieces if p.role == note_role(note)]
        if not candidates:
            continue
        fitting = [p for p in candidates if _suits(p, NOTE_HINTS.get(note, ()))]
        pool = fitting or candidates
        mapping[note] = pool[int(rng.integers(len(pool)))]
    return mapping


def hit_gain(piece: Piece, velocity: int) -> float:
    """Velocity also scales level, more for single-layer pieces (no recorded dynamics to rely on)."""
    v = velocity / 127.0
    return 0.25 + 0.75 * v if len(piece.layers) == 1 else 0.6 + 0.4 * v


def render_drums(hits: list[tuple[float, int, int]], mapping: dict[int, Piece], n_samples: int,
                 sr: int, transform: Callable[[np.ndarray], np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """hits: (seconds, GM note, velocity); transform: the song's kit transform of each sample.
    Returns {role: mono stem of n_samples}."""
    stems: dict[str, np.ndarray] = {}
    for t, note, velocity in hits:
        piece = mapping.get(note)
        start = int(round(t * sr))
        if piece is None or not 0 <= start < n_samples:
            continue
        audio = piece.layer_for(velocity).audio()
        if transform is not None:
            audio = transform(audio)
        if audio.size == 0:
            continue
        out = stems.setdefault(piece.role, np.zeros(n_samples, np.float32))
        seg = audio[: n_samples - start]
        out[start:start + len(seg)] += seg * hit_gain(piece, velocity)
    return stems


def played_layers(hits: list[tuple[float, int, int]], mapping: dict[int, Piece], n_samples: int, sr: int
                  ) -> dict[str, list[Layer]]:
    """{role: the distinct samples (velocity layers) its hits play, most played first}."""
    counts: dict[str, Counter] = {}
    layers: dict[int, Layer] = {}
    for t, note, velocity in hits:
        piece = mapping.get(note)
        if piece is None or not 0 <= int(round(t * sr)) < n_samples:
            continue
        layer = piece.layer_for(velocity)
        layers[id(layer)] = layer
        counts.setdefault(piece.role, Counter())[id(layer)] += 1
    return {role: [layers[key] for key, _ in c.most_common()] for role, c in counts.items()}

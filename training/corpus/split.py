"""Train/val/test assignment: whole kit sources (generated songs) or whole songs (ingested multitracks)."""
from __future__ import annotations

import hashlib
from collections import Counter

import numpy as np

FRACTIONS = (("train", 0.85), ("val", 0.05), ("test", 0.10))


def split_by_source(song_sources: dict[str, str], seed: int) -> dict[str, str]:
    """{song_id: split} such that all songs of a kit source share one split.

    Sources are visited in a seeded random order; test, then val, take a source whenever that brings
    their song count closer to their share; everything left is train (never empty).
    """
    counts = Counter(song_sources.values())
    order = sorted(counts)
    np.random.default_rng([seed, 5151]).shuffle(order)
    total = sum(counts.values())
    assigned: dict[str, str] = {}
    for split, fraction in (("test", FRACTIONS[2][1]), ("val", FRACTIONS[1][1])):
        target, have = fraction * total, 0
        for source in order:
            left = [s for s in order if s not in assigned]
            if source in assigned or len(left) <= 1:
                continue
            if abs(have + counts[source] - target) < abs(have - target):
                assigned[source] = split
                have += counts[source]
    return {song: assigned.get(source, "train") for song, source in song_sources.items()}


def split_by_name(name: str) -> str:
    """Stable split of one ingested song from its folder name (0.85/0.05/0.10)."""
    u = int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:8], "big") / 2 ** 64
    edge = 0.0
    for split, fraction in FRACTIONS:
        edge += fraction
        if u < edge:
            return split
    return "train"

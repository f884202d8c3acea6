"""Kit sources decided by the audio: kits sharing any one-shot (same content hash) are one source.

Presets of one SoundFont that reuse samples, or kits of one pack that share files, end up in a single
source (union-find), and the split assigns whole sources, so shared samples never straddle train/test.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .kits import Kit

HASH_SECONDS = 1.0


def audio_hash(wave: np.ndarray, sr: int = 44100) -> str:
    """sha1 of the peak-normalised, coarsely quantised first second after the attack starts
    (gain and leading silence do not change it)."""
    wave = np.asarray(wave, np.float32)
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    if peak <= 0:
        return "silent"
    start = int(np.argmax(np.abs(wave) > 1e-3 * peak))
    part = wave[start:start + int(HASH_SECONDS * sr)] / peak
    return hashlib.sha1(np.round(part * 1000).astype(np.int16).tobytes()).hexdigest()


class _HashCache:
    """Content hashes of sample files, remembered by (path, size, mtime) across runs."""

    def __init__(self, path: Path | None):
        self.path = path
        self.data = json.loads(path.read_text()) if path and path.is_file() else {}

    def get(self, layer) -> str:
        if not layer.path:
            return audio_hash(layer.audio())
        st = os.stat(layer.path)
        key = f"{layer.path}|{st.st_size}|{int(st.st_mtime)}"
        if key not in self.data:
            self.data[key] = audio_hash(layer.audio())
        return self.data[key]

    def save(self) -> None:
        if self.path:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.data))


def kit_hashes(kit: Kit, cache: _HashCache) -> set[str]:
    return {h for piece in kit.pieces for layer in piece.layers if (h := cache.get(layer)) != "silent"}


def group_kits(kits: list[Kit], cache_file: Path | None = None) -> dict[str, list[Kit]]:
    """{source_id: kits}; source_id is the alphabetically first kit name of the group."""
    cache = _HashCache(cache_file)
    parent = list(range(len(kits)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, kit in enumerate(kits):
        for h in kit_hashes(kit, cache):
            if h in owner:
                parent[find(i)] = find(owner[h])
            else:
                owner[h] = i
    cache.save()
    groups: dict[int, list[Kit]] = {}
    for i, kit in enumerate(kits):
        groups.setdefault(find(i), []).append(kit)
    return {min(k.name for k in members): sorted(members, key=lambda k: k.name) for members in groups.values()}


def source_record(source_id: str, kits: list[Kit]) -> dict:
    licences = sorted({k.licence for k in kits})
    return {"name": source_id, "kind": kits[0].kind, "licence": "; ".join(licences),
            "origin": kits[0].origin if len({k.origin for k in kits}) == 1 else sorted({k.origin for k in kits}),
            "kits": [k.name for k in kits]}

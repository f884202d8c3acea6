"""Kit sources decided by the audio: kits sharing any one-shot are one source.

"Sharing" is an equal content hash, or a near-duplicate: the same recording saved again at another gain,
channel count or bit depth (the exact hash misses those; the Millo kits share a cowbell that way, and
avldrums' kits reuse GMRockKit recordings). Near-duplicates are found by the cosine similarity of
magnitude spectrograms of the first 0.25 s after the attack. Presets of one SoundFont that reuse
samples, or kits of one pack, end up in a single source (union-find), and the split assigns whole
sources, so shared samples never straddle train/test.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .kits import Kit

HASH_SECONDS = 1.0
PRINT_SECONDS = 0.25
NEAR_DUPLICATE = 0.995     # cosine; different recordings of similar drums stay well below


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


def fingerprint(wave: np.ndarray, sr: int = 44100) -> np.ndarray | None:
    """Unit-norm magnitude spectrogram of the first PRINT_SECONDS after the attack (None if silent)."""
    wave = np.asarray(wave, np.float32)
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    if peak <= 0:
        return None
    n = int(PRINT_SECONDS * sr)
    start = int(np.argmax(np.abs(wave) > 1e-3 * peak))
    x = np.pad(wave[start:start + n], (0, max(0, n - len(wave[start:start + n]))))
    frames = np.lib.stride_tricks.sliding_window_view(x, 512)[::256] * np.hanning(512).astype(np.float32)
    mag = np.abs(np.fft.rfft(frames, axis=1)).ravel().astype(np.float32)
    return mag / (np.linalg.norm(mag) + 1e-12)


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


def group_kits(kits: list[Kit], cache_file: Path | None = None) -> dict[str, list[Kit]]:
    """{source_id: kits}; source_id is the alphabetically first kit name of the group."""
    cache = _HashCache(cache_file)
    parent = list(range(len(kits)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    families: dict[str, int] = {}
    for i, kit in enumerate(kits):
        if kit.family:
            parent[find(i)] = find(families.setdefault(kit.family, i))
    owner: dict[str, int] = {}
    prints: list[np.ndarray] = []
    print_owner: list[int] = []
    for i, kit in enumerate(kits):
        for piece in kit.pieces:
            for layer in piece.layers:
                h = cache.get(layer)
                if h == "silent":
                    continue
                if h in owner:
                    parent[find(i)] = find(owner[h])
                    continue
                owner[h] = i
                fp = fingerprint(layer.audio())
                if fp is not None:
                    prints.append(fp)
                    print_owner.append(i)
    cache.save()
    if prints:
        matrix = np.stack(prints)
        for first in range(0, len(prints), 256):
            rows, cols = np.nonzero(matrix[first:first + 256] @ matrix.T >= NEAR_DUPLICATE)
            for row, col in zip(rows + first, cols, strict=True):
                parent[find(print_owner[row])] = find(print_owner[col])
    groups: dict[int, list[Kit]] = {}
    for i, kit in enumerate(kits):
        groups.setdefault(find(i), []).append(kit)
    return {min(k.name for k in members): sorted(members, key=lambda k: k.name) for members in groups.values()}


def source_record(source_id: str, kits: list[Kit]) -> dict:
    licences = sorted({k.licence for k in kits})
    record = {"name": source_id, "kind": kits[0].kind, "licence": "; ".join(licences),
              "origin": kits[0].origin if len({k.origin for k in kits}) == 1 else sorted({k.origin for k in kits}),
              "kits": [k.name for k in kits]}
    credits = sorted({k.attribution for k in kits if k.attribution})
    if credits:
        record["attribution"] = "; ".join(credits)
    return record

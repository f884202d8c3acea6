"""Room impulse responses measured from the pack's multi-mic kits.

Every hit of those kits exists as a `close` mixdown (spot mic) and a `room` mixdown (overheads + room
mics) of the same performance, so the room's response is what turns one into the other: a Wiener
deconvolution room / close, averaged over many hits of one drum class. Each (kit, class) gives one real
room (as the drums heard it); songs use it for every stem through the production chain.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np

from model.audio import AudioError, load

from .layout import SAMPLE_RATE

IR_SECONDS = 0.9
FFT_SIZE = 1 << 17
CLASSES = ("snare", "tom", "kick")
HITS_PER_ROOM = 24


def _pairs(root: Path) -> dict[tuple[str, str], list[tuple[Path, Path]]]:
    """{(kit, class): [(close file, room file)]} for every hit recorded in both mixes."""
    with open(root / "manifest.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["mic_mix"] == "close" and r["class"] in CLASSES]
    out: dict[tuple[str, str], list[tuple[Path, Path]]] = defaultdict(list)
    for r in rows:
        room = root / r["path"].replace("_close_", "_room_")
        if room.is_file():
            out[(r["kit"], r["class"])].append((root / r["path"], room))
    return out


def wiener_ir(pairs: list[tuple[np.ndarray, np.ndarray]], seconds: float = IR_SECONDS, sr: int = SAMPLE_RATE
              ) -> np.ndarray:
    """Unit-energy impulse response h with room ~= close * h, least squares over all pairs."""
    num = np.zeros(FFT_SIZE // 2 + 1, np.complex128)
    den = np.zeros(FFT_SIZE // 2 + 1)
    for close, room in pairs:
        c, r = np.fft.rfft(close, FFT_SIZE), np.fft.rfft(room, FFT_SIZE)
        num += r * np.conj(c)
        den += np.abs(c) ** 2
    h = np.fft.irfft(num / (den + 1e-3 * den.mean()), FFT_SIZE)[: int(seconds * sr)]
    fade = int(0.05 * sr)
    h[-fade:] *= np.linspace(1, 0, fade)
    return (h / (np.sqrt(np.sum(h ** 2)) + 1e-12)).astype(np.float32)


def build_rooms(pack_root: Path | None, cache_dir: Path) -> list[str]:
    """Paths of the room IRs (.npy, computed once into cache_dir/rooms); [] without the pack."""
    if pack_root is None or not (Path(pack_root) / "manifest.csv").is_file():
        return []
    target = Path(cache_dir) / "rooms"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for (kit, cls), pairs in sorted(_pairs(Path(pack_root)).items()):
        path = target / f"{kit}_{cls}.npy"
        if not path.is_file():
            waves = []
            for close, room in pairs[:HITS_PER_ROOM]:
                try:
                    waves.append((load(close, SAMPLE_RATE), load(room, SAMPLE_RATE)))
                except AudioError:
                    continue
            if not waves:
                continue
            np.save(path.with_suffix(".tmp.npy"), wiener_ir(waves))
            path.with_suffix(".tmp.npy").replace(path)
        paths.append(str(path))
    return paths

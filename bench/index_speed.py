"""Indexing speed: one-shots per second from a warm disk, with the bundled model.

Goal (README): >= 100 one-shots/s on the 2-core CPU machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import add_model_args, load_embedder, machine  # noqa: E402
from samplematch_gui.library_db import LibraryDB  # noqa: E402
from samplematch_gui.scanner import scan_library  # noqa: E402


def make_library(root: Path, n: int, rng: np.random.Generator) -> None:
    """n one-shots, 0.1-2 s, mixed rates/formats as in real packs."""
    for i in range(n):
        sr = (44100, 48000, 96000)[i % 3]
        seconds = rng.uniform(0.1, 2.0)
        t = np.arange(int(sr * seconds)) / sr
        wave = np.sin(2 * np.pi * rng.uniform(40, 400) * t) * np.exp(-t * rng.uniform(3, 30))
        wave += 0.1 * rng.standard_normal(len(t)) * np.exp(-t * 20)
        ext = ("wav", "flac", "aiff")[i % 3]
        sub = root / ("Kicks", "Snares", "Hats", "Toms")[i % 4]
        sub.mkdir(parents=True, exist_ok=True)
        sf.write(sub / f"hit_{i:05d}.{ext}", (0.5 * wave).astype(np.float32), sr)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    add_model_args(p)
    p.add_argument("--samples", type=int, default=1000)
    args = p.parse_args()
    embedder = load_embedder(args)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lib"
        make_library(root, args.samples, np.random.default_rng(0))
        for f in root.rglob("*"):  # warm the page cache
            if f.is_file():
                f.read_bytes()
        with LibraryDB(Path(tmp) / "lib.db") as db:
            start, cpu_start = time.perf_counter(), time.process_time()
            summary = scan_library(db, [str(root)], embedder)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    assert summary.indexed == args.samples, summary
    print(f"model {embedder.model_id} (key window {embedder.key_seconds} s) on {machine(embedder)}")
    # CPU time (all threads) tells what a busy machine's wall time hides: os.getloadavg() says how busy it was.
    print(f"indexed {summary.indexed} one-shots in {seconds:.2f} s: {summary.indexed / seconds:.0f} one-shots/s "
          f"({cpu / summary.indexed * 1000:.1f} ms of CPU each; load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()

"""Ranking speed: cosine scores and order for cached embeddings (the 8-bit matrix the app holds, scored by
ONNX Runtime's integer kernel: model/scoring.py).

Goals (README): 1,000,000 embeddings (--size 1000000): top 1,000 <= 30 ms, all sorted <= 80 ms on the
2-core CPU machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from model import scoring  # noqa: E402
from samplematch_gui.library_db import SampleRow  # noqa: E402
from samplematch_gui.library_index import LibraryIndex  # noqa: E402

CATS = ("kick", "snare", "hihat", "ride", "crash", "tom", "other")


def synthetic_index(n: int, dim: int = 256, model_id: str = "m") -> LibraryIndex:
    """n random embeddings by model_id, built a block at a time as the app reads a library."""
    rng = np.random.default_rng(0)

    def blocks(size: int = 65536):
        for lo in range(0, n, size):
            rows = [SampleRow(f"/lib/s{i}.wav", "/lib", f"s{i}.wav", 1, 1, 0.5, CATS[i % 7], None, None, model_id)
                    for i in range(lo, min(n, lo + size))]
            yield rows, rng.standard_normal((len(rows), dim), dtype=np.float32)

    return LibraryIndex.from_blocks(blocks(), model_id)


def _time(fn, repeat: int) -> tuple[float, float]:
    """(median, best) in ms, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=50)
    args = p.parse_args()
    index = synthetic_index(args.size)
    q = np.random.default_rng(1).standard_normal(256).astype(np.float32)
    matrix_mb = (index._embedded.nbytes + index._scales.nbytes) / 2**20
    print(f"{args.size:,} embeddings x 256 dims as 8-bit codes ({matrix_mb:.0f} MB), {os.cpu_count()} cores, "
          f"{scoring.THREADS} scoring threads, load average {os.getloadavg()[0]:.1f}; median (best) of {args.repeat}:")
    for label, fn in (("scores only", lambda: index.scores(q)),
                      ("top 1,000", lambda: index.rank(q, top=1000)),
                      ("all, sorted", lambda: index.rank(q)),
                      ("top 1,000 of kick+snare", lambda: index.rank(q, {"kick", "snare"}, 1000))):
        median, best = _time(fn, args.repeat)
        print(f"  {label + ':':26s} {median:6.1f} ms ({best:.1f})")


if __name__ == "__main__":
    main()

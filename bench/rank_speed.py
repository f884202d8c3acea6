"""Ranking speed: cosine scores and order for 100,000 cached embeddings.

Goal (README): <= 20 ms on the 2-core CPU machine.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from samplematch_gui.library_db import SampleRow  # noqa: E402
from samplematch_gui.library_index import LibraryIndex  # noqa: E402

CATS = ("kick", "snare", "hihat", "ride", "crash", "tom", "other")


def synthetic_index(n: int, dim: int = 256) -> LibraryIndex:
    rng = np.random.default_rng(0)
    rows = [SampleRow(f"/lib/s{i}.wav", "/lib", f"s{i}.wav", 1, 1, 0.5, CATS[i % 7], None, None, "m")
            for i in range(n)]
    return LibraryIndex(rows, rng.standard_normal((n, dim)).astype(np.float32))


def _time(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=50)
    args = p.parse_args()
    index = synthetic_index(args.size)
    q = np.random.default_rng(1).standard_normal(256).astype(np.float32)
    print(f"{args.size} embeddings x 256 dims, median of {args.repeat}:")
    print(f"  full ranking (all, sorted):      {_time(lambda: index.rank_arrays(q), args.repeat):6.1f} ms")
    print(f"  top 100:                         {_time(lambda: index.rank_arrays(q, top=100), args.repeat):6.1f} ms")
    print(f"  top 100, kick+snare filter:      "
          f"{_time(lambda: index.rank_arrays(q, {'kick', 'snare'}, 100), args.repeat):6.1f} ms")


if __name__ == "__main__":
    main()

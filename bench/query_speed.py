"""Query speed: a 3-minute bounce to a ranked list over a 10,000-sample library.

Goal (README): <= 1 s on the 2-core CPU machine (the library index is already in memory,
as in the app; the time covers reading the excerpts, encoding them and ranking).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import add_model_args, load_embedder, machine  # noqa: E402
from bench.rank_speed import synthetic_index  # noqa: E402
from samplematch_gui.query_session import QuerySession  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    add_model_args(p)
    p.add_argument("--library", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    embedder = load_embedder(args)
    index = synthetic_index(args.library, embedder.embed_dim, embedder.model_id)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        bounce = Path(tmp) / "bounce.wav"
        sf.write(bounce, 0.2 * rng.standard_normal((180 * 44100, 2)).astype(np.float32), 44100,
                 subtype="PCM_24")
        bounce.read_bytes()
        times = []
        for _ in range(args.repeat + 1):
            session = QuerySession(Path(tmp) / "unused.sqlite3")  # a fresh one: no cached query vector
            session.embedder, session.index = embedder, index  # the index in memory, as in the app
            start = time.perf_counter()
            session.open_bounce(bounce)
            ranking = session.rank()
            times.append(time.perf_counter() - start)
            session.close()
    assert len(ranking.order) == args.library
    print(f"model {embedder.model_id} on {machine(embedder)}")
    print(f"3-min bounce -> ranked {args.library} samples: median {statistics.median(times[1:]):.3f} s "
          f"(first call {times[0]:.3f} s)")


if __name__ == "__main__":
    main()

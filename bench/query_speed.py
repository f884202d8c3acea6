"""Query speed: a 3-minute bounce to a ranked list over a 10,000-sample library.

Goal (README): <= 1 s on the 2-core CPU machine (the library index is already in memory,
as in the app; the time covers reading the excerpts, encoding them and ranking). With a model that has hit
matching (model/mix_hits.py) it also covers cutting the excerpts' drum hits and embedding them; the samples' hub
levels are computed once per index, so the first call holds them. The bounce is noise with a drum-like hit
every quarter second (or --bounce FILE).
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
    p.add_argument("--bounce", type=Path, help="a bounce of your own (default: 3 min of generated hits over noise)")
    args = p.parse_args()
    embedder = load_embedder(args)
    index = synthetic_index(args.library, embedder.embed_dim, embedder.model_id)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        bounce = args.bounce or Path(tmp) / "bounce.wav"
        if args.bounce is None:
            sf.write(bounce, generated_bounce(rng), 44100, subtype="PCM_24")
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
    hits = session._asked[1].hits if session._asked is not None else None
    print(f"model {embedder.model_id} on {machine(embedder)}; "
          + ("no hit matching" if hits is None else f"hit matching: {len(hits)} hits cut"))
    print(f"3-min bounce -> ranked {args.library} samples: median {statistics.median(times[1:]):.3f} s "
          f"(first call {times[0]:.3f} s)")


def generated_bounce(rng: np.random.Generator, seconds: int = 180, rate: int = 44100) -> np.ndarray:
    """(n, 2) quiet noise with a decaying noise burst every quarter second and a low thump every half."""
    n = seconds * rate
    out = 0.05 * rng.standard_normal(n).astype(np.float32)
    t = np.arange(rate // 4) / rate
    burst = (0.4 * rng.standard_normal(len(t)) * np.exp(-t / 0.03)).astype(np.float32)
    thump = (0.8 * np.sin(2 * np.pi * 55 * t) * np.exp(-t / 0.1)).astype(np.float32)
    for i, start in enumerate(range(0, n - len(t), len(t))):
        out[start:start + len(t)] += burst + (thump if i % 2 == 0 else 0)
    return np.stack([out, out], axis=1)


if __name__ == "__main__":
    main()

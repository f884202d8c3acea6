"""The library map: frames per second of its pan and zoom redraws, and how long laying a library out takes and how
well each method keeps neighbours (README, "The library as a map").

    bench/map_view.py frames [--points 10000 100000]
        the window's map view offscreen, a synthetic map (clustered places, the app's categories, a fit per dot):
        frames per second while it pans and while it zooms (each frame redrawn in full), and what finding the dot
        under the pointer costs (hover and click).
    bench/map_view.py layout --db LIBRARY [--sizes 10000 100000] [--methods pca opentsne ...]
        lays out the key embeddings of an indexed library (`samplematch index --db LIBRARY DIR...`, e.g. Debian's
        Hydrogen kits and Sonic Pi's samples), then synthetic sets of each size grown from them (every one a
        library embedding plus a little noise, so they keep its neighbourhoods); per method: the wall and CPU
        seconds and the share of each sample's 10 nearest cosine neighbours that stay among its 10 nearest on the
        map (all samples of the library, 1,000 of a synthetic set). opentsne is what the app runs; sklearn-tsne
        and umap are measured where scikit-learn and umap-learn are installed.
"""
from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine  # noqa: E402
from model.taxonomy import CATEGORIES  # noqa: E402
from samplematch_gui.library_db import LibraryDB, SampleRow  # noqa: E402
from samplematch_gui.library_index import LibraryIndex  # noqa: E402
from samplematch_gui.library_map import layout, neighbour_agreement  # noqa: E402

PROBES = 1000
NOISE = 0.03  # per dimension, on unit vectors of 256: a synthetic sample stays near the one it was grown from


# frames ---------------------------------------------------------------------------------------------------------
def synthetic_map(n: int, rng: np.random.Generator) -> tuple[LibraryIndex, np.ndarray, np.ndarray]:
    """An index of n rows (no embeddings), their places in 40 clusters, and a fit per sample."""
    rows = [SampleRow(f"/lib/Pack {i % 50}/s{i}.wav", f"/lib/Pack {i % 50}", f"s{i}.wav", 1, 1, 0.5,
                      CATEGORIES[i % len(CATEGORIES)], None, None, None) for i in range(n)]
    centres = rng.uniform(-60, 60, (40, 2))
    coords = (centres[rng.integers(0, 40, n)] + rng.standard_normal((n, 2)) * 4).astype(np.float32)
    return LibraryIndex(rows), coords, rng.uniform(0, 100, n).astype(np.float32)


def pan_step(box, i: int) -> None:
    """Pan by a few pixels, to and fro."""
    box.translateBy(x=0.4 if i % 200 < 100 else -0.4, y=0.2 if i % 200 < 100 else -0.2)


def zoom_step(box, i: int) -> None:
    """Zoom in by 1 % a frame, then out again."""
    box.scaleBy(s=(0.99, 0.99) if i % 100 < 50 else (1 / 0.99, 1 / 0.99))


def frame_rate(app, view, step, seconds: float) -> tuple[float, float]:
    """(frames per second, CPU milliseconds per frame) while step(i) moves the view before each frame."""
    frames, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        step(frames)
        view.plot.viewport().repaint()  # paints now, in full: the dots' image is drawn anew for a moved view
        frames += 1
    app.processEvents()
    return frames / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / frames


def bench_frames(args) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    from samplematch_gui.ui.map_view import LibraryMapView

    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(0)
    print(f"map view, {args.width}x{args.height} px offscreen, on {machine()}, load average {os.getloadavg()[0]:.1f}")
    for n in args.points:
        index, coords, fit = synthetic_map(n, rng)
        view = LibraryMapView()
        view.resize(args.width, args.height)
        view.show()
        app.processEvents()
        start = time.perf_counter()
        view.set_layout(index, coords)
        view.set_rows(np.arange(n), fit)
        view.plot.viewport().repaint()
        first = time.perf_counter() - start
        pan = frame_rate(app, view, functools.partial(pan_step, view.view_box), args.seconds)
        zoom = frame_rate(app, view, functools.partial(zoom_step, view.view_box), args.seconds)
        lookups = []
        for _ in range(200):
            where = QPointF(*rng.uniform(-60, 60, 2))
            cpu = time.process_time()
            view.dot_at(where)
            lookups.append(time.process_time() - cpu)
        print(f"  {n:>7,} dots: first draw {first * 1000:5.0f} ms; pan {pan[0]:5.1f} fps ({pan[1]:4.1f} ms of CPU a "
              f"frame), zoom {zoom[0]:5.1f} fps ({zoom[1]:4.1f} ms); the dot under the pointer: "
              f"{statistics.mean(lookups) * 1000:.1f} ms of CPU")
        view.close()
        view.deleteLater()
        app.processEvents()


# layout ---------------------------------------------------------------------------------------------------------
def pca(vectors: np.ndarray) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def opentsne(vectors: np.ndarray) -> np.ndarray:
    """What the app runs; says how far it got every 10 % (a long layout is timed as it goes)."""
    wall, cpu, said = time.perf_counter(), time.process_time(), [0.0]

    def report(fraction: float) -> None:
        if fraction >= said[0] + 0.1 or fraction == 1.0:
            said[0] = fraction
            print(f"    {fraction:4.0%} of the iterations after {time.perf_counter() - wall:7.1f} s wall, "
                  f"{time.process_time() - cpu:7.1f} s CPU", flush=True)

    return layout(vectors, report=report)


def sklearn_tsne(vectors: np.ndarray) -> np.ndarray:
    from sklearn.manifold import TSNE

    return TSNE(2, metric="cosine", init="pca", random_state=0, n_jobs=1).fit_transform(vectors)


def umap_layout(vectors: np.ndarray) -> np.ndarray:
    import umap

    return umap.UMAP(metric="cosine", random_state=0).fit_transform(vectors)  # a seed runs it on one thread


METHODS = {"pca": pca, "opentsne": opentsne, "sklearn-tsne": sklearn_tsne, "umap": umap_layout}  # one thread each
NEEDS = {"sklearn-tsne": "sklearn", "umap": "umap"}


def library_vectors(db_path: Path) -> np.ndarray:
    from samplematch_gui.engine import load_embedder

    model_id = load_embedder().model_id
    with LibraryDB.open_readonly(db_path) as db:
        index = LibraryIndex.from_db(db, model_id)
    if not len(index):
        raise SystemExit(f"{db_path} holds no samples embedded by the bundled model ({model_id})")
    return index.unit_vectors()


def grown(vectors: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    x = vectors[rng.integers(0, len(vectors), n)] + NOISE * rng.standard_normal((n, vectors.shape[1]))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def bench_layout(args) -> None:
    import importlib.util

    rng = np.random.default_rng(0)
    real = library_vectors(args.db)
    sets: list[tuple[str, np.ndarray, np.ndarray | None]] = [(f"{args.db.name}: {len(real):,} samples", real, None)]
    sets += [(f"synthetic {n:,}", grown(real, n, rng), rng.choice(n, PROBES, replace=False)) for n in args.sizes]
    print(f"layouts on {machine()}, one thread each (numpy's BLAS: its own), load average {os.getloadavg()[0]:.1f}")
    for name, vectors, probes in sets:
        for method in args.methods:
            if method in NEEDS and importlib.util.find_spec(NEEDS[method]) is None:
                print(f"  {name}: {method} not installed")
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            coords = METHODS[method](vectors)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            agreement = neighbour_agreement(vectors, coords, probes=probes)
            print(f"  {name}: {method:12s} 10-NN agreement {agreement:.3f}, {wall:7.1f} s wall, {cpu:7.1f} s CPU, "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="what", required=True)
    frames = sub.add_parser("frames", help="pan and zoom frames per second")
    frames.add_argument("--points", type=int, nargs="+", default=[10_000, 100_000])
    frames.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    frames.add_argument("--width", type=int, default=1100)
    frames.add_argument("--height", type=int, default=600)
    lay = sub.add_parser("layout", help="layout time and neighbourhood agreement per method")
    lay.add_argument("--db", type=Path, required=True, help="an indexed library (samplematch index --db)")
    lay.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    lay.add_argument("--methods", nargs="+", choices=sorted(METHODS), default=["pca", "opentsne"])
    args = p.parse_args()
    bench_frames(args) if args.what == "frames" else bench_layout(args)


if __name__ == "__main__":
    main()

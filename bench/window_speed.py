"""What the user waits for in the window: a dropped 3-minute bounce until the table shows the ranking.

query_speed.py times the model and the ranking; this adds what the app does around them (the
header check, the waveform overview read alongside, the result rows, sorting and filtering the
table on the GUI thread). The library is synthetic (random embeddings under the model's id), the
window is offscreen and audition off.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import add_model_args, load_embedder, machine  # noqa: E402
from bench.query_speed import generated_bounce  # noqa: E402
from model.taxonomy import CATEGORIES  # noqa: E402
from samplematch_gui.audition import NullOutput  # noqa: E402
from samplematch_gui.library_db import LibraryDB, SampleRecord  # noqa: E402


def fill_library(db_path: Path, n: int, model_id: str, dim: int) -> None:
    rng = np.random.default_rng(0)
    with LibraryDB(db_path) as db:
        for lo in range(0, n, 5000):
            db.write_batch(SampleRecord(f"/lib/Pack {i % 50}/s{i}.wav", "/lib", 1, 1, 0.5,
                                        CATEGORIES[i % 7], model_id,
                                        embedding=rng.standard_normal(dim).astype(np.float32))
                           for i in range(lo, min(n, lo + 5000)))


def wait_until(app, done, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not done():
        if time.monotonic() > end:
            raise TimeoutError("the window did not show the ranking")
        app.processEvents()
        time.sleep(0.001)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    add_model_args(p)
    p.add_argument("--library", type=int, default=10_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    from PySide6.QtWidgets import QApplication

    from samplematch_gui.ui.main_window import MainWindow
    from samplematch_gui.ui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    embedder = load_embedder(args)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fill_library(tmp / "lib.sqlite3", args.library, embedder.model_id, embedder.embed_dim)
        bounces = []
        rng = np.random.default_rng(1)
        for i in range(args.repeat + 1):  # a new file each time: nothing cached between drops
            bounces.append(tmp / f"bounce{i}.wav")
            sf.write(bounces[-1], generated_bounce(rng), 44100, subtype="PCM_24")
        w = MainWindow(AppSettings(tmp / "settings.ini"), tmp / "lib.sqlite3", NullOutput("bench"))
        w.resize(1400, 860)
        w.show()
        w.set_embedder(embedder)
        wait_until(app, lambda: w.model.rowCount() == args.library)
        shown: list[str] = []  # connected after the window's own slot: runs once the table is filled
        w.search.resultsReady.connect(lambda ranked: shown.append(w.search.query.path if w.search.query else ""))
        times = []
        for bounce in bounces:
            start = time.perf_counter()
            w.open_bounce(str(bounce))
            wait_until(app, lambda path=str(bounce): path in shown)
            times.append(time.perf_counter() - start)
        w.close()
    print(f"model {embedder.model_id} on {machine(embedder)}")
    print(f"drop a 3-min bounce -> the window shows {args.library} ranked samples: median "
          f"{statistics.median(times[1:]):.3f} s (first {times[0]:.3f} s, {args.repeat} more)")


if __name__ == "__main__":
    main()

"""Start-up, ranking and quit times of the `samplematch` command, each run in a fresh process.

- help: `samplematch --help`, process start to exit.
- window: `samplematch` (the app, on a 10,000-sample library), process start until the window's first paint
  has finished (the window logs it when SAMPLEMATCH_STARTUP_LOG is set); then until the model is loaded off the
  GUI thread (model ready).
- quit: SIGTERM (what a log-out sends; the window closes as its close button closes it) until the process has
  exited, once the model is ready.
- rank: `samplematch rank BOUNCE --top 20` on the same library and a 3-min 44.1-kHz bounce, start to exit.

Goals (README): help <= 0.5 s, window <= 1.5 s, rank <= 1 s, quit <= 1 s. Each figure comes with its CPU time
(user + system, all threads), which other jobs on a shared machine do not inflate as they do wall time. The
window runs on a real X server (Xvfb) where there is one, else offscreen; each app run gets its own settings and
data folders.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from model.taxonomy import CATEGORIES  # noqa: E402
from model.weights import read_config  # noqa: E402
from samplematch_gui.library_db import LibraryDB, SampleRecord  # noqa: E402
from samplematch_gui.paths import bundled_weights_dir  # noqa: E402
from samplematch_gui.ui.app import STARTUP_LOG_ENV  # noqa: E402

COMMAND = [sys.executable, "-m", "samplematch_gui"]  # what the `samplematch` script runs
TIMEOUT_S = 60


def make_library(db_path: Path, root: Path, n: int, model_id: str, dim: int) -> None:
    """n samples with random embeddings under the model's id, in a folder that is (now) empty."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    with LibraryDB(db_path) as db:
        db.add_folder(root)
        for lo in range(0, n, 5000):
            db.write_batch(SampleRecord(str(root / f"Pack {i % 50}" / f"s{i}.wav"), str(root), 1, 1, 0.5,
                                        CATEGORIES[i % len(CATEGORIES)], model_id,
                                        embedding=rng.standard_normal(dim).astype(np.float32))
                           for i in range(lo, min(n, lo + 5000)))


def start_x_server() -> tuple[subprocess.Popen, str] | None:
    if shutil.which("Xvfb") is None:
        return None
    display = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(["Xvfb", f":{display}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{display}").exists():
        if time.monotonic() > end or server.poll() is not None:
            server.kill()
            return None
        time.sleep(0.05)
    return server, f":{display}"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, all threads) of one run of cmd."""
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=TIMEOUT_S)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed: {proc.stderr.strip()}")
    return seconds, children_cpu() - cpu


def app_run(db: Path, home: Path, env: dict, args: list[str]) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds from process start to first paint and to model ready; from SIGTERM to exit."""
    home.mkdir(parents=True)
    env = dict(env, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), SAMPLEMATCH_DATA_DIR=str(home / "data"),
               **{STARTUP_LOG_ENV: "1"})
    start_wall = time.time()
    proc = subprocess.Popen([*COMMAND, "--db", str(db), *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    seen: dict[str, tuple[float, float]] = {}
    other: list[str] = []
    assert proc.stderr is not None  # a pipe
    try:
        for line in proc.stderr:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "samplematch-startup":
                seen[parts[1]] = (float(parts[2]) - start_wall, float(parts[3]))
                if parts[1] in ("model_ready", "model_failed"):
                    break
            else:
                other.append(line)
        if "model_ready" not in seen:
            raise RuntimeError(f"the app did not load its model ({sorted(seen)} logged): {''.join(other[-20:])}")
        quit_start, cpu = time.perf_counter(), children_cpu()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=TIMEOUT_S)
        # The app's CPU time until SIGTERM, from its own log, leaves what quitting took.
        seen["quit"] = (time.perf_counter() - quit_start, children_cpu() - cpu - seen["model_ready"][1])
        if proc.returncode != 0:
            raise RuntimeError(f"the app exited with {proc.returncode} on SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
    return seen


def summary(name: str, values: list[tuple[float, float]], goal: float | None = None) -> str:
    wall, cpu = [v[0] for v in values], [v[1] for v in values]
    goal_text = f"  (goal <= {goal:g} s)" if goal else ""
    return (f"{name:12s} median {statistics.median(wall):.2f} s, min {min(wall):.2f}, max {max(wall):.2f} "
            f"over {len(wall)} runs; CPU median {statistics.median(cpu):.2f} s{goal_text}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--library", type=int, default=10_000)
    p.add_argument("--offscreen", action="store_true", help="use Qt's offscreen platform even if Xvfb is there")
    p.add_argument("--backend", choices=("onnx", "torch"), help="passed to samplematch (default: its own choice)")
    args = p.parse_args()
    cfg = read_config(bundled_weights_dir())
    backend = ["--backend", args.backend] if args.backend else []
    env = dict(os.environ)
    server = None if args.offscreen else start_x_server()
    if server:
        env.update(DISPLAY=server[1], QT_QPA_PLATFORM="xcb")
    else:
        env.update(QT_QPA_PLATFORM="offscreen")
    results: dict[str, list[tuple[float, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            db = tmp / "library.sqlite3"
            make_library(db, tmp / "Samples", args.library, cfg.model_id, cfg.encoder.embed_dim)
            bounce = tmp / "bounce.wav"
            rng = np.random.default_rng(1)
            sf.write(bounce, 0.2 * rng.standard_normal((180 * 44100, 2)).astype(np.float32), 44100,
                     subtype="PCM_24")
            timed([*COMMAND, "--help"], env)  # warm the page cache
            for run in range(args.runs):
                results.setdefault("help", []).append(timed([*COMMAND, "--help"], env))
                results.setdefault("rank", []).append(
                    timed([*COMMAND, "rank", str(bounce), "--db", str(db), "--top", "20", *backend], env))
                for name, value in app_run(db, tmp / f"home{run}", env, backend).items():
                    results.setdefault(name, []).append(value)
    finally:
        if server:
            server[0].terminate()
            server[0].wait()
    print(f"model {cfg.model_id}, {args.library} samples, {os.cpu_count()} cores, "
          f"window on {'Xvfb (xcb)' if server else 'offscreen'}, load average {os.getloadavg()[0]:.1f}")
    goals = {"help": 0.5, "first_paint": 1.5, "rank": 1.0, "quit": 1.0}
    labels = {"first_paint": "window", "model_ready": "model ready"}
    for name in ("help", "first_paint", "model_ready", "rank", "quit"):
        if name in results:
            print(summary(labels.get(name, name), results[name], goals.get(name)))


if __name__ == "__main__":
    main()

"""`samplematch`: index sample folders, rank them against a bounce, or start the app."""
from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
from pathlib import Path

from model.inference import BACKENDS
from model.taxonomy import ALL_CATEGORIES, NON_DRUM

EXIT_OK, EXIT_FAILURE = 0, 1  # argparse exits 2 on a usage error


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="samplematch",
        description="Rank the drum samples in your library by how well they fit your track. "
                    "Without a command, starts the app.")
    p.add_argument("--db", type=Path, help="library cache (default: in the user data folder)")
    p.add_argument("--weights", type=Path, help="model folder (default: the bundled model)")
    p.add_argument("--backend", choices=BACKENDS,
                   help="run the model in ONNX Runtime (default, where the model folder has its ONNX encoders) "
                        "or in torch (needs the train extra)")
    p.add_argument("--demo", action="store_true", help="start the app with a demo library")
    sub = p.add_subparsers(dest="command")
    ix = sub.add_parser("index", help="add folders to the library and index new or changed samples")
    ix.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    rk = sub.add_parser("rank", help="rank the library against a bounce of your track")
    rk.add_argument("query", type=Path, metavar="QUERY")
    rk.add_argument("--category", action="append", choices=ALL_CATEGORIES, metavar="C",
                    help=f"only these categories ({', '.join(ALL_CATEGORIES)}); repeatable")
    rk.add_argument("--mode", choices=("fit", "like"), default="fit",
                    help="fit: the samples that fit the track (default); like: the samples that sound like the "
                         "drums heard in it, per --category (needs one or more)")
    rk.add_argument("--include-non-drums", action="store_true",
                    help=f"also rank files that are not drum one-shots (loops, pads, noise...: {NON_DRUM})")
    rk.add_argument("--top", type=int, default=20, help="how many results (0 = all; default 20)")
    rk.add_argument("--region", type=float, nargs=2, metavar=("START", "END"),
                    help="use only this part of the bounce (seconds)")
    rk.add_argument("--json", action="store_true", help="print a JSON list")
    kt = sub.add_parser("kit", help="suggest a whole kit (kick, snare, hats...) that fits a bounce and holds together")
    kt.add_argument("bounce", type=Path, metavar="BOUNCE")
    kt.add_argument("--region", type=float, nargs=2, metavar=("START", "END"),
                    help="use only this part of the bounce (seconds)")
    kt.add_argument("--json", action="store_true", help="print the kit as JSON")
    for sp in (ix, rk, kt):  # accept the global options after the command too
        sp.add_argument("--db", type=Path, default=argparse.SUPPRESS)
        sp.add_argument("--weights", type=Path, default=argparse.SUPPRESS)
        sp.add_argument("--backend", choices=BACKENDS, default=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from samplematch_gui.ui.app import run

        return run(demo=args.demo, weights_dir=args.weights, db_path=args.db, backend=args.backend)
    if args.command == "rank" and args.top < 0:
        parser.error("--top must be 0 (all) or more")
    if args.command == "rank" and args.mode == "like" and not args.category:
        parser.error("--mode like needs the drum class to look for: --category kick (or snare, hihat...)")
    if args.command == "rank" and args.mode == "like" and NON_DRUM in args.category:
        parser.error(f"--mode like looks for drums: --category {NON_DRUM} has none")
    if args.command in ("rank", "kit") and args.region and not _valid_region(*args.region):
        parser.error("--region START END needs 0 <= START < END (seconds)")
    try:
        return {"index": _index, "rank": _rank, "kit": _kit}[args.command](args)
    except KeyboardInterrupt:
        print("samplematch: interrupted", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # one line, not a traceback, for anything unexpected
        print(f"samplematch: {exc}", file=sys.stderr)
        return EXIT_FAILURE


def _valid_region(start: float, end: float) -> bool:
    return math.isfinite(start) and math.isfinite(end) and 0 <= start < end


def _db_path(args) -> Path:
    from samplematch_gui.paths import default_db_path

    return args.db or default_db_path()


def _open(args):
    from samplematch_gui.engine import load_embedder
    from samplematch_gui.library_db import LibraryDB

    embedder = load_embedder(args.weights, args.backend)
    if args.command == "rank":  # ranking only reads: it works on a library it may not write
        return embedder, LibraryDB.open_readonly(_db_path(args))
    return embedder, LibraryDB(_db_path(args))


def _index(args) -> int:
    from samplematch_gui.progress_bar import ProgressBar
    from samplematch_gui.scanner import scan_library

    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        print(f"samplematch: not a folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_FAILURE
    embedder, db = _open(args)
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())  # stop after this batch
    bar = ProgressBar()
    try:
        with db:
            folders = [db.add_folder(f) for f in args.folders]
            summary = scan_library(db, folders, embedder, cancel,
                                   lambda p: bar.update(p.done, p.total, p.current, p.eta))
            total = db.count()
    finally:
        bar.close()
        signal.signal(signal.SIGINT, previous)
    for path, message in summary.errors:
        print(f"error: {path}: {message}", file=sys.stderr)
    state = "cancelled" if summary.cancelled else "done"
    print(f"{state}: indexed {summary.indexed}, skipped {summary.skipped} unchanged, "
          f"removed {summary.removed}, errors {len(summary.errors)}; "
          f"{total} samples in the library")
    return EXIT_FAILURE if summary.cancelled else EXIT_OK


def _library_session(args):
    """A read-only query session on the library with the model loaded; None (the reason printed) without one."""
    from samplematch_gui.engine import load_embedder
    from samplematch_gui.query_session import QuerySession

    db_path = _db_path(args)
    if not db_path.is_file():  # ranking only reads: never create a library here
        print(f"samplematch: no library at {db_path}; build one with: samplematch index DIR"
              + (f" --db {args.db}" if args.db else ""), file=sys.stderr)
        return None
    session = QuerySession(db_path, readonly=True)
    session.embedder = load_embedder(args.weights, args.backend)
    if not len(session.load_index()):
        print("samplematch: the library has no samples indexed with this model; "
              "run: samplematch index DIR", file=sys.stderr)
        return None
    return session


def _rank(args) -> int:
    from model.audio import AudioError

    session = _library_session(args)
    if session is None:
        return EXIT_FAILURE
    index = session.index
    try:
        session.open_bounce(args.query)
        if args.region:
            session.set_region(*args.region)
        session.set_mode(args.mode)
        ranking = session.rank(set(args.category) if args.category else None, args.top or None,
                               args.include_non_drums)
    except AudioError as exc:
        print(f"samplematch: {args.query}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        session.close()
    if ranking.problem is not None:  # silent, or too short: nothing to rank by
        print(f"samplematch: {ranking.problem}", file=sys.stderr)
        return EXIT_FAILURE
    scores, fit = ranking.scores, ranking.fit  # fit: the percentile in the library (README, "Fit")
    if args.json:
        print(json.dumps([{"path": index.paths[i], "score": round(float(scores[i]), 6),
                           "fit": round(float(fit[i]), 2), "category": index.category(i),
                           "duration": round(float(index.durations[i]), 4)}
                          for i in ranking.order], indent=1))
    else:
        for n, i in enumerate(ranking.order, 1):
            print(f"{n:5d}  {fit[i]:5.1f}  {scores[i]:+.4f}  {index.category(i):8s}  {index.paths[i]}")
    return EXIT_OK


def _kit(args) -> int:
    from model.audio import AudioError
    from samplematch_gui.kit_suggest import suggest_kit

    session = _library_session(args)
    if session is None:
        return EXIT_FAILURE
    try:
        session.open_bounce(args.bounce)
        if args.region:
            session.set_region(*args.region)
        ranking = session.rank()
        if ranking.problem is None:
            kit = suggest_kit(ranking)
    except AudioError as exc:
        print(f"samplematch: {args.bounce}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        session.close()
    if ranking.problem is not None:
        print(f"samplematch: {ranking.problem}", file=sys.stderr)
        return EXIT_FAILURE
    index = ranking.index

    def number(value: float) -> float | None:
        return None if math.isnan(value) else round(value, 2)

    def entry(c) -> dict:
        return {"path": c.path, "category": index.category(c.position), "fit": number(c.fit),
                "coherence": number(c.coherence)}

    if args.json:
        slots = [{"slot": p.slot.name, "label": p.slot.label, "optional": p.slot.optional,
                  **(entry(p.choice) if p.choice else {"path": None}),
                  "alternatives": [entry(c) for c in p.alternatives]} for p in kit.picks]
        print(json.dumps({"bounce": str(args.bounce), "fit": number(kit.fit), "coherence": number(kit.coherence),
                          "score": number(kit.score), "slots": slots}, indent=1))
        return EXIT_OK
    print(f"kit for {args.bounce.name}: fit {kit.fit:.1f}, coherence {kit.coherence:.1f}, score {kit.score:.1f}")
    for p in kit.picks:
        if p.choice is None:
            print(f"{p.slot.label:13s}  (none in the library)")
            continue
        print(f"{p.slot.label:13s}  fit {p.choice.fit:5.1f}  coherence {p.choice.coherence:5.1f}  {p.choice.path}")
        for c in p.alternatives:
            print(f"{'':13s}    or  {c.fit:5.1f}  {c.coherence:5.1f}  {c.path}")
    return EXIT_OK

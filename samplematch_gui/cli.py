"""`samplematch`: index sample folders, rank them against a bounce, or start the app."""
from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
from pathlib import Path

from model.taxonomy import CATEGORIES

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="samplematch",
        description="Rank the drum samples in your library by how well they fit your track. "
                    "Without a command, starts the app.")
    p.add_argument("--db", type=Path, help="library cache (default: in the user data folder)")
    p.add_argument("--weights", type=Path, help="model folder (default: the bundled model)")
    p.add_argument("--demo", action="store_true", help="start the app with a demo library")
    sub = p.add_subparsers(dest="command")
    ix = sub.add_parser("index", help="add folders to the library and index new or changed samples")
    ix.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    rk = sub.add_parser("rank", help="rank the library against a bounce of your track")
    rk.add_argument("query", type=Path, metavar="QUERY")
    rk.add_argument("--category", action="append", choices=CATEGORIES, metavar="C",
                    help=f"only these categories ({', '.join(CATEGORIES)}); repeatable")
    rk.add_argument("--top", type=int, default=20, help="how many results (0 = all; default 20)")
    rk.add_argument("--region", type=float, nargs=2, metavar=("START", "END"),
                    help="use only this part of the bounce (seconds)")
    rk.add_argument("--json", action="store_true", help="print a JSON list")
    for sp in (ix, rk):  # accept the global options after the command too
        sp.add_argument("--db", type=Path, default=argparse.SUPPRESS)
        sp.add_argument("--weights", type=Path, default=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from samplematch_gui.ui.app import run

        return run(demo=args.demo, weights_dir=args.weights, db_path=args.db)
    if args.command == "rank" and args.top < 0:
        parser.error("--top must be 0 (all) or more")
    if args.command == "rank" and args.region and not _valid_region(*args.region):
        parser.error("--region START END needs 0 <= START < END (seconds)")
    try:
        return _index(args) if args.command == "index" else _rank(args)
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

    embedder = load_embedder(args.weights)
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


def _rank(args) -> int:
    from model.audio import AudioError
    from samplematch_gui.engine import query_vector
    from samplematch_gui.library_index import LibraryIndex

    db_path = _db_path(args)
    if not db_path.is_file():  # ranking only reads: never create a library here
        print(f"samplematch: no library at {db_path}; build one with: samplematch index DIR"
              + (f" --db {args.db}" if args.db else ""), file=sys.stderr)
        return EXIT_FAILURE
    embedder, db = _open(args)
    with db:
        index = LibraryIndex.from_db(db, embedder.model_id)
    if not len(index):
        print("samplematch: the library has no samples indexed with this model; "
              "run: samplematch index DIR", file=sys.stderr)
        return EXIT_FAILURE
    try:
        query = query_vector(embedder, args.query, tuple(args.region) if args.region else None)
    except AudioError as exc:
        print(f"samplematch: {args.query}: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    ranked = index.rank(query, set(args.category) if args.category else None, args.top or None)
    if args.json:
        print(json.dumps([{"path": r.row.path, "score": round(r.score, 6),
                           "category": r.row.category, "duration": round(r.row.duration, 4)}
                          for r in ranked], indent=1))
    else:
        for i, r in enumerate(ranked, 1):
            print(f"{i:5d}  {r.score:+.4f}  {r.row.category:6s}  {r.row.path}")
    return EXIT_OK

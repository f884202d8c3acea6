"""Build (or resume) a training corpus of multitrack songs with one-shots.

    python -m training.corpus.build --out /work/data/corpus --songs 1000 --seed 0 [--synthetic]

Every song is planned up front from (seed, song index): kit source, kit, genre, duration; the split is
decided per kit source. Songs whose song.json exists are skipped, so an interrupted build resumes.
"""
from __future__ import annotations

import argparse
import multiprocessing
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from .inventory import Inventory, real_inventory, synthetic_inventory
from .kit_sources import group_kits, source_record
from .layout import FORMAT, SAMPLE_RATE, SPLITS, is_song_complete, load_corpus, read_corpus_meta, write_corpus_meta
from .song import SongPlan, make_song
from .split import split_by_source

MIXED_KIT_P = 0.2


def plan_songs(sources: dict[str, list], n_songs: int, seed: int, song_seconds: tuple[float, float]
               ) -> tuple[list[SongPlan], list[np.random.Generator]]:
    """Source uniformly (so one big merged source cannot dominate), then a kit of it; genre from the kit."""
    ids = sorted(sources)
    drafts, rngs = [], []
    for i in range(n_songs):
        rng = np.random.default_rng([seed, i])
        source = ids[int(rng.integers(len(ids)))]
        kit = sources[source][int(rng.integers(len(sources[source])))]
        duration = round(float(rng.uniform(*song_seconds)), 3)
        drafts.append((f"song{i:05d}", source, kit, duration))
        rngs.append(rng)
    splits = split_by_source({sid: src for sid, src, _, _ in drafts}, seed)
    source_split = {src: splits[sid] for sid, src, _, _ in drafts}
    plans = []
    for i, (sid, src, kit, dur) in enumerate(drafts):
        donor, roles = _donor(rngs[i], kit, src, sources, source_split)
        plans.append(SongPlan(i, sid, src, kit.name, "electronic" if kit.electronic else "acoustic", dur,
                              splits[sid], donor, roles))
    return plans, rngs


def _donor(rng: np.random.Generator, kit, source: str, sources: dict[str, list], source_split: dict[str, str]
           ) -> tuple[str, tuple[str, ...]]:
    """A mixed kit (MIXED_KIT_P of songs): one or two roles played by a kit of the same kind from another
    source of the same split (so no recording crosses splits), the rest by the song's own kit."""
    if rng.random() >= MIXED_KIT_P:
        return "", ()
    pool = [k for sid, kits in sorted(sources.items())
            if sid != source and source_split.get(sid) == source_split[source]
            for k in kits if k.electronic == kit.electronic]
    if not pool:
        return "", ()
    donor = pool[int(rng.integers(len(pool)))]
    shared = sorted(donor.roles() & kit.roles())
    roles = rng.choice(shared, size=min(len(shared), int(rng.integers(1, 3))), replace=False)
    return donor.name, tuple(sorted(str(r) for r in roles))


def copy_licences(out_dir: Path, files: set[str], sources: dict[str, dict]) -> list[str]:
    """Copy the Debian copyright files into LICENSES/ and list each source's own licence field
    (e.g. a Hydrogen kit's <license>) in LICENSES/SOURCES.txt."""
    target = Path(out_dir) / "LICENSES"
    target.mkdir(parents=True, exist_ok=True)
    lines = [f"{sid}: {rec['licence']}" + (f" (kits: {', '.join(rec['kits'])})" if rec.get("kits") else "")
             for sid, rec in sorted(sources.items())]
    (target / "SOURCES.txt").write_text("\n".join(lines) + "\n")
    copied = ["SOURCES.txt"]
    for f in sorted(files):
        p = Path(f)
        if p.is_file():
            name = f"{p.parent.name}.copyright" if p.name == "copyright" else p.name
            if name in copied:     # per-kit files share names (info.txt, LICENSE)
                name = f"{p.parent.parent.name}-{p.parent.name}-{p.name}"
            shutil.copyfile(p, target / name)
            copied.append(name)
    return copied


def _inventory(cache: Path, seed: int, synthetic: bool, progress) -> Inventory:
    inventory = None if synthetic else real_inventory(cache, progress)
    return inventory or synthetic_inventory(seed)


_JOB: dict = {}   # the build in progress, inherited by forked workers


def _make_one(index: int) -> tuple[int, float, str]:
    """(index, seconds taken, error message or "")."""
    plan, rng = _JOB["plans"][index], _JOB["rngs"][index]
    start = time.perf_counter()
    try:
        accompaniment = _JOB["inventory"].accompany(rng, plan.duration, plan.genre)
        kits = _JOB["kits"]
        make_song(_JOB["out_dir"], plan, kits[plan.kit], accompaniment, rng,
                  kits[plan.donor] if plan.donor else None, _JOB["rooms"])
    except Exception as exc:  # one bad song (tool failure, odd sample) must not stop the build
        return index, 0.0, f"{plan.id}: {type(exc).__name__}: {exc}"
    return index, time.perf_counter() - start, ""


def _run(todo: list[int], workers: int, cancel):
    """Results as songs finish; stops starting songs once cancel is set (the pool's unfinished ones are
    terminated, which leaves them without song.json, i.e. incomplete)."""

    def stop() -> bool:
        return cancel is not None and cancel.is_set()

    if workers <= 1 or len(todo) <= 1:
        for index in todo:
            if stop():
                return
            yield _make_one(index)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for result in pool.imap_unordered(_make_one, todo):
            yield result
            if stop():
                return


def build_corpus(out_dir, n_songs: int = 1000, seed: int = 0, song_seconds=(12, 20), synthetic: bool = False,
                 progress=None, cancel=None, workers: int = 1) -> dict:
    """Generate n_songs songs into out_dir (layout.py); returns a summary dict.

    progress(done, total, message) is called as songs finish; cancel.is_set() stops between songs.
    Each song depends only on (seed, index), so the result does not depend on `workers` or on resuming.
    """
    out_dir = Path(out_dir)
    plan = {"songs": n_songs, "seed": seed, "synthetic": synthetic, "song_seconds": list(song_seconds)}
    planned = read_corpus_meta(out_dir).get("plan")
    if planned is not None and planned != plan:
        # Splits are decided per kit source over the whole plan: another plan would put songs of one
        # source into several splits next to the ones already built.
        raise ValueError(f"{out_dir} holds a corpus planned as {planned}; build {plan} into a new folder")
    cache = out_dir / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    inventory = _inventory(cache, seed, synthetic, progress)
    grouped = group_kits(inventory.kits, cache / "hashes.json")
    plans, rngs = plan_songs(grouped, n_songs, seed, tuple(song_seconds))
    kits = {k.name: k for k in inventory.kits}

    meta = read_corpus_meta(out_dir)
    meta.update(format=FORMAT, seed=seed, sample_rate=SAMPLE_RATE, plan=plan)
    # Kit sources are recomputed each run; ingested users' songs keep theirs.
    user = {sid: rec for sid, rec in meta.get("sources", {}).items() if rec.get("kind") == "user"}
    meta["sources"] = {**user, **{sid: source_record(sid, members) for sid, members in grouped.items()},
                       **inventory.sources}
    licence_files = {f for k in inventory.kits for f in k.licence_files} | set(inventory.licence_files)
    meta["licence_files"] = copy_licences(out_dir, licence_files, meta["sources"])
    write_corpus_meta(out_dir, meta)

    todo = [p.index for p in plans if not is_song_complete(out_dir, p.id)]
    skipped, failures, seconds = n_songs - len(todo), [], []
    _JOB.update(plans=plans, rngs=rngs, inventory=inventory, kits=kits, out_dir=out_dir, rooms=inventory.rooms)
    wall = time.perf_counter()
    for done, (index, took, error) in enumerate(_run(todo, workers, cancel), start=skipped + 1):
        if error:
            failures.append(error)
        else:
            seconds.append(took)
        if progress:
            progress(done, n_songs, plans[index].id)
    wall = time.perf_counter() - wall
    _JOB.clear()
    _, songs = load_corpus(out_dir)        # what is on disk (older songs may come from an older plan)
    by_split: dict[str, set] = {}
    for song in songs:
        by_split.setdefault(song.split, set()).add(song.kit_source)
    return {"out_dir": str(out_dir), "planned": n_songs, "built": len(seconds), "skipped": skipped,
            "failed": failures, "cancelled": bool(cancel is not None and cancel.is_set()),
            "seconds_per_song": float(np.mean(seconds)) if seconds else 0.0,   # per worker
            "wall_seconds_per_song": wall / len(seconds) if seconds else 0.0,
            "songs": len(songs), "songs_per_split": {s: sum(x.split == s for x in songs) for s in SPLITS},
            "sources_per_split": {s: sorted(v) for s, v in sorted(by_split.items())},
            "kits": len(inventory.kits), "kit_sources": len(grouped)}


class LogProgress:
    """A text progress bar for logs: one line every `every` songs (and for setup messages)."""

    def __init__(self, stream=sys.stdout, every: int = 10):
        self.stream, self.every, self.start = stream, every, time.time()

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if message.startswith("song") and done % self.every and done != total:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        elapsed = time.time() - self.start
        self.stream.write(f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message} "
                          f"({elapsed:.0f} s elapsed)\n")
        self.stream.flush()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--songs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-seconds", type=float, default=12.0)
    parser.add_argument("--max-seconds", type=float, default=20.0)
    parser.add_argument("--synthetic", action="store_true", help="numpy-generated kits and accompaniment")
    parser.add_argument("--workers", type=int, default=2, help="songs made in parallel (processes)")
    args = parser.parse_args(argv)
    summary = build_corpus(args.out, args.songs, args.seed, (args.min_seconds, args.max_seconds), args.synthetic,
                           progress=LogProgress(), workers=args.workers)
    for key, value in summary.items():
        print(f"{key}: {value}")
    return 1 if summary["failed"] and not summary["built"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""Categories on a real library: Debian's Hydrogen kits + Sonic Pi samples (~1,000 files), scanned as the app
scans them, plus the three files issue 11's user added: a 60-s sine, a silent file, 20 s of noise.

Goals (README, "Categories"): fewer than 10 % of the drum one-shots land in Other, and no file that is not a
one-shot appears in the default ranking of a bounce.

What each file is: a Hydrogen file is the piece its drumkit.xml names, else a drum one-shot of unknown class
(silent placeholders are not one-shots); Sonic Pi files as training.category_sources labels them (drums by
name; loops, ambient, bass, guitar and vinyl sounds are not one-shots; the rest, such as synth blips, is not
judged); the generated files are not one-shots.

--held-out fits a head without the Hydrogen and Sonic Pi examples first (on the drum pack, lmms-common and
generated sounds only), so that the numbers are for kits the head never saw; the bundled head was fitted
on these kits too.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine  # noqa: E402
from model import audio  # noqa: E402
from model.oneshot_features import is_silent  # noqa: E402
from model.taxonomy import NON_DRUM  # noqa: E402
from samplematch_gui.engine import load_embedder, query_vector  # noqa: E402
from samplematch_gui.library_db import LibraryDB  # noqa: E402
from samplematch_gui.library_index import LibraryIndex  # noqa: E402
from samplematch_gui.paths import bundled_weights_dir  # noqa: E402
from samplematch_gui.scanner import scan_library  # noqa: E402
from training.category_sources import HYDROGEN, SONIC_PI, hydrogen_examples, sonic_pi_examples  # noqa: E402

DRUM = "drum one-shot"
NOT_ONESHOT = "not a one-shot"
RATE = 44100


def generated(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    t = np.arange(60 * RATE) / RATE
    files = {"sine_60s.wav": 0.5 * np.sin(2 * np.pi * 440 * t), "silence.wav": np.zeros(5 * RATE),
             "noise_20s.wav": 0.2 * np.random.default_rng(0).standard_normal(20 * RATE)}
    for name, wave in files.items():
        sf.write(folder / name, wave.astype(np.float32), RATE)
    return {str(folder / name): NOT_ONESHOT for name in files}


def truth(generated_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """{path: DRUM or NOT_ONESHOT} and {path: class} where the class is known."""
    kind, cls = {}, {}
    labelled = {e.path: e.label for e in hydrogen_examples()}
    for f in sorted(p for kit in HYDROGEN.iterdir() if kit.is_dir() for p in kit.iterdir()
                    if audio.is_audio_path(p)):
        if str(f) in labelled:
            kind[str(f)], cls[str(f)] = DRUM, labelled[str(f)]
        else:  # a kit piece no instrument name explains, or a silent placeholder
            kind[str(f)] = NOT_ONESHOT if is_silent(audio.load(f, 16000)) else DRUM
    for e in sonic_pi_examples():
        assert e.path is not None  # a file, not a generated sound
        kind[e.path] = NOT_ONESHOT if e.label == NON_DRUM else DRUM
        if e.label != NON_DRUM:
            cls[e.path] = e.label
    kind.update(generated(generated_dir))
    return kind, cls


def held_out_model(weights: Path, out: Path) -> Path:
    """A copy of the model folder with a head fitted without any Hydrogen or Sonic Pi example."""
    from model.category_head import load_head
    from model.inference_torch import load_torch_embedder
    from training.category_fit import embed, fit_head
    from training.category_sources import examples

    shutil.copytree(weights, out)
    embedder = load_torch_embedder(out, threads=2)
    shipped = load_head(weights, embedder.model_id)
    data = embed(examples(("drums", "lmms", "generated")), embedder, shipped.features)
    head = fit_head(data, shipped.info["fitted"]["l2"], embedder.model_id, shipped.features, shipped.decision)
    head.save(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=bundled_weights_dir(), help="model folder (default: bundled)")
    parser.add_argument("--held-out", action="store_true", help="fit a head that never saw these kits first")
    parser.add_argument("--list", action="store_true", help="list the drum one-shots in Other and the misfiled")
    args = parser.parse_args()
    if not HYDROGEN.is_dir() or not SONIC_PI.is_dir():
        sys.exit("needs Debian's hydrogen-drumkits and sonic-pi-samples: apt-get install hydrogen-drumkits "
                 "sonic-pi-samples")
    work = Path(tempfile.mkdtemp(prefix="bench-categories-"))
    weights = held_out_model(args.weights, work / "model") if args.held_out else args.weights
    kind, cls = truth(work / "Generated")
    embedder = load_embedder(weights)
    db = LibraryDB(work / "library.sqlite3")
    folders = [db.add_folder(f) for f in (HYDROGEN, SONIC_PI, work / "Generated")]
    summary = scan_library(db, folders, embedder)
    rows = {r.path: r for r in db.rows()}
    print(f"{machine(embedder)}; model {embedder.model_id}; head {'held out' if args.held_out else 'bundled'}")
    print(f"library: {len(rows)} files (indexed {summary.indexed}, errors {len(summary.errors)})")

    got = {p: rows[p].category for p in kind if p in rows}
    drums = [p for p in got if kind[p] == DRUM]
    not_oneshots = [p for p in got if kind[p] == NOT_ONESHOT]
    other = [p for p in drums if got[p] == "other"]
    called_non_drum = [p for p in drums if got[p] == NON_DRUM]
    known = [p for p in drums if p in cls]
    right = [p for p in known if got[p] == cls[p]]
    print(f"drum one-shots: {len(drums)}; in Other {len(other)} ({len(other) / len(drums):.1%}); "
          f"filed as not one-shots {len(called_non_drum)} ({len(called_non_drum) / len(drums):.1%}); "
          f"right class {len(right)} of {len(known)} with a known class ({len(right) / len(known):.1%})")
    print(f"not one-shots: {len(not_oneshots)}; filed as such {sum(got[p] == NON_DRUM for p in not_oneshots)}")
    print(f"not judged (Sonic Pi synth blips, robots...): {len(rows) - len(got)}; "
          f"their categories: {dict(Counter(rows[p].category for p in rows if p not in got))}")
    print(f"categories of the whole library: {dict(Counter(r.category for r in rows.values()))}")

    from samplematch_gui.demo import RATE as DEMO_RATE, demo_bounce

    bounce = work / "bounce.wav"
    sf.write(bounce, demo_bounce(), DEMO_RATE)
    rows_, matrix = db.embeddings(embedder.model_id)
    index = LibraryIndex(rows_, matrix, embedder.model_id)
    order, _ = index.rank(query_vector(embedder, bounce))
    ranked = [index.paths[i] for i in order]
    in_ranking = [p for p in ranked if kind.get(p) == NOT_ONESHOT]
    top = Counter(index.category(i) for i in order[:50])
    print(f"default ranking of an electronic bounce: {len(ranked)} files, not one-shots among them: "
          f"{len(in_ranking)}; top 50 by category: {dict(top)}")
    if args.list:
        for p in other:
            print(f"  in Other: {p}")
        for p in called_non_drum:
            print(f"  drum filed as not a one-shot: {p}")
        for p in in_ranking:
            print(f"  ranked, not a one-shot: {p} ({got[p]})")
        for p in sorted(set(known) - set(right)):
            print(f"  {cls[p]} filed as {got[p]}: {p}")
    db.close()
    shutil.rmtree(work)


if __name__ == "__main__":
    main()

"""Are two pieces of one real kit closer in the key encoder's space than pieces of different kits?

The kit suggestion (samplematch_gui/kit_suggest.py) scores a kit's coherence by the cosine of its pieces' key
embeddings; this measures whether that cosine says "same kit". Kits: Debian's Hydrogen kits (pieces as their
drumkit.xml names them) and the curated drum pack (../shared/drums, its manifest's classes). For each kit and
each pair of piece groups (kick, snare/clap, hi-hat, cymbal, tom), a piece of the kit is compared with the
kit's pieces of the other group and with the other kits' pieces of that group:

- AUC: the chance that a same-kit pair is closer than a pair with another kit's piece (0.5: the cosine knows
  nothing of kits), averaged over the kit's group pairs, then over kits (every kit counts once, however many
  velocity layers it has);
- nearest: how often a piece's nearest piece of another group comes from its own kit, against chance (the
  share of that group's pieces that are from its kit).

"held out": the kits the bundled model was validated and tested on, never trained on (training/README.md).
With --bounce, also what coherence does to suggested kits for those bounces on a library (--db): how many of
the kit's pieces come from its most common real kit, with and without coherence, and what it costs in fit.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import add_model_args, load_embedder, machine  # noqa: E402
from model import audio  # noqa: E402
from training.category_sources import hydrogen_examples, pack_examples  # noqa: E402

GROUPS = {"kick": "kick", "snare": "snare", "clap": "snare", "hihat": "hihat", "ride": "cymbal",
          "crash": "cymbal", "tom": "tom"}
HELD_OUT = {"hydrogen:VariBreaks", "hydrogen:HardElectro1", "hydrogen:rumpf_kit_z01_h2", "drums:elgam-carousel",
            "drums:gem-drum15", "drums:rokton-uds"}


def embed(paths: list[str], embedder) -> np.ndarray:
    waves = [audio.load(p, embedder.sample_rate, max_seconds=embedder.key_seconds) for p in paths]
    out = [embedder.embed_keys(waves[i:i + 64]) for i in range(0, len(waves), 64)]
    matrix = np.concatenate(out)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def auc(same: np.ndarray, other: np.ndarray) -> float:
    """P(a same-kit cosine > another-kit cosine), ties half."""
    ranks = np.concatenate([same, other]).argsort(kind="stable").argsort() + 1.0
    values = np.concatenate([same, other])
    for v in np.unique(values):  # average ranks of ties
        tied = values == v
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return float((ranks[:len(same)].sum() - len(same) * (len(same) + 1) / 2) / (len(same) * len(other)))


def kit_figures(kits: np.ndarray, groups: np.ndarray, cosines: np.ndarray, among: set[str]) -> dict:
    per_kit, hits, chance, means_same, means_other = [], [], [], [], []
    for kit in sorted(set(kits) & among):
        values = []
        for a, b in combinations(sorted(set(groups)), 2):
            for x, y in ((a, b), (b, a)):
                mine = np.flatnonzero((kits == kit) & (groups == x))
                partners_same = np.flatnonzero((kits == kit) & (groups == y))
                partners_other = np.flatnonzero((kits != kit) & (groups == y))
                if not (len(mine) and len(partners_same) and len(partners_other)):
                    continue
                same = cosines[np.ix_(mine, partners_same)].ravel()
                other = cosines[np.ix_(mine, partners_other)].ravel()
                values.append(auc(same, other))
                means_same.append(same.mean())
                means_other.append(other.mean())
                nearest = np.concatenate([partners_same, partners_other])[
                    np.argmax(cosines[np.ix_(mine, np.concatenate([partners_same, partners_other]))], axis=1)]
                hits.extend((kits[nearest] == kit).tolist())
                chance.extend([len(partners_same) / (len(partners_same) + len(partners_other))] * len(mine))
        if values:
            per_kit.append(float(np.mean(values)))
    return {"kits": len(per_kit), "auc": float(np.mean(per_kit)), "auc_min": float(np.min(per_kit)),
            "nearest": float(np.mean(hits)), "chance": float(np.mean(chance)),
            "cos_same": float(np.mean(means_same)), "cos_other": float(np.mean(means_other))}


def suggested_kits(db: Path, bounces: list[Path], embedder, weight: float) -> None:
    from samplematch_gui.kit_suggest import KitConfig, suggest_kit
    from samplematch_gui.query_session import QuerySession

    session = QuerySession(db, readonly=True)
    session.embedder = embedder
    session.load_index()
    rows: dict[float, list[tuple[int, int, float, float]]] = {0.0: [], weight: []}
    for bounce in bounces:
        session.open_bounce(bounce)
        ranking = session.rank()
        for w in rows:
            kit = suggest_kit(ranking, cfg=KitConfig(coherence_weight=w))
            kits = Counter(Path(c.path).parent for _, c in kit.chosen())
            rows[w].append((kits.most_common(1)[0][1], len(kit.chosen()), kit.fit, kit.coherence))
    session.close()
    for w, values in rows.items():
        same, pieces, fits, coherence = (np.array(v, float) for v in zip(*values, strict=True))
        print(f"coherence weight {w}: {same.sum():.0f} of {pieces.sum():.0f} pieces from their kit's most common "
              f"folder ({same.mean():.1f} of {pieces.mean():.1f} per kit); mean fit {fits.mean():.1f}, "
              f"coherence {coherence.mean():.1f} ({len(values)} bounces)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_model_args(p)
    p.add_argument("--db", type=Path, help="with --bounce: an indexed library (e.g. the Hydrogen kits)")
    p.add_argument("--bounce", type=Path, action="append", default=[], help="suggest a kit for it (repeatable)")
    args = p.parse_args()
    embedder = load_embedder(args)
    print(f"machine: {machine(embedder)}; model {embedder.model_id}")
    pieces = [e for e in hydrogen_examples() + pack_examples() if e.label in GROUPS and e.path is not None]
    kits = np.array([e.group for e in pieces])
    groups = np.array([GROUPS[e.label] for e in pieces])
    vectors = embed([str(e.path) for e in pieces], embedder)
    cosines = vectors @ vectors.T
    for name, among in (("Hydrogen kits", {k for k in kits if k.startswith("hydrogen:")}),
                        ("drum pack kits", {k for k in kits if k.startswith("drums:")}),
                        ("held-out kits", HELD_OUT), ("all kits", set(kits))):
        f = kit_figures(kits, groups, cosines, among)
        print(f"{name}: {f['kits']} kits, AUC {f['auc']:.3f} (lowest kit {f['auc_min']:.3f}); nearest piece of "
              f"another group from the same kit {100 * f['nearest']:.1f} % (chance {100 * f['chance']:.1f} %); "
              f"mean cosine same kit {f['cos_same']:.3f}, other kits {f['cos_other']:.3f}")
    if args.bounce:
        from samplematch_gui.kit_suggest import KitConfig

        suggested_kits(args.db, args.bounce, embedder, KitConfig().coherence_weight)


if __name__ == "__main__":
    main()

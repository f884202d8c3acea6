"""The "sounds like its drums" task: per drum class, find the one-shots heard inside a mix.

For every song and every drum class it has one-shots of, a query is the mean encoding of `excerpts` 4-s
windows (model.windows.cut_excerpts, as the app) of one of two mixes: "all", every stem of the song; "stem",
that class's own stems plus the song's non-percussion stems. The truth is the song's one-shots of that class;
the candidates are every distinct one-shot of that class in the set, and each true one-shot's normalised rank
is taken among the candidates that are not the song's other true ones (chance 0.5; ties take the mid-rank);
a class with no such rival is left out.
R_mn / R_md: per class the mean / median over its (query, true one-shot) pairs, then the mean over classes.

A variant scores with one query mode of a model ("like", or "fit": how the fit ranking answers the same
question); a model without modes, and a baseline, with what it has. The library is the songs' one-shots, or
("hits") up to HITS_PER_STEM hits cut from each percussion stem, the dev set's real-music check.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from model.audio import load
from model.conditioning import class_indices, mode_offset
from model.scoring import l2_normalise
from model.windows import cut_excerpts
from training.batches import mix_padded
from training.corpus.layout import Song, is_percussion
from training.corpus.oneshots import extract_oneshots
from training.embedders import Embedder
from training.evaluate import mid_rank
from training.evaluate_dev import HITS_PER_STEM

LIKE_CLASSES = ("kick", "snare", "hihat", "ride", "crash", "tom")
LIKE_KINDS = ("all", "stem")
LIBRARIES = ("oneshots", "hits")


@dataclass(frozen=True)
class LikeConfig:
    excerpts: int = 10
    query_samples: int = 176400     # 4 s at 44.1 kHz
    sample_rate: int = 44100
    library: str = "oneshots"       # or "hits"


@dataclass(frozen=True)
class Variant:
    """An embedder and the query mode it answers with ("fit" for a model without modes and for baselines; "hits":
    its hit matching, model.mix_hits)."""
    embedder: Embedder
    mode: str = "fit"


@dataclass(frozen=True)
class LikeMetrics:
    R_mn: float                     # mean over the classes of each class's mean rank
    R_md: float                     # mean over the classes of each class's median rank
    per_class: dict[str, float]     # class -> mean rank
    pairs: int
    queries: int
    candidates: int                 # of all the classes (each query ranks among its class's)


@dataclass(frozen=True)
class LikeQuery:
    song: str
    role: str
    kind: str
    excerpts: np.ndarray            # (n, query_samples): the query is their mean encoding
    truth: tuple[int, ...]          # indices into the candidates


@dataclass(frozen=True)
class LikeSet:
    """Everything the task reads, decoded once (validation reuses it)."""
    queries: tuple[LikeQuery, ...]
    keys: tuple[np.ndarray, ...]
    key_roles: tuple[str, ...]


def _library(song: Song, stems: Sequence[np.ndarray], cfg: LikeConfig) -> list[tuple[str, np.ndarray]]:
    """(role, wave) of the song's candidates of the evaluated classes."""
    if cfg.library == "hits":
        return [(s.role, hit) for s, w in zip(song.stems, stems, strict=True) if s.role in LIKE_CLASSES
                for hit in extract_oneshots(w, cfg.sample_rate, HITS_PER_STEM)]
    return [(shot.role, load(shot.path, cfg.sample_rate)) for shot in song.oneshots if shot.role in LIKE_CLASSES]


def _mixes(song: Song, stems: Sequence[np.ndarray], role: str) -> dict[str, np.ndarray]:
    accompaniment = [w for s, w in zip(song.stems, stems, strict=True) if not is_percussion(s.role)]
    own = [w for s, w in zip(song.stems, stems, strict=True) if s.role == role]
    return {"all": mix_padded(stems), "stem": mix_padded(own + accompaniment)}


def _query_vector(u: np.ndarray, role: str, variant: Variant) -> np.ndarray:
    """The query's vector for one class: (d,) from (d,) or conditioned (outputs, d) encodings."""
    e = variant.embedder
    if u.ndim == 1:
        return u
    start = mode_offset(getattr(e, "query_modes", ()), e.query_classes, variant.mode)
    return u[start + class_indices(e.query_classes, [role])[0]]


def load_like_set(songs: Sequence[Song], cfg: LikeConfig = LikeConfig(),
                  progress: Callable[[int, int, str], None] | None = None) -> LikeSet:
    keys: list[np.ndarray] = []
    key_roles: list[str] = []
    index: dict[str, int] = {}      # wave digest -> its candidate
    queries: list[LikeQuery] = []
    for si, song in enumerate(songs):
        stems = [load(s.path, cfg.sample_rate) for s in song.stems]
        truths: dict[str, list[int]] = {}
        for role, wave in _library(song, stems, cfg):
            digest = hashlib.sha1(wave.tobytes()).hexdigest()
            if digest not in index:
                index[digest] = len(keys)
                keys.append(wave)
                key_roles.append(role)
            truths.setdefault(role, []).append(index[digest])
        for role, truth in truths.items():
            for kind, wave in _mixes(song, stems, role).items():
                queries.append(LikeQuery(song.id, role, kind, cut_excerpts(wave, cfg.query_samples, cfg.excerpts),
                                         tuple(dict.fromkeys(truth))))
        if progress:
            progress(si + 1, len(songs), "sounds-like queries")
    if not queries:
        raise ValueError("no song has one-shots of the drum classes to evaluate")
    return LikeSet(tuple(queries), tuple(keys), tuple(key_roles))


def evaluate_like_set(like: LikeSet, variants: Mapping[str, Variant], cancel=None
                      ) -> dict[str, dict[str, LikeMetrics]]:
    """{variant name: {kind (LIKE_KINDS): LikeMetrics}}."""
    embedders = {id(variant.embedder): variant.embedder for variant in variants.values()}
    encoded, hits, hubs = {}, {}, {}
    for k, e in embedders.items():
        if cancel is not None and cancel.is_set():
            raise InterruptedError("evaluation cancelled")
        queries = np.stack([e.embed_queries(q.excerpts).mean(axis=0) for q in like.queries])
        encoded[k] = e.finish(queries, e.embed_keys(like.keys))
        matching = getattr(e, "hit_matching", None)
        if matching is not None:
            hits[k] = [e.embed_excerpt_hits(q.excerpts) for q in like.queries]
            hubs[k] = matching.hub_levels(l2_normalise(encoded[k][1]))
    roles = np.array(like.key_roles)
    results: dict[str, dict[str, LikeMetrics]] = {name: {} for name in variants}
    for name, variant in variants.items():
        k = id(variant.embedder)
        matching = getattr(variant.embedder, "hit_matching", None)
        u_all, v = encoded[k]
        unit = l2_normalise(v)
        for kind in LIKE_KINDS:
            per_class: dict[str, list[float]] = {}
            chosen = [(i, q) for i, q in enumerate(like.queries) if q.kind == kind]
            for i, q in chosen:
                others = np.setdiff1d(np.flatnonzero(roles == q.role), q.truth)
                if not len(others):
                    continue    # nothing to rank a true one-shot against: the set's only one of its class
                for t in q.truth:   # the true one-shot first, then its rivals
                    rows = np.concatenate([[t], others])
                    hit = None if matching is None else matching.scores(hits[k][i], unit[rows], hubs[k][rows])
                    if variant.mode == "hits" and hit is not None:
                        scores = hit
                    else:
                        scores = unit[rows] @ l2_normalise(_query_vector(u_all[i], q.role, variant))
                        if hit is not None and matching is not None and variant.mode == "fit" and len(hits[k][i]):
                            scores = matching.fit_scores(scores, hit)
                    per_class.setdefault(q.role, []).append(mid_rank(scores, 0))
            if not per_class:
                raise ValueError("no drum class of the set has two candidates to rank")
            results[name][kind] = LikeMetrics(
                R_mn=float(np.mean([np.mean(r) for r in per_class.values()])),
                R_md=float(np.mean([np.median(r) for r in per_class.values()])),
                per_class={c: float(np.mean(per_class[c])) for c in LIKE_CLASSES if c in per_class},
                pairs=sum(len(r) for r in per_class.values()), queries=len(chosen), candidates=len(like.keys))
    return results


def variants_for(embedders: Mapping[str, Embedder]) -> dict[str, Variant]:
    """Every embedder with its own answer; a model with "like" queries or hit matching also as its fit
    ranking (the app's: with hit matching, fused)."""
    out = {}
    for name, e in embedders.items():
        matched, trained = getattr(e, "hit_matching", None) is not None, "like" in getattr(e, "query_modes", ())
        if matched:
            out[f"{name} (hit matching)"] = Variant(e, "hits")
        if trained:
            out[f"{name} (sounds like)"] = Variant(e, "like")
        if matched or trained:
            out[f"{name} (fit ranking)"] = Variant(e, "fit")
        else:
            out[name] = Variant(e)
    return out


def like_metrics_to_dict(results: Mapping[str, Mapping[str, LikeMetrics]]) -> dict:
    return {name: {kind: asdict(m) for kind, m in kinds.items()} for name, kinds in results.items()}


def format_like_table(results: Mapping[str, Mapping[str, LikeMetrics]], title: str) -> str:
    width = max([len("Variant")] + [len(n) for n in results])
    classes = [c for c in LIKE_CLASSES if c in next(iter(next(iter(results.values())).values())).per_class]
    cols = " ".join("{:>6}" for _ in range(2 + len(classes)))
    head = cols.format("R_mn", "R_md", *(c[:6] for c in classes))
    lines = [f"{title}", f"{'':{width}} | " + " | ".join(f"{'Query: ' + k:^{len(head)}}" for k in LIKE_KINDS),
             f"{'Variant':{width}} | " + " | ".join(head for _ in LIKE_KINDS)]
    for name, kinds in results.items():
        row = [cols.format(f"{m.R_mn:.3f}", f"{m.R_md:.3f}", *(f"{m.per_class.get(c, float('nan')):.3f}"
                                                               for c in classes))
               for m in (kinds[k] for k in LIKE_KINDS)]
        lines.append(f"{name:{width}} | " + " | ".join(row))
    m = next(iter(results.values()))["all"]
    lines.append(f"({m.queries} queries per kind, {m.pairs} (query, true one-shot) pairs, {m.candidates} "
                 "candidates; R_mn / R_md: mean over the classes; per class: R_mn)")
    return "\n".join(lines)

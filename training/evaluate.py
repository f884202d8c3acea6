"""The method's objective evaluation (section 6.1) on one split, for any set of embedders.

For every song, `queries_per_song` positive pairs are drawn as in training (a one-shot; a 4-s excerpt
of a mix of the song's other stems: all of them for "full", 2..all for "sparse"), mixed as waveforms
(exact, as the app sees a bounce). rank_i = position of the pair's one-shot among ALL one-shots of the
split sorted by cosine to the query (1 = best); R_mn / R_md = mean / median of rank_i / N (random: 0.5).
X = decoupled NT-Xent over batches of pairs from distinct songs. L_q / L_k = mean leave-one-out
k-NN (k=50, cosine) probability of the true electronic/acoustic label of queries / one-shots.
The plan of queries depends only on the seed, so every embedder sees the same queries.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch

from model.audio import AudioError, load
from model.conditioning import class_indices, cosine_scores
from model.config import ModelConfig
from training.batches import mix, read_excerpt
from training.corpus.layout import Song
from training.embedders import Embedder
from training.losses import decoupled_nt_xent
from training.pairs import Pair, draw_pair, usable_oneshots

QUERY_KINDS = ("full", "sparse")


@dataclass(frozen=True, kw_only=True)
class EvalConfig:
    """The audio settings have no defaults: they are the evaluated model's own (see for_model)."""
    query_samples: int
    hop: int
    sample_rate: int
    split: str = "test"
    queries_per_song: int = 50
    knn: int = 50
    loss_batch: int = 190
    temperature: float = 0.2
    batch_size: int = 32
    seed: int = 1234

    @classmethod
    def for_model(cls, model: ModelConfig, **settings) -> EvalConfig:
        """Queries cut at the model's window and hop, audio read at its rate."""
        return cls(query_samples=model.query_samples, hop=model.frontend.hop_length,
                   sample_rate=model.frontend.sample_rate, **settings)


@dataclass(frozen=True)
class Metrics:
    X: float
    R_mn: float
    R_md: float
    L_q: float
    L_k: float
    queries: int
    candidates: int


def plan_queries(songs: Sequence[Song], cfg: EvalConfig, kind: str) -> list[Pair]:
    """Song-major list: queries_per_song pairs per usable song."""
    rng = np.random.default_rng([cfg.seed, QUERY_KINDS.index(kind)])
    frames = cfg.query_samples // cfg.hop + 1
    return [draw_pair(rng, songs, s, frames, cfg.hop, sparse=kind == "sparse", sample_rate=cfg.sample_rate)
            for s in range(len(songs)) if usable_oneshots(songs[s]) for _ in range(cfg.queries_per_song)]


def render_query(song: Song, pair: Pair, cfg: EvalConfig) -> np.ndarray:
    start = pair.start * cfg.hop
    return mix(read_excerpt(song.stems[i].path, start, cfg.query_samples, cfg.sample_rate) for i in pair.stems)


def normalised_ranks(u: np.ndarray, v: np.ndarray, truth: np.ndarray, key_class: np.ndarray | None = None
                     ) -> np.ndarray:
    """rank of v[truth[i]] among all rows of v by cosine to u[i], divided by len(v); in (0, 1].

    u: (n, d), or (n, classes, d) class-conditioned queries, each key scored by its key_class vector.
    Ties share the mid-rank, so a collapsed model (all scores equal) ranks at ~0.5 like chance;
    a query or true key with non-finite scores ranks last.
    """
    scores = cosine_scores(u, v, key_class)
    true_score = scores[np.arange(len(u)), truth][:, None]
    above = (scores > true_score).sum(axis=1)
    tied = (scores == true_score).sum(axis=1) - 1  # the true key ties with itself
    ranks = (1 + above + 0.5 * tied) / len(v)
    return np.where(np.isfinite(true_score[:, 0]), ranks, 1.0)


def mid_rank(scores: np.ndarray, true: int) -> float:
    """Normalised rank of scores[true] among all of (n,) scores, in (0, 1]: ties share the mid-rank, a non-finite
    true score ranks last (the rule of normalised_ranks, for one query)."""
    s = scores[true]
    if not np.isfinite(s):
        return 1.0
    return float((1 + (scores > s).sum() + 0.5 * ((scores == s).sum() - 1)) / len(scores))


def knn_likelihood(z: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Mean leave-one-out k-NN (cosine) probability of each point's own label."""
    n = len(z)
    if n < 2:
        return float("nan")
    k = min(k, n - 1)
    zn = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    sims = zn @ zn.T
    np.fill_diagonal(sims, -np.inf)
    neighbours = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    return float((labels[neighbours] == labels[:, None]).mean())


def contrastive_loss(u: np.ndarray, v: np.ndarray, plan: Sequence[Pair], per_song: int, cfg: EvalConfig
                     ) -> float:
    """Mean decoupled NT-Xent over batches in which every song appears at most once."""
    n_songs = len(plan) // per_song
    order = np.arange(len(plan)).reshape(n_songs, per_song).T.reshape(-1)  # i-th query of each song
    size = max(2, min(cfg.loss_batch, n_songs))
    losses, weights = [], []
    for lo in range(0, len(order), size):
        idx = order[lo:lo + size]
        if len(idx) < 2:
            continue
        eye = torch.eye(len(idx), dtype=torch.bool)
        loss = decoupled_nt_xent(torch.from_numpy(u[idx]), torch.from_numpy(v[idx]), eye, cfg.temperature)
        losses.append(loss.item())
        weights.append(len(idx))
    return float(np.average(losses, weights=weights)) if losses else float("nan")


def evaluate(songs: Sequence[Song], embedders: Mapping[str, Embedder], cfg: EvalConfig,
             progress: Callable[[int, int, str], None] | None = None, cancel=None
             ) -> dict[str, dict[str, Metrics]]:
    """{embedder name: {"full": Metrics, "sparse": Metrics}} on songs of cfg.split."""
    songs = [s for s in songs if s.split == cfg.split]
    candidates = [(si, oi) for si, s in enumerate(songs) for oi in range(len(s.oneshots))]
    if not candidates or not any(usable_oneshots(s) for s in songs):
        raise ValueError(f"split {cfg.split!r} has no songs with one-shots to evaluate")
    index = {c: i for i, c in enumerate(candidates)}
    key_genre = np.array([songs[si].genre for si, _ in candidates])
    key_roles = [songs[si].oneshots[oi].role for si, oi in candidates]
    key_waves = []
    for si, oi in candidates:
        try:
            key_waves.append(load(songs[si].oneshots[oi].path, cfg.sample_rate))
        except AudioError:
            key_waves.append(np.zeros(1, np.float32))  # an unreadable one-shot stays a (silent) candidate
    keys = {name: e.embed_keys(key_waves) for name, e in embedders.items()}
    plans = {kind: plan_queries(songs, cfg, kind) for kind in QUERY_KINDS}
    total, done = sum(len(p) for p in plans.values()), 0
    results: dict[str, dict[str, Metrics]] = {name: {} for name in embedders}
    for kind, plan in plans.items():
        queries: dict[str, list[np.ndarray]] = {name: [] for name in embedders}
        for lo in range(0, len(plan), cfg.batch_size):
            if cancel is not None and cancel.is_set():
                raise InterruptedError("evaluation cancelled")
            chunk = plan[lo:lo + cfg.batch_size]
            waves = np.stack([render_query(songs[p.song], p, cfg) for p in chunk])
            for name, e in embedders.items():
                queries[name].append(e.embed_queries(waves))
            done += len(chunk)
            if progress:
                progress(done, total, kind)
        truth = np.array([index[(p.song, p.oneshot)] for p in plan])
        query_genre = np.array([songs[p.song].genre for p in plan])
        for name, e in embedders.items():
            u, v = e.finish(np.concatenate(queries[name]), keys[name])
            key_class = class_indices(e.query_classes, key_roles) if getattr(e, "query_classes", ()) else None
            ranks = normalised_ranks(u, v, truth, key_class)
            if key_class is not None:      # the loss and L_q see each query's vector for its own key
                u = u[np.arange(len(u)), key_class[truth]]
            results[name][kind] = Metrics(
                X=contrastive_loss(u, v[truth], plan, cfg.queries_per_song, cfg),
                R_mn=float(ranks.mean()), R_md=float(np.median(ranks)),
                L_q=knn_likelihood(u, query_genre, cfg.knn), L_k=knn_likelihood(v, key_genre, cfg.knn),
                queries=len(plan), candidates=len(candidates))
    return results


def metrics_to_dict(results: Mapping[str, Mapping[str, Metrics]]) -> dict:
    return {name: {kind: asdict(m) for kind, m in kinds.items()} for name, kinds in results.items()}


def metrics_from_dict(d: Mapping) -> dict[str, dict[str, Metrics]]:
    return {name: {kind: Metrics(**m) for kind, m in kinds.items()} for name, kinds in d.items()}


def format_table(results: Mapping[str, Mapping[str, Metrics]]) -> str:
    """The paper's Table 1 layout: X, R_mn, R_md, L_q, L_k for full and sparse mixtures."""
    width = max([len("Variant")] + [len(n) for n in results])
    cols = "{:>7} {:>7} {:>7} {:>7} {:>7}"
    head = cols.format("X", "R_mn", "R_md", "L_q", "L_k")
    lines = [f"{'':{width}} | {'Queries: full mixtures':^39} | {'Queries: sparse mixtures':^39}",
             f"{'Variant':{width}} | {head} | {head}"]
    for name, kinds in results.items():
        row = [cols.format(f"{m.X:.3f}", f"{m.R_mn:.3f}", f"{m.R_md:.3f}", f"{m.L_q:.4f}", f"{m.L_k:.4f}")
               for m in (kinds["full"], kinds["sparse"])]
        lines.append(f"{name:{width}} | {row[0]} | {row[1]}")
    any_m = next(iter(next(iter(results.values())).values()))
    lines.append(f"({any_m.queries} queries per kind, {any_m.candidates} candidate one-shots)")
    return "\n".join(lines)

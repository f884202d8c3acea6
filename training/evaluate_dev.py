"""Evaluation on the dev set of real songs (training/corpus/lmms_dev.py): the app's query, real mixes.

Per song the query is the mean encoding of `excerpts` 4-s windows spread over a mix of its stems
(model.windows.cut_excerpts; un-normalised outputs averaged, as model.inference does): "nodrums" mixes
the non-percussion stems, "all" every stem. Candidates are the distinct one-shots of the whole set
(identical audio counted once: a sample several songs use is one candidate). For each (song, one-shot
of that song) the normalised rank of that one-shot is taken among the candidates that are not the
song's other one-shots, so chance is 0.5 however many one-shots a song has; ties take the mid-rank.

Two libraries are ranked: "samples", the drum sample files the projects name (a sample pack: no mix
processing), and "hits", up to HITS_PER_STEM hits cut from each rendered drum track (with the track's
effects, as hits cut from a song's own drum stems are: the reviewers' real-music check). Result keys:
"nodrums" / "all" for the samples, "nodrums/hits" / "all/hits" for the cut hits.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from model.audio import load
from model.conditioning import class_indices, cosine_scores
from model.config import ModelConfig
from model.scoring import l2_normalise
from model.windows import cut_excerpts
from training.batches import mix_padded
from training.corpus.layout import Song, is_percussion
from training.corpus.oneshots import extract_oneshots
from training.embedders import Embedder
from training.evaluate import mid_rank

DEV_KINDS = ("nodrums", "all")
HITS = "hits"
RESULT_KEYS = DEV_KINDS + tuple(f"{kind}/{HITS}" for kind in DEV_KINDS)
HITS_PER_STEM = 2


@dataclass(frozen=True)
class DevConfig:
    excerpts: int = 10
    query_samples: int = 176400     # 4 s at 44.1 kHz
    sample_rate: int = 44100

    @classmethod
    def for_model(cls, model: ModelConfig) -> DevConfig:
        """The app's query for this model: its excerpt count, window and rate."""
        return cls(excerpts=model.query_excerpts, query_samples=model.query_samples,
                   sample_rate=model.frontend.sample_rate)


@dataclass(frozen=True)
class DevMetrics:
    R_mn: float                     # mean over (song, true one-shot) pairs
    R_md: float                     # median over the pairs
    pairs: int
    songs: int
    candidates: int
    per_song: dict[str, float] = field(default_factory=dict)   # song id -> mean rank of its one-shots


@dataclass(frozen=True)
class DevSet:
    """Everything evaluation reads, decoded once (validation reuses it at every evaluation)."""
    song_ids: tuple[str, ...]
    excerpts: Mapping[str, tuple[np.ndarray, ...]]   # kind -> per song (n, query_samples)
    keys: tuple[np.ndarray, ...]                      # distinct one-shot waves
    truths: tuple[tuple[int, ...], ...]               # per song: indices into keys
    key_roles: tuple[str, ...] = ()                   # role of each key
    hits: tuple[np.ndarray, ...] = ()                 # hits cut from the rendered drum stems
    hit_truths: tuple[tuple[int, ...], ...] = ()      # per song: indices into hits
    hit_roles: tuple[str, ...] = ()                   # role of each hit (its stem's)


def _mixes(stems: Sequence[tuple[bool, np.ndarray]], song: Song) -> dict[str, np.ndarray]:
    """{kind: the stems it mixes, summed}; stems: (is a drum stem, wave)."""
    out = {}
    for kind in DEV_KINDS:
        chosen = [w for drum, w in stems if kind == "all" or not drum]
        if not chosen:
            raise ValueError(f"song {song.id} has no stems for a {kind!r} query")
        out[kind] = mix_padded(chosen)
    return out


def load_devset(songs: Sequence[Song], cfg: DevConfig) -> DevSet:
    """Decode the songs' query excerpts and one-shots; songs without one-shots are left out."""
    songs = [s for s in songs if s.oneshots]
    if not songs:
        raise ValueError("the dev set has no songs with one-shots")
    keys: list[np.ndarray] = []
    roles: list[str] = []
    index: dict[str, int] = {}  # wave digest -> its key
    truths: list[tuple[int, ...]] = []
    for song in songs:
        true = []
        for shot in song.oneshots:
            wave = load(shot.path, cfg.sample_rate)
            digest = hashlib.sha1(wave.tobytes()).hexdigest()
            if digest not in index:
                index[digest] = len(keys)
                keys.append(wave)
                roles.append(shot.role)
            true.append(index[digest])
        truths.append(tuple(dict.fromkeys(true)))
    excerpts: dict[str, list[np.ndarray]] = {kind: [] for kind in DEV_KINDS}
    hits: list[np.ndarray] = []
    hit_truths, hit_roles = [], []
    for song in songs:
        waves = [load(s.path, cfg.sample_rate) for s in song.stems]
        stems = [(is_percussion(s.role), w) for s, w in zip(song.stems, waves, strict=True)]
        for kind, mix in _mixes(stems, song).items():
            excerpts[kind].append(cut_excerpts(mix, cfg.query_samples, cfg.excerpts))
        first = len(hits)
        for stem, wave in zip(song.stems, waves, strict=True):
            if is_percussion(stem.role):
                cut = extract_oneshots(wave, cfg.sample_rate, HITS_PER_STEM)
                hits.extend(cut)
                hit_roles.extend([stem.role] * len(cut))
        hit_truths.append(tuple(range(first, len(hits))))
    return DevSet(tuple(s.id for s in songs), {k: tuple(v) for k, v in excerpts.items()}, tuple(keys),
                  tuple(truths), tuple(roles), tuple(hits), tuple(hit_truths), tuple(hit_roles))


def song_ranks(scores: np.ndarray, truth: Sequence[int]) -> np.ndarray:
    """Normalised rank of each true key by its (n_keys,) scores among the keys that are not the other true keys
    (ties take the mid-rank)."""
    ranks = []
    for t in truth:
        rivals = [k for k in range(len(scores)) if k == t or k not in truth]
        ranks.append(mid_rank(scores[rivals], rivals.index(t)))
    return np.array(ranks)


@dataclass(frozen=True)
class ScoreParts:
    """One query kind and library's scores, (songs, keys): the query cosines, and (with hit matching) the hit
    scores of model.mix_hits, which a fit ranking adds with a weight."""
    cosines: np.ndarray
    hits: np.ndarray | None
    truths: tuple[tuple[int, ...], ...]

    def fused(self, weight: float) -> np.ndarray:
        return self.cosines if self.hits is None or weight == 0 else self.cosines + weight * self.hits


def dev_score_parts(dev: DevSet, embedders: Mapping[str, Embedder],
                    progress: Callable[[int, int, str], None] | None = None, cancel=None
                    ) -> dict[str, dict[str, ScoreParts]]:
    """{embedder name: {result key (RESULT_KEYS): ScoreParts}}; an embedder with hit matching also cuts and
    embeds each query's hits (from the excerpts its vector averages, as the app does)."""
    libraries = {"": (dev.keys, dev.truths, dev.key_roles)}
    if dev.hits:
        libraries[f"/{HITS}"] = (dev.hits, dev.hit_truths, dev.hit_roles)
    keys = {(name, lib): e.embed_keys(list(waves)) for name, e in embedders.items()
            for lib, (waves, _, _) in libraries.items()}
    total, done = len(DEV_KINDS) * len(dev.song_ids), 0
    out: dict[str, dict[str, ScoreParts]] = {name: {} for name in embedders}
    for kind in DEV_KINDS:
        queries: dict[str, list[np.ndarray]] = {name: [] for name in embedders}
        hits: dict[str, list[np.ndarray]] = {name: [] for name in embedders}
        for excerpts in dev.excerpts[kind]:
            if cancel is not None and cancel.is_set():
                raise InterruptedError("evaluation cancelled")
            for name, e in embedders.items():
                queries[name].append(e.embed_queries(excerpts).mean(axis=0))
                if getattr(e, "hit_matching", None) is not None:
                    hits[name].append(e.embed_excerpt_hits(excerpts))
            done += 1
            if progress:
                progress(done, total, f"dev {kind}")
        for (name, lib), v in keys.items():
            e = embedders[name]
            u, v = e.finish(np.stack(queries[name]), v)
            _, truths, roles = libraries[lib]
            key_class = class_indices(e.query_classes, roles) if getattr(e, "query_classes", ()) else None
            hit_scores, matching = None, getattr(e, "hit_matching", None)
            if matching is not None:
                unit = l2_normalise(v)
                hub = matching.hub_levels(unit)
                hit_scores = np.stack([matching.scores(h, unit, hub) if len(h) else np.zeros(len(v), np.float32)
                                       for h in hits[name]])
            out[name][kind + lib] = ScoreParts(cosine_scores(u, v, key_class), hit_scores, truths)
    return out


def dev_metrics(parts: ScoreParts, song_ids: Sequence[str], weight: float) -> DevMetrics:
    """The metrics of a fit ranking by the query cosines plus weight times the hit scores."""
    scores = parts.fused(weight)
    per_song = {sid: song_ranks(scores[s], truth) for s, (sid, truth) in enumerate(zip(song_ids, parts.truths,
                                                                                       strict=True)) if truth}
    ranks = np.concatenate(list(per_song.values()))
    return DevMetrics(R_mn=float(ranks.mean()), R_md=float(np.median(ranks)), pairs=len(ranks), songs=len(per_song),
                      candidates=scores.shape[1], per_song={i: float(r.mean()) for i, r in per_song.items()})


def evaluate_devset(dev: DevSet, embedders: Mapping[str, Embedder],
                    progress: Callable[[int, int, str], None] | None = None, cancel=None
                    ) -> dict[str, dict[str, DevMetrics]]:
    """{embedder name: {result key (RESULT_KEYS): DevMetrics}}; without hits, the samples library only. An
    embedder with hit matching ranks as the app does, by its fused score."""
    parts = dev_score_parts(dev, embedders, progress, cancel)
    matchings = {name: getattr(e, "hit_matching", None) for name, e in embedders.items()}
    weights = {name: 0.0 if m is None else m.fit_weight for name, m in matchings.items()}
    return {name: {key: dev_metrics(p, dev.song_ids, weights[name]) for key, p in kinds.items()}
            for name, kinds in parts.items()}


def evaluate_dev(songs: Sequence[Song], embedders: Mapping[str, Embedder], cfg: DevConfig = DevConfig(),
                 progress: Callable[[int, int, str], None] | None = None, cancel=None
                 ) -> dict[str, dict[str, DevMetrics]]:
    return evaluate_devset(load_devset(songs, cfg), embedders, progress, cancel)


def dev_mean(results: Mapping[str, DevMetrics]) -> float:
    """One embedder's dev score: mean R_mn over the query kinds and libraries it has."""
    return float(np.mean([m.R_mn for m in results.values()]))


def dev_metrics_to_dict(results: Mapping[str, Mapping[str, DevMetrics]]) -> dict:
    return {name: {kind: asdict(m) for kind, m in kinds.items()} for name, kinds in results.items()}


def format_dev_table(results: Mapping[str, Mapping[str, DevMetrics]]) -> str:
    width = max([len("Variant")] + [len(n) for n in results])
    cols = "{:>7} {:>7} {:>9}"
    head = cols.format("R_mn", "R_md", "song R_mn")
    titles = {"nodrums": "Dev: no-drums mix", "all": "Dev: full mix", f"nodrums/{HITS}": "Hits: no-drums mix",
              f"all/{HITS}": "Hits: full mix"}
    shown = [k for k in RESULT_KEYS if k in next(iter(results.values()))]
    lines = [f"{'':{width}} | " + " | ".join(f"{titles[k]:^25}" for k in shown),
             f"{'Variant':{width}} | " + " | ".join(head for _ in shown)]
    for name, kinds in results.items():
        row = [cols.format(f"{m.R_mn:.3f}", f"{m.R_md:.3f}", f"{np.mean(list(m.per_song.values())):.3f}")
               for m in (kinds[k] for k in shown)]
        lines.append(f"{name:{width}} | " + " | ".join(row))
    first = next(iter(results.values()))
    m = first["all"]
    lines.append(f"({m.songs} songs; Dev: {m.pairs} (song, drum sample) pairs among {m.candidates} candidate "
                 "sample files" + (f"; Hits: {first[f'all/{HITS}'].pairs} hits cut from the drum tracks"
                                   if f"all/{HITS}" in first else "")
                 + "; song R_mn = mean of the per-song means)")
    return "\n".join(lines)

"""Evaluation on the dev set of real songs (training/corpus/lmms_dev.py): the app's query, real mixes.

Per song the query is the mean encoding of `excerpts` 4-s windows spread over a mix of its stems
(model.windows.cut_excerpts; un-normalised outputs averaged, as model.inference does): "nodrums" mixes
the non-percussion stems, "all" every stem. Candidates are the distinct one-shots of the whole set
(identical audio counted once: a sample several songs use is one candidate). For each (song, one-shot
of that song) the normalised rank of that one-shot is taken among the candidates that are not the
song's other one-shots, so chance is 0.5 however many one-shots a song has; ties take the mid-rank.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from model.audio import load
from model.config import ModelConfig
from model.windows import cut_excerpts
from training.corpus.layout import Song, is_percussion
from training.embedders import Embedder
from training.evaluate import normalised_ranks

DEV_KINDS = ("nodrums", "all")


@dataclass(frozen=True)
class DevConfig:
    excerpts: int = 10
    query_samples: int = 176400     # 4 s at 44.1 kHz
    sample_rate: int = 44100

    @classmethod
    def for_model(cls, model: ModelConfig) -> "DevConfig":
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


def _mixes(song: Song, sample_rate: int) -> dict[str, np.ndarray]:
    """{kind: the stems it mixes, summed}."""
    stems = [(is_percussion(s.role), load(s.path, sample_rate)) for s in song.stems]
    out = {}
    for kind in DEV_KINDS:
        chosen = [w for drum, w in stems if kind == "all" or not drum]
        if not chosen:
            raise ValueError(f"song {song.id} has no stems for a {kind!r} query")
        out[kind] = np.zeros(max(len(w) for w in chosen), np.float32)
        for w in chosen:
            out[kind][:len(w)] += w
    return out


def load_devset(songs: Sequence[Song], cfg: DevConfig) -> DevSet:
    """Decode the songs' query excerpts and one-shots; songs without one-shots are left out."""
    songs = [s for s in songs if s.oneshots]
    if not songs:
        raise ValueError("the dev set has no songs with one-shots")
    keys, index, truths = [], {}, []
    for song in songs:
        true = []
        for shot in song.oneshots:
            wave = load(shot.path, cfg.sample_rate)
            digest = hashlib.sha1(wave.tobytes()).hexdigest()
            if digest not in index:
                index[digest] = len(keys)
                keys.append(wave)
            true.append(index[digest])
        truths.append(tuple(dict.fromkeys(true)))
    excerpts: dict[str, list[np.ndarray]] = {kind: [] for kind in DEV_KINDS}
    for song in songs:
        for kind, mix in _mixes(song, cfg.sample_rate).items():
            excerpts[kind].append(cut_excerpts(mix, cfg.query_samples, cfg.excerpts))
    return DevSet(tuple(s.id for s in songs), {k: tuple(v) for k, v in excerpts.items()}, tuple(keys),
                  tuple(truths))


def song_ranks(query: np.ndarray, keys: np.ndarray, truth: Sequence[int]) -> np.ndarray:
    """Normalised rank of each true key among the keys that are not the other true keys."""
    ranks = []
    for t in truth:
        rivals = [k for k in range(len(keys)) if k == t or k not in truth]
        ranks.append(normalised_ranks(query[None], keys[rivals], np.array([rivals.index(t)]))[0])
    return np.array(ranks)


def evaluate_devset(dev: DevSet, embedders: Mapping[str, Embedder],
                    progress: Callable[[int, int, str], None] | None = None, cancel=None
                    ) -> dict[str, dict[str, DevMetrics]]:
    """{embedder name: {"nodrums": DevMetrics, "all": DevMetrics}}."""
    keys = {name: e.embed_keys(list(dev.keys)) for name, e in embedders.items()}
    total, done = len(DEV_KINDS) * len(dev.song_ids), 0
    results: dict[str, dict[str, DevMetrics]] = {name: {} for name in embedders}
    for kind in DEV_KINDS:
        queries: dict[str, list[np.ndarray]] = {name: [] for name in embedders}
        for excerpts in dev.excerpts[kind]:
            if cancel is not None and cancel.is_set():
                raise InterruptedError("evaluation cancelled")
            for name, e in embedders.items():
                queries[name].append(e.embed_queries(excerpts).mean(axis=0))
            done += 1
            if progress:
                progress(done, total, f"dev {kind}")
        for name, e in embedders.items():
            u, v = e.finish(np.stack(queries[name]), keys[name])
            per_song = [song_ranks(u[s], v, truth) for s, truth in enumerate(dev.truths)]
            ranks = np.concatenate(per_song)
            results[name][kind] = DevMetrics(
                R_mn=float(ranks.mean()), R_md=float(np.median(ranks)), pairs=len(ranks),
                songs=len(dev.song_ids), candidates=len(dev.keys),
                per_song={i: float(r.mean()) for i, r in zip(dev.song_ids, per_song)})
    return results


def evaluate_dev(songs: Sequence[Song], embedders: Mapping[str, Embedder], cfg: DevConfig = DevConfig(),
                 progress: Callable[[int, int, str], None] | None = None, cancel=None
                 ) -> dict[str, dict[str, DevMetrics]]:
    return evaluate_devset(load_devset(songs, cfg), embedders, progress, cancel)


def dev_mean(results: Mapping[str, DevMetrics]) -> float:
    """One embedder's dev score: mean R_mn over the query kinds."""
    return float(np.mean([results[kind].R_mn for kind in DEV_KINDS]))


def dev_metrics_to_dict(results: Mapping[str, Mapping[str, DevMetrics]]) -> dict:
    return {name: {kind: asdict(m) for kind, m in kinds.items()} for name, kinds in results.items()}


def format_dev_table(results: Mapping[str, Mapping[str, DevMetrics]]) -> str:
    width = max([len("Variant")] + [len(n) for n in results])
    cols = "{:>7} {:>7} {:>9}"
    head = cols.format("R_mn", "R_md", "song R_mn")
    lines = [f"{'':{width}} | {'Dev: no-drums mix':^25} | {'Dev: full mix':^25}",
             f"{'Variant':{width}} | {head} | {head}"]
    for name, kinds in results.items():
        row = [cols.format(f"{m.R_mn:.3f}", f"{m.R_md:.3f}", f"{np.mean(list(m.per_song.values())):.3f}")
               for m in (kinds["nodrums"], kinds["all"])]
        lines.append(f"{name:{width}} | {row[0]} | {row[1]}")
    m = next(iter(next(iter(results.values())).values()))
    lines.append(f"({m.songs} songs, {m.pairs} (song, one-shot) pairs, {m.candidates} candidate one-shots; "
                 f"song R_mn = mean of the per-song means)")
    return "\n".join(lines)

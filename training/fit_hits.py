"""Make an exported model's hit matching (model.mix_hits) and choose its fit weight.

`samplematch-train fit-hits --model DIR`: the reference is the hits of REFERENCE_SONGS training songs (spread
over the train split's kit sources), each cut from the excerpts of the song's full mix as the app cuts a
bounce's; the fit weight is the one of WEIGHTS with the best mean dev R_mn over both query kinds and both
libraries (the dev set's role, as in checkpoint selection), or the one given. Writes hit_matching.safetensors +
hit_matching.json (with the dev sweep) into DIR.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model.audio import load
from model.mix_hits import HitMatching
from model.windows import cut_excerpts
from training.batches import mix_padded
from training.corpus.layout import Song
from training.embedders import ModelEmbedder
from training.evaluate_dev import DevSet, dev_metrics, dev_score_parts

REFERENCE_SONGS = 40
WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


def reference_songs(songs: Sequence[Song], count: int = REFERENCE_SONGS) -> list[Song]:
    """count training songs, taking the kit sources in turn (the same songs on every run)."""
    by_source: dict[str, list[Song]] = {}
    for song in sorted((s for s in songs if s.split == "train"), key=lambda s: s.id):
        by_source.setdefault(song.kit_source, []).append(song)
    queues = [list(v) for _, v in sorted(by_source.items())]
    out: list[Song] = []
    while len(out) < count and any(queues):
        for q in queues:
            if q and len(out) < count:
                out.append(q.pop(0))
    return out


def song_excerpts(song: Song, rate: int, window: int, count: int) -> np.ndarray:
    """(n, window) excerpts of the song's full mix (every stem), as the app cuts a bounce's."""
    return cut_excerpts(mix_padded([load(s.path, rate) for s in song.stems]), window, count)


def reference_hits(songs: Sequence[Song], embedder: ModelEmbedder,
                   progress: Callable[[int, int, str], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(unit hit embeddings of every song, where each song's start); songs without hits are left out."""
    cfg = embedder.model.cfg
    parts, starts, total = [], [], 0
    for i, song in enumerate(songs):
        hits = embedder.embed_excerpt_hits(song_excerpts(song, cfg.frontend.sample_rate, cfg.query_samples,
                                                         cfg.query_excerpts))
        if len(hits):
            parts.append(hits)
            starts.append(total)
            total += len(hits)
        if progress:
            progress(i + 1, len(songs), "reference hits")
    if not parts:
        raise ValueError("no drum hits were found in the reference songs")
    return np.concatenate(parts), np.array(starts, np.int64)


def weight_sweep(dev: DevSet, embedder: ModelEmbedder, weights: Sequence[float] = WEIGHTS,
                 progress: Callable[[int, int, str], None] | None = None) -> dict[float, dict[str, float]]:
    """{weight: {dev result key: R_mn}} of the fit ranking fused with the embedder's hit matching."""
    parts = dev_score_parts(dev, {"m": embedder}, progress)["m"]
    return {w: {key: dev_metrics(p, dev.song_ids, w).R_mn for key, p in parts.items()} for w in weights}


def fit_hit_matching(embedder: ModelEmbedder, songs: Sequence[Song], dev: DevSet | None = None,
                     weight: float | None = None, progress: Callable[[int, int, str], None] | None = None
                     ) -> HitMatching:
    """The model's hit matching: the reference from songs' hits, the weight given or chosen on dev."""
    chosen = reference_songs(songs)
    reference, starts = reference_hits(chosen, embedder, progress)
    info: dict = {"reference_songs": [s.id for s in chosen], "reference_hits": len(reference)}
    matching = HitMatching(reference, starts, embedder.model.cfg.model_id, 1.0 if weight is None else weight,
                           info=info)
    if dev is not None:
        embedder.hit_matching = matching
        sweep = weight_sweep(dev, embedder, progress=progress)
        info["dev_sweep"] = {str(w): r for w, r in sweep.items()}
        if weight is None:
            best = min(sweep, key=lambda w: float(np.mean(list(sweep[w].values()))))
            info["chosen_by"] = "the best mean dev R_mn over both query kinds and both libraries"
            matching = HitMatching(reference, starts, matching.model_id, best, info=info)
    return matching

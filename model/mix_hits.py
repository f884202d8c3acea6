"""Hit matching: the drum hits heard inside a mix, compared with one-shots by the key encoder.

A mix's hits are cut at the onsets (model.bounce_onsets) of its query excerpts: the PER_BAND strongest of each
band, each from PRE_ROLL_S before its onset to the next onset of any band at least MIN_CUT_S later, at most the
key window.
The key encoder embeds them as it embeds one-shots, so a library sample's hit similarity is its best cosine to
any of them. Some samples sit near every mix's hits (hubs); a sample's hub level is the mean, over reference
songs the model was trained on, of its best cosine to each song's hits, and its hit score is its similarity
above that level. "Sounds like its drums" ranks by the hit score; a fit ranking adds fit_weight times it to
the query cosine (a bounce without drums has no drum hits to match, and its cuts barely move the ranking).

The reference lives in the model folder beside the encoders it was made with (`samplematch-train fit-hits`):
hit_matching.safetensors holds the reference hits, hit_matching.json the model id, the weight and how it
measured. Matching made with other encoders than the ones loaded is refused.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.bounce_onsets import BANDS, analyse
from model.cancel import CancelFlag, check_cancelled
from model.scoring import l2_normalise
from model.versioned_json import read_fitted

PER_BAND = 16
PRE_ROLL_S = 0.004  # an onset is found a little after the hit starts
MIN_CUT_S = 0.05  # a cut runs at least this long (two bands' onsets of one hit lie closer)
EDGE_S = (0.05, 0.15)  # onsets this close after an excerpt's start or before its end are its cut edges, not hits
SAME_HIT_S = 0.03  # onsets of two bands this close are one hit (the bands' starts are refined differently)
MATCH_FILE = "hit_matching.safetensors"
INFO_FILE = "hit_matching.json"
FORMAT_VERSION = 1


class HitMatchingError(RuntimeError):
    """The hit matching files are missing, unreadable, of another format, or made with other encoders."""


def hit_onsets(wave: np.ndarray, rate: int, per_band: int = PER_BAND,
               cancel: CancelFlag | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(the chosen hits' onsets, every onset of any band), seconds into wave, ascending."""
    found = analyse(wave, rate, cancel=cancel)
    every = np.sort(np.concatenate([found.hits[b] for b in BANDS]))
    chosen = np.concatenate([found.hits[b][np.argsort(-found.strengths[b], kind="stable")[:per_band]]
                             for b in BANDS])
    kept: list[float] = []
    for t in np.sort(chosen):
        if not kept or t - kept[-1] > SAME_HIT_S:
            kept.append(float(t))
    return np.array(kept, np.float64), every


def excerpt_hits(excerpts: np.ndarray, rate: int, key_samples: int, per_band: int = PER_BAND,
                 cancel: CancelFlag | None = None) -> list[np.ndarray]:
    """The strongest hits of a query's excerpts ((n, samples) mono at rate, the ones its vector averages), each
    cut to the next hit, to its excerpt's end and to at most key_samples. The excerpts are analysed end to end,
    so the cost is the query's, however long the bounce; an onset by a join (EDGE_S) is the join, not a hit."""
    n, length = excerpts.shape
    wave = np.ascontiguousarray(excerpts, np.float32).reshape(-1)
    chosen, every = hit_onsets(wave, rate, per_band, cancel)
    cuts = []
    for t in chosen:
        onset = int(round(t * rate))
        if onset % length < EDGE_S[0] * rate or onset % length > length - EDGE_S[1] * rate:
            continue
        start = max(0, int(round((t - PRE_ROLL_S) * rate)))
        later = every[every > t + MIN_CUT_S]
        end = min(start + key_samples, (onset // length + 1) * length,
                  int(round(later[0] * rate)) if len(later) else len(wave))
        if end > start:
            cuts.append(wave[start:end].copy())
    return cuts


def embed_hits(embed_keys: Callable[[list[np.ndarray]], np.ndarray], excerpts: np.ndarray, rate: int,
               key_samples: int, matching: HitMatching | None, cancel: CancelFlag | None = None) -> np.ndarray:
    """(h, d) float32 unit key embeddings of excerpt_hits, as many per band as the matching asks (embed_keys:
    one-shot waves -> (n, d)); (0, 0) without hits."""
    per_band = matching.per_band if matching is not None else PER_BAND
    cuts = excerpt_hits(excerpts, rate, key_samples, per_band, cancel)
    check_cancelled(cancel)
    return l2_normalise(embed_keys(cuts)) if cuts else np.zeros((0, 0), np.float32)


def best_similarity(hits: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """(n,) each unit key's best cosine to any of the unit hits (h, d); -1 without hits."""
    if not len(hits):
        return np.full(len(keys), -1.0, np.float32)
    return (keys @ hits.T).max(axis=1).astype(np.float32)


@dataclass(frozen=True, eq=False)
class HitMatching:
    reference: np.ndarray  # (r, d) float32 unit hit embeddings of the reference songs
    song_starts: np.ndarray  # (songs,) int64: where each reference song's hits start in reference
    model_id: str
    fit_weight: float = 1.0  # the hit score's weight in a fit ranking
    per_band: int = PER_BAND
    info: dict = field(default_factory=dict)  # how it was made and how it measured

    def hub_levels(self, keys: np.ndarray) -> np.ndarray:
        """(n,) float32 per unit key: its best cosine to each reference song's hits, averaged over the songs (a
        library passes its keys a block at a time: the product holds n x reference floats)."""
        sims = keys @ self.reference.T
        return np.maximum.reduceat(sims, self.song_starts, axis=1).mean(axis=1).astype(np.float32)

    def scores(self, hits: np.ndarray, keys: np.ndarray, hub: np.ndarray) -> np.ndarray:
        """(n,) the hit score of each unit key: its best cosine to the unit hits above its hub level."""
        return best_similarity(hits, keys) - hub

    def fit_scores(self, query_cosines: np.ndarray, hit_scores: np.ndarray) -> np.ndarray:
        """(n,) a fit ranking's scores: the query cosines, moved by the hit scores."""
        return (query_cosines + self.fit_weight * hit_scores).astype(np.float32)

    def save(self, folder: str | Path) -> None:
        from safetensors.numpy import save

        folder = Path(folder)
        tensors: dict[str, np.ndarray] = {"reference": np.ascontiguousarray(self.reference, np.float16),
                   "song_starts": np.ascontiguousarray(self.song_starts, np.int64)}
        (folder / MATCH_FILE).write_bytes(save(tensors))
        doc = {"format_version": FORMAT_VERSION, "model_id": self.model_id, "fit_weight": self.fit_weight,
               "per_band": self.per_band, **self.info}
        (folder / INFO_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def find_hit_matching(folder: str | Path, model_id: str) -> HitMatching | None:
    """The model folder's hit matching, None where it has none; HitMatchingError if it is there but unusable."""
    return load_hit_matching(folder, model_id) if (Path(folder) / INFO_FILE).exists() else None


def load_hit_matching(folder: str | Path, model_id: str | None = None) -> HitMatching:
    """The hit matching in a model folder; HitMatchingError if missing, unreadable or made for another model."""
    folder = Path(folder)
    doc, tensors = read_fitted(folder, INFO_FILE, MATCH_FILE, FORMAT_VERSION, "hit matching", HitMatchingError,
                               model_id, "samplematch-train fit-hits")
    try:
        matching = HitMatching(
            reference=l2_normalise(tensors["reference"].astype(np.float32)),
            song_starts=tensors["song_starts"].astype(np.int64), model_id=doc["model_id"],
            fit_weight=float(doc["fit_weight"]), per_band=int(doc["per_band"]),
            info={k: v for k, v in doc.items() if k not in ("format_version", "model_id", "fit_weight", "per_band")})
    except (KeyError, TypeError, ValueError) as exc:
        raise HitMatchingError(f"{folder / INFO_FILE}: invalid hit matching ({exc})") from None
    starts, r = matching.song_starts, len(matching.reference)
    if r == 0 or matching.reference.ndim != 2 or not len(starts) or starts[0] != 0 \
            or np.any(np.diff(starts) <= 0) or starts[-1] >= r:
        raise HitMatchingError(f"{folder / MATCH_FILE}: the reference's song starts do not fit its hits")
    return matching

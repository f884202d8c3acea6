"""Fit as a percentile: how a sample's score for this bounce compares with the rest of the library's.

The raw score is a cosine between two encoders' vectors; its level moves from bounce to bounce (a dense mix
lifts or lowers every sample alike), so 0.6 means "good" for one bounce and "poor" for the next. A percentile
of the library's scores for the same bounce reads the same for every bounce: 95 = fits better than 95 % of
the library's drum samples.
"""
from __future__ import annotations

import numpy as np


def percentiles(scores: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """(n,) float32 in 0..100: the share of the other pool samples (bool mask) that score below each one, the
    pool's best at 100 and its worst at 0 (a sample outside the pool against all of it); NaN where a score is
    NaN or the pool is empty."""
    out = np.full(len(scores), np.nan, np.float32)
    finite = np.isfinite(scores)
    members = pool & finite
    reference = np.sort(scores[members])
    if not len(reference):
        return out
    below = np.searchsorted(reference, scores[finite], side="left")
    others = np.where(members[finite], len(reference) - 1, len(reference))
    out[finite] = np.where(others > 0, 100.0 * below / np.maximum(others, 1), 100.0)
    return out


def fit_text(fit: float) -> str:
    return "" if np.isnan(fit) else f"{fit:.1f}"


def fit_tooltip(fit: float, cosine: float, pool: int, mode: str = "fit") -> str:
    """The score column's tooltip; mode "like": the bounce was asked which samples sound like its drums."""
    said = ("Sounds more like the drums heard in this bounce (the sample's category) than"
            if mode == "like" else "Fits this bounce better than")
    return (f"{said} {fit:.1f} % of the {pool:,} drum samples in your library.\n"
            f"Raw score {cosine:.3f}: the cosine of the bounce's and the sample's vectors, plus (where the model "
            "matches drum hits) how much closer the sample is to the bounce's hits than to most songs'; compare raw "
            "scores only within one bounce.")


def cosine_text(cosine: float) -> str:
    text = "" if np.isnan(cosine) else f"{cosine:.2f}"
    return "0.00" if text == "-0.00" else text

"""Whether a bounce, or the region chosen in it, can be a query at all: long enough to fill the model's
excerpts, and not silent. What cannot is reported in words instead of being ranked (a silent bounce still
encodes to some vector, and its "best fit" would be noise).
"""
from __future__ import annotations

import numpy as np

QUIET_DB = -60.0  # an excerpt quieter than this (RMS, dBFS) is left out of the query: dither, a noise floor


def level_db(x: np.ndarray) -> float:
    """RMS level in dBFS (-inf for digital silence)."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return 20.0 * np.log10(rms) if rms > 0.0 else float("-inf")


def length_problem(seconds: float, window_seconds: float, name: str, whole: bool) -> str | None:
    """Why `seconds` of audio are too short for excerpts of window_seconds (None: long enough)."""
    if seconds + 1e-3 >= window_seconds:
        return None
    what = f"{name} is only" if whole else "The region is only"
    fix = "bounce a longer part of your track" if whole else "drag it wider"
    return (f"{what} {seconds:.1f} s long; SampleMatch listens to {window_seconds:g}-s excerpts, so it needs at "
            f"least {window_seconds:g} s: {fix}.")


def audible(excerpts: np.ndarray) -> np.ndarray:
    """(n,) bool: which excerpts (rows) are loud enough to be part of the query."""
    return np.array([level_db(e) >= QUIET_DB for e in excerpts], bool)


def silence_problem(excerpts: np.ndarray, name: str, whole: bool) -> str | None:
    """Why these excerpts are no query (every one of them silent or nearly so); None if any has sound."""
    if audible(excerpts).any():
        return None
    level = level_db(excerpts)
    what = name if whole else "The region"
    fix = ("check that the bounce was rendered with sound" if whole
           else "move it over a part of the track with sound")
    if level == float("-inf"):
        return f"{what} is silent (digital silence): there is nothing to match; {fix}."
    return f"{what} is nearly silent ({level:.0f} dBFS): there is nothing to match; {fix}."


def no_hits_problem(name: str) -> str:
    """Why a bounce with no drum hits in it cannot be asked what its drums sound like."""
    return (f"{name}: no drum hits were heard in it, so there is nothing to compare the samples with; "
            "'Sounds like its drums' needs a track with drums (or placeholder drums) in it.")

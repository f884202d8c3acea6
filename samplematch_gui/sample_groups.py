"""One sound, one row: duplicates and the velocity layers of one piece grouped (numpy, no Qt).

Links join samples; a group is what the links connect (five velocity layers chain into one):
- the same content hash: what the model hears of the file (its decoded mono key window, at the model's rate)
  and its length are equal; the same sound saved as WAV and as FLAC, or mono and as a stereo file whose two
  channels are equal;
- a copy: the same name, in any folder (format and channel words aside: "Snare 3 stereo.flac" is
  "Snare 3.wav"), as long (or both longer than COPY_SECONDS: a copy may be trimmed, as the demo kit's are),
  with embeddings at least COPY_COSINE alike (a conversion, a resampled or a demo-kit copy);
- velocity layers of one piece: the same folder, names that differ only in a velocity word or a last number
  ("Kick-Soft", "Kick-Hard"; "rsnare_01" .. "rsnare_05"; not "Tom1-Soft", "Tom2-Soft"), the same category,
  embeddings at least LAYER_COSINE alike; where only the number differs, the numbered files must also be a
  velocity series: their peak levels span SERIES_SPAN_DB or more and rise (or fall) with the number
  (Spearman's rho at least SERIES_ORDER), as a piece struck softer and harder does. A pack's "Kick 01" ..
  "Kick 50", each its own sound normalised like the others, is no series: the embeddings alone do not tell
  them from layers (the demo kit's eight generated kicks are 0.5-0.99 alike).

The thresholds were chosen on Debian's Hydrogen kits and Sonic Pi samples (1,021 files) with the bundled model:
their drumkit.xml files say which files are layers of one instrument. There the 1,021 files make 621 rows; of
the 122 instruments with several files, 82 % of the files are in their instrument's group (62 % of the
instruments whole); no group joins two instruments of one kit, 19 join the same instrument in two kits
(GMRockKit and The Black Pearl share their files). Without the series rule (the cosine alone) 15 groups joined
two instruments (rumpf's loop slices, "snare1" and "snare3", "808_Snare_1" and "_2"), and the generated demo
kit's 42 sounds made 8 rows; with it, 42. Of the demo kit's 120 copies of Debian's files 119 join their
originals (they are 0.947-1.0 alike; the one left, a 35-ms effect, 0.83); two different files of one name in
two kits are 0.38 and 0.69 alike.

Computed once per library index, in the worker that reads it. Each sample is compared with the next WINDOW of
its name (in name order for layers, by length for copies), so a folder of 5,000 same-named files costs what
5,000 files do.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from model.scoring import unit_rows

COPY_COSINE = 0.9
LAYER_COSINE = 0.85
SERIES_SPAN_DB = 5.0
SERIES_ORDER = 0.4
COPY_SECONDS = 2.0  # the key window sees the first 1.5 s; the demo kit keeps 2.5 s of a one-shot
WINDOW = 8
VELOCITY_WORDS = frozenset({
    "soft", "softer", "softest", "med", "medium", "normal", "hard", "harder", "hardest", "loud", "louder",
    "loudest", "quiet", "ghost", "accent", "light", "ppp", "pp", "p", "mp", "mf", "f", "ff", "fff",
    "v", "vel", "velo", "velocity", "layer", "lyr", "rr"})
FORMAT_WORDS = frozenset({"mono", "stereo", "copy", "wav", "flac", "aif", "aiff", "mp3", "ogg"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def content_hash(wave: np.ndarray, duration: float) -> int:
    """A signed 64-bit hash of a decoded key window (at 16-bit precision, so that decoders' rounding does not
    matter) and the file's length in milliseconds."""
    pcm = np.round(np.clip(np.asarray(wave, np.float32), -1.0, 1.0) * 32767).astype("<i2")
    digest = hashlib.blake2b(pcm.tobytes(), digest_size=8, person=b"samplematch")
    digest.update(int(round(duration * 1000)).to_bytes(8, "little", signed=True))
    return int.from_bytes(digest.digest(), "little", signed=True)


def name_tokens(name: str) -> list[str]:
    """Lower-case words and numbers of a file name without its extension ("PearlKick-Soft2" -> pearl kick soft 2)."""
    return _TOKEN.findall(_CAMEL.sub(" ", os.path.splitext(name)[0]).lower())


def layer_key(name: str) -> tuple[str, ...]:
    """The name without its layer: trailing velocity words (with their numbers: "soft4", "v 2", "rr3"), or
    else one trailing number."""
    return _without_layer(name_tokens(name))[0]


def copy_key(name: str) -> tuple[str, ...]:
    """The name without format and channel words."""
    return _without_format(name_tokens(name))


def _without_layer(words: list[str]) -> tuple[tuple[str, ...], bool]:
    """The name's words without its layer, and whether a velocity word said which layer it is (else a last
    number, or nothing, did)."""
    stripped = False
    while words:
        if len(words) >= 2 and words[-1].isdigit() and words[-2] in VELOCITY_WORDS:
            words = words[:-2]
        elif words[-1] in VELOCITY_WORDS:
            words = words[:-1]
        else:
            break
        stripped = True
    if not stripped and len(words) > 1 and words[-1].isdigit():
        words = words[:-1]
    return tuple(words), stripped


def _without_format(words: list[str]) -> tuple[str, ...]:
    return tuple(w for w in words if w not in FORMAT_WORDS)


@dataclass(frozen=True, eq=False)
class SampleGroups:
    group_of: np.ndarray  # (n,) int64: per index position its group, named by the group's first position

    @cached_property
    def sizes(self) -> np.ndarray:
        """(n,) int64: per position, how many samples its group holds."""
        return np.bincount(self.group_of, minlength=len(self.group_of))[self.group_of]

    def members(self, position: int) -> np.ndarray:
        """The positions in the group of this one, itself included."""
        return np.flatnonzero(self.group_of == self.group_of[position])


def group_samples(names: list[str], folder_ids: np.ndarray, codes: np.ndarray, durations: np.ndarray,
                  hashes: np.ndarray, peaks: np.ndarray, vectors: np.ndarray | None = None,
                  scales: np.ndarray | None = None) -> SampleGroups:
    """Groups over a library's columns: file names, folder ids, category codes, durations (s), content hashes
    (int64, 0 for none), peak levels (dBFS, NaN for none) and the embeddings as quantised rows with a scale
    each (model.scoring; None: by hash alone)."""
    n = len(names)
    links = [_same_hash(np.asarray(hashes, np.int64))]
    if vectors is not None and scales is not None and n:
        cosine = _Cosines(vectors, scales)
        durations = np.asarray(durations, np.float64)
        words = [name_tokens(name) for name in names]
        copies = _ids([_without_format(w) for w in words])
        a, b = _neighbours(copies, durations)
        da, db = durations[a], durations[b]
        alike = (np.abs(da - db) <= np.maximum(0.005, 0.01 * np.maximum(da, db))) \
            | (np.minimum(da, db) >= COPY_SECONDS)
        a, b = a[alike], b[alike]
        keep = cosine(a, b) >= COPY_COSINE
        links.append((a[keep], b[keep]))
        layer_keys = [_without_layer(w) for w in words]
        layers = _ids([(f, c, *key) if key else ()
                       for (key, _), f, c in zip(layer_keys, folder_ids.tolist(), codes.tolist(), strict=True)])
        worded = np.array([by_word for _, by_word in layer_keys], bool)
        numbers = np.array([int(w[-1]) if w and w[-1].isdigit() and not by_word else -1
                            for w, (_, by_word) in zip(words, layer_keys, strict=True)], np.int64)
        series = _velocity_series(layers, numbers, np.asarray(peaks, np.float64))
        a, b = _neighbours(layers, np.array([name.casefold() for name in names], dtype=str))
        keep = (cosine(a, b) >= LAYER_COSINE) & (worded[a] | worded[b] | series[np.maximum(layers[a], 0)])
        links.append((a[keep], b[keep]))
    a = np.concatenate([pair[0] for pair in links]).astype(np.int64)
    b = np.concatenate([pair[1] for pair in links]).astype(np.int64)
    return SampleGroups(_components(n, a, b))


def _velocity_series(sets: np.ndarray, numbers: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Per set id, whether its numbered members' peak levels span SERIES_SPAN_DB and follow their numbers."""
    out = np.zeros(max(int(sets.max(initial=-1)) + 1, 1), bool)
    member = np.flatnonzero((sets >= 0) & (numbers >= 0) & np.isfinite(peaks))
    if not len(member):
        return out
    s, level = sets[member], peaks[member]
    size = np.bincount(s, minlength=len(out))
    d = _ranks_within(s, numbers[member]) - _ranks_within(s, level)
    m = size[s].astype(np.float64)
    rho = 1 - 6 * np.bincount(s, d * d / np.maximum(m * (m * m - 1), 1), minlength=len(out))
    top, low = np.full(len(out), -np.inf), np.full(len(out), np.inf)
    np.maximum.at(top, s, level)
    np.minimum.at(low, s, level)
    return (size >= 2) & (top - low >= SERIES_SPAN_DB) & (np.abs(rho) >= SERIES_ORDER)


def _ranks_within(sets: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each value's rank (0, 1, ...) among the values of its set."""
    order = np.lexsort((values, sets))
    sorted_sets = sets[order]
    starts = np.r_[0, np.flatnonzero(sorted_sets[1:] != sorted_sets[:-1]) + 1]
    first = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    ranks = np.empty(len(order), np.float64)
    ranks[order] = np.arange(len(order)) - first
    return ranks


def _same_hash(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each hashed sample linked to the first with its hash."""
    hashed = np.flatnonzero(hashes != 0)
    _, first, inverse = np.unique(hashes[hashed], return_index=True, return_inverse=True)
    return hashed, hashed[first[inverse]]


def _ids(keys: list[tuple]) -> np.ndarray:
    """(n,) int64 id per key, -1 for an empty key (nothing to match)."""
    seen: dict[tuple, int] = {}
    return np.array([seen.setdefault(k, len(seen)) if k else -1 for k in keys], np.int64)


def _neighbours(ids: np.ndarray, by: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of positions with the same id (not -1), each with its next WINDOW of that id in `by` order."""
    order = np.lexsort((by, ids))
    order = order[ids[order] >= 0]
    pairs_a, pairs_b = [], []
    for k in range(1, WINDOW + 1):
        a, b = order[:-k], order[k:]
        same = ids[a] == ids[b]
        if not same.any():
            break
        pairs_a.append(a[same])
        pairs_b.append(b[same])
    if not pairs_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pairs_a), np.concatenate(pairs_b)


class _Cosines:
    """Cosines of pairs of the library's quantised unit embeddings, a block of pairs at a time."""

    BLOCK = 65536

    def __init__(self, vectors: np.ndarray, scales: np.ndarray):
        self.vectors, self.scales = vectors, scales

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = np.empty(len(a), np.float32)
        for lo in range(0, len(a), self.BLOCK):
            i, j = a[lo:lo + self.BLOCK], b[lo:lo + self.BLOCK]
            out[lo:lo + len(i)] = np.einsum("ij,ij->i", unit_rows(self.vectors[i], self.scales[i]),
                                            unit_rows(self.vectors[j], self.scales[j]))
        return out


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n,) the smallest position connected to each position by the links a[k] - b[k]."""
    label = np.arange(n, dtype=np.int64)
    while len(a):
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        while True:  # every position points at a smaller or equal one: follow them to the end
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            break
        label = new
    return label

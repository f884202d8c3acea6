"""Positive pairs (section 5): a one-shot (key) and an excerpt of a mix of the song's OTHER stems (query).

The key's own stem never enters its query, except with own_stem_p > 0: then that fraction of queries
also holds it (a bounce with its placeholder drums still in, as producers often drop). With sparse mixing the
query mixes a uniformly drawn number 2..all of the remaining stems (all of them when fewer than 2 remain);
without, always all of them.
An epoch visits every usable training song once (a random one-shot each); a batch holds distinct songs,
or pairs of pairs from the same song with QSI-invariance.
A "like" pair (like_p > 0, a model with "like" queries) always holds the key's own stem, with a uniformly
drawn number 0..all of the others: the drums to find are heard in the query.
A class batch (class_batch_p > 0) draws every one-shot from one drum class, so each key's negatives are other
songs' sounds of its own class: the app ranks a category's samples against each other, and "sounds like" tells one
kick from another.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from training.corpus.layout import Song


@dataclass(frozen=True)
class Pair:
    song: int                  # index into the sampler's songs
    oneshot: int               # index into song.oneshots
    stems: tuple[int, ...]     # indices into song.stems mixed into the query
    start: int                 # first frame of the query excerpt (source window)
    like: bool = False         # a "sounds like" pair: the query holds the key's own stem


def remaining_stems(song: Song, oneshot: int) -> list[int]:
    """Indices of the song's stems except the one the one-shot was cut from."""
    own = song.oneshots[oneshot].stem
    return [i for i, stem in enumerate(song.stems) if stem.name != own]


def usable_oneshots(song: Song) -> list[int]:
    return [i for i in range(len(song.oneshots)) if remaining_stems(song, i)]


def choose_stems(rng: np.random.Generator, remaining: Sequence[int], sparse: bool) -> tuple[int, ...]:
    if not sparse or len(remaining) <= 2:
        return tuple(remaining)
    count = int(rng.integers(2, len(remaining) + 1))
    return tuple(sorted(int(i) for i in rng.choice(remaining, size=count, replace=False)))


def song_frames(song: Song, hop: int, sample_rate: int | None = None) -> int:
    """Frames of the song at the model's rate (None: the corpus files' own)."""
    return int(round(song.duration * (sample_rate or song.sample_rate))) // hop + 1


def own_stem(song: Song, oneshot: int) -> int:
    return next(i for i, stem in enumerate(song.stems) if stem.name == song.oneshots[oneshot].stem)


def like_stems(rng: np.random.Generator, own: int, remaining: Sequence[int]) -> tuple[int, ...]:
    count = int(rng.integers(0, len(remaining) + 1))
    return tuple(sorted([own] + [int(i) for i in rng.choice(remaining, size=count, replace=False)]))


def class_oneshots(song: Song, role: str) -> list[int]:
    return [i for i in usable_oneshots(song) if song.oneshots[i].role == role]


def draw_pair(rng: np.random.Generator, songs: Sequence[Song], song: int, window_frames: int, hop: int,
              sparse: bool, sample_rate: int | None = None, own_stem_p: float = 0.0, like_p: float = 0.0,
              role: str | None = None) -> Pair:
    """A random one-shot of songs[song] (of that role, if given) and a random excerpt of a mix of its other stems
    (and, with probability own_stem_p, of its own stem too); with probability like_p a "like" pair."""
    oneshot = int(rng.choice(class_oneshots(songs[song], role) if role else usable_oneshots(songs[song])))
    like = like_p > 0 and rng.random() < like_p
    if like:
        stems = like_stems(rng, own_stem(songs[song], oneshot), remaining_stems(songs[song], oneshot))
    else:
        stems = choose_stems(rng, remaining_stems(songs[song], oneshot), sparse)
        if own_stem_p > 0 and rng.random() < own_stem_p:
            stems = tuple(sorted(stems + (own_stem(songs[song], oneshot),)))
    latest = max(0, song_frames(songs[song], hop, sample_rate) - window_frames)
    return Pair(song, oneshot, stems, int(rng.integers(0, latest + 1)), like)


class PairSampler:
    """Endless batches of Pairs; its state (RNG + epoch position) is checkpointed."""

    def __init__(self, songs: Sequence[Song], batch_size: int, window_frames: int, hop: int,
                 sparse: bool = True, qsi: bool = False, seed: int = 0, sample_rate: int | None = None,
                 own_stem_p: float = 0.0, like_p: float = 0.0, class_batch_p: float = 0.0):
        self.songs = [s for s in songs if usable_oneshots(s)]
        if not self.songs:
            raise ValueError("no usable training songs (each needs a one-shot and another stem)")
        self.class_batch_p = class_batch_p
        by_role: dict[str, list[int]] = {}
        for i, song in enumerate(self.songs):
            for role in sorted({song.oneshots[o].role for o in usable_oneshots(song)}):
                by_role.setdefault(role, []).append(i)
        # Only classes with a batch's worth of songs give a class batch.
        self.class_songs = {r: np.array(i) for r, i in sorted(by_role.items())
                            if len(i) >= math.ceil(batch_size / (2 if qsi else 1))}
        self.batch_size, self.window_frames, self.hop, self.sample_rate = batch_size, window_frames, hop, sample_rate
        self.sparse, self.per_song, self.own_stem_p, self.like_p = sparse, 2 if qsi else 1, own_stem_p, like_p
        self.rng = np.random.default_rng(seed)
        self.epoch, self._order, self._pos = 0, self.rng.permutation(len(self.songs)), 0

    def _next_songs(self, count: int) -> list[int]:
        picked: list[int] = []
        while len(picked) < count:
            if self._pos >= len(self._order):
                self.epoch += 1
                self._order, self._pos = self.rng.permutation(len(self.songs)), 0
            song = int(self._order[self._pos])
            self._pos += 1
            # Distinct songs per batch while possible (a repeat across an epoch boundary is skipped).
            if song in picked and len(set(picked)) < len(self.songs):
                continue
            picked.append(song)
        return picked

    def batch(self) -> list[Pair]:
        count, role = math.ceil(self.batch_size / self.per_song), None
        if self.class_batch_p > 0 and self.class_songs and self.rng.random() < self.class_batch_p:
            role = str(self.rng.choice(list(self.class_songs)))
            songs = [int(i) for i in self.rng.choice(self.class_songs[role], size=count, replace=False)]
        else:
            songs = self._next_songs(count)
        pairs = [draw_pair(self.rng, self.songs, s, self.window_frames, self.hop, self.sparse, self.sample_rate,
                           self.own_stem_p, self.like_p, role)
                 for s in songs for _ in range(self.per_song)]
        return pairs[:self.batch_size]

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "epoch": self.epoch,
                "order": self._order.tolist(), "pos": self._pos}

    def load_state_dict(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.epoch, self._order, self._pos = state["epoch"], np.asarray(state["order"]), state["pos"]

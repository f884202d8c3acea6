"""A sample's category: the user's correction, else an unambiguous name, else the kit file beside it, else its
sound (the category head on the key embedding the scan computes anyway), else "other".

Samples that are not one-shots (loops, pads, long tonal sounds, noise, silence) are filed under NON_DRUM,
which the ranking leaves out unless asked. Digital silence, files longer than any drum hit and several hits in
a row (a slice of a loop, a fill) are no one-shots whatever the head says; with no head for the loaded encoders
(a model exported without one), those rules and the names and kit files still work. The user's correction is
stored apart (LibraryDB.set_user_category) and always wins when a row is read; `decide` states the whole order.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from model.category_head import CategoryHead, HeadError, load_head
from model.kit_files import folder_kit_categories, sample_key
from model.oneshot_features import FeatureConfig, audio_features, is_silent
from model.taxonomy import NON_DRUM, name_category
from samplematch_gui.paths import bundled_weights_dir

LONGEST_ONESHOT_S = 30.0  # the longest crash in Debian's kits rings 12 s
# Re-attacks in the key window (model.oneshot_features "onsets") that make it a run of hits, not one: claps,
# flams and ride "flinks" have at most 2; of the 2,815 labelled drum one-shots training.category_sources reads,
# 7 have 3 or more (a ratchet, a foot tambourine, a snare drag: named by file or kit file, so the rule never
# sees them); of its 484 non-one-shots 195 do.
SEVERAL_HITS = 3


def decide(user: str | None = None, name: str | None = None, kit: str | None = None,
           audio: str | None = None) -> str:
    """The category from what each source says (None: it says nothing), in order of precedence."""
    return user or name or kit or audio or "other"


class Categoriser:
    """Categories for one scan; remembers the kit files of every folder it looked in."""

    def __init__(self, head: CategoryHead | None = None, sample_rate: int | None = None):
        """sample_rate: of the key windows categorise() is given (default: the head's)."""
        self.head = head
        self.features = head.features if head is not None else (
            None if sample_rate is None else FeatureConfig(sample_rate=sample_rate))
        self.problems: list[tuple[str, str]] = []  # kit files that could not be read
        self._kits: dict[str, dict[str, str]] = {}

    @classmethod
    def for_embedder(cls, embedder) -> Categoriser:
        """With the head fitted on the embedder's encoders, found in its model folder (else the bundled one)."""
        folder = getattr(getattr(embedder, "encoders", None), "weights_dir", None) or bundled_weights_dir()
        try:
            return cls(load_head(Path(folder), embedder.model_id))
        except HeadError:
            return cls(None, getattr(embedder, "sample_rate", None))

    def categorise(self, path: str, root: str, embedding: np.ndarray | None = None,
                   wave: np.ndarray | None = None, duration: float = 0.0) -> str:
        """The automatic category of the sample at path (under library folder root); without its key window
        (wave, at the model's rate) and embedding only names and kit files can say."""
        # Judge names from the library folder down, not the user's home or drive names.
        name = name_category(os.path.relpath(path, os.path.dirname(root)))
        kit = self.kit_category(path, root) if name is None else None
        unnamed = name is None and kit is None
        heard = self.audio_category(embedding, wave, duration) if unnamed and wave is not None else None
        return decide(name=name, kit=kit, audio=heard)

    def kit_category(self, path: str, root: str) -> str | None:
        """What a kit file in the sample's folder, or in a folder above it up to root, says about it."""
        key = sample_key(path)
        return next((found for folder in _folders_up_to(path, root)
                     if (found := self._folder(folder).get(key)) is not None), None)

    def audio_category(self, embedding: np.ndarray | None, wave: np.ndarray, duration: float) -> str | None:
        if is_silent(wave) or duration > LONGEST_ONESHOT_S:
            return NON_DRUM
        if self.features is None:
            return None
        features, names = audio_features(wave, duration, self.features), self.features.names
        if "onsets" in names and features[names.index("onsets")] >= SEVERAL_HITS:
            return NON_DRUM
        if self.head is None or embedding is None:
            return None
        return self.head.decide(self.head.probabilities(embedding, features))[0]

    def _folder(self, folder: str) -> dict[str, str]:
        if folder not in self._kits:
            self._kits[folder] = folder_kit_categories(folder, self.problems)
        return self._kits[folder]


def _folders_up_to(path: str, root: str):
    root = os.path.normpath(root)
    folder = os.path.dirname(os.path.normpath(path))
    while True:
        yield folder
        if folder == root or not folder.startswith(root.rstrip(os.sep) + os.sep):
            return
        folder = os.path.dirname(folder)

"""Batch inference for the app and evaluation: embed one-shots (keys) and bounces (queries).

The encoders run in a backend: ONNX Runtime (model.inference_onnx, the app's default, no torch) or the torch
model (model.inference_torch). Batching, windows and the query mean are the same for both.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from model.cancel import CancelFlag
from model.config import ModelConfig
from model.mix_hits import HitMatching, embed_hits
from model.windows import cut_excerpts, fit_key

BACKENDS = ("onnx", "torch")  # model.inference_onnx, model.inference_torch


class Encoders(Protocol):
    """The two encoders, from waveforms at the model's rate to un-normalised embeddings."""

    cfg: ModelConfig
    backend: str

    def keys(self, batch: np.ndarray, active: int) -> np.ndarray:
        """(n, key_samples) one-shots, zero from sample `active` on -> (n, embed_dim) float32."""

    def queries(self, batch: np.ndarray) -> np.ndarray:
        """(n, query_samples) excerpts -> (n, embed_dim) float32."""

    def open(self) -> None:
        """Get ready now, so that the first embedding does not wait (loading is otherwise lazy)."""


class Embedder:
    def __init__(self, encoders: Encoders, key_batch: int = 32, hit_matching: HitMatching | None = None):
        self.encoders = encoders
        self.cfg = encoders.cfg
        self.key_batch = key_batch
        self.hit_matching = hit_matching  # None: fit ranks by the query alone, and there is no "sounds like"

    @property
    def backend(self) -> str:
        return self.encoders.backend

    @property
    def model_id(self) -> str:
        return self.cfg.model_id

    @property
    def sample_rate(self) -> int:
        return self.cfg.frontend.sample_rate

    @property
    def key_seconds(self) -> float:
        return self.cfg.key_seconds

    @property
    def embed_dim(self) -> int:
        return self.cfg.encoder.embed_dim

    def open(self) -> None:
        self.encoders.open()

    def embed_keys(self, waves: Sequence[np.ndarray]) -> np.ndarray:
        """One-shots (mono, model rate) -> (n, embed_dim); each padded/cropped to the key window.

        Batches group one-shots of similar length, so the front end skips their silent tails.
        """
        out = np.zeros((len(waves), self.embed_dim), dtype=np.float32)
        order = sorted(range(len(waves)), key=lambda i: len(waves[i]))
        for start in range(0, len(order), self.key_batch):
            chunk = order[start:start + self.key_batch]
            active = min(self.cfg.key_samples, max(len(waves[i]) for i in chunk))
            keys = np.stack([fit_key(waves[i], self.cfg.key_samples) for i in chunk])
            out[chunk] = self.encoders.keys(keys, active)
        return out

    def embed_query(self, wave: np.ndarray, region: tuple[float, float] | None = None,
                    excerpts: int | None = None) -> np.ndarray:
        """Mean encoding of `excerpts` 4-s windows spread over region (seconds; None = all)."""
        rate = self.sample_rate
        span = None if region is None else (int(region[0] * rate), int(region[1] * rate))
        batch = cut_excerpts(wave, self.cfg.query_samples, excerpts or self.cfg.query_excerpts, span)
        return self.embed_query_excerpts(batch)

    def embed_query_excerpts(self, excerpts: np.ndarray) -> np.ndarray:
        """(n, query_samples) excerpts -> their mean encoding, the song's query vector."""
        return self.encoders.queries(np.ascontiguousarray(excerpts, dtype=np.float32)).mean(axis=0)

    def embed_excerpt_hits(self, excerpts: np.ndarray, cancel: CancelFlag | None = None) -> np.ndarray:
        """(h, embed_dim) unit key embeddings of the strongest drum hits in a query's excerpts (model.mix_hits)."""
        return embed_hits(self.embed_keys, excerpts, self.sample_rate, self.cfg.key_samples, self.hit_matching,
                          cancel)

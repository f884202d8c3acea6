"""Batch inference for the app and evaluation: embed one-shots (keys) and bounces (queries)."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from model.encoders import SampleMatchModel
from model.windows import cut_excerpts, fit_key


class Embedder:
    """Wraps a SampleMatchModel in eval / inference mode on one device."""

    def __init__(self, model: SampleMatchModel, device: str | torch.device = "cpu",
                 key_batch: int = 32):
        self.model = model.eval().to(device)
        if torch.device(device).type == "cpu":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.device = torch.device(device)
        self.key_batch = key_batch
        self.cfg = model.cfg

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

    @torch.inference_mode()
    def _run(self, encode: Callable[[torch.Tensor], torch.Tensor], batch: np.ndarray) -> np.ndarray:
        out = encode(torch.from_numpy(np.ascontiguousarray(batch)).to(self.device))
        return out.float().cpu().numpy()

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
            out[chunk] = self._run(lambda x: self.model.encode_key(x, active), keys)
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
        return self._run(self.model.encode_query, excerpts).mean(axis=0)

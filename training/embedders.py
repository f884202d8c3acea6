"""What evaluation ranks with: the trained (or an untrained) model, and a hand-made log-mel baseline."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from model.config import FrontEndConfig
from model.encoders import SampleMatchModel
from model.frontend import LogMel
from model.mix_hits import HitMatching, embed_hits
from model.windows import fit_key


class Embedder:
    """Query excerpts (n, samples) and one-shots (any lengths) -> vectors compared by cosine."""

    # Non-empty: embed_queries gives (n, len(query_classes), d), a vector per class (model.conditioning).
    query_classes: tuple[str, ...] = ()
    query_modes: tuple[str, ...] = ()     # the mode blocks of those outputs (model.conditioning.mode_block)
    hit_matching: HitMatching | None = None  # a model's (model.mix_hits): fit ranks with its hit scores too

    def embed_excerpt_hits(self, excerpts: np.ndarray) -> np.ndarray:
        """(h, d) unit key embeddings of the drum hits in a query's excerpts (only a model cuts them)."""
        raise TypeError(f"{type(self).__name__} cuts no hits: only a model has hit matching")

    def __init__(self, key_samples: int, batch_size: int = 32):
        self.key_samples, self.batch_size = key_samples, batch_size

    def _encode_queries(self, waves: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _encode_keys(self, waves: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @torch.inference_mode()
    def _batched(self, encode, waves: np.ndarray) -> np.ndarray:
        parts = [encode(torch.from_numpy(np.ascontiguousarray(waves[i:i + self.batch_size]))).float().cpu()
                 for i in range(0, len(waves), self.batch_size)]
        return torch.cat(parts).numpy()

    def embed_queries(self, waves: np.ndarray) -> np.ndarray:
        return self._batched(self._encode_queries, np.asarray(waves, np.float32))

    def embed_keys(self, waves: Sequence[np.ndarray]) -> np.ndarray:
        return self._batched(self._encode_keys, np.stack([fit_key(w, self.key_samples) for w in waves]))

    def finish(self, queries: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Last step over the whole evaluation set (identity unless a baseline needs set statistics)."""
        return queries, keys


class ModelEmbedder(Embedder):
    def __init__(self, model: SampleMatchModel, device: str | torch.device = "cpu", batch_size: int = 32,
                 hit_matching: HitMatching | None = None):
        super().__init__(model.cfg.key_samples, batch_size)
        self.model, self.device = model, torch.device(device)
        self.query_classes, self.query_modes = model.cfg.query_classes, model.cfg.query_modes
        self.hit_matching = hit_matching

    def embed_excerpt_hits(self, excerpts: np.ndarray) -> np.ndarray:
        """(h, d) unit key embeddings of the drum hits in a query's excerpts, as the app's (model.mix_hits)."""
        return embed_hits(self.embed_keys, excerpts, self.model.cfg.frontend.sample_rate, self.key_samples,
                          self.hit_matching)

    def _encode_queries(self, waves: torch.Tensor) -> torch.Tensor:
        return self.model.encode_query(waves.to(self.device))

    def _encode_keys(self, waves: torch.Tensor) -> torch.Tensor:
        return self.model.encode_key(waves.to(self.device))

    def _batched(self, encode, waves: np.ndarray) -> np.ndarray:
        was_training = self.model.training
        self.model.eval()
        try:
            return super()._batched(encode, waves)
        finally:
            self.model.train(was_training)


class LogMelStatsEmbedder(Embedder):
    """Hand-made baseline: per-band mean and std over time of the log-mel, each set centred on its mean.

    Centring removes the spectral shape every mixture (or every one-shot) shares, so the cosine compares
    how a query and a one-shot deviate from their kind's average (brightness, tilt, noise floor).
    """

    def __init__(self, frontend: FrontEndConfig, key_samples: int, batch_size: int = 32):
        super().__init__(key_samples, batch_size)
        self.logmel = LogMel(frontend)

    def _stats(self, waves: torch.Tensor) -> torch.Tensor:
        spec = self.logmel(waves)[:, 0]
        return torch.cat([spec.mean(dim=2), spec.std(dim=2)], dim=1)

    _encode_queries = _stats
    _encode_keys = _stats

    def finish(self, queries: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return queries - queries.mean(axis=0), keys - keys.mean(axis=0)

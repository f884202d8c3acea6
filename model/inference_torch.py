"""The torch backend of model.inference: the SampleMatchModel itself (training, evaluation, `--backend torch`)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from model.encoders import SampleMatchModel
from model.inference import Embedder
from model.weights import load_model


class TorchEncoders:
    """A SampleMatchModel in eval / inference mode on one device (channels-last on CPU)."""

    backend = "torch"

    def __init__(self, model: SampleMatchModel, device: str | torch.device = "cpu"):
        self.model = model.eval().to(device)
        if torch.device(device).type == "cpu":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.device = torch.device(device)
        self.cfg = model.cfg

    @torch.inference_mode()
    def _run(self, encode: Callable[[torch.Tensor], torch.Tensor], batch: np.ndarray) -> np.ndarray:
        out = encode(torch.from_numpy(np.ascontiguousarray(batch)).to(self.device))
        return out.float().cpu().numpy()

    def keys(self, batch: np.ndarray, active: int) -> np.ndarray:
        return self._run(lambda x: self.model.encode_key(x, active), batch)

    def queries(self, batch: np.ndarray) -> np.ndarray:
        return self._run(self.model.encode_query, batch)

    def open(self) -> None:
        """The weights are loaded with the model."""


def torch_embedder(model: SampleMatchModel, device: str | torch.device = "cpu", key_batch: int = 32) -> Embedder:
    return Embedder(TorchEncoders(model, device), key_batch)


def load_torch_embedder(weights_dir: str | Path, device: str = "cpu", threads: int | None = None) -> Embedder:
    """The exported model's safetensors weights in torch; threads: torch's intra-op threads (None: its default)."""
    if threads:
        torch.set_num_threads(threads)
    # torch.stft gives nnAudio's numbers several times faster on CPU.
    model = load_model(weights_dir, device, frontend_backend="torch" if device == "cpu" else None)
    return torch_embedder(model, device)

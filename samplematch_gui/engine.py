"""The app's use of the model: load the bundled key/query encoders, embed a dropped bounce."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from model import audio
from model.inference import Embedder
from model.weights import WeightsError, load_model
from samplematch_gui.paths import bundled_weights_dir

BUILD_COMMAND = ".venv/bin/samplematch-train bundle"


class ModelMissingError(RuntimeError):
    """No usable weights; the message names the command that builds them."""


class Cancelled(Exception):
    """A long operation stopped because its cancel flag was set."""


def load_embedder(weights_dir: str | Path | None = None, device: str = "cpu") -> Embedder:
    folder = Path(weights_dir) if weights_dir else bundled_weights_dir()
    try:
        # torch.stft gives nnAudio's numbers several times faster on CPU.
        model = load_model(folder, device, frontend_backend="torch" if device == "cpu" else None)
    except WeightsError as exc:
        raise ModelMissingError(
            f"No usable SampleMatch model in {folder} ({exc}). Build it with: {BUILD_COMMAND}"
        ) from None
    return Embedder(model, device)


def query_vector(embedder: Embedder, bounce_path: str | Path,
                 region: tuple[float, float] | None = None, excerpts: int | None = None,
                 cancel=None) -> np.ndarray:
    """The bounce's query: mean encoding of excerpts spread over region (seconds; None = all)."""
    batch = audio.load_excerpts(bounce_path, embedder.sample_rate, embedder.cfg.query_seconds,
                                excerpts or embedder.cfg.query_excerpts, region)
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    return embedder.embed_query_excerpts(batch)

"""`train --init-from MODEL_DIR`: start from an exported model's weights (e.g. the bundled one).

Every tensor whose name and shape match is copied. A query head with more outputs than the exported one
(per-class vectors, "sounds like" queries) starts with the exported head's rows in every output block, so
each new vector starts as the old model's fit query.
"""
from __future__ import annotations

from pathlib import Path

from model.encoders import SampleMatchModel
from model.weights import WeightsError, load_model

SAME = ("frontend", "key_seconds", "query_seconds", "shared_encoder")


def warm_start(model: SampleMatchModel, weights_dir: str | Path) -> list[str]:
    """Load weights_dir's weights into model; returns the names of the tensors tiled."""
    source_model = load_model(weights_dir)  # the app's loader: its checks and messages for a bad folder
    source_cfg, cfg = source_model.cfg, model.cfg
    differ = [name for name in SAME if getattr(source_cfg, name) != getattr(cfg, name)]
    if source_cfg.encoder.backbone != cfg.encoder.backbone or source_cfg.encoder.embed_dim != cfg.encoder.embed_dim:
        differ.append("encoder")
    if differ:
        raise WeightsError(f"{weights_dir}: its model differs from this run's in {', '.join(differ)}")
    source = source_model.state_dict()
    tiled = []
    for name, tensor in model.state_dict().items():
        old = source[name]  # same backbone and encoder layout: the same names
        if old.shape == tensor.shape:
            tensor.copy_(old)
        elif old.shape[1:] == tensor.shape[1:] and tensor.shape[0] % old.shape[0] == 0:
            tensor.copy_(old.repeat(tensor.shape[0] // old.shape[0], *([1] * (old.dim() - 1))))
            tiled.append(name)
        else:
            raise WeightsError(f"{weights_dir}: {name} is {tuple(old.shape)}, this run's is {tuple(tensor.shape)}")
    return tiled

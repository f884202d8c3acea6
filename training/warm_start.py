"""`train --init-from MODEL_DIR`: start from an exported model's weights (e.g. the bundled one).

Every tensor whose name and shape match is copied. A query head with more outputs than the exported one
(per-class vectors, "sounds like" queries) starts with the exported head's rows in every output block, so
each new vector starts as the old model's fit query.
"""
from __future__ import annotations

from pathlib import Path

from model.encoders import SampleMatchModel
from model.weights import WEIGHTS_FILE, WeightsError, read_config

SAME = ("frontend", "key_seconds", "query_seconds", "shared_encoder")


def warm_start(model: SampleMatchModel, weights_dir: str | Path) -> list[str]:
    """Load weights_dir's weights into model; returns the names of the tensors tiled."""
    from safetensors.torch import load as load_safetensors

    source_cfg = read_config(weights_dir)
    cfg = model.cfg
    differ = [name for name in SAME if getattr(source_cfg, name) != getattr(cfg, name)]
    if source_cfg.encoder.backbone != cfg.encoder.backbone or source_cfg.encoder.embed_dim != cfg.encoder.embed_dim:
        differ.append("encoder")
    if differ:
        raise WeightsError(f"{weights_dir}: its model differs from this run's in {', '.join(differ)}")
    source = load_safetensors((Path(weights_dir) / WEIGHTS_FILE).read_bytes())
    target = model.state_dict()
    tiled, missing = [], []
    for name, tensor in target.items():
        if name not in source:
            missing.append(name)
            continue
        old = source[name]
        if old.shape == tensor.shape:
            tensor.copy_(old)
        elif old.shape[1:] == tensor.shape[1:] and tensor.shape[0] % old.shape[0] == 0:
            tensor.copy_(old.repeat(tensor.shape[0] // old.shape[0], *([1] * (old.dim() - 1))))
            tiled.append(name)
        else:
            raise WeightsError(f"{weights_dir}: {name} is {tuple(old.shape)}, this run's is {tuple(tensor.shape)}")
    if [m for m in missing if not (source_cfg.shared_encoder and m.startswith("key_encoder."))]:
        raise WeightsError(f"{weights_dir} lacks {missing[:3]}")
    return tiled

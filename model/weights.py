"""Export and load encoder weights: safetensors + a JSON config; loading never unpickles code."""
from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from model.config import FORMAT_VERSION, ModelConfig
from model.versioned_json import read_versioned_json

if TYPE_CHECKING:  # torch is imported where weights are read or written: read_config runs without it
    import torch

    from model.encoders import SampleMatchModel

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"


class WeightsError(RuntimeError):
    """The weights folder is missing, incomplete or of an unknown format."""


def _tensors_to_save(model: SampleMatchModel) -> dict[str, torch.Tensor]:
    state = model.state_dict()
    if model.cfg.shared_encoder:  # the key encoder is the query encoder: store it once
        state = {k: v for k, v in state.items() if not k.startswith("key_encoder.")}
    return {k: v.detach().cpu().contiguous() for k, v in state.items()}


def export_model(model: SampleMatchModel, out_dir: str | Path, name: str | None = None,
                 extra: dict | None = None) -> ModelConfig:
    """Write weights.safetensors and config.json; the model id names the weights' content."""
    from safetensors.torch import save as save_safetensors

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    blob = save_safetensors(_tensors_to_save(model))
    digest = hashlib.sha256(blob).hexdigest()[:12]
    cfg = model.cfg.replace(model_id=f"{name or model.cfg.encoder.backbone}-{digest}")
    (out / WEIGHTS_FILE).write_bytes(blob)
    doc = {"format_version": FORMAT_VERSION, "config": cfg.to_dict(), **(extra or {})}
    (out / CONFIG_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    return cfg


def read_config(weights_dir: str | Path) -> ModelConfig:
    path = Path(weights_dir) / CONFIG_FILE
    doc = read_versioned_json(path, FORMAT_VERSION, "model config", f"no model config at {path}", WeightsError)
    try:
        return ModelConfig.from_dict(doc["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WeightsError(f"{path}: invalid config ({exc})") from None


def load_model(weights_dir: str | Path, device: str | torch.device = "cpu",
               frontend_backend: str | None = None) -> SampleMatchModel:
    """Rebuild the model from config.json alone and load its safetensors weights (eval mode)."""
    from safetensors.torch import load as load_safetensors

    from model.encoders import SampleMatchModel

    cfg = read_config(weights_dir)
    if frontend_backend:
        cfg = cfg.replace(frontend=dataclasses.replace(cfg.frontend, backend=frontend_backend))
    path = Path(weights_dir) / WEIGHTS_FILE
    try:
        state = load_safetensors(path.read_bytes())
    except FileNotFoundError:
        raise WeightsError(f"no weights at {path}") from None
    except Exception as exc:  # safetensors raises its own error types for corrupt files
        raise WeightsError(f"unreadable weights {path}: {exc}") from None
    try:
        model = SampleMatchModel(cfg)
    except (RuntimeError, ValueError) as exc:  # timm: an unknown backbone; the front end: an unknown kind
        raise WeightsError(f"{path.parent}: cannot build the model its config describes ({exc})") from None
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # shapes that do not match the config
        raise WeightsError(f"{path} does not match its config: {str(exc).splitlines()[-1].strip()}") from None
    allowed_missing = "key_encoder." if cfg.shared_encoder else None
    bad_missing = [k for k in missing if not (allowed_missing and k.startswith(allowed_missing))]
    if bad_missing or unexpected:
        raise WeightsError(
            f"{path} does not match its config: missing {bad_missing[:3]}, unexpected {unexpected[:3]}"
        )
    return model.to(device).eval()

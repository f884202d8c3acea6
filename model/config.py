"""Frozen configuration of the model; an export carries it so the loader can rebuild from it alone."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FrontEndConfig:
    sample_rate: int = 44100
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    f_min: float = 0.0
    f_max: float = 22050.0
    log_eps: float = 1e-6
    # Fixed affine map of log10-power to roughly zero mean / unit variance before the backbone.
    log_offset: float = 4.0
    log_scale: float = 0.25
    # "nnaudio": nnAudio's conv STFT (the method's front end); "torch": torch.stft with the
    # same window and mel basis, several times faster on CPU (tests prove the numbers agree).
    backend: str = "torch"


@dataclass(frozen=True)
class EncoderConfig:
    backbone: str = "efficientnet_b0"
    embed_dim: int = 256
    # Extra timm.create_model keyword arguments, e.g. drop_rate; kept as sorted pairs so the
    # config stays hashable and JSON-friendly.
    backbone_kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class ModelConfig:
    frontend: FrontEndConfig = field(default_factory=FrontEndConfig)
    encoder: EncoderConfig = field(default_factory=EncoderConfig)
    shared_encoder: bool = False
    query_seconds: float = 4.0
    key_seconds: float = 4.0
    query_excerpts: int = 10
    model_id: str = "untrained"

    @property
    def query_samples(self) -> int:
        return int(round(self.query_seconds * self.frontend.sample_rate))

    @property
    def key_samples(self) -> int:
        return int(round(self.key_seconds * self.frontend.sample_rate))

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["encoder"]["backbone_kwargs"] = {k: v for k, v in self.encoder.backbone_kwargs}
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        d = dict(d)
        fe = FrontEndConfig(**d.pop("frontend", {}))
        enc = dict(d.pop("encoder", {}))
        enc["backbone_kwargs"] = tuple(sorted(dict(enc.get("backbone_kwargs", {})).items()))
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown model config keys: {sorted(unknown)}")
        return cls(frontend=fe, encoder=EncoderConfig(**enc), **d)

    def replace(self, **changes) -> "ModelConfig":
        return dataclasses.replace(self, **changes)

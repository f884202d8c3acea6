"""TrainConfig: every knob of a run (defaults = the method's settings); stored in each checkpoint."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from model.config import EncoderConfig, ModelConfig
from training.augment import AugmentConfig
from training.losses import LossConfig


@dataclass(frozen=True)
class TrainConfig:
    corpus: str = ""
    run_dir: str = "runs/samplematch"
    cache_dir: str = ""                      # precomputed mel power; "" = <corpus>/mel_cache
    model: ModelConfig = field(default_factory=lambda: ModelConfig(encoder=EncoderConfig()))
    pretrained_file: str = ""                # local timm checkpoint ("PTrain"); "" = random init
    init_from: str = ""                      # an exported model folder to start from (training.warm_start)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    sparse_mix: bool = True                  # "SMix": 2..all remaining stems; off = always all
    own_stem_p: float = 0.0                  # fraction of queries that also hold the key's own stem
    like_p: float = 0.0                      # fraction of pairs for the "like" queries (model.query_modes)
    class_batch_p: float = 0.0               # fraction of batches whose one-shots are all of one drum class
    hit_cut_p: float = 0.0                   # fraction of hit views cut short at a random length, as the app's cuts
    mixing: str = "power"                    # "power" (precomputed mel power) or "wave" (exact)
    batch_size: int = 190                    # per process
    lr: float = 3e-4
    backbone_lr_scale: float = 1.0           # backbones learn at lr * this (0 = frozen: only the heads train)
    weight_decay: float = 3e-5
    max_steps: int = 100_000
    max_minutes: float = 0.0                 # wall-clock budget; 0 = none
    eval_every: int = 250                    # steps between validations (best checkpoint by R_mn)
    eval_queries: int = 8                    # validation queries per song and query kind
    checkpoint_every: int = 50
    log_every: int = 10
    seed: int = 0
    device: str = "auto"                     # auto | cpu | cuda | cuda:N
    amp: bool = True                         # fp16 autocast on CUDA (the front end stays fp32)
    threads: int = 0                         # torch CPU threads; 0 = torch's default
    resume: bool = False                     # continue from <run_dir>/last.pt when it exists
    dev_corpus: str = ""                     # real-music dev set (build-devset); "" = validate on val only

    def __post_init__(self):
        if self.batch_size < 2:
            raise ValueError("batch size must be at least 2: the contrastive loss needs negatives and "
                             "the variance term a spread")
        if self.mixing not in ("power", "wave"):
            raise ValueError(f"mixing must be 'power' or 'wave', not {self.mixing!r}")
        if (self.like_p > 0) != ("like" in self.model.query_modes) or not 0 <= self.like_p < 1:
            raise ValueError("like pairs (0 <= like_p < 1) go with, and only with, a model that has 'like' queries")
        for name in ("own_stem_p", "class_batch_p", "hit_cut_p"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} is a fraction (0..1), not {getattr(self, name)}")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        d = dict(d)
        aug: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in d.pop("augment", {}).items()}
        return cls(model=ModelConfig.from_dict(d.pop("model", {})), augment=AugmentConfig(**aug),
                   loss=LossConfig(**d.pop("loss", {})), **d)

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)

"""Query and key encoders: log-mel front end + backbone (timm, or EfficientAT's mn04) + linear projection."""
from __future__ import annotations

from typing import cast

import timm
import torch
from torch import nn

from model import backbone_mn
from model.config import EncoderConfig, ModelConfig
from model.frontend import LogMel


def build_backbone(cfg: EncoderConfig, pretrained_file: str | None = None) -> nn.Module:
    """A backbone taking 1-channel spectrograms and returning pooled features.

    pretrained_file: a local checkpoint (hub downloads need internet): EfficientAT's for
    efficientat_mn04, otherwise a timm one (timm adapts the first convolution's RGB weights to
    one input channel).
    """
    kwargs = dict(cfg.backbone_kwargs)
    if cfg.backbone == backbone_mn.NAME:
        if kwargs:
            raise ValueError(f"{backbone_mn.NAME} takes no backbone_kwargs, got {sorted(kwargs)}")
        return backbone_mn.build_mn04(pretrained_file)
    if pretrained_file:
        kwargs.update(pretrained=True, pretrained_cfg_overlay=dict(file=str(pretrained_file)))
    return timm.create_model(cfg.backbone, in_chans=1, num_classes=0, **kwargs)


class Encoder(nn.Module):
    """Normalised log-mel spectrogram -> embedding (not L2-normalised; cosine is taken later)."""

    def __init__(self, cfg: EncoderConfig, pretrained_file: str | None = None, outputs: int = 1):
        super().__init__()
        self.backbone = build_backbone(cfg, pretrained_file)
        # MobileNetV3/V4 and EfficientViT pool into a wider conv head than num_features says.
        width = getattr(self.backbone, "head_hidden_size", None) or cast(int, self.backbone.num_features)
        self.outputs, self.embed_dim = outputs, cfg.embed_dim
        self.head = nn.Linear(width, cfg.embed_dim * outputs)

    def forward(self, logmel: torch.Tensor) -> torch.Tensor:
        """(batch, embed_dim), or (batch, outputs, embed_dim) with several outputs."""
        if logmel.device.type == "cpu":
            logmel = logmel.contiguous(memory_format=torch.channels_last)
        out = self.head(self.backbone(logmel))
        return out if self.outputs == 1 else out.unflatten(1, (self.outputs, self.embed_dim))


class SampleMatchModel(nn.Module):
    """g_q (mixture excerpts) and g_k (one-shots) sharing one front end.

    With cfg.shared_encoder both roles use the same weights (the paper's ablation).
    """

    def __init__(self, cfg: ModelConfig, pretrained_file: str | None = None):
        super().__init__()
        self.cfg = cfg
        self.frontend = LogMel(cfg.frontend)
        if cfg.shared_encoder and cfg.query_classes:
            raise ValueError("a shared encoder cannot give class-conditioned queries")
        self.query_encoder = Encoder(cfg.encoder, pretrained_file, outputs=cfg.query_outputs)
        self.key_encoder = (
            self.query_encoder if cfg.shared_encoder else Encoder(cfg.encoder, pretrained_file)
        )

    def encode_query_spec(self, logmel: torch.Tensor) -> torch.Tensor:
        return self.query_encoder(logmel)

    def encode_key_spec(self, logmel: torch.Tensor) -> torch.Tensor:
        return self.key_encoder(logmel)

    def encode_query(self, wave: torch.Tensor) -> torch.Tensor:
        """(batch, query_samples) mixture excerpts -> (batch, embed_dim), or (batch, classes, embed_dim)."""
        return self.query_encoder(self.frontend(wave))

    def encode_key(self, wave: torch.Tensor, active: int | None = None) -> torch.Tensor:
        """(batch, key_samples) one-shots -> (batch, embed_dim); see LogMel.power_mel for active."""
        return self.key_encoder(self.frontend(wave, active))

"""EfficientAT's mn04 (Schmid et al., ICASSP 2023; MIT licence): MobileNetV3-Large at width 0.4.

torchvision's feature extractor with a 1-channel stem and plain-sigmoid squeeze-excitation gates, as
EfficientAT has them; the output is the global average of the last features (384-d).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torchvision.models import mobilenet_v3_large
from torchvision.ops.misc import SqueezeExcitation

NAME = "efficientat_mn04"
WIDTH = 0.4


class MN04(nn.Module):
    def __init__(self):
        super().__init__()
        features = mobilenet_v3_large(width_mult=WIDTH).features
        rgb = features[0][0]
        stem = nn.Conv2d(1, rgb.out_channels, rgb.kernel_size, rgb.stride, rgb.padding, bias=False)
        nn.init.kaiming_normal_(stem.weight, mode="fan_out")  # torchvision's init of its convolutions
        features[0][0] = stem
        for module in features.modules():
            if isinstance(module, SqueezeExcitation):
                module.scale_activation = nn.Sigmoid()
        self.features = features
        self.num_features = features[-1].out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).mean(dim=(2, 3))


def load_mn04(backbone: MN04, path: str | Path) -> None:
    """Load the `features.*` tensors of an EfficientAT checkpoint (its AudioSet classifier is dropped).

    Every feature tensor must be there with its shape; the SE layers' linear weights become 1x1 convs.
    """
    state = torch.load(path, map_location="cpu", weights_only=True)
    target = backbone.features.state_dict()
    mapped = {}
    for key, value in state.items():
        if not key.startswith("features."):
            continue
        name = key.removeprefix("features.").replace(".conc_se_layers.0.", ".")
        want = target.get(name)
        if want is None:
            raise ValueError(f"{path}: {key} has no place in {NAME}")
        if value.shape != want.shape and (*value.shape, 1, 1) != want.shape:
            raise ValueError(f"{path}: {key} is {tuple(value.shape)}, {NAME} needs {tuple(want.shape)}")
        mapped[name] = value.reshape(want.shape)
    missing = sorted(set(target) - set(mapped))
    if missing:
        raise ValueError(f"{path}: not an {NAME} checkpoint, {len(missing)} tensors missing ({missing[0]} ...)")
    backbone.features.load_state_dict(mapped)


def build_mn04(pretrained_file: str | Path | None = None) -> MN04:
    backbone = MN04()
    if pretrained_file:
        load_mn04(backbone, pretrained_file)
    return backbone

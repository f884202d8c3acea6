"""Shared set-up for the speed scripts: which model to time."""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

import torch


def add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weights", type=Path, help="model folder (default: the bundled model)")
    p.add_argument("--backbone", help="time a random-init model of this backbone instead")
    p.add_argument("--key-seconds", type=float, default=None, help="with --backbone: key window")


def load_embedder(args):
    from samplematch_gui.engine import load_embedder as load

    if not args.backbone:
        return load(args.weights)
    from model import EncoderConfig, ModelConfig, SampleMatchModel
    from model.weights import export_model

    cfg = ModelConfig(encoder=EncoderConfig(backbone=args.backbone))
    if args.key_seconds:
        cfg = cfg.replace(key_seconds=args.key_seconds)
    folder = Path(tempfile.mkdtemp(prefix="bench-model-"))
    export_model(SampleMatchModel(cfg).eval(), folder)
    return load(folder)


def machine() -> str:
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads")

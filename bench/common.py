"""Shared set-up for the speed scripts: which model to time."""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
from pathlib import Path

from model.inference import BACKENDS


def add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weights", type=Path, help="model folder (default: the bundled model)")
    p.add_argument("--backbone", help="time a random-init model of this backbone instead")
    p.add_argument("--key-seconds", type=float, default=None, help="with --backbone: key window")
    p.add_argument("--backend", choices=BACKENDS, help="ONNX Runtime or torch (default: as the app chooses)")
    p.add_argument("--threads", type=int, help="the backend's intra-op threads (default: one per core)")


def load_embedder(args):
    from samplematch_gui.engine import load_embedder as load

    if not args.backbone:
        return load(args.weights, args.backend, args.threads, open_now=True)
    from model import EncoderConfig, ModelConfig, SampleMatchModel
    from model.weights import export_model

    cfg = ModelConfig(encoder=EncoderConfig(backbone=args.backbone))
    if args.key_seconds:
        cfg = cfg.replace(key_seconds=args.key_seconds)
    folder = Path(tempfile.mkdtemp(prefix="bench-model-"))
    model = SampleMatchModel(cfg).eval()
    model_id = export_model(model, folder).model_id
    if args.backend != "torch":
        from training.export import export_onnx

        export_onnx(model, folder, model_id)
    return load(folder, args.backend, args.threads, open_now=True)


def machine(embedder=None) -> str:
    where = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    if embedder is None:
        return where
    if embedder.backend == "onnx":
        import onnxruntime

        threads = embedder.encoders.threads or os.cpu_count()
        return f"{where}, ONNX Runtime {onnxruntime.__version__}, {threads} intra-op threads"
    import torch

    return f"{where}, torch {torch.__version__}, {torch.get_num_threads()} threads"

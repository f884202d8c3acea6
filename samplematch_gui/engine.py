"""The app's use of the model: load the bundled key/query encoders, embed a dropped bounce.

ONNX Runtime runs them by default (no torch in the runtime install); `--backend torch` runs the safetensors
weights in torch, which is also the fallback for a model folder without ONNX encoders when torch is installed.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from model import audio
from model.inference import BACKENDS, Embedder
from model.mix_hits import HitMatchingError, find_hit_matching
from model.weights import WEIGHTS_FILE, WeightsError
from samplematch_gui.jobs import Cancelled
from samplematch_gui.paths import bundled_weights_dir

BUILD_COMMAND = ".venv/bin/samplematch-train bundle"


class ModelMissingError(RuntimeError):
    """No usable weights; the message names the command that builds them."""


def _torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def choose_backend(folder: Path, backend: str | None) -> str:
    """The backend asked for, else ONNX Runtime where the folder has its encoders, else torch if installed."""
    from model.inference_onnx import EXPORT_COMMAND, has_onnx_encoders

    if backend not in (None, *BACKENDS):
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    # A folder with neither ONNX nor safetensors goes to the ONNX loader, which says what is missing.
    onnx_or_nothing = has_onnx_encoders(folder) or not (folder / WEIGHTS_FILE).is_file()
    if backend == "onnx" or (backend is None and onnx_or_nothing):
        return "onnx"
    if _torch_installed():
        return "torch"
    if backend == "torch":
        raise ModelMissingError("--backend torch needs torch, which is not installed: pip install -e '.[train]' "
                                "(without --backend, ONNX Runtime runs the model)")
    raise ModelMissingError(f"{folder} has no ONNX encoders, and torch, which could run its safetensors weights, "
                            f"is not installed: write them with `{EXPORT_COMMAND} {folder}` where torch is "
                            "installed (pip install -e '.[train]')")


def load_embedder(weights_dir: str | Path | None = None, backend: str | None = None,
                  threads: int | None = None, open_now: bool = False) -> Embedder:
    """The model in weights_dir (default: the bundled one) on the CPU; threads: the backend's intra-op threads
    (None: one per core). The ONNX encoders open on first use (a `rank` needs only the query encoder), or here
    with open_now, so that an unusable one is a ModelMissingError now."""
    # Imported here, not at the top: the window imports this module and shows before the model loads.
    from model.inference_onnx import OnnxEncoderError, load_onnx_embedder

    folder = Path(weights_dir) if weights_dir else bundled_weights_dir()
    chosen = choose_backend(folder, backend)
    try:
        if chosen == "onnx":
            embedder = load_onnx_embedder(folder, threads)
        else:
            from model.inference_torch import load_torch_embedder

            embedder = load_torch_embedder(folder, threads=threads)
        if open_now:
            embedder.open()
    except WeightsError as exc:
        fix = "" if isinstance(exc, OnnxEncoderError) else f" Build it with: {BUILD_COMMAND}"  # it says its own
        raise ModelMissingError(f"No usable SampleMatch model in {folder} ({exc}).{fix}") from None
    try:
        embedder.hit_matching = find_hit_matching(folder, embedder.model_id)
    except HitMatchingError as exc:  # the model still ranks by the query; only "sounds like" is missing
        print(f"samplematch: {exc}; 'Sounds like its drums' is off", file=sys.stderr)
    return embedder


def query_vector(embedder: Embedder, bounce_path: str | Path,
                 region: tuple[float, float] | None = None, excerpts: int | None = None,
                 cancel=None) -> np.ndarray:
    """The bounce's query: mean encoding of excerpts spread over region (seconds; None = all)."""
    batch = audio.load_excerpts(bounce_path, embedder.sample_rate, embedder.cfg.query_seconds,
                                excerpts or embedder.cfg.query_excerpts, region)
    if cancel is not None and cancel.is_set():
        raise Cancelled()
    return embedder.embed_query_excerpts(batch)

"""The ONNX Runtime backend of model.inference, the app's default: the two encoders that `samplematch-train
export` writes next to the safetensors (normalised log-mel -> embedding), fed by the numpy front end.
Needs neither torch nor the training code; each encoder is opened on first use (or by open()).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from model.config import ModelConfig
from model.inference import Embedder
from model.logmel_numpy import NumpyLogMel, frames
from model.weights import WeightsError, read_config

ONNX_FILES = {"key": "key_encoder.onnx", "query": "query_encoder.onnx"}
INPUT_NAME, OUTPUT_NAME = "logmel", "embedding"
EXPORT_COMMAND = "samplematch-train export --onnx-only"


class OnnxEncoderError(WeightsError):
    """ONNX encoders that are missing, unreadable or not those of the folder's weights; the message says how to
    write them again."""


def has_onnx_encoders(weights_dir: str | Path) -> bool:
    return all((Path(weights_dir) / name).is_file() for name in ONNX_FILES.values())


def encoder_input_shape(cfg: ModelConfig, role: str) -> tuple[int, int, int]:
    """(channels, n_mels, frames) of one example for the key or query encoder (the batch axis is free)."""
    samples = cfg.key_samples if role == "key" else cfg.query_samples
    return 1, cfg.frontend.n_mels, frames(cfg.frontend, samples)


def session_options(threads: int | None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or os.cpu_count() or 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Idle threads sleep instead of spinning for the next run: the app shares the CPU with a DAW.
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3  # warnings about unused initialisers are ours to fix at export, not the user's
    return opts


def open_encoder(weights_dir: Path, cfg: ModelConfig, role: str, threads: int | None = None):
    """An InferenceSession for one exported encoder, checked against the folder's config.json."""
    import onnxruntime as ort

    path = weights_dir / ONNX_FILES[role]
    again = f"write it again with: {EXPORT_COMMAND} {weights_dir}"
    try:
        session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types (NoSuchFile, InvalidProtobuf, Fail)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OnnxEncoderError(f"unreadable ONNX encoder {path} ({reason}); {again}") from None
    exported_from = session.get_modelmeta().custom_metadata_map.get("model_id")
    if exported_from != cfg.model_id:
        raise OnnxEncoderError(f"{path} was exported from model {exported_from!r}, not from this folder's "
                           f"{cfg.model_id!r}; {again}")
    shape = tuple(session.get_inputs()[0].shape[1:])
    if shape != encoder_input_shape(cfg, role):
        raise OnnxEncoderError(f"{path} takes {shape}, its config needs {encoder_input_shape(cfg, role)}; {again}")
    return session


class OnnxEncoders:
    backend = "onnx"

    def __init__(self, weights_dir: str | Path, cfg: ModelConfig, threads: int | None = None):
        self.weights_dir = Path(weights_dir)
        self.cfg = cfg
        self.threads = threads
        self.frontend = NumpyLogMel(cfg.frontend)
        self._sessions: dict = {}
        self._lock = threading.Lock()  # the scan and the search threads may both open one

    def _session(self, role: str):
        with self._lock:
            if role not in self._sessions:
                self._sessions[role] = open_encoder(self.weights_dir, self.cfg, role, self.threads)
            return self._sessions[role]

    def _run(self, role: str, logmel: np.ndarray) -> np.ndarray:
        return self._session(role).run([OUTPUT_NAME], {INPUT_NAME: logmel})[0]

    def keys(self, batch: np.ndarray, active: int) -> np.ndarray:
        return self._run("key", self.frontend(batch, active))

    def queries(self, batch: np.ndarray) -> np.ndarray:
        return self._run("query", self.frontend(batch))

    def open(self) -> None:
        for role in ONNX_FILES:
            self._session(role)


def load_onnx_embedder(weights_dir: str | Path, threads: int | None = None) -> Embedder:
    """The exported model's ONNX encoders; threads: ONNX Runtime's intra-op threads (None: one per core)."""
    folder = Path(weights_dir)
    cfg = read_config(folder)
    missing = [name for name in ONNX_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise OnnxEncoderError(f"no {' or '.join(missing)} in {folder}; write them with: {EXPORT_COMMAND} {folder}")
    return Embedder(OnnxEncoders(folder, cfg, threads))

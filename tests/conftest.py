"""Shared fixtures: generated audio, a tiny random model, an isolated data folder."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests import sounds


@pytest.fixture(autouse=True)
def _isolated_app_data(tmp_path_factory, monkeypatch):
    """No test touches the real user data folder or the bundled weights."""
    monkeypatch.setenv("SAMPLEMATCH_DATA_DIR", str(tmp_path_factory.mktemp("appdata")))


@pytest.fixture(scope="session")
def tiny_weights(tmp_path_factory) -> Path:
    """A tiny randomly initialised model exported like the bundled one."""
    import torch

    from model import EncoderConfig, ModelConfig, SampleMatchModel
    from model.weights import export_model

    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("weights")
    model = SampleMatchModel(ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet")))
    export_model(model.eval(), out, name="tiny-test")
    return out


@pytest.fixture(scope="session")
def like_weights(tmp_path_factory) -> Path:
    """A tiny random model with per-class "fit" and "sounds like" queries, exported with its ONNX encoders."""
    import torch

    from model import EncoderConfig, ModelConfig, SampleMatchModel
    from model.conditioning import DRUM_CLASSES, QUERY_MODES
    from model.weights import export_model, read_config
    from training.export import export_onnx

    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("like_weights")
    model = SampleMatchModel(ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"),
                                         query_classes=DRUM_CLASSES, query_modes=QUERY_MODES)).eval()
    export_model(model, out, name="tiny-like")
    export_onnx(model, out, read_config(out).model_id)
    return out


@pytest.fixture(scope="session")
def matched_weights(tmp_path_factory, tiny_weights) -> Path:
    """The tiny model's folder with a hit matching made for it (random reference hits)."""
    import shutil

    from model.mix_hits import HitMatching
    from model.scoring import l2_normalise
    from model.weights import read_config

    out = tmp_path_factory.mktemp("matched") / "model"
    shutil.copytree(tiny_weights, out)
    reference = l2_normalise(np.random.default_rng(3).standard_normal((12, 256)).astype(np.float32))
    HitMatching(reference, np.arange(0, 12, 4), read_config(out).model_id, fit_weight=0.5).save(out)
    return out


@pytest.fixture(scope="session")
def tiny_embedder(tiny_weights):
    from samplematch_gui.engine import load_embedder

    return load_embedder(tiny_weights)


@pytest.fixture
def sample_library(tmp_path) -> Path:
    """A small drum library with a realistic folder layout, one broken file included."""
    root = tmp_path / "My Samples"
    rng = np.random.default_rng(1)
    layout = {
        "Kicks/808_BD_01.wav": sounds.kick(rng, 50),
        "Kicks/Punchy Kick 2.flac": sounds.kick(rng, 65),
        "Snares/SD_Tight.wav": sounds.snare(rng),
        "Hats/Closed Hat 1.aiff": sounds.hat(rng, 0.05),
        "Hats/Open Hat.ogg": sounds.hat(rng, 0.4),
        "Cymbals/Ride Bell.wav": sounds.cymbal(rng, 1.5),
        "Cymbals/Crash 16in.wav": sounds.cymbal(rng, 3.0),
        "Toms/Tom Hi.wav": sounds.kick(rng, 140),
    }
    for rel, wave in layout.items():
        sounds.write(root / rel, wave)
    (root / "Junk").mkdir()
    (root / "Junk" / "not_audio.wav").write_bytes(b"this is not a wav file at all")
    (root / "Junk" / "readme.txt").write_text("ignored: not an audio extension")
    return root


@pytest.fixture
def indexed(tmp_path, sample_library, tiny_weights, capsys) -> Path:
    """The sample library indexed with the tiny model by the CLI, in a cache of its own."""
    from samplematch_gui.cli import main

    db = tmp_path / "lib.db"
    assert main(["index", str(sample_library), "--db", str(db), "--weights", str(tiny_weights)]) == 0
    capsys.readouterr()
    return db


@pytest.fixture
def bounce(tmp_path) -> Path:
    """A 12-s stereo 48 kHz 'work in progress' bounce."""
    path = tmp_path / "bounce.wav"
    sf.write(path, sounds.song(np.random.default_rng(2), 12.0, 48000), 48000)
    return path


@pytest.fixture
def windows(qapp, tmp_path):
    """Main windows on one settings file and library cache, closed at teardown."""
    from tests.ui_fakes import WindowFactory

    factory = WindowFactory(tmp_path)
    yield factory
    factory.close_all()

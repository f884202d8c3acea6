"""EfficientAT mn04: the AudioSet checkpoint loads whole; an mn04 model with EfficientAT's front end survives
export -> the app's loader with the training model's numbers; a config written before these options still
loads, and so does the bundled model."""
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from model import EncoderConfig, FrontEndConfig, ModelConfig, SampleMatchModel
from model.audio import load
from model.backbone_mn import MN04, NAME, build_mn04, load_mn04
from model.weights import export_model, load_model, read_config
from samplematch_gui.engine import load_embedder
from training.embedders import ModelEmbedder

MN04_FILE = Path(__file__).resolve().parents[2] / "shared" / "pretrained" / "mn04_as_mAP_432.pt"
BUNDLED = Path(__file__).resolve().parent.parent / "resources" / "model"
OLD_CONFIG = Path(__file__).resolve().parent / "data" / "config_before_frontend_options.json"
MN04_MODEL = ModelConfig(frontend=FrontEndConfig.efficientat(), encoder=EncoderConfig(backbone=NAME), key_seconds=1.5)


@pytest.mark.skipif(not MN04_FILE.is_file(), reason="the EfficientAT checkpoint is not on this machine")
def test_the_audioset_checkpoint_fills_every_feature_tensor():
    backbone = build_mn04(MN04_FILE).eval()
    state = torch.load(MN04_FILE, weights_only=True)
    loaded = backbone.features.state_dict()
    features = {k: v for k, v in state.items() if k.startswith("features.")}
    assert len(features) == len(loaded) == 308
    for key, value in features.items():
        mine = loaded[key.removeprefix("features.").replace(".conc_se_layers.0.", ".")]
        assert torch.equal(mine.flatten(), value.flatten()), key
    with torch.no_grad():
        out = backbone(torch.randn(2, 1, 128, 401))
    assert out.shape == (2, 384) and torch.isfinite(out).all()


def test_a_checkpoint_of_another_shape_is_refused(tmp_path):
    state = {f"features.{k}": v for k, v in MN04().features.state_dict().items()}
    state["features.16.0.weight"] = torch.zeros(385, 64, 1, 1)
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="features.16.0.weight"):
        load_mn04(MN04(), tmp_path / "bad.pt")
    del state["features.16.0.weight"]
    torch.save(state, tmp_path / "short.pt")
    with pytest.raises(ValueError, match="1 tensors missing"):
        load_mn04(MN04(), tmp_path / "short.pt")


def test_the_app_gives_the_training_models_numbers(tmp_path):
    torch.manual_seed(0)
    model = SampleMatchModel(MN04_MODEL.replace(encoder=EncoderConfig(backbone=NAME, init="mn04 test"))).eval()
    export_model(model, tmp_path / "weights", name="mn04-test")
    assert read_config(tmp_path / "weights").frontend == FrontEndConfig.efficientat()
    embedder = load_embedder(tmp_path / "weights")
    assert embedder.sample_rate == 32000 and embedder.cfg.encoder.init == "mn04 test"
    rng = np.random.default_rng(0)
    hit = (rng.standard_normal(30000) * np.exp(-np.arange(30000) / 4000)).astype(np.float32)
    sf.write(tmp_path / "hit.wav", hit, 44100, subtype="FLOAT")  # a 44.1 kHz file, read at the model's rate
    keys = [load(tmp_path / "hit.wav", embedder.sample_rate), rng.standard_normal(60000).astype(np.float32)]
    excerpts = rng.standard_normal((3, MN04_MODEL.query_samples)).astype(np.float32)
    training = ModelEmbedder(model)
    assert np.allclose(embedder.embed_keys(keys), training.embed_keys(keys), atol=1e-5)
    assert np.allclose(embedder.embed_query_excerpts(excerpts), training.embed_queries(excerpts).mean(axis=0),
                       atol=1e-5)


def test_a_config_from_before_these_options_still_loads(tmp_path):
    doc = json.loads(OLD_CONFIG.read_text())          # the previous bundled model's config.json
    assert "mel_scale" not in doc["config"]["frontend"] and "init" not in doc["config"]["encoder"]
    (tmp_path / "config.json").write_text(OLD_CONFIG.read_text())
    cfg = read_config(tmp_path)
    assert cfg.frontend == FrontEndConfig() and cfg.encoder.init == "scratch"
    with torch.no_grad():
        assert torch.isfinite(SampleMatchModel(cfg).encode_key(torch.randn(1, cfg.key_samples))).all()


def test_the_bundled_model_is_mn04_on_its_own_front_end_and_loads():
    cfg = read_config(BUNDLED)
    assert cfg.encoder.backbone == NAME and cfg.frontend == FrontEndConfig.efficientat()
    model = load_model(BUNDLED)
    with torch.no_grad():
        assert torch.isfinite(model.encode_key(torch.randn(1, cfg.key_samples))).all()

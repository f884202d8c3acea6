"""`train --init-from`: a run starts from an exported model; a wider query head starts as its fit query."""
import numpy as np
import pytest
import torch

from model.conditioning import DRUM_CLASSES, QUERY_MODES
from model.config import EncoderConfig, ModelConfig
from model.encoders import SampleMatchModel
from model.weights import WeightsError, export_model, load_model, read_config
from training import checkpoint
from training.cli import main
from training.warm_start import warm_start

BASE = ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("exported")
    export_model(SampleMatchModel(BASE).eval(), out)
    return out


def _wave(seconds, seed):
    return torch.from_numpy(np.random.default_rng(seed).standard_normal((2, int(44100 * seconds)))
                            .astype(np.float32))


def test_every_query_vector_of_a_like_model_starts_as_the_exported_fit_query(exported):
    source = load_model(exported)
    torch.manual_seed(1)
    target = SampleMatchModel(BASE.replace(query_classes=DRUM_CLASSES, query_modes=QUERY_MODES)).eval()
    with torch.no_grad():
        tiled = warm_start(target, exported)
        assert tiled == ["query_encoder.head.weight", "query_encoder.head.bias"]
        query, key = _wave(4.0, 2), _wave(1.0, 3)
        old, new = source.encode_query(query), target.encode_query(query)
        assert new.shape == (2, 2 * len(DRUM_CLASSES), 256)
        for vector in range(new.shape[1]):
            torch.testing.assert_close(new[:, vector], old, rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(target.encode_key(key), source.encode_key(key), rtol=1e-4, atol=1e-5)


def test_a_model_of_another_shape_is_refused_by_name(exported):
    other = SampleMatchModel(BASE.replace(key_seconds=1.5))
    with pytest.raises(WeightsError, match="key_seconds"):
        warm_start(other, exported)


def test_the_train_command_starts_from_the_folder_and_records_it(exported, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    assert main(["build-corpus", "--out", str(corpus), "--songs", "4", "--synthetic"]) == 0
    run = tmp_path / "run"
    assert main(["train", "--corpus", str(corpus), "--run-dir", str(run), "--backbone", "test_efficientnet",
                 "--key-seconds", "1.0", "--batch-size", "3", "--steps", "1", "--threads", "1",
                 "--init-from", str(exported)]) == 0
    assert f"started from {exported}" in capsys.readouterr().out
    saved = checkpoint.load(run / checkpoint.LAST)
    source_id = read_config(exported).model_id
    assert saved["config"]["model"]["encoder"]["init"].startswith(source_id)
    assert saved["config"]["init_from"] == str(exported)

"""A model folder whose config holds nonsense values is refused with one line naming the folder."""
import json

import pytest

from model.config import FrontEndConfig, ModelConfig
from model.weights import CONFIG_FILE, WeightsError, read_config

NONSENSE = [
    ("frontend", "n_fft", 0, "n_fft"),
    ("frontend", "n_fft", -1024, "n_fft"),
    ("frontend", "hop_length", 0, "hop_length"),
    ("frontend", "n_fft", 10.5, "n_fft"),
    ("frontend", "n_fft", "2048", "n_fft"),
    ("frontend", "n_mels", 0, "n_mels"),
    ("frontend", "sample_rate", 0, "sample_rate"),
    ("frontend", "win_length", 4096, "win_length"),
    ("frontend", "f_max", 0.0, "f_max"),
    ("frontend", "f_min", 30000.0, "f_min"),
    ("frontend", "f_min", -5.0, "f_min"),
    ("frontend", "log_eps", 0.0, "log_eps"),
    ("frontend", "preemphasis", 1.5, "preemphasis"),
    ("encoder", "embed_dim", 0, "embed_dim"),
    (None, "query_seconds", 0.0, "query_seconds"),
    (None, "key_seconds", float("nan"), "key_seconds"),
    (None, "query_excerpts", 0, "query_excerpts"),
    (None, "shared_encoder", "yes", "shared_encoder"),
]


def _folder_with(tmp_path, section, key, value):
    doc = {"format_version": 1, "config": ModelConfig().to_dict()}
    (doc["config"][section] if section else doc["config"])[key] = value
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / CONFIG_FILE).write_text(json.dumps(doc))
    return folder


@pytest.mark.parametrize("section,key,value,named", NONSENSE)
def test_nonsense_values_name_the_folder_and_the_field(tmp_path, section, key, value, named):
    folder = _folder_with(tmp_path, section, key, value)
    with pytest.raises(WeightsError) as exc:
        read_config(folder)
    message = str(exc.value)
    assert str(folder) in message and named in message and len(message.splitlines()) == 1


def test_the_shipped_front_ends_are_valid():
    assert ModelConfig.from_dict(ModelConfig().to_dict()) == ModelConfig()
    assert FrontEndConfig.efficientat().n_fft == 1024
    with pytest.raises(ValueError, match="n_fft must be a positive integer"):
        FrontEndConfig(n_fft=0)

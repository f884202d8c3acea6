"""The two encoders: front end numbers, fp32 under autocast, shapes, export/load round trip."""
import json

import numpy as np
import pytest
import torch

from model import EncoderConfig, FrontEndConfig, ModelConfig, SampleMatchModel
from model.frontend import LogMel
from model.inference_torch import torch_embedder
from model.weights import WeightsError, export_model, load_model, read_config
from model.windows import excerpt_starts, fit_key

TINY = ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"))


def test_torch_stft_backend_gives_nnaudios_numbers():
    torch.manual_seed(0)
    wave = torch.randn(3, 44100 * 2) * torch.linspace(0, 1, 44100 * 2)
    ref = LogMel(FrontEndConfig(backend="nnaudio"))
    fast = LogMel(FrontEndConfig(backend="torch"))
    p_ref, p_fast = ref.power_mel(wave), fast.power_mel(wave)
    assert p_ref.shape == (3, 128, 173)
    assert torch.allclose(p_fast, p_ref, rtol=1e-4, atol=1e-6)
    assert torch.allclose(fast(wave), ref(wave), atol=1e-5)


def test_mel_basis_covers_the_whole_range_to_22k05():
    fe = LogMel(FrontEndConfig())
    basis = fe.mel_basis
    assert basis.shape == (128, 1025)
    assert basis[-1, -60:].sum() > 0  # the top band reaches Nyquist
    tone = torch.sin(2 * torch.pi * 15000 * torch.arange(44100) / 44100)
    assert fe.power_mel(tone[None]).mean(-1).argmax() > 110  # 15 kHz lands in a top band


def test_front_end_stays_fp32_under_autocast():
    fe = LogMel(FrontEndConfig())
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = fe(torch.randn(1, 44100))
    assert out.dtype == torch.float32 and torch.isfinite(out).all()


def test_front_end_is_not_part_of_the_weights():
    assert LogMel(FrontEndConfig()).state_dict() == {}


def test_encoders_have_separate_or_shared_weights():
    two = SampleMatchModel(TINY)
    assert two.query_encoder is not two.key_encoder
    shared = SampleMatchModel(TINY.replace(shared_encoder=True))
    assert shared.query_encoder is shared.key_encoder
    out = two.eval().encode_query(torch.randn(2, TINY.query_samples))
    assert out.shape == (2, 256)


@pytest.mark.parametrize("backbone", ["mobilenetv3_small_050", "efficientnet_lite0"])
def test_other_timm_backbones_build_and_encode(backbone):
    cfg = ModelConfig(encoder=EncoderConfig(backbone=backbone))
    out = SampleMatchModel(cfg).eval().encode_key(torch.randn(2, cfg.key_samples))
    assert out.shape == (2, 256) and torch.isfinite(out).all()


def test_export_load_round_trip(tmp_path):
    torch.manual_seed(1)
    model = SampleMatchModel(TINY).eval()
    cfg = export_model(model, tmp_path, name="tiny")
    assert cfg.model_id.startswith("tiny-") and len(cfg.model_id) == len("tiny-") + 12
    doc = json.loads((tmp_path / "config.json").read_text())
    assert doc["format_version"] == 1 and doc["config"]["encoder"]["backbone"] == "test_efficientnet"
    loaded = load_model(tmp_path)
    assert loaded.cfg == cfg
    wave = torch.randn(2, TINY.key_samples)
    with torch.no_grad():
        assert torch.equal(model.encode_key(wave), loaded.encode_key(wave))
        assert torch.equal(model.encode_query(wave), loaded.encode_query(wave))


def test_shared_export_stores_one_encoder(tmp_path):
    model = SampleMatchModel(TINY.replace(shared_encoder=True)).eval()
    export_model(model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.key_encoder is loaded.query_encoder
    two_dir = tmp_path / "two"
    export_model(SampleMatchModel(TINY), two_dir)
    assert (tmp_path / "weights.safetensors").stat().st_size < (two_dir / "weights.safetensors").stat().st_size


def test_loader_refuses_bad_folders(tmp_path):
    with pytest.raises(WeightsError, match="no model config"):
        load_model(tmp_path)
    export_model(SampleMatchModel(TINY), tmp_path)
    doc = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**doc, "format_version": 99}))
    with pytest.raises(WeightsError, match="format version"):
        read_config(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps(doc))
    (tmp_path / "weights.safetensors").write_bytes(b"\x00" * 100)
    with pytest.raises(WeightsError, match="unreadable weights"):
        load_model(tmp_path)


def test_loader_explains_configs_that_do_not_fit(tmp_path):
    export_model(SampleMatchModel(TINY), tmp_path)
    doc = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text("[1, 2]")
    with pytest.raises(WeightsError, match="not a model config"):
        load_model(tmp_path)
    unknown = json.loads(json.dumps(doc))
    unknown["config"]["encoder"]["backbone"] = "no_such_net"
    (tmp_path / "config.json").write_text(json.dumps(unknown))
    with pytest.raises(WeightsError, match="cannot build"):
        load_model(tmp_path)
    wider = json.loads(json.dumps(doc))
    wider["config"]["encoder"]["embed_dim"] = 128
    (tmp_path / "config.json").write_text(json.dumps(wider))
    with pytest.raises(WeightsError, match="does not match its config"):
        load_model(tmp_path)


def test_loading_never_unpickles(tmp_path):
    """A pickle bomb named like the weights is rejected, not executed."""
    import pickle

    export_model(SampleMatchModel(TINY), tmp_path)

    class Bomb:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    (tmp_path / "weights.safetensors").write_bytes(pickle.dumps(Bomb()))
    with pytest.raises(WeightsError):
        load_model(tmp_path)
    assert not (tmp_path / "pwned").exists()


def test_key_window_pads_and_crops():
    assert fit_key(np.ones(10, np.float32), 16).tolist() == [1] * 10 + [0] * 6
    assert fit_key(np.ones(20, np.float32), 16).tolist() == [1] * 16


def test_excerpt_starts_spread_over_the_region():
    assert excerpt_starts(1000, 100, 10) == list(range(0, 901, 100))
    assert excerpt_starts(1000, 100, 3, region=(200, 600)) == [200, 350, 500]
    assert excerpt_starts(1000, 100, 10, region=(500, 550)) == [500]


def test_query_is_the_mean_of_its_excerpt_encodings():
    model = SampleMatchModel(TINY).eval()
    emb = torch_embedder(model)
    rng = np.random.default_rng(0)
    wave = rng.standard_normal(TINY.query_samples * 5).astype(np.float32) * 0.1
    q = emb.embed_query(wave, excerpts=4)
    step = (len(wave) - TINY.query_samples) / 3
    parts = np.stack([wave[int(round(i * step)):][:TINY.query_samples] for i in range(4)])
    with torch.no_grad():
        expected = model.encode_query(torch.from_numpy(parts)).mean(0).numpy()
    assert np.allclose(q, expected, atol=1e-5)
    keys = emb.embed_keys([wave[:1000], wave[:50000]])
    assert keys.shape == (2, 256) and np.isfinite(keys).all()


def test_padded_one_shot_shortcut_gives_the_same_spectrogram():
    fe = LogMel(FrontEndConfig())
    wave = torch.zeros(2, 44100 * 4)
    wave[:, :5000] = torch.randn(2, 5000)
    full, short = fe.power_mel(wave), fe.power_mel(wave, active=5000)
    assert short.shape == full.shape and torch.allclose(short, full, rtol=1e-5, atol=1e-7)


def test_keys_are_embedded_the_same_whatever_their_batch():
    model = SampleMatchModel(TINY).eval()
    rng = np.random.default_rng(3)
    waves = [rng.standard_normal(n).astype(np.float32) for n in (300, 90000, 4000, 200000, 12)]
    together = torch_embedder(model, key_batch=2).embed_keys(waves)
    with torch.no_grad():
        alone = [model.encode_key(torch.from_numpy(fit_key(w, TINY.key_samples))[None])[0].numpy()
                 for w in waves]
    assert np.allclose(together, np.stack(alone), atol=1e-4)

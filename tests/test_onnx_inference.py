"""ONNX Runtime inference: the numpy front end gives the torch front end's numbers, the exported encoders give
torch's embeddings and ranking on real audio, exports are stamped and checked, the backend is chosen as the
README says, and the app and the CLI run the ONNX model without importing torch."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from model import EncoderConfig, FrontEndConfig, ModelConfig, SampleMatchModel
from model.frontend import LogMel
from model.inference_onnx import ONNX_FILES, open_encoder
from model.logmel_numpy import NumpyLogMel
from model.melbank import slaney_mel_basis
from model.weights import export_model, read_config
from samplematch_gui import engine
from samplematch_gui.cli import main
from samplematch_gui.demo import build_demo
from samplematch_gui.engine import ModelMissingError, load_embedder
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.scanner import scan_library
from training.cli import main as train_main
from training.export import export_onnx

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "resources" / "model"


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory, tiny_weights) -> Path:
    """The tiny test model with its ONNX encoders, written by the export command."""
    out = tmp_path_factory.mktemp("onnx") / "model"
    shutil.copytree(tiny_weights, out)
    assert train_main(["export", "--onnx-only", str(out)]) == 0
    return out


def test_the_slaney_basis_is_nnaudios_bit_for_bit():
    from nnAudio.utils import get_mel

    for sr, n_fft, n_mels, lo, hi in ((44100, 2048, 128, 0.0, 22050.0), (32000, 1024, 64, 20.0, 15000.0),
                                      (16000, 512, 40, 0.0, 8000.0)):
        assert np.array_equal(slaney_mel_basis(n_mels, n_fft, sr, lo, hi),
                              get_mel(sr, n_fft, n_mels, lo, hi, htk=False, norm=1))


@pytest.mark.parametrize("cfg", [FrontEndConfig(), FrontEndConfig.efficientat()], ids=["default", "efficientat"])
def test_the_numpy_front_end_gives_the_torch_front_ends_numbers(cfg, tmp_path):
    rng = np.random.default_rng(0)
    decay = np.exp(-np.arange(30000) / 3000)
    hits = np.zeros((3, 60000), np.float32)
    hits[:, :30000] = rng.standard_normal((3, 30000)) * decay  # zero from 30000 on: a padded one-shot
    mix = (0.3 * rng.standard_normal((2, 60000))).astype(np.float32)
    ours, theirs = NumpyLogMel(cfg), LogMel(cfg)
    with torch.no_grad():
        for wave, active in ((mix, None), (hits, 30000), (hits, None)):
            want = theirs(torch.from_numpy(wave), active).numpy()
            got = ours(wave, active)
            assert got.shape == want.shape and got.dtype == np.float32
            assert np.abs(got - want).max() < 1e-3, np.abs(got - want).max()
    # The silent tail is skipped without changing the numbers (beyond the matrix product's rounding).
    assert np.allclose(ours(hits, 30000), ours(hits), rtol=0, atol=1e-5)


def test_onnx_and_torch_give_the_same_embeddings_and_ranking_on_real_audio(tmp_path):
    """The bundled model on the demo library (Debian's drum kits where installed) and its bounce."""
    demo = build_demo(tmp_path / "demo")
    assert demo.count >= 20
    results = {}
    for backend in ("onnx", "torch"):
        embedder = load_embedder(BUNDLED, backend)
        assert embedder.backend == backend
        with LibraryDB(tmp_path / f"{backend}.sqlite3") as db:
            summary = scan_library(db, [db.add_folder(demo.folder)], embedder)
            assert summary.indexed == demo.count and not summary.errors
            rows, matrix = db.embeddings(embedder.model_id)
        order = np.argsort([r.path for r in rows])
        query = engine.query_vector(embedder, demo.bounce)
        results[backend] = (np.array([rows[i].path for i in order]), matrix[order], query)
    (paths_o, keys_o, query_o), (paths_t, keys_t, query_t) = results["onnx"], results["torch"]
    assert list(paths_o) == list(paths_t)
    assert cosines(keys_o, keys_t).min() >= 0.9999
    assert cosines(query_o, query_t) >= 0.9999

    def ranking(keys, query):
        unit = keys / np.linalg.norm(keys, axis=1, keepdims=True)
        return np.argsort(-(unit @ (query / np.linalg.norm(query))), kind="stable")

    assert list(ranking(keys_o, query_o)) == list(ranking(keys_t, query_t))


def test_the_bundled_onnx_encoders_are_the_bundled_weights():
    """Stamped with config.json's model id (re-export with `samplematch-train export --onnx-only DIR`)."""
    cfg = read_config(BUNDLED)
    for role in ONNX_FILES:
        session = open_encoder(BUNDLED, cfg, role)
        assert session.get_modelmeta().custom_metadata_map["role"] == role


def test_an_export_takes_any_batch_and_gives_torchs_numbers(tiny_onnx):
    model = SampleMatchModel(read_config(tiny_onnx))
    state = load_embedder(tiny_onnx, "torch").encoders.model.state_dict()
    model.load_state_dict(state)
    onnx = load_embedder(tiny_onnx, "onnx")
    rng = np.random.default_rng(3)
    for n in (1, 5):
        keys = [rng.standard_normal(int(rng.integers(500, 60000))).astype(np.float32) for _ in range(n)]
        from model.inference_torch import torch_embedder

        assert cosines(onnx.embed_keys(keys), torch_embedder(model).embed_keys(keys)).min() >= 0.9999


def test_stale_or_damaged_onnx_encoders_are_refused_with_the_command_that_fixes_them(tmp_path, tiny_onnx,
                                                                                     sample_library, capsys):
    stale = tmp_path / "stale"
    shutil.copytree(tiny_onnx, stale)
    torch.manual_seed(5)  # new weights, a new model id; the old ONNX files stay behind
    export_model(SampleMatchModel(read_config(tiny_onnx)).eval(), stale, name="retrained")
    with pytest.raises(ModelMissingError, match=r"key_encoder.onnx was exported from model .*export --onnx-only"):
        load_embedder(stale, "onnx", open_now=True)
    assert main(["index", str(sample_library), "--db", str(tmp_path / "db"), "--weights", str(stale)]) == 1
    err = capsys.readouterr().err
    assert "key_encoder.onnx was exported from model" in err and len(err.strip().splitlines()) == 1
    (stale / ONNX_FILES["key"]).write_bytes(b"not an onnx file")
    with pytest.raises(ModelMissingError, match=r"unreadable ONNX encoder .*key_encoder.onnx"):
        load_embedder(stale, "onnx", open_now=True)


def test_the_backend_is_onnx_where_exported_else_torch_and_says_why_when_neither_runs(tmp_path, tiny_weights,
                                                                                    tiny_onnx, monkeypatch):
    assert load_embedder(tiny_onnx).backend == "onnx"
    assert load_embedder(tiny_weights).backend == "torch"  # only safetensors, torch installed: the fallback
    with pytest.raises(ModelMissingError, match=r"no key_encoder.onnx or query_encoder.onnx .*--onnx-only"):
        load_embedder(tiny_weights, "onnx")
    monkeypatch.setattr(engine, "_torch_installed", lambda: False)
    with pytest.raises(ModelMissingError, match=r"has no ONNX encoders, and torch.* is not installed") as info:
        load_embedder(tiny_weights)
    assert "\n" not in str(info.value)
    with pytest.raises(ModelMissingError, match="--backend torch needs torch"):
        load_embedder(tiny_onnx, "torch")


def test_the_cli_ranks_alike_on_either_backend(tmp_path, sample_library, bounce, tiny_onnx, capsys):
    db = tmp_path / "lib.sqlite3"
    assert main(["index", str(sample_library), "--db", str(db), "--weights", str(tiny_onnx)]) == 0
    ranked = {}
    for backend in ("onnx", "torch"):
        capsys.readouterr()
        assert main(["rank", str(bounce), "--db", str(db), "--weights", str(tiny_onnx), "--backend", backend,
                     "--json", "--top", "0"]) == 0
        ranked[backend] = json.loads(capsys.readouterr().out)
    assert [r["path"] for r in ranked["onnx"]] == [r["path"] for r in ranked["torch"]]
    assert np.allclose([r["score"] for r in ranked["onnx"]], [r["score"] for r in ranked["torch"]], atol=1e-4)


def test_the_app_and_the_cli_run_the_onnx_model_without_torch(tmp_path):
    """The modules the app and the CLI import, an ONNX embedding and a query: torch, timm, torchvision, nnAudio
    and scipy (the train extra) are never imported."""
    hit = tmp_path / "hit.wav"
    sf.write(hit, (np.random.default_rng(0).standard_normal(20000) * 0.3).astype(np.float32), 44100)
    code = f"""
import sys
import samplematch_gui.cli, samplematch_gui.ui.app, samplematch_gui.ui.main_window
from model.audio import load
from samplematch_gui.engine import load_embedder, query_vector
embedder = load_embedder({str(BUNDLED)!r})
keys = embedder.embed_keys([load({str(hit)!r}, embedder.sample_rate)])
query = query_vector(embedder, {str(hit)!r})
heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'timm', 'torchvision', 'nnAudio', 'scipy'))
print(embedder.backend, keys.shape, query.shape, heavy)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}).stdout.strip()
    assert out == "onnx (1, 256) (256,) []"


def test_export_writes_both_encoders_with_a_checked_stamp(tmp_path, tiny_weights):
    torch.manual_seed(0)
    model = SampleMatchModel(ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=0.5))
    cfg = export_model(model.eval(), tmp_path, name="half-second-keys")
    written = export_onnx(model, tmp_path, cfg.model_id)
    assert sorted(p.name for p in written) == sorted(ONNX_FILES.values())
    embedder = load_embedder(tmp_path, "onnx")
    embedder.open()
    assert embedder.key_seconds == 0.5 and embedder.embed_keys([np.ones(100, np.float32)]).shape == (1, 256)

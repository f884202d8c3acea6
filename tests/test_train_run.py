"""Tiny real runs on a 6-song synthetic corpus: 2-process DDP on gloo, checkpoint/resume, and the whole
bundle command (train -> best checkpoint -> evaluate -> export -> load through model.weights -> embed)."""
import dataclasses
import json
import os
import shutil
import socket
import threading

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from model.config import EncoderConfig, ModelConfig
from model.inference_torch import torch_embedder
from model.weights import load_model, read_config
from tests.test_devset_eval import write_devset
from training import checkpoint
from training.cli import main
from training.config import TrainConfig
from training.trainer import train


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    assert main(["build-corpus", "--out", str(out), "--songs", "6", "--synthetic"]) == 0
    return out


def tiny(corpus, run_dir, **changes) -> TrainConfig:
    base = TrainConfig(corpus=str(corpus), run_dir=str(run_dir),
                       model=ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0),
                       batch_size=3, max_steps=2, eval_every=1000, checkpoint_every=1000, threads=1, seed=5)
    return base.replace(**changes)


def _ddp_worker(rank: int, cfg: TrainConfig, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE="2")
    result = train(cfg)
    torch.save({k: v.clone() for k, v in result.model.state_dict().items()}, os.path.join(out, f"rank{rank}.pt"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_gloo_processes_train_in_lockstep(corpus, tmp_path):
    cfg = tiny(corpus, tmp_path / "run", device="cpu")
    mp.spawn(_ddp_worker, args=(cfg, free_port(), str(tmp_path)), nprocs=2, join=True)
    a, b = (torch.load(tmp_path / f"rank{r}.pt") for r in (0, 1))
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name
    state = checkpoint.load(tmp_path / "run" / checkpoint.LAST)
    assert state["step"] == 2 and state["world"] == 2 and len(state["ranks"]) == 2
    initial = tiny(corpus, tmp_path / "unused")  # weights moved away from a fresh init
    from model.encoders import SampleMatchModel
    torch.manual_seed(initial.seed)
    fresh = SampleMatchModel(initial.model).state_dict()
    assert any(not torch.equal(fresh[k], a[k]) for k in a if a[k].is_floating_point())


def test_resume_continues_exactly_where_the_checkpoint_left_off(corpus, tmp_path):
    straight = train(tiny(corpus, tmp_path / "straight", max_steps=4))
    tiny_first = tiny(corpus, tmp_path / "resumed", max_steps=2)
    train(tiny_first)
    resumed = train(tiny_first.replace(max_steps=4, resume=True))
    assert resumed.steps == straight.steps == 4
    sa, sb = straight.model.state_dict(), resumed.model.state_dict()
    for name in sa:
        assert torch.allclose(sa[name].float(), sb[name].float(), atol=1e-6), name
    a = checkpoint.load(tmp_path / "straight" / checkpoint.LAST)
    b = checkpoint.load(tmp_path / "resumed" / checkpoint.LAST)
    assert a["ranks"][0]["sampler"] == b["ranks"][0]["sampler"]
    assert torch.equal(a["ranks"][0]["gen"], b["ranks"][0]["gen"])


def test_settings_that_cannot_train_are_refused_in_one_line(corpus, tmp_path, capsys):
    assert main(["train", "--corpus", str(corpus), "--run-dir", str(tmp_path / "run"), "--batch-size", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert "batch size must be at least 2" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_a_stop_request_saves_the_step_it_stopped_at(corpus, tmp_path):
    with_val = tmp_path / "corpus"
    shutil.copytree(corpus, with_val)
    for path in sorted(with_val.glob("songs/*/song.json"))[:2]:  # validation runs at the end of a run
        path.write_text(json.dumps(json.loads(path.read_text()) | {"split": "val"}))
    stop = threading.Event()

    def progress(done, total, text):
        if text.startswith("loss") and done == 3:
            stop.set()  # what Ctrl-C does (training.progress.cancel_on_signals)

    cfg = tiny(with_val, tmp_path / "run", max_steps=100, checkpoint_every=2, eval_every=50, eval_queries=2)
    assert train(cfg, progress, stop).steps == 3
    assert checkpoint.load(tmp_path / "run" / checkpoint.LAST)["step"] == 3


def test_bundle_trains_evaluates_exports_and_the_app_can_load_it(corpus, tmp_path):
    out, run = tmp_path / "model", tmp_path / "run"
    dev = write_devset(tmp_path / "dev")
    assert main(["bundle", "--corpus", str(corpus), "--dev", str(dev), "--run-dir", str(run), "--out", str(out),
                 "--pretrained", "none", "--backbone", "test_efficientnet", "--key-seconds", "1.0",
                 "--batch-size", "3", "--steps", "3", "--test-queries", "2", "--notes", "tiny test run"]) == 0
    metrics = json.loads((run / "test_metrics.json").read_text())
    dev_metrics = metrics.pop("dev")
    for key in ("like", "dev_like", "dev_like/hits"):       # the sounds-like tables, where the sets allow them
        metrics.pop(key, None)
    assert set(metrics) == set(dev_metrics) == {"SampleMatch", "untrained encoder", "log-mel statistics"}
    assert all(0 < m["R_mn"] < 1 for kinds in dev_metrics.values() for m in kinds.values())
    for kinds in metrics.values():
        for m in kinds.values():
            for name in ("R_mn", "R_md", "L_q", "L_k"):
                assert 0.0 <= m[name] <= 1.0, (name, m)
            assert np.isfinite(m["X"])
    cfg = read_config(out)
    assert cfg.encoder.backbone == "test_efficientnet" and cfg.key_seconds == 1.0
    assert cfg.model_id.startswith("test_efficientnet-")
    card = (out / "MODEL_CARD.md").read_text()
    assert "R_mn" in card and "CC0" in card and "tiny test run" in card and "Key window: 1 s" in card
    assert "## Real-music dev set" in card and "validation and dev-set R_mn" in card
    from model.mix_hits import load_hit_matching
    assert load_hit_matching(out, cfg.model_id).info["dev_sweep"]    # and its hit matching, weighed on the dev set
    embedder = torch_embedder(load_model(out))
    keys = embedder.embed_keys([np.random.default_rng(0).standard_normal(20000).astype(np.float32)] * 2)
    query = embedder.embed_query(np.random.default_rng(1).standard_normal(44100 * 6).astype(np.float32))
    assert keys.shape == (2, 256) and query.shape == (256,)
    assert np.isfinite(keys).all() and np.isfinite(query).all()


def test_class_conditioned_queries_train_and_evaluate_per_key_class(corpus, tmp_path):
    from model.conditioning import DRUM_CLASSES
    from training.corpus.layout import load_corpus
    from training.embedders import ModelEmbedder
    from training.evaluate import EvalConfig, evaluate

    model_cfg = ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet"), key_seconds=1.0,
                            query_classes=DRUM_CLASSES)
    result = train(tiny(corpus, tmp_path / "run", model=model_cfg))
    songs = [dataclasses.replace(s, split="test") for s in load_corpus(corpus)[1]]
    metrics = evaluate(songs, {"m": ModelEmbedder(result.model)},
                       EvalConfig.for_model(model_cfg, split="test", queries_per_song=2))
    for m in metrics["m"].values():
        assert 0 < m.R_mn <= 1 and np.isfinite(m.X)


def test_like_queries_train_validate_evaluate_export_and_load(corpus, tmp_path):
    from model.conditioning import DRUM_CLASSES, QUERY_MODES, mode_block
    from samplematch_gui.engine import load_embedder

    dev = write_devset(tmp_path / "dev")
    run, out, metrics = tmp_path / "run", tmp_path / "model", tmp_path / "metrics.json"
    assert main(["train", "--corpus", str(corpus), "--dev", str(dev), "--run-dir", str(run), "--backbone",
                 "test_efficientnet", "--key-seconds", "1.0", "--batch-size", "3", "--steps", "2",
                 "--eval-every", "2", "--threads", "1", "--like-queries", "0.5"]) == 0
    best = checkpoint.load(run / checkpoint.BEST)
    assert 0 < best["dev_like"]["all"]["R_mn"] < 1      # validation measured the "sounds like" task
    assert main(["evaluate", "--checkpoint", str(run / checkpoint.BEST), "--corpus", str(corpus), "--split",
                 "train", "--dev", str(dev), "--queries", "2", "--json", str(metrics)]) == 0
    saved = json.loads(metrics.read_text())
    for key in ("like", "dev_like"):   # (the dev set's identical cut hits have no rival: that table is skipped)
        assert set(saved[key]) == {"SampleMatch (sounds like)", "SampleMatch (fit ranking)"}
        assert all(0 < m["R_mn"] <= 1 for kinds in saved[key].values() for m in kinds.values())
    assert main(["export", "--checkpoint", str(run / checkpoint.BEST), "--corpus", str(corpus), "--out", str(out),
                 "--metrics", str(metrics)]) == 0
    cfg = read_config(out)
    assert cfg.query_modes == QUERY_MODES
    wave = np.random.default_rng(2).standard_normal(44100 * 6).astype(np.float32)
    onnx_query, torch_query = (load_embedder(out, backend).embed_query(wave) for backend in ("onnx", "torch"))
    assert onnx_query.shape == torch_query.shape == (2 * len(DRUM_CLASSES), 256)
    like = mode_block(onnx_query, cfg.query_modes, cfg.query_classes, "like")
    assert np.allclose(like, mode_block(torch_query, cfg.query_modes, cfg.query_classes, "like"), atol=1e-3)


def test_hit_views_train_and_fit_hits_gives_the_exported_model_its_hit_matching(corpus, tmp_path, capsys):
    from model.mix_hits import load_hit_matching
    from training.fit_hits import WEIGHTS

    dev = write_devset(tmp_path / "dev")
    run, out, metrics = tmp_path / "run", tmp_path / "model", tmp_path / "metrics.json"
    assert main(["train", "--corpus", str(corpus), "--run-dir", str(run), "--backbone", "test_efficientnet",
                 "--key-seconds", "1.0", "--batch-size", "3", "--steps", "2", "--threads", "1",
                 "--hit-views", "1.0", "--hit-cuts", "0.5", "--class-batches", "0.5"]) == 0
    state = checkpoint.load(run / checkpoint.LAST)
    assert state["step"] == 2 and state["config"]["loss"]["hit_weight"] == 1.0
    assert state["config"]["hit_cut_p"] == 0.5 and state["config"]["class_batch_p"] == 0.5
    assert main(["export", "--checkpoint", str(run / checkpoint.LAST), "--corpus", str(corpus), "--out",
                 str(out)]) == 0
    card = (out / "MODEL_CARD.md").read_text()
    assert "hit views (each one-shot heard inside its query's mix) at weight 1, 50% of them cut short" in card
    assert "50% of the batches from one drum class" in card
    capsys.readouterr()
    assert main(["fit-hits", "--model", str(out), "--corpus", str(corpus), "--dev", str(dev), "--threads", "1"]) == 0
    printed = capsys.readouterr().out
    matching = load_hit_matching(out, read_config(out).model_id)
    assert matching.fit_weight in WEIGHTS and set(matching.info["dev_sweep"]) == {str(w) for w in WEIGHTS}
    assert len(matching.song_starts) == len(matching.info["reference_songs"]) > 0
    assert f"fit weight {matching.fit_weight:g})" in printed
    assert main(["evaluate", "--model", str(out), "--dev", str(dev), "--json", str(metrics)]) == 0
    saved = json.loads(metrics.read_text())
    assert set(saved["dev"]) == {"SampleMatch", "SampleMatch, query only"}
    assert {"SampleMatch (hit matching)", "SampleMatch (fit ranking)"} <= set(saved["dev_like"])
    fused, alone = saved["dev"]["SampleMatch"]["all"]["R_mn"], saved["dev"]["SampleMatch, query only"]["all"]["R_mn"]
    assert fused == pytest.approx(matching.info["dev_sweep"][str(matching.fit_weight)]["all"], abs=1e-6)
    assert alone == pytest.approx(matching.info["dev_sweep"]["0.0"]["all"], abs=1e-6)

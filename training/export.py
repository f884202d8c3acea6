"""Checkpoint -> the weights folder model/ loads (safetensors + config.json + the two encoders as ONNX) plus
MODEL_CARD.md. `samplematch-train export --onnx-only DIR` writes the ONNX encoders of an exported folder again
from its safetensors (how the bundled model's were made)."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

from model.config import FORMAT_VERSION
from model.encoders import SampleMatchModel
from model.inference_onnx import INPUT_NAME, ONNX_FILES, OUTPUT_NAME, encoder_input_shape, open_encoder
from model.weights import WEIGHTS_FILE, export_model, load_model, read_config
from training import checkpoint
from training.config import TrainConfig
from training.evaluate import Metrics

MAX_WEIGHTS_BYTES = 40 * 1024 * 1024
# An exported encoder must give torch's embeddings: the worst cosine over a random batch.
MIN_EXPORT_COSINE = 0.99999


def export_onnx(model: SampleMatchModel, out_dir: str | Path, model_id: str) -> list[Path]:
    """Write key_encoder.onnx and query_encoder.onnx (normalised log-mel -> embedding, any batch size) into
    out_dir, each stamped with model_id and checked against torch in ONNX Runtime; returns their paths."""
    out = Path(out_dir)
    model = model.eval().cpu()
    cfg = model.cfg.replace(model_id=model_id)
    written = []
    for role, encoder in (("key", model.key_encoder), ("query", model.query_encoder)):
        example = torch.randn(3, *encoder_input_shape(cfg, role), generator=torch.Generator().manual_seed(0))
        program = torch.onnx.export(encoder, (example,), input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                                    dynamic_shapes=({0: torch.export.Dim("batch")},), dynamo=True, verbose=False)
        assert program is not None  # dynamo=True always returns an ONNXProgram
        program.model.metadata_props.update(model_id=model_id, role=role, format_version=str(FORMAT_VERSION))
        path = out / ONNX_FILES[role]
        program.save(str(path), external_data=False)
        _check_export(encoder, open_encoder(out, cfg, role, threads=1), example, path)
        written.append(path)
    return written


def _check_export(encoder: torch.nn.Module, session, example: torch.Tensor, path: Path) -> None:
    with torch.inference_mode():
        want = encoder(example).numpy()
    got = session.run([OUTPUT_NAME], {INPUT_NAME: example.numpy()})[0]
    cosine = (want * got).sum(-1) / np.maximum(np.linalg.norm(want, axis=-1) * np.linalg.norm(got, axis=-1), 1e-12)
    if not cosine.min() >= MIN_EXPORT_COSINE:
        path.unlink()
        raise ValueError(f"the ONNX export {path.name} does not give torch's embeddings "
                         f"(cosine {cosine.min():.6f}); it was not written")


def export_onnx_only(weights_dir: str | Path) -> list[Path]:
    """(Re)write the ONNX encoders of an exported folder from its weights.safetensors and config.json."""
    return export_onnx(load_model(weights_dir), weights_dir, read_config(weights_dir).model_id)


def load_checkpoint_model(path: str | Path) -> tuple[SampleMatchModel, TrainConfig, dict]:
    state = checkpoint.load(path)
    cfg = TrainConfig.from_dict(state["config"])
    model = SampleMatchModel(cfg.model)
    model.load_state_dict(state["model"])
    return model.eval(), cfg, state


def export_checkpoint(ckpt: str | Path, out_dir: str | Path, metrics: Mapping[str, Mapping[str, Metrics]] | None = None,
                      corpus_meta: Mapping | None = None, split_counts: Mapping[str, int] | None = None,
                      notes: str = "", dev_metrics: Mapping[str, Mapping[str, Mapping]] | None = None,
                      like_metrics: Mapping[str, Mapping] | None = None) -> Path:
    """Write weights + config + ONNX encoders + MODEL_CARD.md into out_dir; returns out_dir. Refuses weights
    > 40 MB."""
    model, cfg, state = load_checkpoint_model(ckpt)
    out = Path(out_dir)
    summary = {"steps": state["step"], "train_seconds": round(state["elapsed"], 1),
               "hardware": state.get("hardware", ""), "best_step": state.get("best_step", state["step"]),
               "val": state.get("val", {})}
    exported = export_model(model, out, extra={"training": summary})
    size = (out / WEIGHTS_FILE).stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise ValueError(f"exported weights are {size / 2**20:.1f} MB, more than the 40 MB allowed")
    export_onnx(model, out, exported.model_id)
    params = sum(p.numel() for p in model.parameters())
    card = model_card(exported.model_id, cfg, state, metrics or {}, corpus_meta or {}, split_counts or {},
                      params, size, notes, dev_metrics or {}, like_metrics or {})
    (out / "MODEL_CARD.md").write_text(card)
    return out


def _metrics_rows(metrics: Mapping[str, Mapping[str, Metrics]]) -> list[str]:
    rows = ["| Variant | X (full) | R_mn (full) | R_md (full) | L_q (full) | L_k (full) "
            "| X (sparse) | R_mn (sparse) | R_md (sparse) | L_q (sparse) | L_k (sparse) |",
            "|---|" + "---:|" * 10]
    for name, kinds in metrics.items():
        cells = [f"{m.X:.3f} | {m.R_mn:.3f} | {m.R_md:.3f} | {m.L_q:.4f} | {m.L_k:.4f}"
                 for m in (kinds["full"], kinds["sparse"])]
        rows.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return rows


def _dev_rows(dev: Mapping[str, Mapping[str, Mapping]]) -> list[str]:
    """dev: {variant: {evaluate_dev result key: DevMetrics as a dict}}; R_mn / R_md per library and query."""
    rows = ["| Variant | Library | R_mn (no-drums mix) | R_md (no-drums mix) | R_mn (all tracks) | R_md (all tracks) |",
            "|---|---|---:|---:|---:|---:|"]
    for name, kinds in dev.items():
        for library, suffix in (("the songs' drum sample files", ""), ("hits cut from the drum tracks", "/hits")):
            if f"all{suffix}" in kinds:
                nodrums, full = kinds[f"nodrums{suffix}"], kinds[f"all{suffix}"]
                rows.append(f"| {name} | {library} | {nodrums['R_mn']:.3f} | {nodrums['R_md']:.3f} "
                            f"| {full['R_mn']:.3f} | {full['R_md']:.3f} |")
    return rows


def _like_rows(like: Mapping[str, Mapping]) -> list[str]:
    """like: {evaluate_like_sets key: {variant: {kind: LikeMetrics as a dict}}}; R_mn / R_md per set and query."""
    titles = {"like": "test split", "dev_like": "dev set, drum sample files", "dev_like/hits": "dev set, cut hits"}
    rows = ["| Set | Variant | R_mn (all stems) | R_md (all stems) | R_mn (class stem + accompaniment) "
            "| R_md (class stem + accompaniment) |", "|---|---|---:|---:|---:|---:|"]
    for key, variants in like.items():
        for name, kinds in variants.items():
            rows.append(f"| {titles.get(key, key)} | {name} | {kinds['all']['R_mn']:.3f} | {kinds['all']['R_md']:.3f} "
                        f"| {kinds['stem']['R_mn']:.3f} | {kinds['stem']['R_md']:.3f} |")
    return rows


def model_card(model_id: str, cfg: TrainConfig, state: Mapping, metrics: Mapping[str, Mapping[str, Metrics]],
               corpus_meta: Mapping, split_counts: Mapping[str, int], params: int, weights_bytes: int,
               notes: str, dev_metrics: Mapping[str, Mapping[str, Mapping]] | None = None,
               like_metrics: Mapping[str, Mapping] | None = None) -> str:
    m = cfg.model
    hours = state["elapsed"] / 3600
    flags = {"two encoders": not m.shared_encoder, "pretrained init": m.encoder.init != "scratch",
             "augmentation": cfg.augment.enabled, "variance/covariance": cfg.loss.vreg,
             "sparse mixing": cfg.sparse_mix, "QSI-invariance": cfg.loss.qsi_invariance}
    lines = [
        f"# SampleMatch model card: `{model_id}`", "",
        "Two encoders map a 4-s excerpt of a (partial) mix and a drum one-shot to 256-d vectors; the score is "
        "their cosine (Lattner, *SampleMatch: drum sample retrieval by musical context*).", "",
        "## Model", "",
        f"- Backbone: `{m.encoder.backbone}`, initialised from {m.encoder.init}, "
        f"{'one shared encoder' if m.shared_encoder else 'two encoders'}, "
        f"linear head to {m.encoder.embed_dim} dims; {params / 1e6:.2f} M parameters, "
        f"weights {weights_bytes / 2**20:.1f} MB.",
        f"- Front end: log-mel, {m.frontend.sample_rate} Hz, n_fft {m.frontend.n_fft}, hop {m.frontend.hop_length}, "
        f"{m.frontend.n_mels} {m.frontend.mel_scale} mels up to {m.frontend.f_max:.0f} Hz.",
        f"- Query window: {m.query_seconds:g} s ({m.query_excerpts} excerpts averaged per bounce in the app). "
        f"Key window: {m.key_seconds:g} s (one-shots are zero-padded or cut to it).",
        "- Queries: " + (f"one vector per drum class ({', '.join(m.query_classes)}) for each of the modes "
                         f"{', '.join(m.query_modes or ('fit',))}; a one-shot is scored by its class's vector"
                         + (f", {cfg.like_p:.0%} of the training pairs for 'like' (their query holds the key's "
                            "own stem)" if cfg.like_p else "") + "."
                         if m.query_classes else "one vector for every one-shot."),
        "- Training variant: " + ", ".join(f"{k} {'on' if v else 'off'}" for k, v in flags.items()) + ".",
        "",
        "## Training", "",
        f"- {state['step']} steps of {cfg.batch_size} pairs per process x {state.get('world', 1)} process(es), "
        f"Adam lr {cfg.lr:g}, weight decay {cfg.weight_decay:g}, tau {cfg.loss.temperature:g}, "
        f"gamma {cfg.loss.variance_weight:g}, delta {cfg.loss.covariance_weight:g}, eta {cfg.loss.norm_weight:g} (c = "
        f"{cfg.loss.norm_limit:g}); queries mixed in the {cfg.mixing} domain"
        + (f"; the key's own stem in {cfg.own_stem_p:.0%} of the queries" if cfg.own_stem_p else "")
        + (f"; hit views (each one-shot heard inside its query's mix) at weight {cfg.loss.hit_weight:g}, "
           f"{cfg.hit_cut_p:.0%} of them cut short" if cfg.loss.hit_weight else "")
        + (f"; {cfg.class_batch_p:.0%} of the batches from one drum class" if cfg.class_batch_p else "") + ".",
        f"- Training time: {hours:.2f} h on {state.get('hardware', 'unknown hardware')}; "
        f"this checkpoint is step {state['step']}; the best by "
        f"{'the mean of validation and dev-set' if cfg.dev_corpus else 'validation'} R_mn was step "
        f"{state.get('best_step', state['step'])}.",
    ]
    if split_counts:
        lines.append("- Songs per split: " + ", ".join(f"{k} {v}" for k, v in split_counts.items()) + ".")
    if notes:
        lines += ["", "## Choices", "", notes.strip()]
    lines += ["", "## Data sources and licences", ""]
    if "mn04" in m.encoder.init:  # from mn04 itself, or from a model that started from it
        lines += ["Initial weights: EfficientAT mn04_as (Schmid et al., \"Efficient Large-Scale Audio Tagging via "
                  "Transformer-to-CNN Knowledge Distillation\", ICASSP 2023), trained on AudioSet; MIT licence, "
                  "Copyright (c) 2022 Florian Schmid.", ""]
    sources = corpus_meta.get("sources", {})
    if sources:
        lines += ["| Source | Kind | Licence | Origin |", "|---|---|---|---|"]
        lines += [f"| {s.get('name', sid)} | {s.get('kind', '')} | {s.get('licence', '')} | {s.get('origin', '')} |"
                  for sid, s in sorted(sources.items())]
        credits = [(s.get("name", sid), s["attribution"]) for sid, s in sorted(sources.items()) if s.get("attribution")]
        if credits:
            lines += ["", "### Attributions", ""] + [f"- {name}: {text}" for name, text in credits]
    else:
        lines.append("(the corpus did not list its sources)")
    lines += ["", "## Test metrics", ""]
    if metrics:
        any_m = next(iter(next(iter(metrics.values())).values()))
        lines += [f"Test split: {any_m.queries} queries per kind, ranked among {any_m.candidates} one-shots. "
                  "R_mn / R_md: mean / median normalised rank of the true one-shot (lower is better, random = 0.5); "
                  "X: decoupled NT-Xent; L_q / L_k: k-NN (k=50) electronic/acoustic likelihood of queries / one-shots.",
                  ""] + _metrics_rows(metrics)
    else:
        lines.append("(not evaluated)")
    if dev_metrics:
        any_dev = next(iter(next(iter(dev_metrics.values())).values()))
        lines += ["", "## Real-music dev set", "",
                  f"Debian's lmms demo projects ({any_dev['songs']} songs written by people, rendered per track; "
                  "never trained on, and their drum samples are kept out of training). One query per song: the mean "
                  "of 10 4-s excerpts of the mix of its non-drum tracks, or of all its tracks; each drum sample the "
                  f"song plays is ranked among the {any_dev['candidates']} candidates that are not the song's other "
                  f"drum samples ({any_dev['pairs']} pairs; random = 0.5).", ""] + _dev_rows(dev_metrics)
    if like_metrics:
        lines += ["", "## Sounds like its drums", "",
                  "Per drum class, the one-shots a song plays are ranked among all one-shots of that class (mean "
                  "over the classes; random = 0.5) by the model's answer: its hit matching (the mix's cut hits, "
                  "model/mix_hits.py) or its query vector for that class; the query mixes all the song's stems, or "
                  "that class's stem and the accompaniment. The fit ranking beside it.",
                  ""] + _like_rows(like_metrics)
    lines += ["", "## Limitations", "",
              f"- {'Trained from scratch' if m.encoder.init == 'scratch' else 'Fine-tuned'} on a small, mostly "
              "generated corpus; scores reflect fit to that corpus, not human taste.",
              "- The model scores fit, not category: the app filters by drum category separately.", ""]
    return "\n".join(lines)

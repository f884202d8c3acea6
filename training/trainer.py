"""The training loop: pairs -> spectrograms -> both encoders -> loss; DDP, AMP, checkpoints, TensorBoard.

Run in one process, or under torchrun for several processes / GPUs / nodes (each process draws its own
batches of cfg.batch_size pairs; gradients are averaged by DDP). Validation (R_mn on the val split,
mean of full and sparse queries, and with cfg.dev_corpus the mean of that and the dev set's R_mn, and of
its "sounds like" R_mn (dev set, else val split) for a model with those queries) picks best.pt; last.pt is
rewritten every checkpoint_every steps.
"""
from __future__ import annotations

import platform
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from model.conditioning import class_indices, mode_offset
from model.config import ModelConfig
from model.encoders import SampleMatchModel
from model.frontend import LogMel
from training import checkpoint
from training.batches import BatchRenderer
from training.config import TrainConfig
from training.corpus.layout import load_corpus
from training.distributed import Dist, average_buffers, barrier, broadcast_flag, setup, teardown
from training.embedders import ModelEmbedder
from training.evaluate import EvalConfig, evaluate
from training.evaluate_dev import DevConfig, dev_mean, dev_metrics_to_dict, evaluate_devset, load_devset
from training.evaluate_like import LikeConfig, Variant, evaluate_like_set, like_metrics_to_dict, load_like_set
from training.features import FeatureStore, frames_for
from training.losses import samplematch_loss
from training.pairs import PairSampler
from training.warm_start import warm_start

Progress = Callable[[int, int, str], None]


@dataclass
class TrainResult:
    run_dir: Path
    model: SampleMatchModel
    steps: int
    seconds: float
    best_metric: float
    best_step: int


class PairModel(nn.Module):
    """One forward for both encoders, so DDP sees (and synchronises) every parameter."""

    def __init__(self, model: SampleMatchModel):
        super().__init__()
        self.model = model

    def forward(self, queries: torch.Tensor, keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.model.encode_query_spec(queries), self.model.encode_key_spec(keys)


def parameter_groups(model: SampleMatchModel, cfg: TrainConfig) -> list[dict]:
    """Heads (and anything else) at cfg.lr, backbones at lr * backbone_lr_scale; a scale of 0 freezes them."""
    backbone = {id(p) for enc in (model.query_encoder, model.key_encoder) for p in enc.backbone.parameters()}
    rest = [p for p in model.parameters() if id(p) not in backbone]
    groups = [{"params": rest, "lr": cfg.lr}]
    backbone_params = [p for p in model.parameters() if id(p) in backbone]
    if cfg.backbone_lr_scale > 0:
        groups.append({"params": backbone_params, "lr": cfg.lr * cfg.backbone_lr_scale})
    else:
        for p in backbone_params:
            p.requires_grad_(False)
    return groups


def hardware(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    n = torch.get_num_threads()
    return f"{platform.processor() or platform.machine()} CPU, {n} thread{'' if n == 1 else 's'}"


def feature_store(cfg: TrainConfig) -> FeatureStore:
    return FeatureStore(cfg.cache_dir or Path(cfg.corpus) / "mel_cache", cfg.model)


def validation_config(cfg: TrainConfig) -> EvalConfig:
    return EvalConfig(split="val", queries_per_song=cfg.eval_queries, query_samples=cfg.model.query_samples,
                      hop=cfg.model.frontend.hop_length, sample_rate=cfg.model.frontend.sample_rate,
                      loss_batch=cfg.batch_size, temperature=cfg.loss.temperature, seed=cfg.seed + 7919)


def like_validation_config(model: ModelConfig) -> LikeConfig:
    """The dev set's "sounds like" task with 3 excerpts a query instead of the app's 10, to validate quickly."""
    return LikeConfig(excerpts=3, query_samples=model.query_samples, sample_rate=model.frontend.sample_rate)


def train(cfg: TrainConfig, progress: Progress | None = None, cancel=None) -> TrainResult:
    """Train until max_steps, max_minutes or cancel; returns the final model (best.pt holds the best)."""
    d = setup(cfg.device)
    try:
        return Trainer(cfg, d, progress, cancel).run()
    finally:
        teardown(d)


class Trainer:
    def __init__(self, cfg: TrainConfig, d: Dist, progress: Progress | None, cancel):
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        self.cfg, self.d, self.progress, self.cancel = cfg, d, progress, cancel
        self.run_dir = Path(cfg.run_dir)
        random.seed(cfg.seed)
        np.random.seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        _, songs = load_corpus(cfg.corpus)
        self.train_songs = [s for s in songs if s.split == "train"]
        self.val_songs = [s for s in songs if s.split == "val"]
        # Decoded once: every validation reuses the dev set's excerpts and one-shots.
        dev_songs = load_corpus(cfg.dev_corpus)[1] if cfg.dev_corpus and d.main else None
        self.dev = load_devset(dev_songs, DevConfig.for_model(cfg.model)) if dev_songs else None
        # The "sounds like" task on the real songs, or without them on the val split.
        like_songs = dev_songs or self.val_songs
        self.like_dev = (load_like_set(like_songs, like_validation_config(cfg.model))
                         if like_songs and d.main and "like" in cfg.model.query_modes else None)
        if not self.train_songs:
            raise ValueError(f"no complete training songs in {cfg.corpus}")
        frontend = LogMel(cfg.model.frontend)
        store = feature_store(cfg) if cfg.mixing == "power" else None
        if store is not None and d.main:
            for problem in store.build(self.train_songs, self._phase("features"), cancel):
                print(f"skipped song {problem}")
        barrier(d)
        if store is not None:
            self.train_songs = [s for s in self.train_songs if store.has(s)]
        source_frames = cfg.augment.source_frames(frames_for(cfg.model.query_samples, cfg.model.frontend.hop_length),
                                                  cfg.model.frontend.sample_rate / cfg.model.frontend.hop_length)
        self.sampler = PairSampler(self.train_songs, cfg.batch_size, source_frames,
                                   cfg.model.frontend.hop_length, cfg.sparse_mix, cfg.loss.qsi_invariance,
                                   seed=int(np.random.SeedSequence([cfg.seed, d.rank]).generate_state(1)[0]),
                                   sample_rate=cfg.model.frontend.sample_rate, own_stem_p=cfg.own_stem_p,
                                   like_p=cfg.like_p, class_batch_p=cfg.class_batch_p)
        # Pair.song indexes the sampler's (usable) songs, so the renderer gets exactly that list.
        self.renderer = BatchRenderer(self.sampler.songs, cfg.model, cfg.augment, cfg.mixing, frontend, store,
                                      hit_cut_p=cfg.hit_cut_p)
        self.gen = torch.Generator().manual_seed(cfg.seed * 1000 + d.rank)
        self.model = SampleMatchModel(cfg.model, pretrained_file=cfg.pretrained_file or None).to(d.device)
        if d.device.type == "cpu":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.optimizer = torch.optim.Adam(parameter_groups(self.model, cfg), weight_decay=cfg.weight_decay)
        self.amp = cfg.amp and d.device.type == "cuda"
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.amp)
        self.step, self.elapsed, self.best_metric, self.best_step = 0, 0.0, float("inf"), 0
        self.started = time.time()
        if cfg.resume and (self.run_dir / checkpoint.LAST).is_file():
            self._restore(checkpoint.load(self.run_dir / checkpoint.LAST))
        elif cfg.init_from:
            with torch.no_grad():
                tiled = warm_start(self.model, cfg.init_from)
            if d.main:
                print(f"started from {cfg.init_from}" + (f" (tiled: {', '.join(tiled)})" if tiled else ""))
        pair_model = PairModel(self.model)
        self.net = (DistributedDataParallel(pair_model, device_ids=[d.device] if d.device.type == "cuda" else None)
                    if d.world > 1 else pair_model)
        self.writer = None
        if d.main:
            from torch.utils.tensorboard import SummaryWriter
            self.writer = SummaryWriter(str(self.run_dir / "tb"))

    def _phase(self, name: str) -> Progress | None:
        progress = self.progress
        if progress is None:
            return None
        return lambda done, total, text: progress(done, total, f"{name}: {text}")

    def _seconds(self) -> float:
        """Training wall time so far, including earlier runs this one resumed."""
        return self.elapsed + time.time() - self.started

    def _should_stop(self) -> bool:
        over_time = self.cfg.max_minutes > 0 and self._seconds() >= self.cfg.max_minutes * 60
        cancelled = self.cancel is not None and self.cancel.is_set()
        return broadcast_flag(self.d, over_time or cancelled)

    def run(self) -> TrainResult:
        cfg = self.cfg
        self.model.train()
        self.started, last_eval, last_saved = time.time(), self.step, self.step
        window_start, window_pairs = time.time(), 0
        while self.step < cfg.max_steps and not self._should_stop():
            terms = self._train_step()
            self.step += 1
            window_pairs += cfg.batch_size * self.d.world
            if self.d.main and (self.step % cfg.log_every == 0 or self.step == 1):
                assert self.writer is not None  # the main process has one
                rate = window_pairs / max(time.time() - window_start, 1e-9)
                for name, value in terms.items():
                    self.writer.add_scalar(f"train/{name}", value, self.step)
                self.writer.add_scalar("train/pairs_per_second", rate, self.step)
                window_start, window_pairs = time.time(), 0
            if self.progress and self.d.main:
                self.progress(self.step, cfg.max_steps, f"loss {terms['loss']:.3f} X {terms['contrastive']:.3f}")
            if self.step % cfg.eval_every == 0:
                self._validate()
                last_eval = self.step
            if self.step % cfg.checkpoint_every == 0:
                self._save()
                last_saved = self.step
        stopped_by_user = broadcast_flag(self.d, self.cancel is not None and self.cancel.is_set())
        if self.step != last_eval and not stopped_by_user:  # a stop request saves at once
            self._validate()
        if self.step != last_saved or self.step == 0:
            self._save()
        if self.writer:
            self.writer.close()
        return TrainResult(self.run_dir, self.model, self.step, self._seconds(),
                           self.best_metric, self.best_step)

    def _train_step(self) -> dict[str, float]:
        pairs = self.sampler.batch()
        q, k, song = self.renderer.render(pairs, self.gen)
        with_hits = self.cfg.loss.hit_weight > 0
        if with_hits:  # one key-encoder pass over the keys and their hit views
            k = torch.cat([k, self.renderer.render_hits(pairs, self.gen)])
        dev = self.d.device
        if dev.type == "cpu":
            q, k = (x.contiguous(memory_format=torch.channels_last) for x in (q, k))
        with torch.autocast(device_type=dev.type, dtype=torch.float16, enabled=self.amp):
            u, v = self.net(q.to(dev, non_blocking=True), k.to(dev, non_blocking=True))
        v, hits = (v[:len(pairs)], v[len(pairs):]) if with_hits else (v, None)
        key_class = query_offset = None
        model_cfg = self.cfg.model
        if model_cfg.query_classes:
            roles = [self.sampler.songs[p.song].oneshots[p.oneshot].role for p in pairs]
            key_class = torch.from_numpy(class_indices(model_cfg.query_classes, roles)).to(dev)
            like = mode_offset(model_cfg.query_modes, model_cfg.query_classes, "like") if self.cfg.like_p else 0
            query_offset = torch.tensor([like if p.like else 0 for p in pairs], device=dev)
        loss, terms = samplematch_loss(u.float(), v.float(), song.to(dev), self.cfg.loss, key_class, query_offset,
                                       None if hits is None else hits.float())
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return terms

    def _validate(self) -> None:
        """Rank 0 measures R_mn on the val split (mean of full and sparse) and, given a dev set, on its real
        songs (mean of nodrums and all), and the "sounds like" R_mn; best.pt follows the lowest mean of them."""
        average_buffers(self.d, self.model)
        if self.d.main and (self.val_songs or self.dev is not None or self.like_dev is not None):
            assert self.writer is not None  # the main process has one
            embedder = {"model": ModelEmbedder(self.model, self.d.device)}
            scores, record = [], {}
            if self.val_songs:
                results = evaluate(self.val_songs, embedder, validation_config(self.cfg), self._phase("validation"),
                                   self.cancel)["model"]
                scores.append((results["full"].R_mn + results["sparse"].R_mn) / 2)
                for kind, m in results.items():
                    for name in ("X", "R_mn", "R_md", "L_q", "L_k"):
                        self.writer.add_scalar(f"val_{kind}/{name}", getattr(m, name), self.step)
                self.writer.add_scalar("val/R_mn_mean", scores[-1], self.step)
                record["val"] = {kind: m.__dict__ for kind, m in results.items()}
            if self.dev is not None:
                dev = evaluate_devset(self.dev, embedder, self._phase("dev"), self.cancel)["model"]
                scores.append(dev_mean(dev))
                for kind, dev_m in dev.items():
                    self.writer.add_scalar(f"dev_{kind}/R_mn", dev_m.R_mn, self.step)
                    self.writer.add_scalar(f"dev_{kind}/R_md", dev_m.R_md, self.step)
                self.writer.add_scalar("dev/R_mn_mean", scores[-1], self.step)
                record["dev"] = dev_metrics_to_dict({"model": dev})["model"]
            if self.like_dev is not None:
                like = evaluate_like_set(self.like_dev, {"m": Variant(embedder["model"], "like")}, self.cancel)["m"]
                scores.append(like["all"].R_mn)
                for kind, like_m in like.items():
                    self.writer.add_scalar(f"dev_like_{kind}/R_mn", like_m.R_mn, self.step)
                record["dev_like"] = like_metrics_to_dict({"m": like})["m"]
            metric = float(np.mean(scores))
            self.writer.add_scalar("select/R_mn", metric, self.step)
            self.writer.flush()
            if metric < self.best_metric:
                self.best_metric, self.best_step = metric, self.step
                checkpoint.save(self.run_dir / checkpoint.BEST, self._state() | record)
        barrier(self.d)

    def _state(self) -> dict:
        return {"config": self.cfg.to_dict(), "model": self.model.state_dict(), "step": self.step,
                "optimizer": self.optimizer.state_dict(), "scaler": self.scaler.state_dict(),
                "elapsed": self._seconds(), "best_metric": self.best_metric,
                "best_step": self.best_step, "hardware": hardware(self.d.device), "world": self.d.world}

    def _save(self) -> None:
        average_buffers(self.d, self.model)
        per_rank = {"sampler": self.sampler.state_dict(), "gen": self.gen.get_state(), "rng": checkpoint.rng_state()}
        ranks: list[dict[str, object] | None] = [per_rank]
        if self.d.world > 1:
            ranks = [None] * self.d.world
            dist.all_gather_object(ranks, per_rank)
        if self.d.main:
            checkpoint.save(self.run_dir / checkpoint.LAST, self._state() | {"ranks": ranks})

    def _restore(self, state: dict) -> None:
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scaler.load_state_dict(state["scaler"])
        self.step, self.elapsed = state["step"], state["elapsed"]
        self.best_metric, self.best_step = state["best_metric"], state["best_step"]
        ranks = state["ranks"]
        if self.d.rank < len(ranks):  # a restart with more processes gives the new ranks fresh streams
            mine = ranks[self.d.rank]
            self.sampler.load_state_dict(mine["sampler"])
            self.gen.set_state(mine["gen"])
            checkpoint.set_rng_state(mine["rng"])

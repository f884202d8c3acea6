"""How far power-domain mixing (training's cheap path) is from true waveform mixing.

For random sparse-mix query excerpts of corpus songs: the model's log-mel input computed from the
waveform mix vs from the sum of the stems' mel powers. Differences come from the cross terms between
stems (phase interference within a mel band); they average out over many STFT bins per band.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from model.config import ModelConfig
from model.frontend import LogMel
from training.batches import read_excerpt
from training.corpus.layout import Song
from training.pairs import draw_pair, usable_oneshots

LOUD_RANGE_DB = 60.0


@torch.inference_mode()
def compare_mixing(songs: Sequence[Song], cfg: ModelConfig, excerpts: int = 200, seed: int = 0) -> dict:
    """Mean / median / 95th percentile |dB| difference of the model's log-mel, over all bins and over
    bins within 60 dB of the excerpt's loudest (what is audible in a mix)."""
    songs = [s for s in songs if usable_oneshots(s)]
    rng = np.random.default_rng(seed)
    frontend = LogMel(cfg.frontend)
    hop, frames = cfg.frontend.hop_length, cfg.query_samples // cfg.frontend.hop_length + 1
    rate = cfg.frontend.sample_rate
    all_diffs, loud_diffs = [], []
    for _ in range(excerpts):
        pair = draw_pair(rng, songs, int(rng.integers(len(songs))), frames, hop, sparse=True, sample_rate=rate)
        song = songs[pair.song]
        stems = np.stack([read_excerpt(song.stems[i].path, pair.start * hop, cfg.query_samples, rate)
                          for i in pair.stems])
        per_stem = frontend.power_mel(torch.from_numpy(stems))
        by_power = frontend.normalise(per_stem.sum(dim=0, keepdim=True))
        by_wave = frontend(torch.from_numpy(stems.sum(axis=0))[None])
        # The normalised log-mel is 0.25 * log10(power) + const, so 1 unit = 40 dB.
        diff_db = ((by_power - by_wave).abs() * 10 / cfg.frontend.log_scale).flatten().numpy()
        level_db = (by_wave * 10 / cfg.frontend.log_scale).flatten().numpy()
        all_diffs.append(diff_db)
        loud_diffs.append(diff_db[level_db >= level_db.max() - LOUD_RANGE_DB])
    every, loud = np.concatenate(all_diffs), np.concatenate(loud_diffs)
    return {"excerpts": excerpts,
            "mean_abs_db": float(every.mean()), "median_abs_db": float(np.median(every)),
            "p95_abs_db": float(np.percentile(every, 95)),
            "loud_mean_abs_db": float(loud.mean()), "loud_median_abs_db": float(np.median(loud)),
            "loud_p95_abs_db": float(np.percentile(loud, 95))}

"""Turn Pairs into model inputs: mixed query and key spectrograms, augmented, normalised.

mixing="power": sum the stems' precomputed mel power (cheap; ignores inter-stem phase).
mixing="wave":  read and sum the stems' samples, then the model's front end (exact, slower).
Both then share the spectrogram augmentations and the front end's log normalisation.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from model.audio import load, resample
from model.config import ModelConfig
from model.frontend import LogMel
from model.mix_hits import MIN_CUT_S
from model.windows import fit_key
from training.augment import AugmentConfig, Augmenter
from training.corpus.layout import Song
from training.features import FeatureStore, frames_for
from training.pairs import Pair

MIXING_MODES = ("power", "wave")
RESAMPLE_MARGIN = 64  # output samples read beyond each end, so the resampling filter's edges fall outside
ATTACK_S = 0.2        # the part of a one-shot its loudness in a mix is judged by
HIT_SNR_DB = (-6.0, 12.0)  # a hit's attack above the mix around it, drawn uniformly


def _read_mono(path: str | Path, start: int, length: int) -> np.ndarray:
    data, _ = sf.read(str(path), start=start, stop=start + length, dtype="float32", always_2d=True)
    out = np.zeros(length, np.float32)
    out[:len(data)] = data.mean(axis=1)
    return out


def read_excerpt(path: str | Path, start: int, length: int, sample_rate: int | None = None) -> np.ndarray:
    """Samples [start, start + length) of a corpus file as mono float32, zero-padded past its end.

    sample_rate: the rate start and length count in (None: the file's own). The file is then resampled
    as model.audio.load does, from a read aligned to the resampler's period, so the excerpt has the
    numbers of the same span of the whole resampled file.
    """
    rate = sf.info(str(path)).samplerate
    if sample_rate is None or sample_rate == rate:
        return _read_mono(path, start, length)
    ratio = Fraction(sample_rate, rate).limit_denominator(1000)
    up, down = ratio.numerator, ratio.denominator
    periods = max(0, start - RESAMPLE_MARGIN) // up
    skip = start - periods * up
    raw = _read_mono(path, periods * down, -(-(skip + length + RESAMPLE_MARGIN) * down // up))
    return resample(raw, rate, sample_rate)[skip:skip + length]


def mix(parts: Iterable[np.ndarray]) -> np.ndarray:
    """The sum of one or more stems' arrays: a new array, never one of theirs."""
    total = sum(parts)
    if not isinstance(total, np.ndarray):
        raise ValueError("a mix needs at least one stem")
    return total


def mix_padded(waves: Sequence[np.ndarray]) -> np.ndarray:
    """The sum of one or more whole stems of any lengths, as long as the longest (float32)."""
    if not waves:
        raise ValueError("a mix needs at least one stem")
    out = np.zeros(max(len(w) for w in waves), np.float32)
    for w in waves:
        out[:len(w)] += w
    return out


class BatchRenderer:
    def __init__(self, songs: Sequence[Song], cfg: ModelConfig, augment: AugmentConfig, mixing: str,
                 frontend: LogMel, store: FeatureStore | None = None, hit_cut_p: float = 0.0):
        if mixing not in MIXING_MODES:
            raise ValueError(f"mixing must be one of {MIXING_MODES}, not {mixing!r}")
        if mixing == "power" and store is None:
            raise ValueError("power-domain mixing needs a FeatureStore")
        self.songs, self.cfg, self.mixing, self.frontend, self.store = songs, cfg, mixing, frontend, store
        self.hit_cut_p = hit_cut_p
        hop = cfg.frontend.hop_length
        fps = cfg.frontend.sample_rate / hop
        self.hop = hop
        self.query_frames = frames_for(cfg.query_samples, hop)
        self.key_frames = frames_for(cfg.key_samples, hop)
        self.source_frames = augment.source_frames(self.query_frames, fps)
        self.augmenter = Augmenter(augment, frontend.mel_basis, fps)

    def query_power(self, pair: Pair) -> torch.Tensor:
        """(n_mels, source_frames) linear mel power of the mixed excerpt."""
        return self.mix_power(pair, self.source_frames)

    def mix_power(self, pair: Pair, frames: int) -> torch.Tensor:
        """(n_mels, frames) linear mel power of the pair's query stems mixed, from its start frame."""
        song = self.songs[pair.song]
        if self.mixing == "power":
            assert self.store is not None  # __init__ checks it
            return torch.from_numpy(mix(self.store.stem_window(song, i, pair.start, frames) for i in pair.stems))
        length = (frames - 1) * self.hop
        rate = self.cfg.frontend.sample_rate
        return self._power(mix(read_excerpt(song.stems[i].path, pair.start * self.hop, length, rate)
                               for i in pair.stems))

    def key_power(self, pair: Pair) -> torch.Tensor:
        song = self.songs[pair.song]
        if self.mixing == "power":
            assert self.store is not None  # __init__ checks it
            return torch.from_numpy(self.store.key(song, pair.oneshot))
        wave = load(song.oneshots[pair.oneshot].path, self.cfg.frontend.sample_rate)
        return self._power(fit_key(wave, self.cfg.key_samples))

    def hit_power(self, pair: Pair, snr_db: float) -> torch.Tensor:
        """The pair's one-shot heard inside its query's mix: key power plus a key-long window of the mix,
        scaled so the one-shot's attack (first ATTACK_S) stands snr_db above the mix's mean power."""
        key = self.key_power(pair)
        around = self.mix_power(pair, key.shape[-1])
        attack = key[:, :max(1, round(ATTACK_S * self.cfg.frontend.sample_rate / self.hop))].mean()
        scale = attack / around.mean().clamp_min(1e-12) / 10 ** (snr_db / 10)
        return key + around * scale

    @torch.no_grad()
    def render_hits(self, pairs: Sequence[Pair], gen: torch.Generator) -> torch.Tensor:
        """(B,1,M,Tk) hit views: each pair's one-shot inside a mix (HIT_SNR_DB), augmented, normalised."""
        lo, hi = HIT_SNR_DB
        snr = lo + (hi - lo) * torch.rand(len(pairs), generator=gen)
        h = torch.stack([self.hit_power(p, float(s)) for p, s in zip(pairs, snr, strict=True)])
        if self.hit_cut_p > 0:
            h = self.cut_short(h, gen)
        h = self.augmenter.apply(h, self.augmenter.sample(len(pairs), gen), self.key_frames, gen)
        return self.frontend.normalise(h)

    def cut_short(self, h: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """hit_cut_p of the hit views end early, after MIN_CUT_S..key window (log-uniform): the app cuts a mix's
        hit at the next onset (model.mix_hits), and a one-shot must still be known from its first 50 ms."""
        fps = self.cfg.frontend.sample_rate / self.hop
        low, high = math.log(MIN_CUT_S), math.log(self.cfg.key_samples / self.cfg.frontend.sample_rate)
        seconds = torch.exp(low + (high - low) * torch.rand(len(h), generator=gen))
        cut = torch.rand(len(h), generator=gen) < self.hit_cut_p
        ends = torch.where(cut, (seconds * fps).round().long().clamp_min(1), h.shape[-1])
        return h * (torch.arange(h.shape[-1]) < ends[:, None])[:, None, :]

    @torch.no_grad()
    def _power(self, wave: np.ndarray) -> torch.Tensor:
        return self.frontend.power_mel(torch.from_numpy(wave)[None])[0].cpu()

    @torch.no_grad()
    def render(self, pairs: Sequence[Pair], gen: torch.Generator
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(queries (B,1,M,Tq), keys (B,1,M,Tk), song index (B,)) on the CPU."""
        q = torch.stack([self.query_power(p) for p in pairs])
        k = torch.stack([self.key_power(p) for p in pairs])
        q = self.augmenter.apply(q, self.augmenter.sample(len(pairs), gen), self.query_frames, gen)
        k = self.augmenter.apply(k, self.augmenter.sample(len(pairs), gen), self.key_frames, gen)
        songs = torch.tensor([p.song for p in pairs])
        return self.frontend.normalise(q), self.frontend.normalise(k), songs

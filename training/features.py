"""Precomputed mel power of every stem and one-shot, so training mixes in the power domain for free.

Cached on disk per front-end setting as float16 log10 power (<cache>/<key>/<song id>/stem_<i>.npy and
keys_<key samples>.npy), memory-mapped when read. Mixing sums linear powers, which ignores the cross terms between
stems (phase interference); training/README.md reports what that changes.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from model.audio import AudioError, load
from model.config import FrontEndConfig, ModelConfig
from model.frontend import LogMel
from model.windows import fit_key
from training.corpus.layout import Song

LOG_FLOOR = 1e-12
Progress = Callable[[int, int, str], None]


def frames_for(samples: int, hop: int) -> int:
    """STFT frames of `samples` with centred windows."""
    return samples // hop + 1


# Front-end fields that change the mel power and came after caches existed: they join the key only
# when set, so caches of the default front end keep their key. (The log normalisation is applied later.)
LATER_POWER_FIELDS = ("win_length", "window_periodic", "mel_scale", "preemphasis")


def cache_key(cfg: ModelConfig) -> str:
    fe = cfg.frontend
    doc = {"sr": fe.sample_rate, "n_fft": fe.n_fft, "hop": fe.hop_length, "mels": fe.n_mels,
           "fmin": fe.f_min, "fmax": fe.f_max, "version": 1}
    defaults = FrontEndConfig()
    doc.update({name: getattr(fe, name) for name in LATER_POWER_FIELDS
                if getattr(fe, name) != getattr(defaults, name)})
    return "mel-" + hashlib.sha1(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:10]


class FeatureStore:
    """Log10 mel power of stems (n_mels, song frames) and padded keys (n_oneshots, n_mels, key frames)."""

    def __init__(self, cache_root: str | Path, cfg: ModelConfig):
        self.cfg = cfg
        self.root = Path(cache_root) / cache_key(cfg)
        self.frontend = LogMel(dataclasses.replace(cfg.frontend, backend="torch"))
        self._maps: dict[Path, np.ndarray] = {}

    def song_dir(self, song: Song) -> Path:
        return self.root / song.id

    def has(self, song: Song) -> bool:
        return (self.song_dir(song) / f"done_{self.cfg.key_samples}").is_file()

    def build(self, songs: Sequence[Song], progress: Progress | None = None, cancel=None) -> list[str]:
        """Compute what is missing; returns one message per song that could not be read (and skips it)."""
        problems = []
        todo = [s for s in songs if not self.has(s)]
        for i, song in enumerate(todo):
            if cancel is not None and cancel.is_set():
                break
            try:
                self._build_song(song)
            except AudioError as exc:
                problems.append(f"{song.id}: {exc}")
            if progress:
                progress(i + 1, len(todo), song.id)
        return problems

    @torch.inference_mode()
    def power(self, waves: np.ndarray) -> np.ndarray:
        """(n, samples) waveforms -> (n, n_mels, frames) float16 log10 mel power."""
        p = self.frontend.power_mel(torch.from_numpy(np.ascontiguousarray(waves, dtype=np.float32)))
        return torch.log10(p + LOG_FLOOR).to(torch.float16).numpy()

    def _build_song(self, song: Song) -> None:
        out = self.song_dir(song)
        out.mkdir(parents=True, exist_ok=True)
        sr = self.cfg.frontend.sample_rate
        if not (out / "stems_done").is_file():
            for i, stem in enumerate(song.stems):
                np.save(out / f"stem_{i}.npy", self.power(load(stem.path, sr)[None])[0])
            (out / "stems_done").write_text("")
        keys = [fit_key(load(o.path, sr), self.cfg.key_samples) for o in song.oneshots]
        if keys:
            np.save(out / f"keys_{self.cfg.key_samples}.npy", self.power(np.stack(keys)))
        (out / f"done_{self.cfg.key_samples}").write_text("")

    def _map(self, path: Path) -> np.ndarray:
        arr = self._maps.get(path)
        if arr is None:
            arr = self._maps[path] = np.load(path, mmap_mode="r")
        return arr

    def stem_window(self, song: Song, stem: int, start: int, frames: int) -> np.ndarray:
        """Linear mel power of frames [start, start + frames) of one stem, silence past its end."""
        log = self._map(self.song_dir(song) / f"stem_{stem}.npy")
        out = np.zeros((log.shape[0], frames), np.float32)
        part = log[:, start:start + frames]
        out[:, :part.shape[1]] = np.power(10.0, part, dtype=np.float32)
        return out

    def key(self, song: Song, oneshot: int) -> np.ndarray:
        keys = self._map(self.song_dir(song) / f"keys_{self.cfg.key_samples}.npy")
        return np.power(10.0, keys[oneshot], dtype=np.float32)

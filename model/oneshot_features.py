"""A few numbers about a sample's sound that tell a drum hit from what is not one (numpy only).

They feed the category head beside the key embedding, which sees only the first key window and does not
know how long the file is: a one-shot starts loud and decays; a loop hits again and again; a pad, a drone
or a 60-s sine is sustained and tonal; hiss is sustained and flat. Computed from the same mono key window
the scanner embeds (the model's rate, the first key_seconds) and the file's full duration.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

SILENCE_DB = -60.0  # a window whose peak is below this holds nothing to hear: not a one-shot
NAMES = ("log_duration", "peak_db", "attack_s", "sustain", "tail_db", "onsets", "flatness", "centroid",
         "flux", "tonality", "pitch_steady", "periodicity", "peaks")


@dataclass(frozen=True)
class FeatureConfig:
    """How the features are computed; the head records it, so the app computes them the same way."""
    sample_rate: int = 32000
    window_seconds: float = 1.5
    frame: int = 1024
    hop: int = 512
    names: tuple[str, ...] = NAMES

    def to_dict(self) -> dict:
        return {**asdict(self), "names": list(self.names)}

    @classmethod
    def from_dict(cls, d: dict) -> FeatureConfig:
        return cls(int(d["sample_rate"]), float(d["window_seconds"]), int(d["frame"]), int(d["hop"]),
                   tuple(d["names"]))


def peak_db(wave: np.ndarray) -> float:
    peak = float(np.max(np.abs(wave))) if len(wave) else 0.0
    return 20 * np.log10(peak) if peak > 1e-6 else -120.0


def is_silent(wave: np.ndarray) -> bool:
    return peak_db(wave) < SILENCE_DB


def _frames(wave: np.ndarray, frame: int, hop: int) -> np.ndarray:
    if len(wave) < frame:
        wave = np.pad(wave, (0, frame - len(wave)))
    count = 1 + (len(wave) - frame) // hop
    return np.lib.stride_tricks.sliding_window_view(wave, frame)[::hop][:count]


def audio_features(wave: np.ndarray, duration: float, cfg: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """(len(cfg.names),) float32 for one mono window at cfg.sample_rate (longer input is cut to the window)."""
    wave = np.asarray(wave, np.float32)[:int(cfg.window_seconds * cfg.sample_rate)]
    frames = _frames(wave, cfg.frame, cfg.hop)
    rms = np.sqrt(np.einsum("ij,ij->i", frames, frames) / cfg.frame + 1e-12)
    env = 20 * np.log10(rms / rms.max())  # dB below the loudest frame
    loudest = int(np.argmax(env))
    frame_s = cfg.hop / cfg.sample_rate
    n = len(env)
    tail = env[max(loudest + 1, n - max(1, n // 4)):]
    # Re-attacks: a frame 8 dB above the quietest of the ~50 ms before it, loud enough to be a hit, ~0.1 s
    # after the last one.
    rise, gap = max(1, int(round(0.05 / frame_s))), max(1, int(round(0.1 / frame_s)))
    before = np.lib.stride_tricks.sliding_window_view(np.concatenate([np.full(rise - 1, np.inf), env]), rise)
    onsets, last = 0, -gap
    for i in (1 + np.flatnonzero((env[1:] > -30) & (env[1:] - before[:n - 1].min(axis=1) > 8))).tolist():
        if i - last >= gap:
            onsets, last = onsets + 1, i
    # The spectrum of every other frame (they do not overlap) that is within 40 dB of the loudest.
    spectral = (env > -40) & (np.arange(n) % 2 == loudest % 2)
    spectrum = np.fft.rfft(frames[spectral] * np.hanning(cfg.frame).astype(np.float32), axis=1)
    power = spectrum.real ** 2 + spectrum.imag ** 2 + 1e-12
    freqs = np.fft.rfftfreq(cfg.frame, 1 / cfg.sample_rate).astype(np.float32)
    mean_power = power.mean(axis=1)
    flatness = np.exp(np.log(power).mean(axis=1)) / mean_power
    centroid = (power @ freqs) / power.sum(axis=1)
    unit = power / power.sum(axis=1, keepdims=True)
    flux = np.abs(np.diff(unit, axis=0)).sum(axis=1) if len(unit) > 1 else np.zeros(1)
    tonality = 10 * np.log10(power.max(axis=1) / mean_power)
    # A note holds its pitch and repeats its period; a kick's pitch falls, noise has no period.
    peak_bin = np.argmax(power, axis=1)
    steady = np.abs(np.diff(peak_bin)) <= 1 if len(peak_bin) > 1 else np.ones(1, bool)
    autocorr = np.fft.irfft(power, axis=1)
    lags = slice(cfg.sample_rate // 2000, min(cfg.sample_rate // 40, cfg.frame // 2))
    periodicity = autocorr[:, lags].max(axis=1) / autocorr[:, 0]
    # Partials: sharp peaks of the mean spectrum, 10 dB above their surroundings (a note has many).
    mean_db = 10 * np.log10(power.mean(axis=0))
    surround = np.lib.stride_tricks.sliding_window_view(np.pad(mean_db, 8, mode="edge"), 17)
    is_peak = (mean_db >= surround.max(axis=1)) & (mean_db > np.median(surround, axis=1) + 10) \
        & (mean_db > mean_db.max() - 40)
    values = {
        "log_duration": np.log(np.clip(duration, 0.01, 600.0)),
        "peak_db": max(peak_db(wave), -120.0),
        "attack_s": loudest * frame_s,
        "sustain": float(np.mean(env > -20)),
        "tail_db": float(np.clip(tail.mean() if len(tail) else env[-1], -80, 0)),
        "onsets": float(min(onsets, 10)),
        "flatness": float(np.mean(flatness)),
        "centroid": float(np.log2(np.mean(centroid) + 20.0)),
        "flux": float(np.mean(flux)),
        "tonality": float(np.mean(tonality)),
        "pitch_steady": float(np.mean(steady)),
        "periodicity": float(np.mean(periodicity)),
        "peaks": float(min(int(np.count_nonzero(is_peak)), 30)),
    }
    return np.array([values[k] for k in cfg.names], np.float32)

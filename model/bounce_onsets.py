"""Where a bounce's drum hits are, per frequency band, and its tempo: what in-context audition triggers a
candidate on (samplematch_gui.trigger_schedule). Plain numpy, no Qt.

Each band's onset function is its spectral flux: the mean rise in dB of its bins over LAG hops, each bin floored
DYNAMIC_DB under the band's loud level and GLOBAL_FLOOR_DB under the whole spectrum's (a near-silent band's
noise does not count). Its onsets are the peaks that rise at least the band's threshold, stand out of their
neighbourhood, lie MIN_GAP_S apart and come near the band's (and the spectrum's) loud level; each start is
refined to where the band's power is half way up. The tempo is the autocorrelation peak of the summed onset
functions, weighted towards 120 BPM; the beat grid's phase is the one on which the most hits fall. `analyse`
runs once per bounce, off the GUI thread (samplematch_gui.onset_cache keeps its results).
"""
from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from model.audio import resample
from model.cancel import CancelFlag, check_cancelled
from model.resample import resample_poly

ANALYSIS_RATE = 44100
HOP = 256  # 5.8 ms; both spectrograms have a frame every HOP samples of ANALYSIS_RATE
LAG = 2  # hops the rise is measured over


@dataclass(frozen=True)
class Band:
    low_hz: float
    high_hz: float
    min_rise_db: float  # an onset's mean rise over the band's bins
    fine: bool  # read from the decimated, finer-pitched spectrogram (the low bands)


# low: kick fundamentals; low_mid: tom bodies; mid: the snare's and clap's noise burst; top: hats, cymbals.
# Thresholds: the best F-measure on Freedoom renders (README, In-context audition).
BANDS = {"low": Band(30.0, 150.0, 3.2, True), "low_mid": Band(150.0, 500.0, 3.2, True),
         "mid": Band(2000.0, 8000.0, 7.7, False), "top": Band(7000.0, 16000.0, 5.8, False)}
COARSE_FFT = 1024  # 23 ms at 44.1 kHz
FINE_DECIMATION = 8  # the low bands: 5.5 kHz, a 512-point FFT (10.8 Hz bins, 93 ms)
FINE_FFT = 512
DYNAMIC_DB = 45.0  # a bin's level counts from this far below the band's loud level (its 99th percentile)...
GLOBAL_FLOOR_DB = 50.0  # ... and the whole spectrum's (a band with next to nothing in it has no onsets)
MIN_LEVEL_DB = 20.0  # a hit's top reaches within this of the band's loud level...
MIN_GLOBAL_LEVEL_DB = 40.0  # ... and of the whole spectrum's
LEVEL_WINDOW_S = 0.1  # what a hit's loudness is measured over (samplematch_gui.context_scene matches it)
MIN_GAP_S = 0.06  # no drum is struck faster than 16ths at 250 BPM
NEIGHBOURHOOD_S = 0.1  # a peak beats the mean rise this far around it by at least half its threshold
TEMPO_RANGE = (60.0, 200.0)  # BPM
PHASE_STEP_S = 0.002  # the beat grid's phase is sought in these steps...
PHASE_HITS = 2000  # ... on at most this many of the strongest hits
ON_BEAT_S = 0.02  # how far off its beat a hit still counts (a Gaussian's width)
TEMPO_PRIOR = 120.0  # BPM the autocorrelation is weighted towards (log-normal, one octave wide)
_CHUNK = 2048  # STFT frames per block (bounds the memory for an hour-long bounce)
KEEP_FRAMES = 4 * _CHUNK  # up to this many (47 s), the spectrogram is kept for the second pass, not computed again


@dataclass(frozen=True)
class BounceAnalysis:
    """Onsets per band (seconds into the file, their rise in dB and how much louder the bounce gets on them)
    and the estimated tempo."""
    hits: dict[str, np.ndarray]  # band: float64 seconds into the file, ascending
    strengths: dict[str, np.ndarray]  # band: float32 rise in dB of each hit
    levels: dict[str, np.ndarray]  # band: float32 RMS the bounce gains on each hit (LEVEL_WINDOW_S after vs before)
    tempo: float  # BPM
    start: float  # seconds into the file where the analysed span starts
    duration: float  # seconds analysed

    def _weighted_hits(self, bands=None) -> tuple[np.ndarray, np.ndarray]:
        """Every hit of these bands (all: None) with its rise over its band's threshold."""
        names = list(BANDS) if bands is None else bands
        return (np.concatenate([self.hits[b] for b in names]),
                np.concatenate([self.strengths[b] / BANDS[b].min_rise_db for b in names]))

    def beat_phase(self, tempo: float) -> float:
        """Seconds into the file of a beat of the grid at `tempo` that lies on the most hits (weighted by their
        strength); the analysed span's start when it has none."""
        times, weights = self._weighted_hits()
        if not len(times):
            return self.start
        if len(times) > PHASE_HITS:
            strongest = np.argpartition(-weights, PHASE_HITS)[:PHASE_HITS]
            times, weights = times[strongest], weights[strongest]
        beat = 60.0 / tempo
        phases = np.arange(0.0, beat, PHASE_STEP_S)
        off = (times[None, :] - phases[:, None]) % beat
        off = np.minimum(off, beat - off)
        score = (weights[None, :] * np.exp(-0.5 * (off / ON_BEAT_S) ** 2)).sum(axis=1)
        return self.start + float(phases[int(np.argmax(score))])

    def downbeat(self, tempo: float, phase: float, beats_per_bar: int = 4) -> int:
        """Which of the beats_per_bar beats from `phase` on starts a bar: the one whose beat in every bar carries
        the most kick hits (the most hits of any band, where there are no kicks)."""
        times, weights = self._weighted_hits(["low"] if len(self.hits["low"]) else None)
        if not len(times):
            return 0
        beat = 60.0 / tempo
        k = np.round((times - phase) / beat)
        on_beat = np.abs(times - phase - k * beat) < 2 * ON_BEAT_S
        per_offset = np.bincount((k[on_beat] % beats_per_bar).astype(np.int64), weights[on_beat],
                                 minlength=beats_per_bar)
        return int(np.argmax(per_offset))


def _power_blocks(x: np.ndarray, n_fft: int, hop: int, frames: int,
                  cancel: CancelFlag | None) -> Iterator[np.ndarray]:
    """The power spectrogram of x, `frames` frames centred on hop multiples, _CHUNK frames at a time."""
    right = max(n_fft // 2, (frames - 1) * hop + n_fft // 2 - len(x))
    padded = np.pad(x, (n_fft // 2, right))
    view = np.lib.stride_tricks.sliding_window_view(padded, n_fft)[::hop][:frames]
    window = np.hanning(n_fft).astype(np.float32)
    for start in range(0, frames, _CHUNK):
        check_cancelled(cancel)
        spectrum = np.fft.rfft(view[start:start + _CHUNK] * window, axis=1)
        yield spectrum.real ** 2 + spectrum.imag ** 2


def _two_passes(x: np.ndarray, n_fft: int, hop: int, frames: int,
                cancel: CancelFlag | None) -> Callable[[], Iterable[np.ndarray]]:
    """The power blocks of x for each of two passes: kept in memory up to KEEP_FRAMES, else computed again."""
    if frames <= KEEP_FRAMES:
        kept = list(_power_blocks(x, n_fft, hop, frames, cancel))
        return lambda: kept
    return lambda: _power_blocks(x, n_fft, hop, frames, cancel)


def _spectrograms(wave: np.ndarray) -> list[tuple[np.ndarray, int, int, list[str]]]:
    """(signal, FFT size, hop, the bands read from it) for the coarse and the fine spectrogram."""
    coarse = [b for b, band in BANDS.items() if not band.fine]
    fine = [b for b, band in BANDS.items() if band.fine]
    return ([(wave, COARSE_FFT, HOP, coarse)] if coarse else []) + \
        ([(resample_poly(wave, 1, FINE_DECIMATION), FINE_FFT, HOP // FINE_DECIMATION, fine)] if fine else [])


class OnsetFunctions(NamedTuple):
    """Per hop and band (BANDS order): `rise`, the band's mean rise in dB per bin over LAG hops (rises only; a
    tonal note lifts a few bins, a drum hit most of them), and `power`, its mean power per bin; `quietest`: the
    power a hit of each band must reach (MIN_LEVEL_DB under the band's loud level, and no more than
    MIN_GLOBAL_LEVEL_DB under the whole spectrum's)."""
    rise: np.ndarray
    power: np.ndarray
    quietest: np.ndarray


def onset_functions(wave: np.ndarray, cancel: CancelFlag | None = None) -> OnsetFunctions:
    """The onset functions of a mono wave at ANALYSIS_RATE."""
    frames = len(wave) // HOP + 1
    rise = np.zeros((frames, len(BANDS)), np.float32)
    power = np.zeros((frames, len(BANDS)), np.float32)
    quietest = np.zeros(len(BANDS), np.float32)
    for x, n_fft, hop, names in _spectrograms(np.asarray(wave, np.float32)):
        columns = [list(BANDS).index(b) for b in names]
        freqs = np.fft.rfftfreq(n_fft, HOP / (hop * ANALYSIS_RATE))  # 1 / the rate of x
        bins = [(freqs >= BANDS[b].low_hz) & (freqs < BANDS[b].high_hz) for b in names]
        blocks = _two_passes(x, n_fft, hop, frames, cancel)
        levels = np.concatenate([np.stack([p[:, m].mean(axis=1) for m in bins] + [p.mean(axis=1)], axis=1)
                                 for p in blocks()])
        power[:, columns] = levels[:, :-1]
        loud = np.maximum(np.percentile(levels, 99, axis=0), 1e-20)
        band_loud, spectrum_loud = loud[:-1], loud[-1]
        floors = np.maximum(band_loud * _db(-DYNAMIC_DB), spectrum_loud * _db(-GLOBAL_FLOOR_DB))
        quietest[columns] = np.maximum(band_loud * _db(-MIN_LEVEL_DB), spectrum_loud * _db(-MIN_GLOBAL_LEVEL_DB))
        done = 0
        previous: list[np.ndarray] = []
        for block in blocks():  # a second pass: the floors needed the whole file
            for k, m in enumerate(bins):
                db = 10.0 * np.log10(block[:, m] + floors[k])
                head = previous[k] if len(previous) > k else np.repeat(db[:1], LAG, axis=0)
                joined = np.concatenate([head, db])
                rise[done:done + len(db), columns[k]] = np.maximum(joined[LAG:] - joined[:-LAG], 0.0).mean(axis=1)
                if len(previous) > k:
                    previous[k] = db[-LAG:]
                else:
                    previous.append(db[-LAG:])
            done += len(block)
    return OnsetFunctions(rise, power, quietest)


def _db(db: float) -> float:
    """A power ratio."""
    return float(10.0 ** (db / 10.0))


def hit_start(power: np.ndarray, peak: int, reach: int) -> float:
    """Where, in hops, the hit whose rise peaks at `peak` starts: where the band's power, followed back from its
    top, last climbed half way from its level before the hit (a centred window is half over the hit there),
    interpolated between hops. reach: the window's length in hops."""
    top_at = peak + int(np.argmax(power[peak:peak + reach + 1]))
    before = float(power[max(0, peak - reach - LAG):max(1, peak - LAG + 1)].min())
    half = before + 0.5 * (float(power[top_at]) - before)
    j, lowest = top_at, max(1, peak - reach)
    while j > lowest and power[j - 1] >= half:
        j -= 1
    if power[j] <= power[j - 1] or power[j - 1] >= half:  # (the second: it climbed from before the reach)
        return float(j)
    return j - 1 + (half - power[j - 1]) / (power[j] - power[j - 1])


def pick_peaks(rise: np.ndarray, min_rise_db: float, hop_seconds: float) -> np.ndarray:
    """Indices of the onsets in one band's onset function (see the module docstring)."""
    if len(rise) < 3:
        return np.zeros(0, np.int64)
    is_peak = np.zeros(len(rise), bool)
    is_peak[1:-1] = (rise[1:-1] >= rise[:-2]) & (rise[1:-1] > rise[2:])
    reach = max(1, int(round(NEIGHBOURHOOD_S / hop_seconds)))
    kernel = np.ones(2 * reach + 1, np.float32) / (2 * reach + 1)
    local = np.convolve(rise, kernel, mode="same")
    candidates = np.flatnonzero(is_peak & (rise >= min_rise_db) & (rise >= local + min_rise_db / 2))
    kept = strongest_apart(candidates.astype(np.float64), rise[candidates], MIN_GAP_S / hop_seconds)
    return candidates[kept]


def strongest_apart(positions: np.ndarray, strength: np.ndarray, gap: float) -> np.ndarray:
    """Indices of the positions kept when the strongest go first and each keeps the others closer than `gap`
    out, in the order of their positions."""
    kept: list[int] = []
    taken: list[float] = []  # their positions, ascending
    for i in np.argsort(-strength, kind="stable"):
        at = float(positions[i])
        j = bisect.bisect_left(taken, at)
        if (j == 0 or at - taken[j - 1] >= gap) and (j == len(taken) or taken[j] - at >= gap):
            taken.insert(j, at)
            kept.append(int(i))
    kept_array = np.array(kept, np.int64)
    return kept_array[np.argsort(positions[kept_array], kind="stable")]


def estimate_tempo(envelope: np.ndarray, hop_seconds: float) -> float:
    """BPM: the autocorrelation peak of the onset function in TEMPO_RANGE, weighted towards TEMPO_PRIOR."""
    env = envelope - envelope.mean()
    if len(env) < 4 or not np.any(env):
        return TEMPO_PRIOR
    n = 1 << int(np.ceil(np.log2(2 * len(env))))
    spectrum = np.fft.rfft(env, n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum), n)[:len(env)]
    lags = np.arange(len(acf))
    lo = int(np.floor(60.0 / TEMPO_RANGE[1] / hop_seconds))
    hi = min(len(acf) - 2, int(np.ceil(60.0 / TEMPO_RANGE[0] / hop_seconds)))
    if hi <= lo + 1 or acf[0] <= 0:
        return TEMPO_PRIOR
    bpm = 60.0 / (np.maximum(lags[lo:hi + 1], 1) * hop_seconds)
    weight = np.exp(-0.5 * np.log2(bpm / TEMPO_PRIOR) ** 2)
    best = lo + int(np.argmax(acf[lo:hi + 1] * weight))
    a, b, c = acf[best - 1], acf[best], acf[best + 1]  # parabolic interpolation: the lag between hops
    shift = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) < 0 else 0.0
    return float(60.0 / ((best + shift) * hop_seconds))


def analyse(wave: np.ndarray, rate: int, start: float = 0.0, cancel: CancelFlag | None = None) -> BounceAnalysis:
    """The onsets per band and the tempo of a mono bounce at `rate`, `start` seconds into its file."""
    x = np.asarray(wave, np.float32) if rate == ANALYSIS_RATE else resample(wave, rate, ANALYSIS_RATE)
    hop_seconds = HOP / ANALYSIS_RATE
    rise, power, quietest = onset_functions(x, cancel)
    check_cancelled(cancel)
    hits, strengths, levels = {}, {}, {}
    for b, (name, band) in enumerate(BANDS.items()):
        reach = (FINE_FFT * FINE_DECIMATION if band.fine else COARSE_FFT) // HOP  # the window, in hops
        peaks = pick_peaks(rise[:, b], band.min_rise_db, hop_seconds)
        peaks = np.array([i for i in peaks if power[i:i + reach + 1, b].max() >= quietest[b]], np.int64)
        seconds = np.array([hit_start(power[:, b], int(i), reach) for i in peaks], np.float64) * hop_seconds
        kept = strongest_apart(seconds, rise[peaks, b], MIN_GAP_S / 2)  # two peaks refined to one start: one
        seconds, peaks = seconds[kept], peaks[kept]
        hits[name] = start + seconds
        strengths[name] = rise[peaks, b].astype(np.float32)
        levels[name] = hit_levels(x, seconds)
    thresholds = np.array([band.min_rise_db for band in BANDS.values()], np.float32)
    envelope = (rise / thresholds).sum(axis=1)  # each band counts alike
    return BounceAnalysis(hits, strengths, levels, estimate_tempo(envelope, hop_seconds), start,
                          len(x) / ANALYSIS_RATE)


def hit_levels(x: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """The RMS each hit adds: of the LEVEL_WINDOW_S after it, less the power of the LEVEL_WINDOW_S before."""
    w = int(LEVEL_WINDOW_S * ANALYSIS_RATE)
    out = np.zeros(len(seconds), np.float32)
    for k, t in enumerate(seconds):
        i = int(round(t * ANALYSIS_RATE))
        after, before = x[i:i + w], x[max(0, i - w):i]
        gain = (float(np.dot(after, after)) / max(1, len(after)) - float(np.dot(before, before)) / max(1, len(before)))
        out[k] = np.sqrt(max(gain, 0.0))
    return out

"""What in-context audition plays, made ready off the audio thread: the bounce region as a loop (at the preview
level), each category's triggers in it (samplematch_gui.trigger_schedule) and, for a sample, a `Candidate` whose
short-term loudness matches the bounce's own hits of its class. Plain Python, no Qt.

A candidate's level: its RMS over the LEVEL_WINDOW_S after its attack is set to the median RMS the bounce gains
over the LEVEL_WINDOW_S after each of its hits of that class in the region (bounce_onsets.hit_levels), at the
loop's level; on the beat grid (no hits to match) to the loop's RMS. The user's volume applies to the whole mix.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from model.bounce_onsets import LEVEL_WINDOW_S, BounceAnalysis
from samplematch_gui.audition import Loudness, db_to_gain, loudness_gain
from samplematch_gui.context_mix import Candidate
from samplematch_gui.trigger_schedule import PARTS, Grid, Triggers, part_name, triggers

ATTACK_DB = -40.0  # a sample's attack starts where it first comes this close to its peak (re its peak)
PRE_ROLL_S = 0.0005  # kept before the attack, so it is not cut
MAX_GAIN_DB = 30.0  # a near-silent sample is not blown up to the bounce's level
MAX_SECONDS = 10.0  # a longer sample (a loop, a pad) plays its first 10 s per trigger


@dataclass(frozen=True)
class ContextScene:
    bounce: str  # its path
    analysis: BounceAnalysis
    loop: np.ndarray  # float32: the region at the preview level
    gain: float  # the preview level's gain on the bounce
    rate: int
    region: tuple[float, float]  # seconds into the file
    tempo: float  # BPM of the beat grid
    parts: dict[str, Triggers]  # by PARTS' categories

    @classmethod
    def build(cls, bounce: str, analysis: BounceAnalysis, region_wave: np.ndarray, rate: int,
              region: tuple[float, float], loudness: Loudness, tempo: float | None = None) -> ContextScene:
        """region_wave: the bounce from region[0] to region[1], mono at rate; tempo None: the analysed one."""
        gain = loudness_gain(region_wave, loudness)
        loop = np.asarray(region_wave, np.float32) * np.float32(gain)
        region = (region[0], region[0] + len(loop) / rate)  # what was read (the file may end sooner)
        return cls(bounce, analysis, loop, gain, rate, region, 0.0, {}).with_tempo(tempo or analysis.tempo)

    def with_tempo(self, tempo: float) -> ContextScene:
        """The same loop with every category's triggers at this tempo (the grid and the thinning follow it)."""
        grid = Grid.of(self.analysis, tempo)
        parts = {c: triggers(self.analysis, c, self.region, grid, self.rate) for c in PARTS}
        return dataclasses.replace(self, tempo=tempo, parts=parts)

    def triggers_of(self, category: str | None) -> Triggers:
        return self.parts[part_name(category)]

    @property
    def on_grid(self) -> bool:
        """Whether no class has hits of its own in the region (a bounce without drums)."""
        return all(t.on_grid for t in self.parts.values())

    def candidate(self, samples: np.ndarray, category: str | None) -> Candidate:
        """The sample ready for the mixer: trimmed to its attack, loudness-matched, with its triggers."""
        x = np.asarray(samples, np.float32)[:int(MAX_SECONDS * self.rate)]
        peak = float(np.max(np.abs(x))) if len(x) else 0.0
        if peak > 0:
            attack = int(np.argmax(np.abs(x) >= peak * db_to_gain(ATTACK_DB)))
            x = x[max(0, attack - int(PRE_ROLL_S * self.rate)):]
        part = self.triggers_of(category)
        target = rms(self.loop) if part.hit_rms is None else part.hit_rms * self.gain
        own = rms(x[:int(LEVEL_WINDOW_S * self.rate)])
        gain = min(target / own, db_to_gain(MAX_GAIN_DB)) if own > 0 else 0.0
        frames = np.unique(part.frames[(part.frames >= 0) & (part.frames < len(self.loop))])  # what the mixer needs
        return Candidate((x * np.float32(gain)).astype(np.float32), frames.tolist(), gain, part.on_grid)


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0

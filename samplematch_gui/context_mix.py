"""The in-context mixer: the bounce region loops, the candidate sample is added at its trigger frames.

`render` is the audio callback's work, written to be safe in real time: everything it plays is made
beforehand (the loop, the candidate's loudness-matched buffer and its trigger frames, as a `Candidate`); per
block it only copies the loop into the output and adds slices of the sounding voices, in place, with a fixed
number of voice slots (no allocation beyond numpy's slice views, no locks). Another thread changes the
candidate by assigning `candidate` (one reference: atomic); the callback picks it up at its next block, and the
new sample sounds from its next trigger on, while hits already sounding ring out.
"""
from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field

import numpy as np

VOICES = 16  # hits sounding at once; a seventeenth cuts the one that has played longest


@dataclass(frozen=True, eq=False)
class Candidate:
    """A sample ready to play: its buffer (loudness-matched, leading silence trimmed) and its trigger frames in
    the loop, ascending, each in [0, loop length)."""
    samples: np.ndarray  # float32, 1-D
    triggers: list[int]
    gain: float = 1.0  # what the loudness match applied (for display)
    on_grid: bool = False
    made_at: float = field(default_factory=time.perf_counter)  # when it was ready (for the latency bench)


class ContextMix:
    def __init__(self, loop: np.ndarray, voices: int = VOICES):
        if len(loop) < 1:
            raise ValueError("the loop is empty")
        self.loop = np.ascontiguousarray(loop, np.float32)
        self.candidate: Candidate | None = None  # set from any thread; picked up at the next block
        self.position = 0  # the loop frame the next block starts at
        self.picked_up_at = 0.0  # perf_counter() when the callback took the latest candidate
        self._playing: Candidate | None = None
        self._next = 0  # index of the playing candidate's next trigger
        self._voice: list[np.ndarray | None] = [None] * voices
        self._voice_at = [0] * voices

    def render(self, out: np.ndarray) -> None:
        """Fill `out` (1-D float32, one block) with the next frames of the mix."""
        frames, loop, length = len(out), self.loop, len(self.loop)
        candidate = self.candidate
        if candidate is not self._playing:
            self._playing = candidate
            self._next = 0 if candidate is None else bisect.bisect_left(candidate.triggers, self.position)
            self.picked_up_at = time.perf_counter()
        start, done = self.position, 0
        while done < frames:  # the loop, wrapping as often as the block needs
            take = min(frames - done, length - start)
            out[done:done + take] = loop[start:start + take]
            done += take
            start = (start + take) % length
        voices, at = self._voice, self._voice_at
        for v in range(len(voices)):  # hits that sound on from earlier blocks
            sample = voices[v]
            if sample is not None:
                n = min(frames, len(sample) - at[v])
                out[:n] += sample[at[v]:at[v] + n]
                at[v] += n
                if at[v] >= len(sample):
                    voices[v] = None
        if candidate is not None:
            self._trigger(candidate, out)
        self.position = (self.position + frames) % length

    def _trigger(self, candidate: Candidate, out: np.ndarray) -> None:
        """Start the candidate at each of its triggers inside this block."""
        frames, length, triggers = len(out), len(self.loop), candidate.triggers
        start, done = self.position, 0
        while done < frames:
            end = min(length, start + frames - done)
            while self._next < len(triggers) and triggers[self._next] < end:
                self._start_voice(candidate.samples, out, done + triggers[self._next] - start)
                self._next += 1
            done += end - start
            start = end
            if start == length:
                start, self._next = 0, 0

    def _start_voice(self, sample: np.ndarray, out: np.ndarray, offset: int) -> None:
        voices, at = self._voice, self._voice_at
        slot = -1
        for v in range(len(voices)):
            if voices[v] is None:
                slot = v
                break
        if slot < 0:  # every slot sounds: cut the hit that has played longest
            slot = max(range(len(voices)), key=at.__getitem__)
        n = min(len(out) - offset, len(sample))
        out[offset:offset + n] += sample[:n]
        voices[slot], at[slot] = (sample, n) if n < len(sample) else (None, 0)

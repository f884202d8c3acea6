"""Melodic MIDI channels -> one mono stem each, from one fluidsynth run per song: channel k is moved to the
time slot k*(seconds+gap), rendered, then cut out."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from .kits_sf2 import FLUID_GM, fluidsynth_render
from .layout import SAMPLE_RATE
from .midi import DRUM_CHANNEL, Event, Note, write_midi
from .oneshots import SILENCE_PEAK
from .parts import unique_name

TAIL_GAP_S = 2.0
_SETUP = (0xB0, 0xC0, 0xE0)      # program, controls, pitch bend


def render_channels(events: list[Event], song_notes: list[Note], start: float, seconds: float,
                    role_of: Callable[[int], str | None], work_dir: Path, soundfont: Path = FLUID_GM
                    ) -> list[tuple[str, str, np.ndarray]]:
    """Stems (name, role, wave of `seconds`) of the melodic channels with notes starting in
    [start, start + seconds); role_of(channel) gives the role, None leaves the channel out. Programs and
    controls sent before `start` are replayed at the slot start so every channel sounds as in the song.
    Channels that render silent are left out."""
    end = start + seconds
    played = [n for n in song_notes if n.channel != DRUM_CHANNEL and start <= n.start < end]
    roles = {c: role_of(c) for c in sorted({n.channel for n in played})}
    channels = [c for c, role in roles.items() if role is not None]
    if not channels:
        return []
    slot = seconds + TAIL_GAP_S
    shifted = []
    for k, c in enumerate(channels):
        offset = k * slot
        shifted += [Event(max(e.time - start, 0.0) + offset, e.status, c, e.data) for e in events
                    if e.channel == c and e.status in _SETUP and e.time < end]
        for n in played:
            if n.channel == c:
                shifted += [Event(n.start - start + offset, 0x90, c, (n.pitch, n.velocity)),
                            Event(min(n.end, end) - start + offset, 0x80, c, (n.pitch, 0))]
        # all sound off + all notes off, so no voice (looped sample, sustain pedal) rings into the next slot
        shifted += [Event(offset + seconds + 0.5, 0xB0, c, (120, 0)), Event(offset + seconds + 0.5, 0xB0, c, (123, 0))]
    mid, wav = Path(work_dir) / "melodic.mid", Path(work_dir) / "melodic.wav"
    write_midi(mid, shifted)
    fluidsynth_render(soundfont, mid, wav, gain=0.6, timeout_s=60)
    audio, _ = sf.read(wav, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    frames = int(round(seconds * SAMPLE_RATE))
    taken: set[str] = set()
    out = []
    for k, c in enumerate(channels):
        role = roles[c]
        assert role is not None  # channels holds those with a role
        first = int(round(k * slot * SAMPLE_RATE))
        wave = np.zeros(frames, np.float32)
        seg = mono[first:first + frames]
        wave[:len(seg)] = seg
        if np.max(np.abs(wave)) >= SILENCE_PEAK:
            out.append((unique_name(role, taken), role, wave))
    return out

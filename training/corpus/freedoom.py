"""Real arrangements: an excerpt of a Freedoom General MIDI song where the drums play. Drum hits come
from MIDI channel 10 as written; every melodic channel becomes one fluidsynth stem with the song's own GM
program, rendered with FluidR3_GM or MuseScore_General (chosen per song)."""
from __future__ import annotations

import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .channels import render_channels
from .kits_pack import DEFAULT_PACK
from .kits_sf2 import FLUID_GM
from .midi import DRUM_CHANNEL, Event, MidiError, Note, notes, read_midi
from .parts import Accompaniment

FREEDOOM_DIR = DEFAULT_PACK / "midi" / "freedoom"
MUSESCORE_GM = Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2")
SOUNDFONTS = {"FluidR3_GM": FLUID_GM, "MuseScore_General": MUSESCORE_GM}
MIN_MELODIC = 2
# GM program ranges (lowest program, role): pianos and chromatic percussion (celesta, vibraphone, ...) and
# organs are keys; ensembles and choirs pads; brass, reeds, pipes and synth leads leads; ethnic plucked
# and bowed instruments leads; 113+ (agogo, steel drums, woodblock, taiko, synth drum, sound effects) are
# percussion or noise and are left out.
PROGRAM_ROLES = ((0, "keys"), (24, "guitar"), (32, "bass"), (40, "strings"), (48, "pad"), (56, "lead"),
                 (88, "pad"), (96, "synth"), (104, "lead"), (112, "keys"), (113, None))
DOWNBEAT_NOTES = (35, 36, 49, 57)    # excerpts start on a kick or crash: mostly a beat or bar start
MAX_DRUM_GAP_S = 2.0                 # ... and prefer windows where the drums never rest longer
START_TRIES = 20


def program_role(program: int) -> str | None:
    return next(role for low, role in reversed(PROGRAM_ROLES) if program >= low)


def soundfonts() -> dict[str, Path]:
    return {name: path for name, path in SOUNDFONTS.items() if path.is_file()}


@dataclass(frozen=True)
class FreedoomSong:
    setup: list[Event]               # program, control and pitch-bend events
    notes: list[Note]
    drum_onsets: np.ndarray
    end: float


@functools.cache
def load_song(path: Path) -> FreedoomSong:
    """Parsed once per process; note events are kept as Notes only (the whole collection parsed is ~1 M events)."""
    midi = read_midi(path)
    played = notes(midi.events)
    return FreedoomSong([e for e in midi.events if e.status in (0xB0, 0xC0, 0xE0)], played,
                        np.array([n.start for n in played if n.channel == DRUM_CHANNEL]),
                        max((n.end for n in played), default=0.0))


def freedoom_index(midi_dir: Path, cache_dir: Path) -> dict[str, float]:
    """{file name: duration} of the songs with drums on channel 10 and MIN_MELODIC melodic channels
    (cached in cache_dir: parsing every song takes seconds)."""
    cache = Path(cache_dir) / "freedoom_index.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    index = {}
    for path in sorted(Path(midi_dir).glob("*.mid")):
        try:
            midi = read_midi(path)
        except MidiError:
            continue
        played = notes(midi.events)
        channels = {n.channel for n in played}
        if DRUM_CHANNEL in channels and len(channels - {DRUM_CHANNEL}) >= MIN_MELODIC:
            index[path.name] = round(max(n.end for n in played), 3)
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(index))
    return index


def excerpt_start(song: FreedoomSong, seconds: float, rng: np.random.Generator) -> float:
    """A kick/crash onset (any drum onset if none) from which `seconds` fit in the song, preferring one
    whose window has no drum rest longer than MAX_DRUM_GAP_S."""
    downbeats = np.array([n.start for n in song.notes if n.channel == DRUM_CHANNEL and n.pitch in DOWNBEAT_NOTES])
    fitting = downbeats[downbeats <= song.end - seconds]
    if fitting.size == 0:
        fitting = song.drum_onsets[song.drum_onsets <= max(song.end - seconds, song.drum_onsets[0])]
    best = (np.inf, float(fitting[0]))
    for _ in range(START_TRIES):
        t = float(fitting[rng.integers(fitting.size)])
        window = song.drum_onsets[(song.drum_onsets >= t) & (song.drum_onsets < t + seconds)]
        gap = float(np.max(np.diff(np.concatenate([window, [t + seconds]]))))
        if gap <= MAX_DRUM_GAP_S:
            return t
        best = min(best, (gap, t))
    return best[1]


def programs_at(setup: list[Event], start: float, end: float) -> dict[int, int]:
    """Each channel's program at `start` (else its first program change before `end`)."""
    programs: dict[int, int] = {}
    for e in setup:
        if e.status == 0xC0 and (e.time <= start or (e.time < end and e.channel not in programs)):
            programs[e.channel] = e.data[0]
    return programs


def freedoom_accompaniment(rng: np.random.Generator, seconds: float, genre: str, index: dict[str, float],
                           midi_dir: Path = FREEDOOM_DIR) -> Accompaniment:
    """genre does not steer the choice (the songs are rock/metal/ambient game music)."""
    names = sorted(n for n, duration in index.items() if duration >= seconds) or sorted(index)
    name = names[int(rng.integers(len(names)))]
    fonts = soundfonts()
    font = sorted(fonts)[int(rng.integers(len(fonts)))]
    song = load_song(Path(midi_dir) / name)
    start = excerpt_start(song, seconds, rng)
    end = start + seconds
    hits = [(n.start - start, n.pitch, n.velocity) for n in song.notes
            if n.channel == DRUM_CHANNEL and start <= n.start < end]
    programs = programs_at(song.setup, start, end)
    with tempfile.TemporaryDirectory() as tmp:
        melodic = render_channels(song.setup, song.notes, start, seconds,
                                  lambda c: program_role(programs.get(c, 0)), Path(tmp), fonts[font])
    info = {"generator": "freedoom", "file": name, "start_s": round(start, 3), "soundfont": font,
            "programs": {str(c): p for c, p in sorted(programs.items())}}
    return Accompaniment(hits, melodic, info)

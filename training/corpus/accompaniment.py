"""Accompaniment from Debian's MMA: a random chord chart in a random groove -> MIDI -> drum hits plus
one fluidsynth-rendered stem per melodic MIDI channel (FluidR3_GM)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .channels import render_channels
from .charts import random_chart
from .kits_sf2 import FLUID_GM, fluidsynth_available
from .midi import DRUM_CHANNEL, MidiError, MidiFile, notes, read_midi
from .parts import Accompaniment

MMA_LIB = Path("/usr/share/mma")
# 4/4 and 2/2 grooves with drums, bass and chords; probed once per corpus (working_grooves) and kept
# only if MMA renders them. Electronic songs use the straight ones.
STRAIGHT_GROOVES = ("8Beat", "8Beat1", "BasicRock", "BasicRock4", "DSoul", "DSoulPlus", "BVFunk", "SoftRock",
                    "SoftRock1", "SoftRock2", "LFusion", "LFusion1", "PopBallad", "PopBallad1", "Ska", "Mambo",
                    "Samba", "BossaNova", "Rhumba")
ACOUSTIC_GROOVES = STRAIGHT_GROOVES + ("50sRock", "FolkRock", "JazzRock", "Swing", "ShuffleBoggie", "Zydeco",
                                       "RockBallad", "Ballad", "Ballad1", "PopSpiritual", "SlowBroadway")
TRACK_ROLES = (("bass", "bass"), ("walk", "bass"), ("chord", "chords"), ("plectrum", "chords"),
               ("arpeggio", "arp"), ("scale", "lead"), ("solo", "lead"), ("melody", "lead"), ("aria", "pad"))
TEMPO = {"electronic": (100, 135), "acoustic": (72, 140)}


def mma_available() -> bool:
    return shutil.which("mma") is not None and MMA_LIB.is_dir() and FLUID_GM.is_file() and fluidsynth_available()


def prepare_mma_home(cache_dir: Path) -> Path:
    """A writable copy of MMA's library (MMA writes its groove database next to the styles)."""
    home = Path(cache_dir) / "mma"
    if not (home / "MMA").is_dir():
        tmp = Path(cache_dir) / "mma.partial"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(MMA_LIB, tmp, symlinks=True)
        os.replace(tmp, home)
    return home


def run_mma(mma_home: Path, script: str, work_dir: Path) -> MidiFile:
    src, out = Path(work_dir) / "song.mma", Path(work_dir) / "song.mid"
    src.write_text(script)
    env = dict(os.environ, MMA_HOME=str(mma_home))
    proc = subprocess.run(["mma", str(src), "-f", str(out)], capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0 or not out.is_file():
        raise MidiError(f"mma failed: {(proc.stdout + proc.stderr).strip()[-300:]}")
    return read_midi(out)


def working_grooves(mma_home: Path, cache_dir: Path) -> dict[str, int]:
    """{groove: beats per bar} for the candidate grooves MMA renders with kick, snare and bass."""
    cache = Path(cache_dir) / "mma_grooves.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    found = {}
    with tempfile.TemporaryDirectory() as tmp:
        for groove in ACOUSTIC_GROOVES:
            try:
                midi = run_mma(mma_home, f"Tempo 120\nGroove {groove}\n1 C\n2 F\n3 G\n4 C\n5 C\n", Path(tmp))
            except (MidiError, subprocess.SubprocessError, OSError):
                continue
            played = notes(midi.events)
            roles = {_track_role(midi.channel_names.get(n.channel, "")) for n in played}
            drums = {n.pitch for n in played if n.channel == DRUM_CHANNEL}
            if "bass" in roles and drums & {35, 36} and drums & {38, 40}:   # needs kick, snare and bass
                bar_s = max(n.end for n in played) / 5
                found[groove] = max(2, int(round(bar_s * 2)))   # at 120 bpm a beat is 0.5 s
    cache.write_text(json.dumps(found))
    return found


def _track_role(track_name: str) -> str:
    lowered = track_name.lower()
    return next((role for word, role in TRACK_ROLES if lowered.startswith(word)), "keys")


def mma_accompaniment(rng: np.random.Generator, seconds: float, genre: str, grooves: dict[str, int],
                      mma_home: Path, tempo: int | None = None) -> Accompaniment:
    """tempo: bpm, else random for the genre."""
    pool = sorted(g for g in grooves if genre == "acoustic" or g in STRAIGHT_GROOVES) or sorted(grooves)
    groove = pool[int(rng.integers(len(pool)))]
    tempo = tempo or int(rng.integers(*TEMPO[genre]))
    bars = int(np.ceil(seconds / (grooves[groove] * 60.0 / tempo))) + 1
    chart = random_chart(rng, bars)
    script = f"Tempo {tempo}\nGroove {groove}\n" + "".join(f"{i + 1} {c.name}\n" for i, c in enumerate(chart))
    with tempfile.TemporaryDirectory() as tmp:
        midi = run_mma(mma_home, script, Path(tmp))
        hits = [(n.start, n.pitch, n.velocity) for n in notes(midi.events) if n.channel == DRUM_CHANNEL]
        hits = [h for h in embellish(hits, rng, grooves[groove] * 60.0 / tempo, bars) if h[0] < seconds]
        melodic = render_channels(midi.events, notes(midi.events), 0.0, seconds,
                                  lambda c: _track_role(midi.channel_names.get(c, "")), Path(tmp))
    return Accompaniment(hits, melodic, {"generator": "mma", "groove": groove, "tempo": tempo,
                                         "chords": [c.name for c in chart]})


def embellish(hits: list[tuple[float, int, int]], rng: np.random.Generator, bar_s: float, bars: int
              ) -> list[tuple[float, int, int]]:
    """MMA's grooves rarely touch cymbals and toms: like a drummer, sometimes play the hats on the ride,
    crash on phrase starts and fill on toms at phrase ends, so every drum role gets one-shots."""
    if rng.random() < 0.3:
        hits = [(t, 51 if n in (42, 46) else n, v) for t, n, v in hits]
    phrase = int(rng.choice([2, 4]))
    crash = int(rng.choice([49, 57, 55, 52], p=[0.5, 0.3, 0.1, 0.1]))
    beat = bar_s / 4
    for bar in range(0, bars, phrase):
        if rng.random() < 0.8:
            hits.append((bar * bar_s, crash, int(rng.integers(90, 128))))
        if bar and rng.random() < 0.6:
            toms = sorted(rng.choice([50, 48, 47, 45, 43, 41], size=4, replace=False).tolist(), reverse=True)
            hits += [(bar * bar_s - beat + k * beat / 4, n, int(rng.integers(80, 125))) for k, n in enumerate(toms)]
    return sorted(hits)

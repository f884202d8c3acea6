"""How well in-context audition finds a bounce's hits (README, In-context audition): Freedoom songs rendered with
fluidsynth (FluidR3_GM), each song's first minute with its drums and without them, against the drum notes of
its MIDI file.

    .venv/bin/python bench/context_onsets.py [--songs d_e1m1 d_e2m1 ...] [--out DIR]

Per band: precision and recall of the hits found (a hit within 30 ms of a note of its class; kick: GM notes 35-36,
snare/clap: 37-40, hats and cymbals: 42-59 less the toms), the median offset, and how many hits the same minute
without its drum channel still has (what a bounce without drums triggers on instead of the beat grid); the tempo
found against the MIDI file's.
"""
from __future__ import annotations

import argparse
import os
import statistics
import struct
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from model.bounce_onsets import analyse  # noqa: E402
from training.corpus.kits_sf2 import FLUID_GM, fluidsynth_render  # noqa: E402
from training.corpus.midi import DRUM_CHANNEL, Event, _parse_track, notes, read_midi, write_midi  # noqa: E402

FREEDOOM = Path("/work/shared/drums/midi/freedoom")
SONGS = ("d_e1m1", "d_e1m2", "d_e2m1", "d_e3m1", "d_dm01", "d_intro")
SECONDS = 60.0
TOLERANCE_S = 0.03
TOMS = {41, 43, 45, 47, 48, 50}
CLASSES = {"low": {35, 36}, "mid": {37, 38, 39, 40}, "top": set(range(42, 60)) - TOMS}


def render(song: Path, out: Path) -> tuple[Path, Path, list[tuple[float, int]]]:
    """(with drums, without, the drum notes) of the song's first SECONDS, rendered once into out."""
    events = read_midi(song).events
    played = [n for n in notes(events) if n.start < SECONDS]
    setup = [e for e in events if e.status in (0xB0, 0xC0, 0xE0) and e.time < SECONDS]
    files = []
    for kind, keep in (("drums", lambda c: True), ("no_drums", lambda c: c != DRUM_CHANNEL)):
        wav = out / f"{song.stem}_{kind}.wav"
        files.append(wav)
        if wav.exists():
            continue
        chosen = [e for e in setup if keep(e.channel)]
        for n in played:
            if keep(n.channel):
                chosen += [Event(n.start, 0x90, n.channel, (n.pitch, n.velocity)),
                           Event(min(n.end, SECONDS), 0x80, n.channel, (n.pitch, 0))]
        chosen += [Event(SECONDS + 0.5, 0xB0, c, (k, 0)) for c in range(16) for k in (120, 123)]  # all off
        write_midi(out / "song.mid", chosen)
        fluidsynth_render(FLUID_GM, out / "song.mid", wav, gain=0.6)
        audio, rate = sf.read(wav, dtype="float32")
        sf.write(wav, audio[:int((SECONDS + 1) * rate)], rate)
    drums = [(n.start, n.pitch) for n in played if n.channel == DRUM_CHANNEL]
    return files[0], files[1], drums


def midi_tempo(song: Path) -> float:
    """The first tempo the file sets, in BPM."""
    blob = song.read_bytes()
    tracks, pos = struct.unpack(">H", blob[10:12])[0], 8 + struct.unpack(">I", blob[4:8])[0]
    tempos: list[tuple[int, int]] = []
    for _ in range(tracks):
        length = struct.unpack(">I", blob[pos + 4:pos + 8])[0]
        _parse_track(blob[pos + 8:pos + 8 + length], [], tempos)
        pos += 8 + length
    return 60e6 / sorted(tempos)[0][1] if tempos else 120.0


def matches(found: np.ndarray, notes_at: np.ndarray) -> tuple[int, list[float]]:
    """How many found hits meet a note (each note once), and their offsets."""
    used = np.zeros(len(notes_at), bool)
    offsets = []
    for t in found:
        if not len(notes_at):
            break
        j = int(np.argmin(np.abs(notes_at - t) + used * 1e9))
        if not used[j] and abs(notes_at[j] - t) <= TOLERANCE_S:
            used[j] = True
            offsets.append(t - notes_at[j])
    return len(offsets), offsets


def mono(path: Path) -> tuple[np.ndarray, int]:
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    return audio.mean(axis=1), rate


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--songs", nargs="+", default=list(SONGS))
    p.add_argument("--out", type=Path, default=Path("/tmp/samplematch-context-onsets"))
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    totals = {band: [0, 0, 0, 0] for band in CLASSES}  # found, right, notes, found without drums
    offsets: dict[str, list[float]] = {band: [] for band in CLASSES}
    cpu = []
    print(f"load average {os.getloadavg()[0]:.1f}")
    for name in args.songs:
        song = FREEDOOM / f"{name}.mid"
        with_drums, without, drums = render(song, args.out)
        wave, rate = mono(with_drums)
        began = time.process_time()
        found = analyse(wave, rate)
        cpu.append(time.process_time() - began)
        bare = analyse(*mono(without))
        line = [f"{name}: tempo {found.tempo:.1f} (MIDI {midi_tempo(song):.0f}, without drums {bare.tempo:.1f})"]
        for band, pitches in CLASSES.items():
            at = np.unique(np.round([t for t, pitch in drums if pitch in pitches], 3))
            right, off = matches(found.hits[band], at)
            for k, v in enumerate((len(found.hits[band]), right, len(at), len(bare.hits[band]))):
                totals[band][k] += v
            offsets[band] += off
            line.append(f"{band} {right}/{len(found.hits[band])} found right, {right}/{len(at)} notes, "
                        f"{len(bare.hits[band])} without drums")
        print(" | ".join(line), flush=True)
    print(f"analysis: {statistics.median(cpu):.2f} CPU-s per minute of audio (median)")
    for band, (n_found, right, n_notes, n_bare) in totals.items():
        precision, recall = right / max(1, n_found), right / max(1, n_notes)
        f = 2 * precision * recall / max(1e-9, precision + recall)
        print(f"{band}: precision {precision:.0%}, recall {recall:.0%}, F {f:.2f}, median offset "
              f"{statistics.median(offsets[band]) * 1000:+.1f} ms; {n_found} hits with drums, {n_bare} without")


if __name__ == "__main__":
    main()

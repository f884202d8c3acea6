"""SoundFont drum kits rendered note-by-note with fluidsynth into one-shot WAVs (cached).

FluidR3_GM: each bank-128 preset is a kit (played on MIDI channel 10). avldrums: each .sf2 is one kit
(its single preset, played on channel 1). Each GM note is rendered at a few velocities; the velocities
become the piece's velocity layers.
"""
from __future__ import annotations

import functools
import json
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from .gm import GM_NAMES, GM_PERC_NOTES, GM_ROLE
from .kits import Kit, Layer, Piece, looks_electronic
from .layout import SAMPLE_RATE
from .midi import DRUM_CHANNEL, Event, write_midi
from .sf2 import list_presets

FLUID_GM = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
AVLDRUMS = (Path("/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2"), Path("/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2"))
FLUID_COPYRIGHT = "/usr/share/doc/fluid-soundfont-gm/copyright"
AVL_COPYRIGHT = "/usr/share/doc/avldrums.lv2-soundfont/copyright"
VELOCITIES = (45, 85, 125)
SPACING_S = 3.0
HOLD_S = 2.5
SILENT = 10 ** (-70 / 20)


def fluidsynth_available() -> bool:
    try:
        subprocess.run(["fluidsynth", "--version"], capture_output=True, check=True, timeout=20)
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def fluidsynth_render(sf2: Path, midi: Path, out_wav: Path, gain: float = 1.0, timeout_s: float = 300) -> None:
    """Render with reverb/chorus off (each song gets its own chain); samples load lazily, which keeps
    start-up of the 140 MB GM font under half a second."""
    subprocess.run(["fluidsynth", "-ni", "-R", "0", "-C", "0", "-g", str(gain), "-o",
                    "synth.dynamic-sample-loading=1", "-F", str(out_wav), "-r", str(SAMPLE_RATE), str(sf2),
                    str(midi)], capture_output=True, check=True, timeout=timeout_s)


def _render_kit_notes(sf2: Path, channel: int, program: int, notes: list[int], out_dir: Path) -> dict:
    """Write n<note>_v<vel>.wav for every note/velocity that sounds; returns {note: [files]}."""
    events = [Event(0.0, 0xC0, channel, (program,))]
    slots = [(n, v) for n in notes for v in VELOCITIES]
    for i, (n, v) in enumerate(slots):
        t = 0.1 + i * SPACING_S
        events += [Event(t, 0x90, channel, (n, v)), Event(t + HOLD_S, 0x80, channel, (n, 0))]
    with tempfile.TemporaryDirectory() as tmp:
        mid, wav = Path(tmp) / "kit.mid", Path(tmp) / "kit.wav"
        write_midi(mid, events)
        fluidsynth_render(sf2, mid, wav)
        audio, _ = sf.read(wav, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    peak = float(np.max(np.abs(mono))) or 1.0
    found: dict[int, list[str]] = {}
    hop = int(SPACING_S * SAMPLE_RATE)
    for i, (n, v) in enumerate(slots):
        start = int(0.1 * SAMPLE_RATE) + i * hop - 64
        cut = mono[start:start + hop] * (0.9 / peak)
        loud = np.flatnonzero(np.abs(cut) > SILENT)
        if loud.size == 0:
            continue
        cut = cut[: loud[-1] + 1]
        name = f"n{n}_v{v}.wav"
        sf.write(out_dir / name, cut, SAMPLE_RATE, subtype="FLOAT")
        found.setdefault(n, []).append(name)
    return found


def _kit_from_render(name: str, kind: str, origin: str, licence: str, electronic: bool, out_dir: Path,
                     found: dict, licence_file: str) -> Kit:
    pieces = []
    for note, files in sorted((int(k), v) for k, v in found.items()):
        n = len(files)
        layers = [Layer(i / n, (i + 1) / n, path=str(out_dir / f)) for i, f in enumerate(files)]
        pieces.append(Piece(GM_NAMES.get(note, f"note {note}"), GM_ROLE.get(note, "perc"), layers))
    return Kit(name, kind, origin, licence, electronic, pieces, [licence_file])


def _cached_render(cache: Path, key: str, render) -> tuple[Path, dict]:
    out_dir = cache / re.sub(r"[^A-Za-z0-9_.-]+", "_", key)
    manifest = out_dir / "notes.json"
    if manifest.is_file():
        return out_dir, json.loads(manifest.read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    found = render(out_dir)
    manifest.write_text(json.dumps(found))
    return out_dir, found


def sf2_kits(cache_dir: Path, progress=None) -> list[Kit]:
    """Kits from FluidR3_GM's drum presets and the avldrums SoundFonts (rendered once into cache_dir)."""
    if not fluidsynth_available():
        return []
    notes = sorted(GM_ROLE) + list(GM_PERC_NOTES)
    jobs = []
    for preset in sorted((p for p in list_presets(FLUID_GM) if p.bank == 128), key=lambda p: p.program):
        jobs.append((f"fluidr3:{preset.name}", "sf2", FLUID_GM, DRUM_CHANNEL, preset.program,
                     "MIT (FluidR3_GM, fluid-soundfont-gm)", FLUID_COPYRIGHT,
                     looks_electronic(preset.name) or preset.name in ("Electronic", "TR-808")))
    for path in AVLDRUMS:
        if list_presets(path):
            jobs.append((f"avldrums:{path.stem}", "avldrums", path, 0, 0, "CC-BY-SA-3.0 (avldrums.lv2-soundfont)",
                         AVL_COPYRIGHT, False))
    kits = []
    for i, (name, kind, sf2, channel, program, licence, lic_file, electronic) in enumerate(jobs):
        if progress:
            progress(i, len(jobs), f"rendering SoundFont kit {name}")
        out_dir, found = _cached_render(Path(cache_dir) / "sf2", name,
                                        functools.partial(_render_kit_notes, sf2, channel, program, notes))
        if found:
            kits.append(_kit_from_render(name, kind, str(sf2), licence, electronic, out_dir, found, lic_file))
    return kits

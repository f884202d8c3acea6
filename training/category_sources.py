"""Labelled samples for the category head: drum one-shots of known class, and sounds that are not one-shots.

Every example belongs to a group (a kit, or a family of sounds) that is held out whole when accuracy is
measured: hits of one kit share drums, rooms and microphones, so splitting a kit by file would leak.

- drums: the curated pack (../shared/drums, manifest.csv `class` and `kit`); its `instrument` column is the
  source's own name, the name the names-only baseline reads (the pack's file names spell out the class);
- hydrogen: Debian's Hydrogen kits, labelled by their drumkit.xml instrument names (model.kit_files);
- sonic-pi: sonic-pi-samples, drums by name, loops / ambient / bass / guitar / vinyl as not one-shots;
- lmms: lmms-common's drums by name; its beats, basses, bass loops, instruments, strings and pads, latin
  guitars as not one-shots;
- generated: silence, noise, sustained sines and pads (1-60 s), plucked and sung notes (0.3-4 s), and loops
  played from the pack's own hits (grouped with the pack kit they come from).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

from model import audio
from model.category_head import CLASSES
from model.kit_files import folder_kit_categories, sample_key
from model.taxonomy import NON_DRUM, PERCUSSION, name_category

SOURCES = ("drums", "hydrogen", "sonic-pi", "lmms", "generated")
DEFAULT_DRUMS = Path(__file__).resolve().parent.parent.parent / "shared" / "drums"
HYDROGEN = Path("/usr/share/hydrogen/data/drumkits")
SONIC_PI = Path("/usr/share/sonic-pi/samples")
LMMS = Path("/usr/share/lmms/samples")

PACK_CLASSES = {"hihat_closed": "hihat", "hihat_open": "hihat", "hihat_pedal": "hihat", "rim": "snare"}
SONIC_PI_NON_DRUM = ("ambi_", "bass_", "guit_", "loop_", "vinyl_")
SONIC_PI_NAMES = {"drum_roll": None, "elec_tick": "hihat"}  # a roll is many hits; Sonic Pi's tick is a hat
LMMS_NON_DRUM = ("beats", "basses", "bassloops", "instruments", "stringsnpads", "latin")
GENERATED_KINDS = ("silence", "noise", "tone", "pad", "note", "loop")
GENERATED_SECONDS = {"silence": (0.3, 60.0), "noise": (1.0, 60.0), "tone": (1.0, 60.0), "pad": (1.0, 60.0),
                     "note": (0.3, 4.0)}
GENERATED_PER_KIND = 40
LOOPS_PER_KIT = 6


@dataclass(frozen=True)
class Example:
    label: str               # one of model.category_head.CLASSES
    group: str               # held out whole
    name: str = ""           # what the names-only baseline reads ("" for generated sounds)
    path: str | None = None  # a file, or else a generated sound:
    synth: tuple = ()        # (kind, seed, seconds[, hit paths...])


def examples(sources: tuple[str, ...] = SOURCES, drums: Path = DEFAULT_DRUMS) -> list[Example]:
    readers = {"drums": lambda: pack_examples(drums), "hydrogen": hydrogen_examples,
               "sonic-pi": sonic_pi_examples, "lmms": lmms_examples, "generated": lambda: generated_examples(drums)}
    out = [e for s in sources for e in readers[s]()]
    assert all(e.label in CLASSES for e in out)
    return out


def _pack_rows(drums: Path) -> list[dict]:
    manifest = drums / "manifest.csv"
    if not manifest.is_file():
        return []
    with open(manifest, newline="") as f:
        return list(csv.DictReader(f))


def pack_examples(drums: Path = DEFAULT_DRUMS) -> list[Example]:
    return [Example(PACK_CLASSES.get(r["class"], r["class"]), f"drums:{r['kit']}", r["instrument"],
                    str(drums / r["path"])) for r in _pack_rows(drums)]


def _audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and audio.is_audio_path(p))


def hydrogen_examples(root: Path = HYDROGEN) -> list[Example]:
    out = []
    for kit in sorted(p for p in root.glob("*") if (p / "drumkit.xml").is_file()) if root.is_dir() else ():
        labels = folder_kit_categories(kit)
        for f in _audio_files(kit):
            label = labels.get(sample_key(f))
            if label:
                out.append(Example(label, f"hydrogen:{kit.name}", f"{kit.name}/{f.name}", str(f)))
    return out


def _named(name: str) -> str | None:
    label = name_category(name)
    return label if label in PERCUSSION or label == NON_DRUM else None


def sonic_pi_examples(root: Path = SONIC_PI) -> list[Example]:
    out = []
    for f in _audio_files(root) if root.is_dir() else ():
        family = f.stem.split("_")[0]
        label: str | None
        if f.stem.startswith(SONIC_PI_NON_DRUM):
            label = NON_DRUM
        else:
            label = SONIC_PI_NAMES[f.stem] if f.stem in SONIC_PI_NAMES else _named(f.stem)
        if label:
            out.append(Example(label, f"sonic-pi:{family}", f.name, str(f)))
    return out


def lmms_examples(root: Path = LMMS) -> list[Example]:
    out = []
    for folder in ("drums", *LMMS_NON_DRUM):
        for f in _audio_files(root / folder) if (root / folder).is_dir() else ():
            label = _named(f.stem) if folder == "drums" else NON_DRUM
            if label:
                out.append(Example(label, f"lmms:{folder}", f"{folder}/{f.name}", str(f)))
    return out


def generated_examples(drums: Path = DEFAULT_DRUMS) -> list[Example]:
    rng = np.random.default_rng(11)
    out = []
    for kind, (shortest, longest) in GENERATED_SECONDS.items():
        for i in range(GENERATED_PER_KIND):
            seconds = float(np.exp(rng.uniform(np.log(shortest), np.log(longest))))
            out.append(Example(NON_DRUM, f"generated:{kind}:{i % 5}", synth=(kind, i, seconds)))
    hits: dict[str, dict[str, list[str]]] = {}
    for e in pack_examples(drums):
        if e.label in ("kick", "snare", "hihat", "clap") and e.path is not None:
            hits.setdefault(e.group, {}).setdefault(e.label, []).append(e.path)
    for group, by_class in sorted(hits.items()):
        if "kick" not in by_class or not ({"snare", "clap"} & set(by_class)):
            continue
        for i in range(LOOPS_PER_KIT):
            seconds = float(rng.uniform(1.5, 8.0))
            picks = [by_class[c][int(rng.integers(len(by_class[c])))] for c in ("kick", "snare", "clap", "hihat")
                     if c in by_class]
            out.append(Example(NON_DRUM, group, synth=("loop", i, seconds, *picks)))
    return out


def synth_wave(spec: tuple, rate: int) -> np.ndarray:
    """The generated sound an Example.synth describes, mono float32 at rate."""
    kind, seed, seconds, *paths = spec
    rng = np.random.default_rng([GENERATED_KINDS.index(kind), seed])
    n = int(seconds * rate)
    t = np.arange(n) / rate
    level = 10 ** (rng.uniform(-30, -3) / 20)
    if kind == "silence":
        x = rng.normal(0, 10 ** (-90 / 20), n) if seed % 2 else np.zeros(n)
        return x.astype(np.float32)
    if kind == "noise":
        pole = (0.0, 0.9, 0.99)[seed % 3]  # white, darker, darker still (vinyl hiss, rumble, wind)
        x = lfilter([1.0], [1.0, -pole], rng.normal(0, 1, n))
    elif kind == "tone":
        f0 = float(np.exp(rng.uniform(np.log(40), np.log(2000))))
        x = np.sin(2 * np.pi * f0 * t + 0.003 * f0 * np.sin(2 * np.pi * rng.uniform(3, 6) * t) * (seed % 2))
    elif kind == "pad":
        root = float(np.exp(rng.uniform(np.log(80), np.log(600))))
        x = np.sum([np.sin(2 * np.pi * root * r * h * t) / h for r in (1, 1.26, 1.5) for h in range(1, 6)], axis=0)
        x = x * np.minimum(1, t / rng.uniform(0.05, 1.5))  # a slow attack
    elif kind == "note":  # a plucked or sung note: harmonics that decay (a bass hit, a choir "aah")
        f0 = float(np.exp(rng.uniform(np.log(55), np.log(880))))
        vibrato = 1 + 0.01 * np.sin(2 * np.pi * rng.uniform(4, 6) * t) * (seed % 2)
        phase = 2 * np.pi * np.cumsum(f0 * vibrato) / rate
        tilt = rng.uniform(0.5, 2.0)
        x = sum(np.sin(h * phase) / h ** tilt for h in range(1, int(rng.integers(4, 13))))
        x = x * np.minimum(1, t / rng.uniform(0.002, 0.3)) * np.exp(-t / rng.uniform(0.2, 2.0))
    else:  # a loop of hits from one kit
        return _loop(paths, seconds, rate, rng)
    x = np.asarray(x, np.float64)
    return (level * x / (np.max(np.abs(x)) + 1e-12)).astype(np.float32)


def _loop(paths: list[str], seconds: float, rate: int, rng: np.random.Generator) -> np.ndarray:
    hits = [audio.load(p, rate, max_seconds=1.0) for p in paths]
    step = 60 / rng.uniform(80, 175) / 2  # eighth notes
    n = int(seconds * rate)
    out = np.zeros(n + rate, np.float32)
    pattern = {0: [0], 1: [len(hits) - 1], 2: [1 % len(hits)], 3: [len(hits) - 1]}  # kick hat snare hat
    for i in range(int(seconds / step)):
        for h in pattern[i % 4]:
            start = int(i * step * rate)
            hit = hits[h] * rng.uniform(0.5, 1.0)
            out[start:start + len(hit)] += hit[:len(out) - start]
    out = out[:n]
    return out / max(1.0, float(np.max(np.abs(out))))


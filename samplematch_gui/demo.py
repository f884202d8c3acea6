"""A small demo library and demo bounce, so a newcomer sees a ranking within a minute.

One-shots come from Debian's drum kits when installed (Hydrogen kits, Sonic Pi samples), else
they are synthesised. Everything is written under data_dir()/demo, never into user folders.
The bounce is synthesised: a drum groove, a bass line and a pad chord, 16 s at 120 BPM.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from model.audio import AudioError, is_audio_path, load as load_audio

RATE = 44100
MAX_ONESHOT_SECONDS = 2.5
DONE_MARKER = ".complete"


@dataclass(frozen=True)
class DemoSources:
    hydrogen_dir: Path = Path("/usr/share/hydrogen/data/drumkits")
    hydrogen_kits: tuple[str, ...] = ("GMRockKit", "TR808EmulationKit", "HardElectro1",
                                      "ColomboAcousticDrumkit")
    sonic_pi_dir: Path = Path("/usr/share/sonic-pi/samples")
    sonic_pi_prefixes: tuple[str, ...] = ("bd_", "sn_", "drum_", "elec_", "perc_")
    max_per_group: int = 30  # spread evenly over each kit's sorted names, so a scan stays short


@dataclass(frozen=True)
class DemoLibrary:
    folder: Path  # the sample folder to add to the library
    bounce: Path  # the query to drop
    source: str  # "debian" or "generated"
    count: int


def demo_root() -> Path:
    from samplematch_gui.paths import data_dir
    return data_dir() / "demo"


def build_demo(root: Path | None = None, sources: DemoSources = DemoSources(),
               progress: Callable[[int, int], None] | None = None) -> DemoLibrary:
    """Write (once) the demo sample folder and bounce under root (default data_dir()/demo)."""
    root = Path(root) if root is not None else demo_root()
    folder, bounce = root / "Demo Drum Kit", root / "demo_bounce.wav"
    files = [p for p in folder.rglob("*") if is_audio_path(p)]
    if (root / DONE_MARKER).exists() and bounce.exists() and files:
        source = (root / DONE_MARKER).read_text().strip() or "generated"
        return DemoLibrary(folder, bounce, source, len(files))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    found = _installed_oneshots(sources)
    count, source = _copy_oneshots(found, folder, progress), "debian"
    if count == 0:
        count, source = _write_generated(folder), "generated"
    sf.write(str(bounce), demo_bounce(), RATE, subtype="PCM_16")
    (root / DONE_MARKER).write_text(source + "\n")
    return DemoLibrary(folder, bounce, source, count)


def _installed_oneshots(sources: DemoSources) -> list[tuple[str, Path]]:
    """(group folder name, file) pairs from the installed Debian drum packages."""
    groups: dict[str, list[Path]] = {}
    for kit in sources.hydrogen_kits:
        kit_dir = sources.hydrogen_dir / kit
        if kit_dir.is_dir():
            groups[kit] = [p for p in sorted(kit_dir.iterdir()) if is_audio_path(p)]
    if sources.sonic_pi_dir.is_dir():
        groups["SonicPi"] = [p for p in sorted(sources.sonic_pi_dir.iterdir())
                             if is_audio_path(p) and p.name.startswith(sources.sonic_pi_prefixes)]
    found: list[tuple[str, Path]] = []
    for group, files in groups.items():
        if len(files) > sources.max_per_group:
            picks = np.linspace(0, len(files) - 1, sources.max_per_group).round().astype(int)
            files = [files[i] for i in np.unique(picks)]
        found += [(group, p) for p in files]
    return found


def _copy_oneshots(found: list[tuple[str, Path]], folder: Path,
                   progress: Callable[[int, int], None] | None) -> int:
    """Decode, trim and write each one-shot as a small mono WAV; unreadable files are skipped."""
    count = 0
    for i, (group, src) in enumerate(found):
        try:
            wave = load_audio(src, RATE, max_seconds=MAX_ONESHOT_SECONDS)
        except AudioError:
            continue
        out = folder / group / (src.stem + ".wav")
        out.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(out), _fade_out(wave), RATE, subtype="PCM_16")
        count += 1
        if progress:
            progress(i + 1, len(found))
    return count


# --- synthesis -----------------------------------------------------------------------------

def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def _fade_out(x: np.ndarray, seconds: float = 0.02) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32).copy()
    n = min(len(x), int(seconds * RATE))
    if n:
        x[-n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
    return x


def _norm(x: np.ndarray, peak: float = 0.9) -> np.ndarray:
    return (x * (peak / max(float(np.max(np.abs(x))), 1e-9))).astype(np.float32)


def _highpass_noise(rng: np.random.Generator, n: int, strength: int) -> np.ndarray:
    noise = rng.standard_normal(n)
    for _ in range(strength):  # repeated first difference: a cheap steep high-pass
        noise = np.diff(noise, prepend=0.0)
    return noise


def synth_hit(category: str, rng: np.random.Generator) -> np.ndarray:
    """One synthetic drum hit of a category; rng varies pitch, decay and colour."""
    r = rng.uniform
    if category in ("kick", "tom"):
        base = r(45, 65) if category == "kick" else r(90, 220)
        t = _t(r(0.4, 0.8))
        freq = base * (1 + r(2, 5) * np.exp(-t * r(25, 45)))
        x = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t * r(5, 9))
    elif category == "snare":
        t = _t(r(0.25, 0.45))
        tone = np.sin(2 * np.pi * r(170, 240) * t) * np.exp(-t * 25)
        x = tone + r(0.6, 1.2) * _highpass_noise(rng, len(t), 1) * np.exp(-t * r(12, 22))
    elif category == "hihat":
        t = _t(r(0.06, 0.35))
        x = _highpass_noise(rng, len(t), 3) * np.exp(-t * r(15, 60))
    elif category in ("ride", "crash"):
        t = _t(r(1.2, 2.4))
        partials = sum(np.sin(2 * np.pi * f * t + r(0, 6)) for f in rng.uniform(2500, 9000, 12))
        wash = _highpass_noise(rng, len(t), 2) * (0.5 if category == "ride" else 1.6)
        x = (wash + 0.15 * partials) * np.exp(-t * (r(2, 3) if category == "ride" else r(1, 2)))
    else:  # a clap
        t = _t(0.3)
        bursts = sum(np.exp(-np.maximum(t - d, 0) * 80) * (t >= d) for d in (0, 0.011, 0.023))
        x = _highpass_noise(rng, len(t), 1) * (bursts + 0.5 * np.exp(-t * 12))
    return _fade_out(_norm(x))


GENERATED_KIT = {"kick": 8, "snare": 8, "hihat": 8, "ride": 4, "crash": 4, "tom": 6, "clap": 4}


def _write_generated(folder: Path, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    out = folder / "Generated"
    out.mkdir(parents=True, exist_ok=True)
    for category, n in GENERATED_KIT.items():
        for i in range(n):
            sf.write(str(out / f"{category}_{i + 1:02d}.wav"), synth_hit(category, rng), RATE,
                     subtype="PCM_16")
    return sum(GENERATED_KIT.values())


def demo_bounce(seconds: float = 16.0, bpm: float = 120.0, seed: int = 3) -> np.ndarray:
    """A rough mix: kick/snare/hat groove, a bass line and a pad chord."""
    rng = np.random.default_rng(seed)
    mix = np.zeros(int(seconds * RATE) + RATE, dtype=np.float64)
    step = 60.0 / bpm / 2  # eighth notes
    hits = {c: synth_hit(c, rng) for c in ("kick", "snare", "hihat")}
    pattern = {"kick": (0, 3, 4, 6), "snare": (2, 6), "hihat": tuple(range(8))}
    gains = {"kick": 0.9, "snare": 0.6, "hihat": 0.25}
    bass_notes = (41.2, 41.2, 49.0, 36.7)  # E1 E1 G1 D1, one per bar
    for i in range(int(seconds / step)):
        bar, pos = divmod(i, 8)
        at = int(i * step * RATE)
        for cat, steps in pattern.items():
            if pos in steps:
                mix[at:at + len(hits[cat])] += gains[cat] * hits[cat][:len(mix) - at]
        if pos in (0, 3, 5):
            t = _t(step * 1.8)
            f = bass_notes[bar % len(bass_notes)] * (2 if pos == 5 else 1)
            saw = 2 * ((f * t) % 1.0) - 1
            mix[at:at + len(t)] += 0.35 * np.tanh(2 * saw) * np.exp(-t * 3)
    t = _t(seconds)
    pad = sum(np.sin(2 * np.pi * f * t) for f in (164.8, 196.0, 246.9)) / 3
    mix[:len(t)] += 0.12 * pad * (0.6 + 0.4 * np.sin(2 * np.pi * 0.25 * t))
    return _norm(mix[:int(seconds * RATE)], 0.8)

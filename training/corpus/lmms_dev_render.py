"""Headless LMMS renders for the dev set: every track of a project, and single hits of DrumSynth presets.

Renders are cached: a folder holds a finished render iff its render.json records the same plan (project and
excerpt, or the samples), so a rebuild renders nothing twice.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from training.corpus.layout import write_json_atomic
from training.corpus.lmms_dev_project import TICKS_PER_BEAT, excerpt, read_project, write_project

PROJECTS_DIR = Path("/usr/share/lmms/projects")
RENDER_TIMEOUT_S = 3600.0
HIT_SECONDS = 4.0               # note length of a rendered single hit (at 120 bpm)

# render(project file, existing output folder): writes `<n>_<track name>.wav` per rendered track.
Renderer = Callable[[Path, Path], None]


def find_projects() -> list[Path]:
    """The .mmp / .mmpz projects the lmms packages install (demos, shorties, tutorials)."""
    try:
        listed = subprocess.run(["dpkg", "-L", "lmms-common", "lmms"], capture_output=True, text=True,
                                timeout=60).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        listed = []
    found = {Path(p) for p in listed if re.search(r"\.mmpz?$", p)}
    found |= set(PROJECTS_DIR.rglob("*.mmp")) | set(PROJECTS_DIR.rglob("*.mmpz"))
    return sorted(p for p in found if p.is_file())


def lmms_version() -> str:
    try:
        out = subprocess.run(["lmms", "--allowroot", "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.splitlines()[0].strip() if out.stdout else ""


def lmms_render(project: Path, out_dir: Path) -> None:
    """`lmms rendertracks` at low priority (the CPUs are shared), without a display."""
    if shutil.which("lmms") is None:
        raise RuntimeError("lmms is not installed (apt-get install lmms)")
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen"}
    cmd = ["nice", "-n", "10", "lmms", "--allowroot", "rendertracks", str(project), "-f", "wav", "-s", "44100",
           "-o", f"{out_dir}/"]
    with open(out_dir / "lmms.log", "w") as log:
        try:
            done = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, timeout=RENDER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"lmms did not finish within {RENDER_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        raise RuntimeError(f"lmms exited with status {done.returncode} (see {out_dir / 'lmms.log'})")


def rendered_files(out_dir: Path) -> dict[int, Path]:
    """{track number: file} of a rendertracks output folder."""
    files = {}
    for path in out_dir.glob("*.wav"):
        number, sep, _ = path.name.partition("_")
        if sep and number.isdigit():
            files[int(number)] = path
    return files


def _to_mono_flac(files: dict[int, Path]) -> dict[int, Path]:
    """Rendered stereo wavs -> mono 24-bit FLAC beside them (a fifth of the space)."""
    out = {}
    for number, wav in files.items():
        data, rate = sf.read(wav, dtype="float32", always_2d=True)
        out[number] = wav.with_suffix(".flac")
        sf.write(out[number], np.clip(data.mean(axis=1), -1.0, 1.0), rate, subtype="PCM_24")
        wav.unlink()
    return out


def _cached(folder: Path, plan: dict, write: Callable[[Path], Path], render: Renderer
            ) -> tuple[dict[int, Path], dict]:
    """Render the project write(folder) writes, unless folder holds a finished render of the same plan.

    Returns ({track number: mono FLAC}, the render record: the plan, seconds spent (0 when cached)).
    """
    record_path = folder / "render.json"
    if record_path.is_file():
        record = json.loads(record_path.read_text())
        if record.get("plan") == plan:
            files = {int(n): folder / "tracks" / name for n, name in record["files"].items()}
            return files, plan | {"seconds": 0.0}
    tracks = folder / "tracks"
    shutil.rmtree(tracks, ignore_errors=True)
    tracks.mkdir(parents=True)
    project = write(folder)
    started = time.monotonic()
    render(project, tracks)
    seconds = round(time.monotonic() - started, 1)
    files = _to_mono_flac(rendered_files(tracks))
    write_json_atomic(record_path, {"plan": plan, "render_seconds": seconds, "lmms": lmms_version(),
                                    "files": {str(n): p.name for n, p in sorted(files.items())}})
    return files, plan | {"seconds": seconds}


def render_project(project: Path, folder: Path, seconds: float, render: Renderer = lmms_render
                   ) -> tuple[dict[int, Path], dict]:
    """Every track of a `seconds` excerpt of a project (cached in folder): ({track number: FLAC}, record
    with "start", the excerpt's start in the song in seconds, and "seconds" spent rendering)."""
    root, start = excerpt(read_project(project), seconds)

    def write(folder: Path) -> Path:
        write_project(root, folder / "project.mmp")
        return folder / "project.mmp"
    plan = {"project": str(project), "start": round(start, 3), "length": seconds}
    return _cached(folder, plan, write, render)


def hits_project(samples: list[str]) -> ET.Element:
    """A song of one AudioFileProcessor track per sample, each playing one note at the sample's own pitch."""
    root = ET.Element("lmms-project", version="1.0", creator="LMMS", type="song")
    ET.SubElement(root, "head", bpm="120", timesig_numerator="4", timesig_denominator="4", mastervol="100",
                  masterpitch="0")
    container = ET.SubElement(ET.SubElement(root, "song"), "trackcontainer", type="song")
    length = str(int(HIT_SECONDS * 2 * TICKS_PER_BEAT))
    for i, src in enumerate(samples):
        track = ET.SubElement(container, "track", type="0", name=f"hit{i}", muted="0", solo="0")
        inst = ET.SubElement(track, "instrumenttrack", vol="100", pan="0", fxch="0", basenote="57", pitch="0",
                             pitchrange="1", usemasterpitch="1")
        ET.SubElement(ET.SubElement(inst, "instrument", name="audiofileprocessor"), "audiofileprocessor",
                      src=src, amp="100", sframe="0", eframe="1", lframe="0", looped="0", reversed="0",
                      stutter="0", interp="1")
        pattern = ET.SubElement(track, "pattern", pos="0", len=length, steps="16", type="1", muted="0", name="")
        ET.SubElement(pattern, "note", pos="0", len=length, key="57", vol="100", pan="0")
    return root


def render_hits(samples: list[str], folder: Path, render: Renderer = lmms_render) -> dict[str, Path]:
    """{sample src: wav of one hit} for samples only LMMS can play (DrumSynth presets, odd files); cached."""
    samples = sorted(set(samples))
    if not samples:
        return {}

    def write(folder: Path) -> Path:
        write_project(hits_project(samples), folder / "hits.mmp")
        return folder / "hits.mmp"
    files, _ = _cached(folder, {"samples": samples}, write, render)
    return {src: files[i + 1] for i, src in enumerate(samples) if i + 1 in files}

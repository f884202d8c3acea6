"""What the dev set makes of an LMMS track: its role, whether it is a drum, where its one-shot comes from.

A track is a drum when its AudioFileProcessor plays a file from the factory drum folders (samples/drums,
samples/drumsynth except its instrument and effect presets) or a drum loop (samples/beats), or when its
name says so ("Kick" on a synth). Only the drum-folder samples are one-shot candidates: a loop holds many
hits and a synth drum has no sample file. Roles come from the sample's file name, then the track name
(training.corpus.roles, built on model.taxonomy); a drum-folder sample neither names is "perc".
"""
from __future__ import annotations

import fnmatch
import hashlib
from pathlib import Path, PurePosixPath

import numpy as np

from training.corpus.layout import is_percussion
from training.corpus.lmms_dev_project import Track
from training.corpus.oneshots import FADE_S, PRE_ROLL_S, detect_onsets
from training.corpus.roles import stem_role

SAMPLES_DIR = Path("/usr/share/lmms/samples")
DRUM_FOLDERS = ("drums/", "drumsynth/")
NOT_DRUMS = ("drumsynth/instrument/", "drumsynth/effects/", "drumsynth/misc_fx/")
LOOP_FOLDERS = ("beats/",)
LEAD_S = 0.05
TAIL_FLOOR = 1e-3               # the silent tail (-60 dB re the peak) of a sample or a rendered note is cut
MIN_HIT_S = 0.1                 # a second onset closer than this is the same hit (flam, rattle)


def _folder_path(src: str) -> str:
    """The src below the samples folder, lower case, '/'-separated (absolute factory paths too)."""
    path = src.replace("\\", "/").lower()
    marker = "/lmms/samples/"
    return path.split(marker, 1)[1] if marker in path else path.lstrip("/")


def is_drum_sample(src: str) -> bool:
    path = _folder_path(src)
    return path.startswith(DRUM_FOLDERS) and not path.startswith(NOT_DRUMS)


def track_role(track: Track) -> str:
    """A percussion role (kick snare hihat ride crash tom perc) for drum tracks, an instrument role else."""
    sample = PurePosixPath(_folder_path(track.sample)).stem if track.sample else ""
    if is_drum_sample(track.sample):
        return next((r for r in map(stem_role, (sample, track.name)) if is_percussion(r)), "perc")
    if _folder_path(track.sample).startswith(LOOP_FOLDERS):
        return "perc"
    role = stem_role(track.name)
    return stem_role(sample) if role == "other" and sample else role


def sample_file(src: str, samples_dir: Path = SAMPLES_DIR) -> Path:
    """Where LMMS finds an AudioFileProcessor src: absolute, else below the factory samples folder."""
    path = Path(src)
    return path if path.is_absolute() else samples_dir / src


def file_sha1(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()


def first_hit(wave: np.ndarray, sr: int, max_seconds: float) -> np.ndarray | None:
    """The first hit of a sample: from just before its first onset to the next onset or max_seconds,
    without its silent tail, with a short fade-out; None when it holds no onset."""
    lead = int(LEAD_S * sr)   # a sample file starts with its attack: silence before it makes it an onset
    onsets = np.maximum(detect_onsets(np.concatenate([np.zeros(lead, np.float32), wave]), sr) - lead, 0)
    if onsets.size == 0:
        return None
    pre, first = int(PRE_ROLL_S * sr), int(onsets[0])
    start = max(0, first - pre)
    later = onsets[onsets >= first + MIN_HIT_S * sr]
    stop = min(int(later[0]) - pre if later.size else len(wave), start + int(max_seconds * sr))
    cut = np.array(wave[start:stop], np.float32)
    audible = np.flatnonzero(np.abs(cut) >= TAIL_FLOOR * np.max(np.abs(cut)))
    cut = cut[:audible[-1] + 1]
    n = min(int(FADE_S * sr), len(cut) // 4)
    cut[len(cut) - n:] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
    return cut


def project_licence(copyright_text: str, package_path: str) -> str:
    """The License of the last DEP-5 Files paragraph matching package_path ("data/projects/...")."""
    licence = ""
    for paragraph in copyright_text.split("\n\n"):
        fields, key = {}, None
        for line in paragraph.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        if "Files" in fields and "License" in fields and any(
                fnmatch.fnmatchcase(package_path, pattern) for pattern in fields["Files"].split()):
            licence = fields["License"].split()[0] if fields["License"] else ""
    return licence

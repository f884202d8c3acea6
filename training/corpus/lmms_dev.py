"""A real-music dev set from Debian's LMMS demo projects, in the corpus layout (split "dev").

Per project: SONG_SECONDS from a clip start no clip crosses, nearest the middle of the song, are rendered
track by track with `lmms rendertracks` (cached under <out>/cache); every audible track becomes a mono
stem, and every drum-folder sample a drum track plays becomes a one-shot: its first hit, cut from the
sample file itself (DrumSynth presets and files libsndfile cannot open are played by LMMS, one note each).
Renders are not deterministic, so evaluation always mixes the stems instead of rendering a full mix.
"""
from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model.audio import AudioError, check, load
from training.corpus.layout import (
    FORMAT,
    SAMPLE_RATE,
    is_percussion,
    is_song_complete,
    song_record,
    write_corpus_meta,
    write_oneshot,
    write_song,
    write_stem,
)
from training.corpus.lmms_dev_project import Track, project_tracks, read_project
from training.corpus.lmms_dev_render import (
    PROJECTS_DIR,
    Renderer,
    find_projects,
    lmms_render,
    render_hits,
    render_project,
)
from training.corpus.lmms_dev_tracks import (
    SAMPLES_DIR,
    file_sha1,
    first_hit,
    is_drum_sample,
    project_licence,
    sample_file,
    track_role,
)
from training.corpus.oneshots import SILENCE_PEAK
from training.corpus.parts import unique_name

KIT_SOURCE, SPLIT, GENRE = "lmms-demo", "dev", "electronic"
SONG_SECONDS = 60.0
ONESHOT_MAX_S = 1.5
CLICK_S = 0.01                  # some renders of an excerpt start with a one-sample full-scale click (~120 samples in)
COPYRIGHT = Path("/usr/share/doc/lmms-common/copyright")
PRESETS = (".ds",)              # DrumSynth presets: only LMMS turns them into sound

Progress = Callable[[int, int, str], None]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "x"


def song_id_for(project: Path) -> str:
    return f"lmms-{slug(project.stem)}"


def _package_path(project: Path) -> str:
    try:
        return f"data/projects/{project.relative_to(PROJECTS_DIR).as_posix()}"
    except ValueError:
        return project.name


def _needs_lmms(source: Path) -> bool:
    """DrumSynth presets, and files libsndfile cannot open (drums/kick04.ogg is Ogg-in-WAV), play via LMMS."""
    if source.suffix.lower() in PRESETS:
        return True
    try:
        check(source)
    except AudioError:
        return True
    return False


def _oneshot_waves(tracks: Sequence[Track], samples_dir: Path, hits: dict[str, Path], notes: list[str]
                   ) -> dict[str, tuple[np.ndarray, Path]]:
    """{sample src: (first hit, source file)} for the drum-folder samples of the tracks."""
    out = {}
    for src in dict.fromkeys(t.sample for t in tracks if is_drum_sample(t.sample)):
        source = sample_file(src, samples_dir)
        try:
            wave = load(hits.get(src, source), SAMPLE_RATE)
        except AudioError as exc:
            notes.append(f"sample {src}: {exc}; no one-shot")
            continue
        hit = first_hit(wave, SAMPLE_RATE, ONESHOT_MAX_S)
        if hit is None:
            notes.append(f"sample {src}: silent; no one-shot")
        else:
            out[src] = (hit, source)
    return out


def _audible(tracks: Sequence[Track], files: dict[int, Path], seconds: float, notes: list[str]
             ) -> dict[int, np.ndarray]:
    """{track number: rendered wave} of the tracks that rendered and are not silent."""
    waves = {}
    for t in tracks:
        if t.number not in files:
            notes.append(f"track {t.number} {t.name!r}: not rendered")
            continue
        wave = load(files[t.number], SAMPLE_RATE)[:int(seconds * SAMPLE_RATE)]
        wave[:int(CLICK_S * SAMPLE_RATE)] = 0.0
        if wave.size == 0 or np.max(np.abs(wave)) < SILENCE_PEAK:
            notes.append(f"track {t.number} {t.name!r}: silent in the excerpt")
        else:
            waves[t.number] = wave
    return waves


def build_song(project: Path, out_dir: Path, render: Renderer, hits: dict[str, Path], samples_dir: Path,
               seconds: float, licence: str) -> tuple[dict, list[str]]:
    """Render (or reuse) and write one song; (render record, notes)."""
    song_id = song_id_for(project)
    notes: list[str] = []
    tracks = [t for t in project_tracks(read_project(project)) if t.number]
    if not any(is_drum_sample(t.sample) for t in tracks):
        raise ValueError("no track plays a drum sample")
    files, render_record = render_project(project, out_dir / "cache" / song_id, seconds, render)
    waves = _audible(tracks, files, seconds, notes)
    kept = [t for t in tracks if t.number in waves]
    roles = {t.number: track_role(t) for t in kept}
    if not any(not is_percussion(r) for r in roles.values()):
        raise ValueError("no audible non-drum track")
    shots = _oneshot_waves([t for t in kept if is_drum_sample(t.sample)], samples_dir, hits, notes)
    if not shots:
        raise ValueError("no audible drum track playing a drum sample")
    length = max(len(w) for w in waves.values())
    song_dir = out_dir / "songs" / song_id
    shutil.rmtree(song_dir, ignore_errors=True)
    taken: set[str] = set()
    stem_of: dict[int, str] = {}
    stems = []
    for t in kept:
        stem_of[t.number] = unique_name(f"{t.number:02d}_{slug(t.name)}", taken)
        wave = np.zeros(length, np.float32)
        wave[:len(waves[t.number])] = waves[t.number]
        stems.append({"name": stem_of[t.number], "file": write_stem(song_dir, stem_of[t.number], wave),
                      "role": roles[t.number], "drum": is_percussion(roles[t.number]), "track": t.name,
                      "instrument": t.instrument, "sample": t.sample})
    oneshots = []
    for src, (hit, source) in shots.items():
        players = [stem_of[t.number] for t in kept if t.sample == src]
        role = next(roles[t.number] for t in kept if t.sample == src)
        oneshots.append({"file": write_oneshot(song_dir, unique_name(slug(Path(src).stem), taken), hit),
                         "role": role, "stem": players[0], "stems": players, "sample": src,
                         "sha1": file_sha1(source)})
    record = song_record(
        song_id, GENRE, KIT_SOURCE, SPLIT, length / SAMPLE_RATE, stems, oneshots, chain={},
        project=_package_path(project), licence=licence, excerpt_start=render_record["start"],
        drum_stems=[s["name"] for s in stems if s["drum"]], other_stems=[s["name"] for s in stems if not s["drum"]],
        tracks=[{"number": t.number, "name": t.name, "instrument": t.instrument, "sample": t.sample,
                 "in_beat": t.in_beat, "role": track_role(t), "drum": is_percussion(track_role(t)),
                 "stem": stem_of.get(t.number)} for t in tracks])
    write_song(out_dir, record)
    return render_record, notes


def _write_meta(out_dir: Path, seconds: float) -> None:
    licences = []
    if COPYRIGHT.is_file():
        (out_dir / "LICENSES").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(COPYRIGHT, out_dir / "LICENSES" / "lmms-common.copyright")
        licences.append("LICENSES/lmms-common.copyright")
    write_corpus_meta(out_dir, {
        "format": FORMAT, "seed": 0, "sample_rate": SAMPLE_RATE, "licence_files": licences,
        "sources": {KIT_SOURCE: {"name": "LMMS demo projects (Debian lmms-common)", "kind": "lmms-demo",
                                 "licence": "per project, see each song.json (Artistic-2, BSD-2-clause, "
                                            "CC-BY-SA-3, CC-BY-SA-4, GPL-2+)",
                                 "origin": str(PROJECTS_DIR)}},
        "devset": {"song_seconds": seconds, "oneshot_max_seconds": ONESHOT_MAX_S}})


def build_devset(out_dir: str | Path, progress: Progress | None = None, cancel=None,
                 projects: Sequence[Path] | None = None, render: Renderer = lmms_render,
                 samples_dir: Path = SAMPLES_DIR, seconds: float = SONG_SECONDS) -> dict:
    """Build (or finish) the dev set in out_dir; returns the summary (counts, per-project notes, failures)."""
    out_dir = Path(out_dir)
    projects = find_projects() if projects is None else [Path(p) for p in projects]
    copyright_text = COPYRIGHT.read_text() if COPYRIGHT.is_file() else ""
    summary: dict[str, Any] = {"projects": len(projects), "built": 0, "skipped": 0, "failed": [], "notes": {},
               "render_seconds": 0.0, "cancelled": False}
    tracks, failures = {}, summary["failed"]
    for project in projects:
        try:
            tracks[project] = [t for t in project_tracks(read_project(project)) if t.number]
        except (OSError, ValueError) as exc:
            failures.append(f"{project.name}: {exc}")
    via_lmms = sorted({t.sample for ts in tracks.values() for t in ts
                       if is_drum_sample(t.sample) and _needs_lmms(sample_file(t.sample, samples_dir))})
    try:
        hits = render_hits(via_lmms, out_dir / "cache" / "hits", render)
    except (OSError, RuntimeError) as exc:
        hits = {}
        failures.append(f"DrumSynth one-shots: {exc}")
    for i, project in enumerate(tracks):
        if cancel is not None and cancel.is_set():
            summary["cancelled"] = True
            break
        if progress:
            progress(i, len(tracks), project.name)
        if is_song_complete(out_dir, song_id_for(project)):
            summary["skipped"] += 1
            continue
        try:
            render_record, notes = build_song(project, out_dir, render, hits, samples_dir, seconds,
                                                 project_licence(copyright_text, _package_path(project)))
        except (OSError, RuntimeError, ValueError, AudioError) as exc:
            failures.append(f"{project.name}: {exc}")
            continue
        summary["built"] += 1
        summary["render_seconds"] += render_record["seconds"]
        if notes:
            summary["notes"][project.name] = notes
    if progress:
        progress(len(tracks), len(tracks), "done")
    _write_meta(out_dir, seconds)
    return summary | devset_counts(out_dir)


def devset_counts(out_dir: Path) -> dict:
    """Songs, stems (drum / other) and one-shots (all, distinct source samples) of the complete songs."""
    records = [json.loads(p.read_text()) for p in sorted(Path(out_dir).glob("songs/*/song.json"))]
    stems = [s for r in records for s in r["stems"]]
    shots = [o for r in records for o in r["oneshots"]]
    return {"songs": len(records), "stems": len(stems), "drum_stems": sum(s["drum"] for s in stems),
            "oneshots": len(shots), "distinct_oneshots": len({o["sha1"] for o in shots})}

"""Ingest users' own multitracks (remix packs, studio sessions) into the corpus layout.

<src_dir>/<song>/ holds one audio file per stem (any format model.audio reads) and optionally song.json
({"genre": ...}) or genre.txt ("electronic"/"acoustic"). Roles come from the file names (taxonomy for
drums, keywords for percussion and instruments). The user's folders are only read, never written.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np

from model.audio import AudioError, is_audio_path, load

from .layout import (
    FORMAT,
    GENRES,
    PERCUSSION_ROLES,
    SAMPLE_RATE,
    is_song_complete,
    read_corpus_meta,
    song_json_path,
    song_record,
    write_corpus_meta,
    write_oneshot,
    write_song,
    write_stem,
)
from .oneshots import SILENCE_PEAK, extract_oneshots, oneshot_count
from .parts import unique_name
from .roles import stem_role
from .split import split_by_name

USER_LICENCE = "the user's own material (private; not redistributable unless its owner says so)"


# Files that mix the other stems (a bounce, a premaster, a drum bus) would put the drums into the
# query of every one-shot: training would learn to find a sample in a mix that contains it.
MIX_WORDS = frozenset({"mix", "mixdown", "master", "premaster", "mastered", "bounce", "reference",
                       "instrumental", "bus", "buss"})


def song_id_for(folder_name: str, salt: str = "") -> str:
    """Stable id from the folder name; salt (the folder's path) tells apart packs reusing a name."""
    slug = re.sub(r"[^a-z0-9]+", "-", folder_name.lower()).strip("-")[:40] or "song"
    return f"user-{slug}-{hashlib.sha1((folder_name + salt).encode('utf-8')).hexdigest()[:6]}"


def _song_id(folder: Path, out_dir: Path) -> str:
    song_id = song_id_for(folder.name)
    try:
        record = json.loads(song_json_path(out_dir, song_id).read_text())
    except (OSError, ValueError):
        return song_id
    same = record.get("source_folder") in (None, str(folder)) if isinstance(record, dict) else True
    return song_id if same else song_id_for(folder.name, str(folder.resolve()))


def read_genre(song_dir: Path, default: str) -> str:
    for path, read in ((song_dir / "song.json", lambda t: json.loads(t).get("genre", "")),
                       (song_dir / "genre.txt", lambda t: t)):
        try:
            genre = str(read(path.read_text(encoding="utf-8", errors="replace"))).strip().lower()
        except (OSError, ValueError, AttributeError):
            continue
        if genre in GENRES:
            return genre
    return default


def _load_stems(song_dir: Path, problems: list[str]) -> dict[str, tuple[str, np.ndarray]]:
    stems: dict[str, tuple[str, np.ndarray]] = {}
    taken: set[str] = set()
    for path in sorted(p for p in song_dir.rglob("*") if p.is_file() and is_audio_path(p)):
        label = f"{song_dir.name}/{path.relative_to(song_dir)}"
        if MIX_WORDS & set(re.findall(r"[a-z]+", path.stem.lower())):
            problems.append(f"{label}: skipped (looks like a mix of the other stems)")
            continue
        try:
            wave = load(path, SAMPLE_RATE)
        except AudioError as exc:
            problems.append(f"{label}: skipped ({exc})")
            continue
        except OSError as exc:
            problems.append(f"{label}: skipped (cannot read: {exc.strerror or exc})")
            continue
        base = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_") or "stem"
        stems[unique_name(base, taken)] = (stem_role(path.stem), wave)
    return stems


def ingest_song(song_dir: Path, out_dir: Path, song_id: str, genre: str, problems: list[str]) -> dict | None:
    stems = _load_stems(song_dir, problems)
    if not stems:
        problems.append(f"{song_dir.name}: no readable stems, song skipped")
        return None
    n = max(len(w) for _, w in stems.values())
    peak = max(float(np.max(np.abs(w))) for _, w in stems.values())
    gain = 1.0 / peak if peak > 1.0 else 1.0    # keep 24-bit FLAC from clipping, relative levels intact
    target = Path(out_dir) / "songs" / song_id
    stem_records, shot_records = [], []
    for name, (role, wave) in stems.items():
        full = np.zeros(n, np.float32)
        full[:len(wave)] = wave * gain
        stem_records.append({"name": name, "file": write_stem(target, name, full), "role": role})
        if role in PERCUSSION_ROLES and np.max(np.abs(full)) < SILENCE_PEAK:
            problems.append(f"{song_dir.name}/{name}: silent, no one-shots taken from it")
        elif role in PERCUSSION_ROLES:
            for k, shot in enumerate(extract_oneshots(full, SAMPLE_RATE, oneshot_count(genre))):
                shot_records.append({"file": write_oneshot(target, f"{name}_{k}", shot), "role": role, "stem": name})
    if not shot_records:
        problems.append(f"{song_dir.name}: no percussion stem with hits (named kick, snare, hat ...), so no "
                        "one-shots: training cannot use it")
    record = song_record(song_id, genre, f"user:{song_id}", split_by_name(song_dir.name), n / SAMPLE_RATE,
                         stem_records, shot_records, {}, source_folder=str(song_dir))
    write_song(out_dir, record)
    return record


def ingest_multitracks(src_dir, out_dir, genre_default: str = "electronic", seed: int = 0, progress=None,
                       cancel=None) -> dict:
    """Ingest every song folder of src_dir; returns {"ingested", "skipped", "problems", "songs_per_split"}.

    seed is recorded in corpus.json when it is new; splits depend only on the folder names.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    if genre_default not in GENRES:
        raise ValueError(f"genre_default must be one of {GENRES}")
    folders = sorted(p for p in src_dir.iterdir() if p.is_dir()) if src_dir.is_dir() else []
    problems = [] if src_dir.is_dir() else [f"{src_dir}: not a folder"]
    meta = read_corpus_meta(out_dir)
    meta.setdefault("seed", seed)
    meta.update(format=FORMAT, sample_rate=SAMPLE_RATE)
    ingested, skipped, splits = 0, 0, {"train": 0, "val": 0, "test": 0}
    for i, folder in enumerate(folders):
        if cancel is not None and cancel.is_set():
            break
        song_id = _song_id(folder, out_dir)
        if is_song_complete(out_dir, song_id):
            skipped += 1
        elif (record := ingest_song(folder, out_dir, song_id, read_genre(folder, genre_default), problems)):
            ingested += 1
            splits[record["split"]] += 1
            meta["sources"][f"user:{song_id}"] = {"name": folder.name, "kind": "user", "licence": USER_LICENCE,
                                                  "origin": str(folder)}
        if progress:
            progress(i + 1, len(folders), folder.name)
    write_corpus_meta(out_dir, meta)
    return {"ingested": ingested, "skipped": skipped, "problems": problems, "songs_per_split": splits}

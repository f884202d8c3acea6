"""On-disk corpus layout: corpus.json, songs/<id>/song.json (written last, atomically), stems, one-shots.

A song is complete iff its song.json exists; readers glob songs/*/song.json.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf

FORMAT = 1
SAMPLE_RATE = 44100
PERCUSSION_ROLES = ("kick", "snare", "hihat", "ride", "crash", "tom", "perc")
GENRES = ("electronic", "acoustic")
SPLITS = ("train", "val", "test")


def is_percussion(role: str) -> bool:
    return role in PERCUSSION_ROLES


@dataclass(frozen=True)
class Stem:
    name: str
    path: Path
    role: str


@dataclass(frozen=True)
class OneShot:
    path: Path
    role: str
    stem: str


@dataclass(frozen=True)
class Song:
    id: str
    dir: Path
    genre: str
    split: str
    kit_source: str
    sample_rate: int
    duration: float
    stems: tuple[Stem, ...]
    oneshots: tuple[OneShot, ...]
    chain: dict = field(default_factory=dict)


def write_json_atomic(path: Path, data: dict) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=False))
    os.replace(tmp, path)


def song_json_path(corpus_dir: Path, song_id: str) -> Path:
    return Path(corpus_dir) / "songs" / song_id / "song.json"


def is_song_complete(corpus_dir: Path, song_id: str) -> bool:
    return song_json_path(corpus_dir, song_id).is_file()


def write_stem(song_dir: Path, name: str, wave: np.ndarray, sample_rate: int = SAMPLE_RATE) -> str:
    rel = f"stems/{name}.flac"
    (song_dir / "stems").mkdir(parents=True, exist_ok=True)
    sf.write(song_dir / rel, np.clip(wave, -1.0, 1.0), sample_rate, subtype="PCM_24")
    return rel


def write_oneshot(song_dir: Path, name: str, wave: np.ndarray, sample_rate: int = SAMPLE_RATE) -> str:
    rel = f"oneshots/{name}.wav"
    (song_dir / "oneshots").mkdir(parents=True, exist_ok=True)
    sf.write(song_dir / rel, wave.astype(np.float32), sample_rate, subtype="FLOAT")
    return rel


def song_record(song_id: str, genre: str, kit_source: str, split: str, duration: float,
                stems: list[dict], oneshots: list[dict], chain: dict, **extra) -> dict:
    """The song.json contents; extra keys (kit, accompaniment, ...) are informative only."""
    return {"id": song_id, "genre": genre, "kit_source": kit_source, "split": split,
            "sample_rate": SAMPLE_RATE, "duration": round(float(duration), 4),
            "stems": stems, "oneshots": oneshots, "chain": chain, **extra}


def write_song(corpus_dir: Path, record: dict) -> Path:
    path = song_json_path(corpus_dir, record["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, record)
    return path


def read_corpus_meta(corpus_dir: Path) -> dict:
    path = Path(corpus_dir) / "corpus.json"
    if not path.is_file():
        return {"format": FORMAT, "seed": 0, "sample_rate": SAMPLE_RATE, "sources": {}}
    return json.loads(path.read_text())


def write_corpus_meta(corpus_dir: Path, meta: dict) -> None:
    Path(corpus_dir).mkdir(parents=True, exist_ok=True)
    write_json_atomic(Path(corpus_dir) / "corpus.json", meta)


def song_from_record(song_dir: Path, rec: dict) -> Song:
    song_dir = Path(song_dir).resolve()
    return Song(
        id=rec["id"], dir=song_dir, genre=rec["genre"], split=rec["split"], kit_source=rec["kit_source"],
        sample_rate=int(rec.get("sample_rate", SAMPLE_RATE)), duration=float(rec["duration"]),
        stems=tuple(Stem(s["name"], song_dir / s["file"], s["role"]) for s in rec["stems"]),
        oneshots=tuple(OneShot(song_dir / o["file"], o["role"], o["stem"])
                       for o in rec["oneshots"]),
        chain=rec.get("chain", {}))


def load_corpus(corpus_dir: str | Path) -> tuple[dict, list[Song]]:
    """(corpus.json contents, complete songs sorted by id) with absolute stem / one-shot paths."""
    corpus_dir = Path(corpus_dir)
    meta = read_corpus_meta(corpus_dir)
    songs = []
    for path in sorted(corpus_dir.glob("songs/*/song.json")):
        try:
            songs.append(song_from_record(path.parent, json.loads(path.read_text())))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged song.json: the song is treated as incomplete
    return meta, songs

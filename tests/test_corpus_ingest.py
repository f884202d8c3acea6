import json
import os

import numpy as np
import soundfile as sf

from training.corpus.ingest import ingest_multitracks, song_id_for
from training.corpus.layout import load_corpus

SR = 48000   # ingest resamples to 44.1 kHz


def _hits(rng, onsets, seconds, freq):
    x = np.zeros(int(seconds * SR), np.float32)
    t = np.arange(int(0.3 * SR)) / SR
    hit = (0.7 * np.sin(2 * np.pi * freq * t) * np.exp(-t / 0.06)
           + 0.2 * rng.standard_normal(len(t)) * np.exp(-t / 0.01)).astype(np.float32)
    for o in onsets:
        s = int(o * SR)
        x[s:s + len(hit)] += hit[: len(x) - s]
    return x


def _make_pack(root):
    rng = np.random.default_rng(0)
    song = root / "Night Drive (remix pack)"
    song.mkdir(parents=True)
    onsets = np.arange(0.2, 7.5, 0.5)
    sf.write(song / "01 Kick.wav", _hits(rng, onsets, 8, 60), SR)
    sf.write(song / "02 Snare.flac", _hits(rng, onsets[1::2], 8, 200), SR)
    stereo = np.stack([_hits(rng, onsets + 0.25, 8, 900)] * 2, axis=1)
    sf.write(song / "Shaker loop.wav", stereo, SR)
    t = np.arange(8 * SR) / SR
    sf.write(song / "Bass.wav", (0.3 * np.sin(2 * np.pi * 55 * t)).astype(np.float32), SR)
    sf.write(song / "Synth Pad.wav", (0.2 * np.sin(2 * np.pi * 220 * t)[: 6 * SR]).astype(np.float32), SR)
    (song / "03 HiHat.wav").write_bytes(b"RIFF\x00\x00garbage, not audio")
    (song / "notes.txt").write_text("not a stem")
    (song / "genre.txt").write_text("acoustic\n")
    other = root / "club track"
    other.mkdir()
    sf.write(other / "kick.wav", _hits(rng, onsets, 8, 50), SR)
    sf.write(other / "chords.wav", (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), SR)
    (other / "song.json").write_text(json.dumps({"genre": "electronic"}))
    (root / "empty song").mkdir()
    return song


def _snapshot(root):
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_ingest_writes_the_layout_and_reports_bad_files(tmp_path):
    src, out = tmp_path / "packs", tmp_path / "corpus"
    song_dir = _make_pack(src)
    before = _snapshot(src)
    messages = []
    summary = ingest_multitracks(src, out, progress=lambda d, t, m: messages.append((d, t)))
    assert _snapshot(src) == before                     # the user's folders are left untouched
    assert summary["ingested"] == 2 and messages[-1] == (3, 3)
    assert any("03 HiHat.wav" in p and "skipped" in p for p in summary["problems"])
    assert any("empty song" in p for p in summary["problems"])

    meta, songs = load_corpus(out)
    night = next(s for s in songs if s.id == song_id_for(song_dir.name))
    assert night.genre == "acoustic" and night.kit_source == f"user:{night.id}"
    assert meta["sources"][night.kit_source]["kind"] == "user"
    roles = {s.name: s.role for s in night.stems}
    assert roles == {"01_kick": "kick", "02_snare": "snare", "shaker_loop": "perc", "bass": "bass",
                     "synth_pad": "synth"}
    frames = {sf.info(str(s.path)).frames for s in night.stems}
    assert frames == {8 * 44100}                        # resampled, shorter stems padded to align
    assert all(sf.info(str(s.path)).channels == 1 for s in night.stems)
    shots = {}
    for o in night.oneshots:
        shots[o.stem] = shots.get(o.stem, 0) + 1
        assert sf.info(str(o.path)).samplerate == 44100
    assert shots == {"01_kick": 5, "02_snare": 5, "shaker_loop": 5}   # acoustic: 5 per percussion stem

    club = next(s for s in songs if s.id != night.id)
    assert club.genre == "electronic"
    assert [(o.stem, o.role) for o in club.oneshots] == [("kick", "kick")]


def test_ingest_resumes_and_uses_the_default_genre(tmp_path):
    src, out = tmp_path / "packs", tmp_path / "corpus"
    _make_pack(src)
    os.remove(src / "Night Drive (remix pack)" / "genre.txt")
    first = ingest_multitracks(src, out, genre_default="acoustic")
    again = ingest_multitracks(src, out, genre_default="acoustic")
    assert first["ingested"] == 2 and again["ingested"] == 0 and again["skipped"] == 2
    genres = {s.id: s.genre for s in load_corpus(out)[1]}
    assert genres[song_id_for("Night Drive (remix pack)")] == "acoustic"
    assert genres[song_id_for("club track")] == "electronic"


def test_stem_roles_from_file_names():
    from training.corpus.roles import stem_role
    expected = {"Kick In": "kick", "BD": "kick", "Conga 2": "perc", "Tambourine": "perc", "Sub Bass": "bass",
                "Chords L": "chords", "Lead Vox": "lead", "Drums": "other", "Overheads": "other", "whatever": "other"}
    assert {name: stem_role(name) for name in expected} == expected


def test_the_ingest_command_reports_its_notes_and_a_missing_folder(tmp_path, capsys):
    from training.cli import main

    src, out = tmp_path / "packs", tmp_path / "corpus"
    _make_pack(src)
    assert main(["ingest", str(src), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "ingested 2 songs, 0 already there" in captured.out
    assert "03 HiHat.wav" in captured.err and "empty song" in captured.err
    assert main(["ingest", str(tmp_path / "nowhere"), "--out", str(out)]) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_mixes_silent_stems_and_a_reused_folder_name(tmp_path):
    rng = np.random.default_rng(3)
    onsets = np.arange(0.2, 3.5, 0.5)
    first, second = tmp_path / "pack A" / "Track 02", tmp_path / "pack B" / "Track 02"
    for song in (first, second):
        song.mkdir(parents=True)
        sf.write(song / "Kick.wav", _hits(rng, onsets, 4, 60), SR)
        sf.write(song / "Bass.wav", _hits(rng, onsets, 4, 110), SR)
    sf.write(first / "Full Mix.wav", _hits(rng, onsets, 4, 60), SR)
    sf.write(first / "Snare.wav", np.zeros(4 * SR, np.float32), SR)
    out = tmp_path / "corpus"
    a = ingest_multitracks(tmp_path / "pack A", out)
    b = ingest_multitracks(tmp_path / "pack B", out)
    assert a["ingested"] == b["ingested"] == 1  # the same folder name from another pack is its own song
    assert any("Full Mix.wav: skipped (looks like a mix" in p for p in a["problems"])
    assert any("snare: silent" in p for p in a["problems"])
    songs = load_corpus(out)[1]
    assert len({s.id for s in songs}) == 2
    assert all(st.name != "full_mix" for s in songs for st in s.stems)

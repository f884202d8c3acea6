import json
import threading

import numpy as np
import pytest
import soundfile as sf

from training.corpus.build import build_corpus
from training.corpus.layout import PERCUSSION_ROLES, load_corpus

N = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    summary = build_corpus(out, n_songs=N, seed=7, song_seconds=(4, 6), synthetic=True)
    return out, summary


def test_synthetic_corpus_builds_with_a_valid_layout(corpus):
    out, summary = corpus
    assert summary["built"] == N and not summary["failed"]
    meta, songs = load_corpus(out)
    assert meta["format"] == 1 and meta["seed"] == 7 and meta["sample_rate"] == 44100
    listed = (out / "LICENSES" / "SOURCES.txt").read_text()
    assert all(f"{sid}: {rec['licence']}" in listed for sid, rec in meta["sources"].items())
    assert len(songs) == N
    for song in songs:
        assert song.kit_source in meta["sources"] and meta["sources"][song.kit_source]["licence"]
        assert song.genre in ("electronic", "acoustic") and song.split in ("train", "val", "test")
        assert 4 <= song.duration <= 6
        infos = [sf.info(str(s.path)) for s in song.stems]
        assert {(i.samplerate, i.channels, i.frames) for i in infos} == {(44100, 1, round(song.duration * 44100))}
        roles = {s.role for s in song.stems}
        assert {"kick", "snare", "bass", "chords"} <= roles
        stem_names = {s.name: s.role for s in song.stems}
        per_stem = {}
        for shot in song.oneshots:
            assert stem_names[shot.stem] == shot.role and shot.role in PERCUSSION_ROLES
            wave, rate = sf.read(str(shot.path))
            assert rate == 44100 and wave.ndim == 1 and 0.02 < len(wave) / rate <= 4.0
            per_stem[shot.stem] = per_stem.get(shot.stem, 0) + 1
        assert per_stem.get("kick", 0) >= 1
        assert max(per_stem.values()) <= 2 * (1 if song.genre == "electronic" else 5)   # cut hits + kit samples
        record = json.loads((song.dir / "song.json").read_text())
        assert {o["from"] for o in record["oneshots"]} == {"stem", "kit"}
        assert set(json.loads((song.dir / "song.json").read_text())["chain"]) <= {
            "reverb", "room", "tilt", "saturation", "compression", "lofi"}


def test_train_and_test_never_share_a_kit_source(corpus):
    _, songs = load_corpus(corpus[0])
    by_split = {}
    for song in songs:
        by_split.setdefault(song.split, set()).add(song.kit_source)
    splits = list(by_split)
    for i, a in enumerate(splits):
        for b in splits[i + 1:]:
            assert not by_split[a] & by_split[b]


def test_build_is_deterministic_from_the_seed_whatever_the_worker_count(corpus, tmp_path):
    out, _ = corpus
    build_corpus(tmp_path, n_songs=N, seed=7, song_seconds=(4, 6), synthetic=True, workers=2)
    _, again = load_corpus(tmp_path)
    _, first = load_corpus(out)
    assert len(again) == len(first) == N
    for a, b in zip(again, first, strict=True):
        assert json.loads((a.dir / "song.json").read_text()) == json.loads((b.dir / "song.json").read_text())
        assert np.array_equal(sf.read(str(a.stems[0].path))[0], sf.read(str(b.stems[0].path))[0])
    other = tmp_path / "other"
    build_corpus(other, n_songs=1, seed=8, song_seconds=(4, 6), synthetic=True)
    assert (json.loads((other / "songs/song00000/song.json").read_text())
            != json.loads((out / "songs/song00000/song.json").read_text()))


def test_resume_skips_finished_songs_and_redoes_unfinished_ones(corpus):
    out, _ = corpus
    unfinished = out / "songs" / "song00003"
    record = (unfinished / "song.json").read_text()
    (unfinished / "song.json").unlink()                # as if interrupted before the last write
    (unfinished / "stems" / "kick.flac").write_bytes(b"half written")
    seen = []
    summary = build_corpus(out, n_songs=N, seed=7, song_seconds=(4, 6), synthetic=True,
                           progress=lambda done, total, msg: seen.append((done, total)))
    assert summary["built"] == 1 and summary["skipped"] == N - 1
    assert (unfinished / "song.json").read_text() == record
    assert sf.info(str(unfinished / "stems" / "kick.flac")).frames > 0
    assert seen[-1] == (N, N)


def test_cancel_stops_between_songs(tmp_path):
    cancel = threading.Event()

    def progress(done: int, total: int, msg: str) -> None:
        if msg == "song00001":
            cancel.set()

    summary = build_corpus(tmp_path, n_songs=4, seed=1, song_seconds=(4, 5), synthetic=True, progress=progress,
                           cancel=cancel)
    assert summary["cancelled"] and summary["built"] == 2
    assert [s.id for s in load_corpus(tmp_path)[1]] == ["song00000", "song00001"]


def test_another_plan_is_refused_in_a_built_corpus(corpus):
    out, _ = corpus
    before = sorted(p.name for p in (out / "songs").iterdir())
    with pytest.raises(ValueError, match="planned as"):  # its splits would mix kit sources
        build_corpus(out, n_songs=N + 10, seed=7, song_seconds=(4, 6), synthetic=True)
    assert sorted(p.name for p in (out / "songs").iterdir()) == before


def test_an_interrupted_build_is_finished_with_its_own_plan(tmp_path, capsys):
    from training.cli import ensure_corpus

    cancel = threading.Event()
    build_corpus(tmp_path, n_songs=4, seed=1, song_seconds=(12, 20), synthetic=True, cancel=cancel,
                 progress=lambda done, total, msg: cancel.set() if msg == "song00000" else None)
    assert len(load_corpus(tmp_path)[1]) == 1
    assert ensure_corpus(tmp_path, songs=1000, seed=0, synthetic=False, cancel=None) == 0
    assert [s.id for s in load_corpus(tmp_path)[1]] == [f"song{i:05d}" for i in range(4)]
    assert "built 3, already there 1, failed 0" in capsys.readouterr().out

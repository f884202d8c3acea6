from collections import Counter

import numpy as np

from training.corpus.build import plan_songs
from training.corpus.kit_sources import audio_hash, group_kits
from training.corpus.kits import Kit, Layer, Piece
from training.corpus.split import split_by_name, split_by_source


def _kit(name, waves):
    pieces = [Piece("kick", "kick", [Layer(0, 1, wave=waves[0])]),
              Piece("snare", "snare", [Layer(0, 1, wave=waves[1])])]
    return Kit(name, "synthetic", "test", "CC0", False, pieces)


def _wave(seed):
    return np.random.default_rng(seed).standard_normal(4410).astype(np.float32)


def test_audio_hash_ignores_gain_and_leading_silence_but_not_content():
    w = _wave(1)
    assert audio_hash(w) == audio_hash(np.concatenate([np.zeros(500, np.float32), 0.5 * w]))
    assert audio_hash(w) != audio_hash(_wave(2))


def test_kits_sharing_a_oneshot_are_merged_into_one_source():
    shared = _wave(99)
    kits = [_kit("a", [_wave(1), shared]), _kit("b", [shared * 0.3, _wave(2)]),   # share a snare
            _kit("c", [_wave(3), _wave(4)]), _kit("d", [_wave(5), _wave(3)])]      # d reuses c's kick
    groups = group_kits(kits + [_kit("e", [_wave(6), _wave(7)])])
    assert {sid: [k.name for k in members] for sid, members in groups.items()} == {
        "a": ["a", "b"], "c": ["c", "d"], "e": ["e"]}


def test_the_same_recording_saved_again_is_a_near_duplicate_and_merges_kits():
    rng = np.random.default_rng(5)
    t = np.arange(11025) / 44100
    cowbell = (np.sin(2 * np.pi * 560 * t) + np.sign(np.sin(2 * np.pi * 845 * t))) * np.exp(-t / 0.05)
    resaved = np.round(0.55 * cowbell / np.abs(cowbell).max() * 32767) / 32767   # other gain, 16-bit
    assert audio_hash(cowbell) != audio_hash(resaved)                            # the exact hash misses it
    other_cowbell = (np.sin(2 * np.pi * 600 * t) + np.sign(np.sin(2 * np.pi * 905 * t))) * np.exp(-t / 0.05)
    kits = [_kit("p", [_wave(1), cowbell.astype(np.float32)]), _kit("q", [_wave(2), resaved.astype(np.float32)]),
            _kit("r", [_wave(3), other_cowbell.astype(np.float32)]), _kit("s", [_wave(4), rng.standard_normal(11025)])]
    assert sorted(group_kits(kits)) == ["p", "r", "s"]
    assert [k.name for k in group_kits(kits)["p"]] == ["p", "q"]


def test_split_never_puts_one_kit_source_in_two_splits():
    rng = np.random.default_rng(0)
    song_sources = {f"s{i}": f"src{int(rng.integers(30))}" for i in range(1000)}
    splits = split_by_source(song_sources, seed=3)
    by_source = {}
    for song, source in song_sources.items():
        by_source.setdefault(source, set()).add(splits[song])
    assert all(len(s) == 1 for s in by_source.values())
    counts = Counter(splits.values())
    assert set(counts) == {"train", "val", "test"}
    assert 0.05 < counts["test"] / 1000 < 0.16 and counts["val"] / 1000 < 0.1
    assert split_by_source(song_sources, seed=3) == splits
    assert split_by_source(song_sources, seed=4) != splits


def test_planned_songs_of_merged_sources_stay_together():
    shared = _wave(42)
    kits = [_kit(f"k{i}", [_wave(100 + i), shared if i < 3 else _wave(200 + i)]) for i in range(12)]
    groups = group_kits(kits)
    plans, _ = plan_songs(groups, 300, seed=0, song_seconds=(12, 20))
    merged = {p.split for p in plans if p.kit in ("k0", "k1", "k2")}
    assert len(merged) == 1 and all(p.kit_source == "k0" for p in plans if p.kit in ("k0", "k1", "k2"))
    sources_of = {}
    for p in plans:
        sources_of.setdefault(p.split, set()).add(p.kit_source)
    assert not sources_of["train"] & sources_of.get("test", set())
    assert not sources_of["train"] & sources_of.get("val", set())


def test_ingested_song_split_is_stable_and_proportional():
    names = [f"song folder {i}" for i in range(4000)]
    counts = Counter(split_by_name(n) for n in names)
    assert [split_by_name(n) for n in names[:50]] == [split_by_name(n) for n in names[:50]]
    assert abs(counts["train"] / 4000 - 0.85) < 0.03
    assert abs(counts["val"] / 4000 - 0.05) < 0.02
    assert abs(counts["test"] / 4000 - 0.10) < 0.02

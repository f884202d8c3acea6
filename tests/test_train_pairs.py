"""Positive pairs: the key's own stem never in its query; sparse mixing draws 2..all remaining stems."""
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from training.corpus.layout import OneShot, Song, Stem
from training.pairs import PairSampler, choose_stems, remaining_stems, usable_oneshots

HOP = 512


def song(i: int, stems=("kick", "snare", "hihat", "bass", "chords", "pad"), shots=("kick", "snare", "hihat"),
         seconds: float = 10.0) -> Song:
    d = Path(f"/nonexistent/song{i}")
    return Song(id=f"song{i}", dir=d, genre="electronic", split="train", kit_source="k", sample_rate=44100,
                duration=seconds, stems=tuple(Stem(n, d / f"{n}.flac", n) for n in stems),
                oneshots=tuple(OneShot(d / f"{n}{j}.wav", n, n) for j, n in enumerate(shots)))


def test_remaining_stems_drop_exactly_the_keys_own_stem():
    s = song(0)
    for i, shot in enumerate(s.oneshots):
        names = [s.stems[j].name for j in remaining_stems(s, i)]
        assert shot.stem not in names and len(names) == len(s.stems) - 1


def test_sparse_mix_count_is_uniform_over_2_to_all_remaining():
    rng = np.random.default_rng(0)
    remaining = [0, 1, 2, 3, 4]
    counts = Counter(len(choose_stems(rng, remaining, sparse=True)) for _ in range(4000))
    assert set(counts) == {2, 3, 4, 5}
    assert all(900 < c < 1100 for c in counts.values())   # ~1000 each
    assert choose_stems(rng, remaining, sparse=False) == tuple(remaining)


def test_fewer_than_two_remaining_stems_are_used_as_they_are():
    rng = np.random.default_rng(0)
    assert choose_stems(rng, [3], sparse=True) == (3,)
    assert choose_stems(rng, [1, 4], sparse=True) == (1, 4)


def test_a_song_whose_only_stem_is_the_keys_has_no_usable_pair():
    assert usable_oneshots(song(0, stems=("kick",), shots=("kick",))) == []
    with pytest.raises(ValueError):
        PairSampler([song(0, stems=("kick",), shots=("kick",))], 4, 100, HOP)


@pytest.mark.parametrize("sparse", [True, False])
def test_sampled_queries_never_contain_the_keys_stem(sparse):
    songs = [song(i) for i in range(12)]
    sampler = PairSampler(songs, batch_size=8, window_frames=400, hop=HOP, sparse=sparse, seed=1)
    for _ in range(50):
        for p in sampler.batch():
            s = sampler.songs[p.song]
            own = s.oneshots[p.oneshot].stem
            names = {s.stems[i].name for i in p.stems}
            assert own not in names
            assert (2 <= len(names) <= 5) if sparse else len(names) == 5
            assert 0 <= p.start <= 10 * 44100 // HOP + 1 - 400


def test_batches_hold_distinct_songs_or_same_song_pairs_with_qsi():
    songs = [song(i) for i in range(10)]
    plain = PairSampler(songs, batch_size=6, window_frames=400, hop=HOP, seed=2)
    qsi = PairSampler(songs, batch_size=6, window_frames=400, hop=HOP, qsi=True, seed=2)
    for _ in range(20):
        assert len({p.song for p in plain.batch()}) == 6
        counts = Counter(p.song for p in qsi.batch())
        assert len(counts) == 3 and set(counts.values()) == {2}


def test_sampler_state_round_trip_repeats_the_same_batches():
    songs = [song(i) for i in range(7)]
    a = PairSampler(songs, batch_size=3, window_frames=400, hop=HOP, seed=3)
    a.batch()
    state = a.state_dict()
    expected = [a.batch() for _ in range(5)]
    b = PairSampler(songs, batch_size=3, window_frames=400, hop=HOP, seed=99)
    b.load_state_dict(state)
    assert [b.batch() for _ in range(5)] == expected


def test_own_stem_p_puts_the_keys_own_stem_into_that_fraction_of_queries():
    songs = [song(i) for i in range(8)]
    sampler = PairSampler(songs, batch_size=8, window_frames=345, hop=HOP, own_stem_p=0.3, seed=1)
    pairs = [p for _ in range(150) for p in sampler.batch()]
    with_own = [p for p in pairs
                if songs[p.song].oneshots[p.oneshot].stem in {songs[p.song].stems[i].name for i in p.stems}]
    assert 0.25 < len(with_own) / len(pairs) < 0.35
    assert all(len(set(p.stems)) == len(p.stems) for p in pairs)


def test_class_batches_draw_every_one_shot_of_that_fraction_of_batches_from_one_class():
    songs = [song(i, shots=("kick", "snare", "hihat") if i % 3 else ("kick", "snare")) for i in range(12)]
    sampler = PairSampler(songs, batch_size=6, window_frames=400, hop=HOP, qsi=True, seed=4, class_batch_p=0.4)
    roles = [{songs[p.song].oneshots[p.oneshot].role for p in sampler.batch()} for _ in range(300)]
    single = [r for r in roles if len(r) == 1]
    # Mixed batches of 6 keys from 3 classes are almost never single-class by chance.
    assert 0.33 < len(single) / len(roles) < 0.47
    assert {next(iter(r)) for r in single} == {"kick", "snare", "hihat"}
    # hihat is in 8 of the 12 songs: enough for a batch of 3 songs (QSI); no class lacks songs here.
    assert sorted(sampler.class_songs) == ["hihat", "kick", "snare"]


def test_a_class_with_fewer_songs_than_a_batch_never_gets_a_class_batch():
    songs = [song(i, shots=("kick", "tom") if i == 0 else ("kick",)) for i in range(6)]
    sampler = PairSampler(songs, batch_size=4, window_frames=400, hop=HOP, seed=5, class_batch_p=1.0)
    assert list(sampler.class_songs) == ["kick"]
    for _ in range(20):
        batch = sampler.batch()
        assert len({p.song for p in batch}) == 4
        assert {songs[p.song].oneshots[p.oneshot].role for p in batch} == {"kick"}

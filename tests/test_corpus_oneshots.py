import numpy as np

from training.corpus.oneshots import detect_onsets, extract_oneshots, oneshot_count

SR = 44100


def _hit(rng, seconds=0.4, decay=0.08):
    t = np.arange(int(seconds * SR)) / SR
    return (0.8 * np.sin(2 * np.pi * 70 * t) * np.exp(-t / decay)
            + 0.3 * rng.standard_normal(len(t)) * np.exp(-t / 0.01)).astype(np.float32)


def _stem(onsets_s, length_s=10.0, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(int(length_s * SR), np.float32)
    for t in onsets_s:
        h = _hit(rng)
        start = int(t * SR)
        x[start:start + len(h)] += h[: len(x) - start]
    return x


ONSETS = (0.5, 1.0, 1.25, 2.0, 3.7, 3.9, 5.0, 7.5, 8.0)


def test_onsets_found_within_a_few_ms():
    found = detect_onsets(_stem(ONSETS), SR)
    assert len(found) == len(ONSETS)
    assert np.max(np.abs(found / SR - np.array(ONSETS))) < 0.003


def test_hits_with_the_longest_gap_to_the_next_onset_are_chosen_and_keep_their_tail():
    stem = _stem(ONSETS)
    shots = extract_oneshots(stem, SR, count=3)
    # gaps: 5.0 -> 7.5 (2.5 s), 8.0 -> end (2.0 s), 2.0 -> 3.7 (1.7 s), in that order
    assert [round(len(s) / SR, 1) for s in shots] == [2.5, 2.0, 1.7]
    first = shots[0]
    pre = int(0.004 * SR)
    expected = stem[int(5.0 * SR) - pre:int(5.0 * SR) - pre + len(first)]
    # same audio as the stem from the onset on (apart from the fade-out at the end)
    assert np.allclose(first[: len(first) // 2], expected[: len(first) // 2], atol=1e-6)
    assert abs(first[-1]) < 1e-3


def test_max_seconds_caps_a_long_tail():
    shots = extract_oneshots(_stem((1.0,), length_s=9.0), SR, count=5, max_seconds=4.0)
    assert len(shots) == 1 and abs(len(shots[0]) / SR - 4.0) < 0.01


def test_silent_and_empty_stems_give_no_oneshots():
    assert extract_oneshots(np.zeros(SR * 3, np.float32), SR, 5) == []
    assert extract_oneshots(np.full(SR, 1e-6, np.float32), SR, 5) == []
    assert extract_oneshots(np.zeros(0, np.float32), SR, 5) == []


def test_count_per_genre_follows_the_paper():
    assert oneshot_count("acoustic") == 5 and oneshot_count("electronic") == 1

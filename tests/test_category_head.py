"""The category head (numpy) and the audio features it reads beside the key embedding."""
import json

import numpy as np
import pytest

from model.category_head import CLASSES, INFO_FILE, CategoryHead, Decision, HeadError, decide, load_head
from model.oneshot_features import NAMES, FeatureConfig, audio_features, is_silent
from model.taxonomy import NON_DRUM
from tests import sounds

RATE = 32000
CFG = FeatureConfig(sample_rate=RATE, window_seconds=1.5)
F = len(NAMES)


def _feature(values: np.ndarray, name: str) -> float:
    return float(values[NAMES.index(name)])


def _features(wave: np.ndarray, duration: float | None = None) -> np.ndarray:
    return audio_features(wave, len(wave) / RATE if duration is None else duration, CFG)


def _at_rate(wave: np.ndarray) -> np.ndarray:
    from model.audio import resample

    return resample(wave, sounds.SR, RATE)


def test_features_tell_hits_from_sustained_sounds_loops_and_silence():
    rng = np.random.default_rng(0)
    t = np.arange(60 * RATE) / RATE
    sine = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    noise = (0.1 * rng.standard_normal(10 * RATE)).astype(np.float32)
    kick, hat = _at_rate(sounds.kick(rng)), _at_rate(sounds.hat(rng))
    loop = np.zeros(4 * RATE, np.float32)
    for start in range(0, len(loop) - len(kick), RATE // 4):
        loop[start:start + len(kick)] += kick
    sine_f, noise_f, kick_f, hat_f, loop_f = (_features(w[:int(1.5 * RATE)], len(w) / RATE)
                                              for w in (sine, noise, kick, hat, loop))
    assert _feature(sine_f, "log_duration") == pytest.approx(np.log(60), abs=0.01)
    assert _feature(sine_f, "sustain") == 1.0 > 0.8 > _feature(kick_f, "sustain")  # a hit decays
    assert _feature(sine_f, "tail_db") > -3 > -20 > _feature(kick_f, "tail_db")
    assert _feature(noise_f, "sustain") == 1.0 > 0.5 > _feature(hat_f, "sustain")
    assert _feature(loop_f, "onsets") >= 4 and _feature(kick_f, "onsets") == 0  # a loop hits again and again
    assert _feature(noise_f, "flatness") > 0.3 > _feature(sine_f, "flatness")
    assert _feature(sine_f, "pitch_steady") == 1.0 and _feature(sine_f, "tonality") > _feature(noise_f, "tonality")
    assert _feature(sine_f, "periodicity") > 0.9 > 0.3 > _feature(noise_f, "periodicity")
    assert np.all(np.isfinite(np.stack([sine_f, noise_f, kick_f, hat_f, loop_f])))


def test_silence_and_tiny_files():
    assert is_silent(np.zeros(RATE, np.float32)) and is_silent(np.full(100, 1e-4, np.float32))
    assert not is_silent(np.full(100, 0.01, np.float32))
    for wave in (np.zeros(RATE, np.float32), np.zeros(0, np.float32), np.ones(10, np.float32)):
        values = _features(wave, 0.0)
        assert values.shape == (F,) and np.all(np.isfinite(values))


def _head(**decision) -> CategoryHead:
    """Embedding dim 2: [1, 0] is a kick, [0, 1] a snare; a high 'sustain' feature says not a one-shot."""
    w = np.zeros((2 + F, len(CLASSES)), np.float32)
    w[0, CLASSES.index("kick")] = 6.0
    w[1, CLASSES.index("snare")] = 6.0
    w[2 + NAMES.index("sustain"), CLASSES.index(NON_DRUM)] = 12.0
    return CategoryHead(CLASSES, w, np.zeros(len(CLASSES), np.float32), np.zeros(2 + F, np.float32),
                        np.ones(2 + F, np.float32), "model-a", CFG, Decision(**decision))


def _audio(sustain: float) -> np.ndarray:
    values = np.zeros(F, np.float32)
    values[NAMES.index("sustain")] = sustain
    return values


def test_head_inference_on_known_features():
    head = _head()
    emb = np.array([[3.0, 0.0], [0.0, 0.5], [0.0, 2.0], [0.7, 0.7]], np.float32)  # unit-normalised inside
    audio = np.stack([_audio(0.0), _audio(0.0), _audio(1.0), _audio(0.0)])
    p = head.probabilities(emb, audio)
    assert p.shape == (4, len(CLASSES)) and np.allclose(p.sum(axis=1), 1)
    expected_kick = np.exp(6) / (np.exp(6) + len(CLASSES) - 1)
    assert p[0, CLASSES.index("kick")] == pytest.approx(expected_kick, rel=1e-5)
    assert head.decide(p)[:3] == ["kick", "snare", NON_DRUM]
    # [0.7, 0.7]: kick and snare tie at 0.49 each; a confident head leaves it undecided
    assert _head(min_confidence=0.6).decide(p)[3] is None
    assert _head(min_confidence=0.4).decide(p)[3] in ("kick", "snare")


def test_decision_thresholds():
    p = np.zeros((2, len(CLASSES)))
    p[0, CLASSES.index(NON_DRUM)], p[0, CLASSES.index("tom")] = 0.35, 0.65
    p[1, CLASSES.index("perc")] = 1.0
    assert decide(p, Decision(non_drum_at=0.3)) == [NON_DRUM, "perc"]
    assert decide(p, Decision(non_drum_at=0.5)) == ["tom", "perc"]


def test_head_round_trip_and_refusals(tmp_path):
    head = _head(non_drum_at=0.3, min_confidence=0.2)
    object.__setattr__(head, "info", {"held_out": {"all": {"n": 3}}})
    head.save(tmp_path)
    loaded = load_head(tmp_path, "model-a")
    assert loaded.classes == CLASSES and loaded.decision == Decision(0.3, 0.2) and loaded.features == CFG
    assert loaded.info == {"held_out": {"all": {"n": 3}}}
    emb, audio = np.array([[1.0, 0.0]]), _audio(0.0)[None]
    assert np.allclose(loaded.probabilities(emb, audio), head.probabilities(emb, audio))
    with pytest.raises(HeadError, match="fit-categories"):
        load_head(tmp_path, "model-b")  # fitted on other encoders
    doc = json.loads((tmp_path / INFO_FILE).read_text())
    (tmp_path / INFO_FILE).write_text(json.dumps({**doc, "format_version": 99}))
    with pytest.raises(HeadError, match="format version 99"):
        load_head(tmp_path)
    (tmp_path / INFO_FILE).write_text(json.dumps({**doc, "classes": ["kick"]}))
    with pytest.raises(HeadError, match="shapes"):
        load_head(tmp_path)
    with pytest.raises(HeadError, match="no category head"):
        load_head(tmp_path / "nowhere")

from pathlib import Path

import numpy as np

from training.corpus import performances as perf
from training.corpus.gm import note_role
from training.corpus.midi import Event, write_midi
from training.corpus.parts import Accompaniment

# The Groove MIDI pack's 9-class reduction of the TD-11 notes (README of the pack).
README_CLASSES = {"kick": (36,), "snare": (38, 40, 37), "hihat": (42, 22, 44, 46, 26), "tom": (43, 58, 47, 45, 48, 50),
                  "crash": (49, 55, 57, 52), "ride": (51, 59, 53)}
HEADER = "drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split\n"


def test_td11_map_covers_every_note_with_its_role():
    for role, pads in README_CLASSES.items():
        for pad in pads:
            gm = perf.TD11_TO_GM[pad]
            assert note_role(gm) == ("perc" if gm == 37 else role), pad     # cross stick: GM side stick
    assert perf.TD11_TO_GM[22] == 42 and perf.TD11_TO_GM[26] == 46 and perf.TD11_TO_GM[58] == 43


def _take(folder: Path) -> Path:
    """16 bars at 120 bpm (write_midi's tempo): TD-11 kick on every beat, hat edge on the off-beats, one
    snare 10 ms before bar 3, and a fill take and a 3/4 take the index must skip."""
    events = []
    for beat in range(64):
        t = beat * 0.5
        events += [Event(t, 0x90, 9, (36, 100)), Event(t + 0.1, 0x80, 9, (36, 0)),
                   Event(t + 0.25, 0x90, 9, (22, 70)), Event(t + 0.3, 0x80, 9, (22, 0))]
    events += [Event(3.99, 0x90, 9, (38, 90)), Event(4.1, 0x80, 9, (38, 0))]
    (folder / "d1").mkdir(parents=True)
    write_midi(folder / "d1" / "1_funk_120_beat_4-4.mid", events)
    (folder / "info.csv").write_text(
        HEADER + "drummer1,d1,d1/1,funk,120,beat,4-4,d1/1_funk_120_beat_4-4.mid,x.wav,32.0,train\n"
        "drummer1,d1,d1/2,funk,120,fill,4-4,d1/1_funk_120_beat_4-4.mid,x.wav,2.0,train\n"
        "drummer1,d1,d1/3,jazz,120,beat,3-4,d1/1_funk_120_beat_4-4.mid,x.wav,32.0,train\n")
    return folder


def test_index_keeps_4_4_beats_and_hits_are_gm(tmp_path):
    folder = _take(tmp_path)
    takes = perf.performances(folder)
    assert [(t.style, t.bpm, t.bars()) for t in takes] == [("funk", 120, 16)]
    hits = perf.performance_hits(folder / takes[0].file)
    assert {n for _, n, _ in hits} == {36, 38, 42}


def test_excerpt_starts_at_a_bar_line_with_early_downbeat(tmp_path):
    hits = perf.performance_hits(_take(tmp_path) / "d1" / "1_funk_120_beat_4-4.mid")
    part = perf.excerpt(hits, 120, 2, 4.0)                 # bar 2 starts at 4 s
    kicks = [t for t, n, _ in part if n == 36]
    assert np.allclose(kicks, np.arange(0, 4.0, 0.5), atol=1e-3)
    assert [(round(t, 3), v) for t, n, v in part if n == 38] == [(0.0, 90)]
    assert max(t for t, _, _ in part) < 4.0
    assert np.allclose([t for t, n, _ in perf.excerpt(hits, 100, 1, 3.0) if n == 36][:2], [0.1, 0.6], atol=1e-3)


def test_generator_puts_the_take_under_mma_at_its_tempo(tmp_path, monkeypatch):
    folder = _take(tmp_path)
    calls = []

    def fake_mma(rng, seconds, genre, grooves, mma_home, tempo=None):
        calls.append(tempo)
        return Accompaniment([(0.0, 36, 1)], [("bass", "bass", np.zeros(int(seconds * 44100), np.float32))],
                             {"generator": "mma", "groove": "8Beat", "tempo": tempo, "chords": ["C"]})
    monkeypatch.setattr(perf, "mma_accompaniment", fake_mma)
    acc = perf.groove_accompaniment(np.random.default_rng(1), 6.0, "electronic", {"8Beat": 4}, tmp_path, folder)
    assert calls == [120]
    assert acc.info["generator"] == "groove-midi+mma" and acc.info["bpm"] == 120 and acc.info["groove"] == "8Beat"
    assert 0 <= acc.info["start_bar"] <= 16 - 3
    assert len(acc.drum_hits) > 20 and all(0 <= t < 6.0 and n in (36, 38, 42) for t, n, _ in acc.drum_hits)
    assert [s[0] for s in acc.melodic] == ["bass"]

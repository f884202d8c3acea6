from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from training.corpus.drums_render import assign_pieces, render_drums
from training.corpus.kits_hydrogen import read_hydrogen_kit
from training.corpus.midi import Event, notes, read_midi, write_midi

SR = 44100
GM_ROCK = Path("/usr/share/hydrogen/data/drumkits/GMRockKit")

KIT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<drumkit_info xmlns="http://www.hydrogen-music.org/drumkit">
 <name>Test Kit</name><license>CC0</license>
 <instrumentList>
  <instrument><id>0</id><name>Kick</name>
   <instrumentComponent>
    <layer><filename>kick_soft.wav</filename><min>0</min><max>0.5</max></layer>
    <layer><filename>kick_hard.wav</filename><min>0.5</min><max>1</max></layer>
   </instrumentComponent></instrument>
  <instrument><id>1</id><name>Snare</name><layer><filename>snare.wav</filename><min>0</min><max>1</max></layer></instrument>
  <instrument><id>2</id><name>Closed HH</name><filename>hat.wav</filename></instrument>
  <instrument><id>3</id><name>Cowbell</name><layer><filename>missing.wav</filename></layer></instrument>
  <instrument><id>4</id><name>17</name><layer><filename>snare.wav</filename></layer></instrument>
 </instrumentList>
</drumkit_info>
"""


def _write_kit(folder: Path) -> Path:
    folder.mkdir()
    (folder / "drumkit.xml").write_text(KIT_XML)
    for name, level in (("kick_soft", 0.2), ("kick_hard", 0.9), ("snare", 0.5), ("hat", 0.3)):
        sf.write(folder / f"{name}.wav", np.full(2205, level, np.float32), SR)
    return folder


def test_hydrogen_kit_roles_and_velocity_layers(tmp_path):
    kit = read_hydrogen_kit(_write_kit(tmp_path / "kit"))
    assert kit.licence == "CC0" and kit.usable()
    assert [(p.name, p.role, len(p.layers)) for p in kit.pieces] == [("Kick", "kick", 2), ("Snare", "snare", 1),
                                                                     ("Closed HH", "hihat", 1)]
    kick = kit.pieces[0]
    assert kick.layer_for(30).path.endswith("kick_soft.wav") and kick.layer_for(120).path.endswith("kick_hard.wav")


def test_drum_hits_trigger_the_velocity_layer_into_one_stem_per_role(tmp_path):
    kit = read_hydrogen_kit(_write_kit(tmp_path / "kit"))
    mapping = assign_pieces(kit, {36, 38, 42, 49}, np.random.default_rng(0))
    assert sorted(mapping) == [36, 38, 42]              # the kit has no crash: note 49 is left out
    hits = [(0.0, 36, 20), (0.5, 36, 127), (0.25, 38, 100), (0.75, 42, 64), (0.9, 49, 100)]
    stems = render_drums(hits, mapping, SR, SR)
    assert sorted(stems) == ["hihat", "kick", "snare"]
    kick = stems["kick"]
    soft, hard = kick[100], kick[int(0.5 * SR) + 100]
    assert 0.0 < soft < 0.2 and 0.5 < hard <= 0.9     # soft layer (and gain) vs hard layer
    assert np.count_nonzero(stems["snare"]) == 2205


def test_midi_round_trip_keeps_notes_and_times(tmp_path):
    events = [Event(0.0, 0xC0, 3, (33,)), Event(0.5, 0x90, 3, (40, 100)), Event(1.25, 0x80, 3, (40, 0)),
              Event(1.0, 0x90, 9, (36, 90)), Event(1.1, 0x90, 9, (36, 0))]
    write_midi(tmp_path / "t.mid", events)
    midi = read_midi(tmp_path / "t.mid")
    got = [(n.channel, n.pitch, n.velocity, round(n.start, 3), round(n.end, 3)) for n in notes(midi.events)]
    assert got == [(3, 40, 100, 0.5, 1.25), (9, 36, 90, 1.0, 1.1)]
    assert [e.data for e in midi.events if e.status == 0xC0] == [(33,)]


@pytest.mark.skipif(not (GM_ROCK / "drumkit.xml").is_file(), reason="Debian package hydrogen-data not installed")
def test_real_hydrogen_kit_reader():
    kit = read_hydrogen_kit(GM_ROCK)
    roles = {p.role for p in kit.pieces}
    assert {"kick", "snare", "hihat", "ride", "crash", "tom"} <= roles
    kick = next(p for p in kit.pieces if p.role == "kick")
    assert len(kick.layers) == 5 and kick.layers[0].audio().size > 0

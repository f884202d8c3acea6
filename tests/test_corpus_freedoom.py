from pathlib import Path

import numpy as np
import pytest

from training.corpus import freedoom as fd, generators
from training.corpus.generators import accompaniment_generators, generator_sources
from training.corpus.kits_sf2 import FLUID_GM, fluidsynth_available
from training.corpus.layout import PERCUSSION_ROLES
from training.corpus.midi import Event, write_midi


def test_roles_from_gm_programs():
    assert [fd.program_role(p) for p in (0, 11, 19, 25, 33, 41, 49, 57, 66, 74, 81, 90, 98, 105, 112)] == [
        "keys", "keys", "keys", "guitar", "bass", "strings", "pad", "lead", "lead", "lead", "lead", "pad",
        "synth", "lead", "keys"]
    assert all(fd.program_role(p) is None for p in range(113, 128))
    assert not {fd.program_role(p) for p in range(128)} & set(PERCUSSION_ROLES)


def _song(path: Path, drums: bool = True) -> Path:
    """20 s: bass (program 33, set at 0) and a lead whose program changes from 0 to 81 at 5 s; drums
    (kick every 0.5 s) from 4 s on; channel 3 plays program 118 (synth drum) at volume 0."""
    events = [Event(0.0, 0xC0, 0, (33,)), Event(0.0, 0xC0, 1, (0,)), Event(5.0, 0xC0, 1, (81,)),
              Event(0.0, 0xC0, 3, (118,)), Event(0.0, 0xB0, 3, (7, 0))]
    for k in range(40):
        t = k * 0.5
        events += [Event(t, 0x90, 0, (40, 90)), Event(t + 0.4, 0x80, 0, (40, 0)),
                   Event(t, 0x90, 1, (72, 90)), Event(t + 0.4, 0x80, 1, (72, 0)),
                   Event(t, 0x90, 3, (60, 90)), Event(t + 0.1, 0x80, 3, (60, 0))]
        if drums and t >= 4.0:
            events += [Event(t, 0x90, 9, (36, 100)), Event(t + 0.1, 0x80, 9, (36, 0))]
    write_midi(path, events)
    return path


def test_index_keeps_songs_with_drums_and_melody(tmp_path):
    _song(tmp_path / "a.mid")
    _song(tmp_path / "b.mid", drums=False)
    (tmp_path / "c.mid").write_bytes(b"not midi")
    index = fd.freedoom_index(tmp_path, tmp_path / "cache")
    assert list(index) == ["a.mid"] and index["a.mid"] == pytest.approx(19.9, abs=0.01)
    assert fd.freedoom_index(tmp_path / "gone", tmp_path / "cache") == index       # cached


def test_excerpt_where_drums_play_with_the_programs_of_its_start(tmp_path, monkeypatch):
    rendered = {}

    def fake_render(setup, song_notes, start, seconds, role_of, work_dir, soundfont):
        rendered.update(start=start, roles={c: role_of(c) for c in (0, 1, 3)}, soundfont=soundfont)
        return [("bass", "bass", np.zeros(int(seconds * 44100), np.float32))]
    monkeypatch.setattr(fd, "render_channels", fake_render)
    monkeypatch.setattr(fd, "soundfonts", lambda: {"FluidR3_GM": Path("/x.sf2")})
    _song(tmp_path / "a.mid")
    acc = fd.freedoom_accompaniment(np.random.default_rng(0), 6.0, "acoustic", {"a.mid": 19.9}, tmp_path)
    start = acc.info["start_s"]
    assert 4.0 <= start <= 19.9 - 6.0 and start * 2 == int(start * 2)       # on a kick
    assert rendered["start"] == start and rendered["soundfont"] == Path("/x.sf2")
    assert rendered["roles"] == {0: "bass", 1: "lead" if start >= 5.0 else "keys", 3: None}
    assert len(acc.drum_hits) == 12 and acc.drum_hits[0] == (0.0, 36, 100)
    assert acc.info["generator"] == "freedoom" and acc.info["file"] == "a.mid"


@pytest.mark.skipif(not (fluidsynth_available() and FLUID_GM.is_file()), reason="needs fluidsynth and FluidR3_GM")
def test_rendered_stems_have_the_excerpt_length_and_silent_ones_go(tmp_path):
    song = fd.load_song(_song(tmp_path / "a.mid"))
    roles = {0: "bass", 1: "lead", 3: "synth"}      # channel 3: volume 0 set before the excerpt
    stems = fd.render_channels(song.setup, song.notes, 6.0, 3.0, roles.get, tmp_path, FLUID_GM)
    assert [(name, role, len(w)) for name, role, w in stems] == [("bass", "bass", 132300), ("lead", "lead", 132300)]


def test_generators_left_out_without_their_data(tmp_path, monkeypatch):
    monkeypatch.setattr(generators, "fluidsynth_available", lambda: True)
    monkeypatch.setattr(generators, "mma_available", lambda: True)
    monkeypatch.setattr(generators, "prepare_mma_home", lambda cache_dir: cache_dir)
    monkeypatch.setattr(generators, "working_grooves", lambda home, cache_dir: {"8Beat": 4})
    found = accompaniment_generators(tmp_path / "cache", groove_dir=tmp_path / "no-groove",
                                     freedoom_dir=tmp_path / "no-freedoom")
    assert set(found) == {"mma"}
    sources, files = generator_sources(["groove", "freedoom"])
    assert sources["accompaniment:groove-midi"]["licence"].startswith("CC-BY-4.0")
    assert sources["accompaniment:freedoom"]["licence"].startswith("BSD-3-Clause")
    assert all(Path(f).is_file() for f in files)

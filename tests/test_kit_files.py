"""Kit files name their pieces: Hydrogen drumkit.xml, SFZ and Drumlabooh drumkit.txt (model.kit_files)."""
from pathlib import Path

import pytest

from model.kit_files import KitFileError, folder_kit_categories, read_kit_file, sample_key
from model.taxonomy import NON_DRUM

HYDROGEN_NEW = """<?xml version="1.0" encoding="UTF-8"?>
<drumkit_info xmlns="http://www.hydrogen-music.org/drumkit">
  <name>Millo_MultiLayered3</name>
  <instrumentList>
    <instrument><id>0</id><name>Snare Jazz</name>
      <instrumentComponent><layer><filename>jsnare_01.flac</filename></layer>
        <layer><filename>layers/jsnare_02.flac</filename></layer></instrumentComponent></instrument>
    <instrument><id>1</id><name>Tom Mid</name><layer><filename>TM_08.aiff</filename></layer></instrument>
    <instrument><id>2</id><name>c#3 - stick</name><layer><filename>beats_09-12.flac</filename></layer></instrument>
    <instrument><id>3</id><name>17</name><layer><filename>emptySample.flac</filename></layer></instrument>
    <instrument><id>4</id><name>Ride Jazz</name><layer><filename>shared.flac</filename></layer></instrument>
    <instrument><id>5</id><name>Crash Jazz</name><layer><filename>shared.flac</filename></layer></instrument>
    <instrument><id>6</id><name>Ride Rock</name><layer><filename>ride_01.flac</filename></layer></instrument>
    <instrument><id>7</id><name>Ride Jazz</name><layer><filename>ride_01.flac</filename></layer></instrument>
  </instrumentList>
</drumkit_info>
"""
# Hydrogen 0.9.3 and older: one file per instrument, no layers, no namespace.
HYDROGEN_OLD = """<drumkit_info><name>Audiophob</name><instrumentList>
<instrument><id>0</id><filename>86335__zgump__tom-0105.wav</filename><name>Kick</name></instrument>
<instrument><id>1</id><filename>29800__stomachache__3.wav</filename><name>Hand Clap</name></instrument>
</instrumentList></drumkit_info>"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_hydrogen_kit(tmp_path):
    kit = _write(tmp_path / "Millo" / "drumkit.xml", HYDROGEN_NEW)
    found = read_kit_file(kit)
    assert found == {sample_key(tmp_path / "Millo" / name): category for name, category in [
        ("jsnare_01.flac", "snare"), ("layers/jsnare_02.flac", "snare"), ("TM_08.aiff", "tom"),
        ("beats_09-12.flac", "snare"),  # General MIDI's side stick, in a note-named slot
        ("ride_01.flac", "ride"),  # listed twice, both rides
    ]}  # the placeholder "17" names nothing; shared.flac is a ride and a crash: the audio decides


def test_hydrogen_kit_without_layers_or_namespace(tmp_path):
    found = read_kit_file(_write(tmp_path / "drumkit.xml", HYDROGEN_OLD))
    assert found == {sample_key(tmp_path / "86335__zgump__tom-0105.wav"): "kick",
                     sample_key(tmp_path / "29800__stomachache__3.wav"): "clap"}


def test_lookup_forgives_case(tmp_path):
    found = read_kit_file(_write(tmp_path / "Kit" / "drumkit.xml", HYDROGEN_NEW))
    assert found[sample_key(tmp_path / "Kit" / "JSNARE_01.FLAC")] == "snare"


def test_sfz_labels_paths_and_inheritance(tmp_path):
    sfz = _write(tmp_path / "Kit" / "Programs" / "kit.sfz", """
// a comment; <region> in a comment is no region
/* and a block
   comment <region> sample=nothing.wav */
#define $SNARE 38
<control> default_path=../Samples/
<global> global_label=Gogodze
<group> group_label=Snare Center
<region> sample=snare/sc 01.wav key=$SNARE
<region> sample=snare\\sc_02.wav lokey=38 hikey=38
<group> group_label=Toms
<region> sample=toms/th.wav region_label=Hi Tom key=50
<region> sample=toms/tl.wav key=45
<group>
<region> sample=misc/thing.wav key=60
<region> sample=*sine key=61
""")
    base = tmp_path / "Kit" / "Samples"
    assert read_kit_file(sfz) == {sample_key(base / "snare" / "sc 01.wav"): "snare",
                                  sample_key(base / "snare" / "sc_02.wav"): "snare",
                                  sample_key(base / "toms" / "th.wav"): "tom",
                                  sample_key(base / "toms" / "tl.wav"): "tom"}


def test_sfz_general_midi_kit_and_instrument_files(tmp_path):
    gm = _write(tmp_path / "gm.sfz", "<region> sample=a.wav key=36\n<region> sample=b.wav key=38\n"
                                     "<region> sample=c.wav key=c#2\n<region> sample=d.wav key=42\n"
                                     "<region> sample=e.wav key=63\n")
    assert read_kit_file(gm) == {sample_key(tmp_path / n): c for n, c in
                                 [("a.wav", "kick"), ("b.wav", "snare"), ("c.wav", "snare"), ("d.wav", "hihat"),
                                  ("e.wav", "perc")]}
    # A melodic instrument maps ranges of keys, and has no kick and snare: its keys say nothing...
    regions = "<region> sample=p36.wav lokey=35 hikey=37 pitch_keycenter=36\n<region> sample=p38.wav key=38\n"
    assert read_kit_file(_write(tmp_path / "Rhodes.sfz", regions)) == {}
    # ...but its name may: a piano is no drum
    assert set(read_kit_file(_write(tmp_path / "Piano.sfz", regions)).values()) == {NON_DRUM}
    # sfzinstruments kits ship one .sfz per piece.
    kick = _write(tmp_path / "Programs" / "kick.sfz", "<region> sample=../k/01.wav\n")
    assert read_kit_file(kick) == {sample_key(tmp_path / "k" / "01.wav"): "kick"}


def test_drumlabooh_kit(tmp_path):
    txt = _write(tmp_path / "drumkit.txt", 'Kick=KICK - Dry-02.wav,KICK - Dry-01.wav\n'
                                          '>Hihat "14 Closed=HHC14a01.wav\n'
                                          'Ride Crash=Ride Crash=Ride Crash - Dry-05.wav\n'
                                          'TRUNK=trunk.wav\n\nnot a line\n')
    assert read_kit_file(txt) == {sample_key(tmp_path / n): c for n, c in
                                  [("KICK - Dry-02.wav", "kick"), ("KICK - Dry-01.wav", "kick"),
                                   ("HHC14a01.wav", "hihat"), ("Ride Crash - Dry-05.wav", "ride")]}


def test_a_broken_kit_file_is_one_line_naming_it_and_stops_nothing(tmp_path):
    broken = _write(tmp_path / "drumkit.xml", "<drumkit_info><instrument>")
    with pytest.raises(KitFileError) as err:
        read_kit_file(broken)
    assert str(broken) in str(err.value) and "\n" not in str(err.value)
    _write(tmp_path / "drumkit.txt", "Snare=s.wav\n")
    problems: list = []
    assert folder_kit_categories(tmp_path, problems) == {sample_key(tmp_path / "s.wav"): "snare"}
    assert [p for p, _ in problems] == [str(broken)] and "XML" in problems[0][1]


def test_folder_without_kit_files(tmp_path):
    assert folder_kit_categories(tmp_path) == {}
    assert folder_kit_categories(tmp_path / "missing") == {}

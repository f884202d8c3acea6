"""LMMS project files for the dev set: reading .mmp/.mmpz, rendertracks numbering, roles, excerpts, licences."""
import struct
import zlib
from dataclasses import replace

import numpy as np
import pytest

from training.corpus.lmms_dev_project import excerpt, project_tracks, read_project, song_seconds, write_project
from training.corpus.lmms_dev_tracks import first_hit, is_drum_sample, project_licence, track_role

SR = 44100


def afp(name, src, muted="0", clips=""):
    return (f'<track type="0" name="{name}" muted="{muted}"><instrumenttrack vol="100">'
            f'<instrument name="audiofileprocessor"><audiofileprocessor src="{src}"/></instrument>'
            f'</instrumenttrack>{clips}</track>')


def synth(name, plugin="tripleoscillator", clips=""):
    return (f'<track type="0" name="{name}" muted="0"><instrumenttrack><instrument name="{plugin}"/>'
            f'</instrumenttrack>{clips}</track>')


# 120 bpm, 4/4: 96 ticks per second, 192 per bar.
PROJECT = f"""<?xml version="1.0"?>
<!DOCTYPE lmms-project>
<lmms-project version="1.0" type="song"><head bpm="120" timesig_numerator="4" timesig_denominator="4"/>
<song><trackcontainer type="song">
{afp("Kick", "drums/kick01.ogg", clips='<pattern pos="0" len="192"/><pattern pos="5760" len="192"/>')}
{afp("Snare", "drums/snare01.ogg", muted="1")}
{synth("Bass", clips='<pattern pos="1920" len="768"/><pattern pos="3840" len="192"/>')}
<track type="2" name="Vocals" muted="0"><sampletrack/><sampletco pos="0" len="11520" src="x.wav"/></track>
<track type="5" name="Automation track" muted="0"><automationtrack/></track>
<track type="1" name="Beat" muted="0"><bbtrack><trackcontainer type="bbtrackcontainer">
{afp("Closed", "drums/hihat_closed01.ogg")}
{synth("Kick hi", plugin="kicker")}
{afp("Loop", "beats/house_loop01.ogg")}
</trackcontainer></bbtrack><bbtco pos="0" len="768"/><bbtco pos="1920" len="768"/></track>
<track type="1" name="Beat 2" muted="0"><bbtrack><trackcontainer type="bbtrackcontainer"/></bbtrack></track>
</trackcontainer></song></lmms-project>
"""


@pytest.fixture(params=["mmp", "mmpz"])
def project_file(request, tmp_path):
    data = PROJECT.encode()
    path = tmp_path / f"song.{request.param}"
    if request.param == "mmpz":
        data = struct.pack(">I", len(data)) + zlib.compress(data)
    path.write_bytes(data)
    return path


def test_tracks_are_numbered_as_rendertracks_names_its_files(project_file):
    tracks = project_tracks(read_project(project_file))
    assert [(t.number, t.name, t.in_beat) for t in tracks] == [
        (1, "Kick", False), (0, "Snare", False), (2, "Bass", False), (3, "Vocals", False),
        (4, "Closed", True), (5, "Kick hi", True), (6, "Loop", True)]
    kick, snare, bass, vocals = tracks[:4]
    assert kick.sample == "drums/kick01.ogg" and kick.instrument == "audiofileprocessor"
    assert snare.muted and not kick.muted
    assert bass.instrument == "tripleoscillator" and bass.sample == ""
    assert vocals.instrument == "" and vocals.sample == ""


def test_roles_drums_and_one_shot_candidates(project_file):
    tracks = {t.name: t for t in project_tracks(read_project(project_file))}
    assert {name: track_role(t) for name, t in tracks.items()} == {
        "Kick": "kick", "Snare": "snare", "Bass": "bass", "Vocals": "vocals", "Closed": "hihat",
        "Kick hi": "kick", "Loop": "perc"}
    assert [n for n, t in tracks.items() if is_drum_sample(t.sample)] == ["Kick", "Snare", "Closed"]
    assert is_drum_sample("drumsynth/tr808/Hat_c.ds") and not is_drum_sample("drumsynth/instrument/E_Piano.ds")
    assert is_drum_sample("/usr/share/lmms/samples/drums/kick01.ogg")


def test_a_clap_in_the_drum_folder_is_percussion_and_a_name_can_decide(project_file):
    root = read_project(project_file)
    track = project_tracks(root)[0]
    assert track_role(replace(track, sample="drums/clap01.ogg")) == "perc"
    # the file name says nothing: the track name decides
    assert track_role(replace(track, sample="drumsynth/misc/x1.ds")) == "kick"


def test_excerpt_starts_where_no_clip_is_cut_nearest_the_middle(tmp_path):
    path = tmp_path / "x.mmp"
    path.write_text(
        '<lmms-project><head bpm="120"/><song><trackcontainer type="song">'
        + synth("A", clips='<pattern pos="0" len="768"/><pattern pos="1920" len="1920"/>')
        + synth("B", clips='<pattern pos="3840" len="768"/><pattern pos="7680" len="192"/>')
        + '<track type="2" name="C" muted="0"><sampletco pos="2400" len="2000"/></track>'
        + '</trackcontainer><track type="6" name="Automation"><automationpattern pos="1920"/></track>'
        + '</song></lmms-project>')
    root = read_project(path)
    assert song_seconds(root) == pytest.approx(82.0)        # B's last clip ends at 7872 ticks (96 per second)
    # a 40-s window may start at 0, 1920, 2400 or 3840; 2400 cuts A, 3840 cuts C; 1920 is nearer the middle
    short, start = excerpt(root, 40.0)
    assert start == pytest.approx(20.0)
    write_project(short, tmp_path / "short.mmp")
    again = read_project(tmp_path / "short.mmp")
    clips = {t.get("name"): [int(c.get("pos")) for c in t if c.get("pos") is not None]
             for t in [*again.find("song/trackcontainer").findall("track"), *again.find("song").findall("track")]}
    assert clips == {"A": [0], "B": [1920], "C": [480], "Automation": [0]}


def test_beat_editor_tracks_are_left_alone_by_an_excerpt(project_file):
    short, _ = excerpt(read_project(project_file), 10.0)
    assert len(short.findall(".//bbtrack/trackcontainer/track")) == 3


def test_not_a_project_is_a_value_error(tmp_path):
    (tmp_path / "a.mmpz").write_bytes(b"\0\0\0\4garbage")
    (tmp_path / "b.mmp").write_text("<html/>")
    for name in ("a.mmpz", "b.mmp"):
        with pytest.raises(ValueError):
            read_project(tmp_path / name)


def test_first_hit_ends_before_the_next_onset():
    rng = np.random.default_rng(0)
    wave = np.zeros(SR, np.float32)
    for at in (int(0.1 * SR), int(0.5 * SR)):
        wave[at:at + 2000] = rng.standard_normal(2000) * np.exp(-np.arange(2000) / 300)
    hit = first_hit(wave, SR, 1.5)
    assert 0.045 * SR < len(hit) < 0.06 * SR and abs(hit[-1]) < 1e-3     # the burst without its silent tail
    wave[int(0.12 * SR):int(0.5 * SR)] = 0.01                              # a quiet sustain up to the next hit
    assert 0.39 * SR < len(first_hit(wave, SR, 1.5)) < 0.41 * SR           # up to the next hit
    assert first_hit(np.zeros(SR, np.float32), SR, 1.5) is None


def test_licence_is_the_last_matching_dep5_paragraph():
    text = ("Files: *\nCopyright: x\nLicense: GPL-2+\n\nFiles: data/projects/demos/A-*\n data/projects/*/S/*\n"
            "Copyright: y\nLicense: CC-BY-SA-3\n text of it\n\nLicense: CC-BY-SA-3\n long text\n")
    assert project_licence(text, "data/projects/demos/A-Song.mmpz") == "CC-BY-SA-3"
    assert project_licence(text, "data/projects/shorties/S/x.mmpz") == "CC-BY-SA-3"
    assert project_licence(text, "data/projects/demos/B.mmpz") == "GPL-2+"

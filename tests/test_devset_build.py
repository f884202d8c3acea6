"""build_devset without LMMS: a fake renderer writes a tone or noise bursts for every track it is asked for."""
import json

import numpy as np
import pytest
import soundfile as sf

from training.corpus import lmms_dev
from training.corpus.layout import load_corpus
from training.corpus.lmms_dev import build_devset
from training.corpus.lmms_dev_project import project_tracks, read_project

SR = 44100


def bursts(rng, seconds, every=0.5):
    wave = np.zeros(int(seconds * SR), np.float32)
    for at in range(0, len(wave) - 4000, int(every * SR)):
        wave[at:at + 4000] += 0.5 * rng.standard_normal(4000) * np.exp(-np.arange(4000) / 500)
    return wave


class FakeLmms:
    """Writes `<n>_<name>.wav` (stereo, like LMMS) for each rendered track; "Silent" tracks stay silent."""

    def __init__(self, seconds=6.0):
        self.seconds, self.calls = seconds, []

    def __call__(self, project, out_dir):
        self.calls.append(project.name)
        rng = np.random.default_rng(len(self.calls))
        for t in project_tracks(read_project(project)):
            if not t.number:
                continue
            if t.name == "Silent":
                wave = np.zeros(int(self.seconds * SR), np.float32)
            elif t.sample.startswith("drum") or t.name.startswith("hit"):
                wave = bursts(rng, self.seconds)
            else:
                wave = 0.3 * np.sin(2 * np.pi * 220 * np.arange(int(self.seconds * SR)) / SR).astype(np.float32)
            sf.write(out_dir / f"{t.number}_{t.name}.wav", np.stack([wave, wave], 1), SR)


def track(name, src="", plugin="audiofileprocessor", muted="0"):
    inner = f'<audiofileprocessor src="{src}"/>' if src else ""
    return (f'<track type="0" name="{name}" muted="{muted}"><instrumenttrack><instrument name="{plugin}">'
            f'{inner}</instrument></instrumenttrack><pattern pos="0" len="192"/></track>')


def project(path, *tracks):
    path.write_text('<?xml version="1.0"?><lmms-project><head bpm="120"/><song><trackcontainer type="song">'
                    + "".join(tracks) + "</trackcontainer></song></lmms-project>")
    return path


@pytest.fixture
def projects(tmp_path, monkeypatch):
    samples = tmp_path / "samples"
    rng = np.random.default_rng(0)
    for rel in ("drums/kick01.wav", "drums/snare01.wav"):
        (samples / rel).parent.mkdir(parents=True, exist_ok=True)
        sf.write(samples / rel, bursts(rng, 1.2, every=0.7), SR)
    (samples / "drumsynth/tr808").mkdir(parents=True)
    (samples / "drumsynth/tr808/Hat_c.ds").write_text("[General]\n")   # a preset only LMMS plays
    (samples / "drums/odd.ogg").write_bytes(b"RIFF\0\0\0\0WAVEfmt ")     # a file only LMMS reads
    copyright_file = tmp_path / "copyright"
    copyright_file.write_text("Files: *\nCopyright: someone\nLicense: GPL-2+\n")
    monkeypatch.setattr(lmms_dev, "COPYRIGHT", copyright_file)
    src = tmp_path / "projects"
    src.mkdir()
    return samples, [
        project(src / "One.mmp", track("Kick", "drums/kick01.wav"), track("Snare", "drums/snare01.wav"),
                track("Bass", plugin="tripleoscillator"), track("Silent", plugin="tripleoscillator"),
                track("Muted", "drums/snare01.wav", muted="1")),
        project(src / "Two.mmp", track("BD", "drums/kick01.wav"), track("Hat", "drumsynth/tr808/Hat_c.ds"),
                track("Clap", "drums/odd.ogg"), track("Lead", plugin="zynaddsubfx")),
        project(src / "NoDrums.mmp", track("Pad", plugin="zynaddsubfx")),
    ]


def test_build_writes_a_dev_corpus_from_the_rendered_tracks(projects, tmp_path):
    samples, paths = projects
    fake, out = FakeLmms(), tmp_path / "dev"
    summary = build_devset(out, projects=paths, render=fake, samples_dir=samples)
    assert summary["built"] == 2 and summary["songs"] == 2
    assert [f.split(":")[0] for f in summary["failed"]] == ["NoDrums.mmp"]
    assert any("Silent" in note for note in summary["notes"]["One.mmp"])
    assert summary["stems"] == 7 and summary["drum_stems"] == 5
    assert summary["oneshots"] == 5 and summary["distinct_oneshots"] == 4      # kick01 is in both songs
    assert fake.calls == ["hits.mmp", "project.mmp", "project.mmp"]           # NoDrums is never rendered

    meta, songs = load_corpus(out)
    assert meta["sources"]["lmms-demo"]["kind"] == "lmms-demo"
    assert (out / "LICENSES" / "lmms-common.copyright").is_file()
    one = next(s for s in songs if s.id == "lmms-one")
    assert one.split == "dev" and one.genre == "electronic" and one.kit_source == "lmms-demo"
    assert [(s.name, s.role) for s in one.stems] == [("01_kick", "kick"), ("02_snare", "snare"), ("03_bass", "bass")]
    assert {(o.role, o.stem) for o in one.oneshots} == {("kick", "01_kick"), ("snare", "02_snare")}
    lengths = {sf.info(s.path).frames for s in one.stems}
    assert len(lengths) == 1 and sf.info(one.stems[0].path).channels == 1
    for shot in one.oneshots:
        assert 0.05 * SR < sf.info(shot.path).frames < 0.1 * SR      # the first hit, without the silence after it
    record = json.loads((one.dir / "song.json").read_text())
    assert record["drum_stems"] == ["01_kick", "02_snare"] and record["other_stems"] == ["03_bass"]
    assert record["licence"] == "GPL-2+"
    assert {o["sample"] for o in record["oneshots"]} == {"drums/kick01.wav", "drums/snare01.wav"}
    assert [t["stem"] for t in record["tracks"]] == ["01_kick", "02_snare", "03_bass", None]

    two = next(s for s in songs if s.id == "lmms-two")
    assert {o.role for o in two.oneshots} == {"kick", "hihat", "perc"}     # hat and clap played by "LMMS"

    again = build_devset(out, projects=paths, render=fake, samples_dir=samples)
    assert again["skipped"] == 2 and again["built"] == 0 and len(fake.calls) == 3


def test_a_render_failure_skips_the_project_and_the_cache_renders_each_plan_once(projects, tmp_path):
    samples, paths = projects
    out = tmp_path / "dev"

    def broken(project, out_dir):
        raise RuntimeError("lmms exited with status 1")
    summary = build_devset(out, projects=paths[:1], render=broken, samples_dir=samples)
    assert summary["songs"] == 0 and "status 1" in summary["failed"][0]
    fake = FakeLmms()
    assert build_devset(out, projects=paths[:1], render=fake, samples_dir=samples)["songs"] == 1
    (out / "songs" / "lmms-one" / "song.json").unlink()       # a rebuild reuses the cached render
    assert build_devset(out, projects=paths[:1], render=fake, samples_dir=samples)["built"] == 1
    assert fake.calls == ["project.mmp"]
    (out / "songs" / "lmms-one" / "song.json").unlink()       # another excerpt length: rendered again
    assert build_devset(out, projects=paths[:1], render=fake, samples_dir=samples, seconds=3.0)["built"] == 1
    assert fake.calls == ["project.mmp", "project.mmp"]

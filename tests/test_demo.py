"""Demo library: built from installed drum kits or synthesised, only under the app's data folder."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import soundfile as sf

from model.audio import is_audio_path, load, probe
from model.taxonomy import CATEGORIES, categorise
from samplematch_gui.demo import GENERATED_KIT, MAX_ONESHOT_SECONDS, RATE, DemoSources, build_demo, demo_bounce
from samplematch_gui.paths import data_dir
from tests import sounds

NOWHERE = DemoSources(hydrogen_dir=Path("/nonexistent/kits"), sonic_pi_dir=Path("/nonexistent/sp"))


def _audio_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if is_audio_path(p))


def test_generated_demo_has_every_category_and_a_bounce(tmp_path):
    demo = build_demo(tmp_path / "demo", NOWHERE)
    files = _audio_files(demo.folder)
    assert demo.source == "generated"
    assert demo.count == len(files) == sum(GENERATED_KIT.values())
    assert Counter(categorise(p.name) for p in files) == Counter(GENERATED_KIT)
    assert set(GENERATED_KIT) == set(CATEGORIES) - {"perc", "other"}
    for p in files:
        wave = load(p, RATE)
        assert 0.05 < np.max(np.abs(wave)) <= 1.0 and len(wave) > 1000
    info = probe(demo.bounce)
    assert info.duration == 16.0 and info.sample_rate == RATE
    assert np.std(load(demo.bounce, RATE)) > 0.05


def test_demo_is_built_once(tmp_path):
    first = build_demo(tmp_path / "demo", NOWHERE)
    stamp = first.bounce.stat().st_mtime_ns
    again = build_demo(tmp_path / "demo", NOWHERE)
    assert again == first and again.bounce.stat().st_mtime_ns == stamp


def test_a_deleted_demo_kit_is_built_again(tmp_path):
    first = build_demo(tmp_path / "demo", NOWHERE)
    for p in _audio_files(first.folder):
        p.unlink()
    again = build_demo(tmp_path / "demo", NOWHERE)
    assert again.count == first.count == len(_audio_files(again.folder))


def test_installed_kits_are_copied_trimmed_and_bad_files_skipped(tmp_path):
    rng = np.random.default_rng(0)
    kits = tmp_path / "drumkits"
    sounds.write(kits / "RockKit" / "Kick-Hard.wav", sounds.kick(rng, seconds=0.5))
    sounds.write(kits / "RockKit" / "Crash-Long.flac", sounds.cymbal(rng, seconds=5.0))
    (kits / "RockKit" / "broken.wav").write_bytes(b"not audio")
    (kits / "RockKit" / "drumkit.xml").write_text("<drumkit/>")
    sp = tmp_path / "sonic-pi"
    sounds.write(sp / "bd_fat.wav", sounds.kick(rng))
    sounds.write(sp / "ambi_choir.wav", sounds.cymbal(rng))  # not a drum prefix: left out
    sources = DemoSources(hydrogen_dir=kits, hydrogen_kits=("RockKit", "Missing"), sonic_pi_dir=sp)
    demo = build_demo(tmp_path / "demo", sources)
    names = {p.relative_to(demo.folder).as_posix() for p in _audio_files(demo.folder)}
    assert demo.source == "debian"
    assert names == {"RockKit/Kick-Hard.wav", "RockKit/Crash-Long.wav", "SonicPi/bd_fat.wav"}
    crash = sf.info(str(demo.folder / "RockKit" / "Crash-Long.wav"))
    assert crash.samplerate == RATE and crash.channels == 1
    assert crash.duration <= MAX_ONESHOT_SECONDS + 1e-3


def test_per_kit_cap_spreads_over_the_kit(tmp_path):
    rng = np.random.default_rng(1)
    kit = tmp_path / "kits" / "Big"
    for i in range(10):
        sounds.write(kit / f"Snare-{i:02d}.wav", sounds.snare(rng, 0.1))
    sources = DemoSources(hydrogen_dir=tmp_path / "kits", hydrogen_kits=("Big",),
                          sonic_pi_dir=tmp_path / "none", max_per_group=4)
    names = [p.name for p in _audio_files(build_demo(tmp_path / "demo", sources).folder)]
    assert names[0] == "Snare-00.wav" and names[-1] == "Snare-09.wav" and len(names) == 4


def test_default_location_is_the_app_data_folder():
    demo = build_demo(sources=NOWHERE)
    assert demo.folder.is_relative_to(data_dir() / "demo")
    assert demo.bounce.is_relative_to(data_dir() / "demo")


def test_demo_bounce_is_a_mix_with_bass_and_drums():
    mix = demo_bounce(seconds=4.0)
    assert len(mix) == 4 * RATE and np.max(np.abs(mix)) <= 0.8 + 1e-6
    spectrum = np.abs(np.fft.rfft(mix))
    freqs = np.fft.rfftfreq(len(mix), 1 / RATE)
    low = spectrum[(freqs > 30) & (freqs < 120)].sum()
    high = spectrum[freqs > 5000].sum()
    assert low > 0 and high > 0  # bass line and kick below, hats above

"""In-context audition, headless: the bounce's onsets per band and tempo, the trigger schedule (hits, or the beat
grid of a bounce without drums, and a corrected tempo), the loudness match, and the real-time mixer driven block
by block as an audio stream would drive it (no sound card)."""
from __future__ import annotations

import numpy as np
import pytest

from model.bounce_onsets import LEVEL_WINDOW_S, analyse
from samplematch_gui import onset_cache
from samplematch_gui.audition import MIX_BLOCK, Loudness, SoundDeviceOutput
from samplematch_gui.context_mix import Candidate, ContextMix
from samplematch_gui.context_scene import ContextScene, rms
from samplematch_gui.trigger_schedule import Grid, triggers
from tests.test_audition import NEEDS_ALSA, NULL_PCM, _FakeSD, run_on_alsa

SR = 44100
RNG = np.random.default_rng(7)
TOLERANCE_S = 0.006  # one STFT hop


def band_noise(seconds: float, low: float, high: float, rng=RNG) -> np.ndarray:
    """White noise kept to [low, high) Hz."""
    n = int(seconds * SR)
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    spectrum[(freqs < low) | (freqs >= high)] = 0
    x = np.fft.irfft(spectrum, n)
    return (x / np.abs(x).max()).astype(np.float32)


def kick(amplitude: float = 0.8) -> np.ndarray:
    """A 60-Hz thump, all in the low band."""
    t = np.arange(int(0.3 * SR)) / SR
    return (amplitude * np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.08)).astype(np.float32)


def hat(amplitude: float = 0.5) -> np.ndarray:
    """A noise tick above 9 kHz, all in the top band."""
    t = np.arange(int(0.06 * SR)) / SR
    return (amplitude * band_noise(0.06, 9000, 15000) * np.exp(-t / 0.012)).astype(np.float32)


def pad(seconds: float) -> np.ndarray:
    """A quiet chord that swells in and changes every 2 s: music without drums."""
    t = np.arange(int(seconds * SR)) / SR
    out = np.zeros_like(t)
    for k, start in enumerate(np.arange(0, seconds, 2.0)):
        f = (220.0, 261.6, 329.6)[k % 3]
        span = (t >= start) & (t < start + 2.0)
        swell = np.minimum(1.0, (t[span] - start) / 0.5)
        out[span] = swell * 0.1 * (np.sin(2 * np.pi * f * t[span]) + np.sin(2 * np.pi * 1.5 * f * t[span]))
    return out.astype(np.float32)


def place(into: np.ndarray, sound: np.ndarray, times) -> None:
    for t in times:
        i = int(round(t * SR))
        into[i:i + len(sound)] += sound[:len(into) - i]


@pytest.fixture(scope="module")
def drums():
    """A 12-s bounce at 100 BPM over a pad: kicks on the beats (0.6 s apart), hats on the off-beats."""
    seconds = 12.0
    kicks = 0.25 + np.arange(0, 11.5, 0.6)
    hats = kicks[:-1] + 0.3
    wave = pad(seconds)
    place(wave, kick(), kicks)
    place(wave, hat(), hats)
    return wave, kicks, hats


def near(found: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """|found - nearest expected| for each found time."""
    return np.abs(found[:, None] - expected[None, :]).min(axis=1)


def test_kicks_are_found_in_the_low_band_and_hats_in_the_top_band(drums):
    wave, kicks, hats = drums
    a = analyse(wave, SR)
    assert len(a.hits["low"]) == len(kicks) and near(a.hits["low"], kicks).max() < TOLERANCE_S
    assert len(a.hits["top"]) == len(hats) and near(a.hits["top"], hats).max() < TOLERANCE_S
    assert len(a.hits["mid"]) == 0  # nothing was struck in the snare's band
    assert all(np.all(np.diff(a.hits[b]) > 0) for b in a.hits)  # in time order
    assert a.tempo == pytest.approx(100.0, abs=1.0)


def test_the_schedule_puts_each_category_on_its_bands_hits_in_the_region(drums):
    wave, kicks, hats = drums
    a = analyse(wave, SR)
    region, grid = (2.0, 8.0), Grid.of(a, a.tempo)
    for category, expected in (("kick", kicks), ("hihat", hats), ("ride", hats)):
        t = triggers(a, category, region, grid, SR)
        inside = expected[(expected >= region[0]) & (expected < region[1])]
        assert not t.on_grid and len(t.frames) == len(inside)
        assert np.abs(t.frames / SR - (inside - region[0])).max() < TOLERANCE_S
    crash = triggers(a, "crash", region, grid, SR)  # thinned: the strongest hat per 4 bars
    assert not crash.on_grid and len(crash.frames) == 1
    snare = triggers(a, "snare", region, grid, SR)  # no snares: beats 2 and 4 of the grid
    assert snare.on_grid and snare.hit_rms is None
    assert np.diff(snare.frames / SR) == pytest.approx(np.full(len(snare.frames) - 1, 1.2), abs=0.02)
    assert near(snare.frames / SR + region[0], kicks).max() < 0.02  # the grid sits on the bounce's beats


def test_a_bounce_without_drums_plays_on_a_beat_grid_whose_tempo_the_user_corrects():
    wave = pad(16.0)
    a = analyse(wave, SR)
    assert all(len(a.hits[b]) <= 8 for b in ("low", "mid", "top"))  # at most the chord changes
    scene = ContextScene.build("song.wav", a, wave, SR, (0.0, 16.0), Loudness("rms"))
    assert scene.on_grid and scene.tempo == pytest.approx(a.tempo)
    hats = scene.triggers_of("hihat").frames / SR
    assert np.diff(hats) == pytest.approx(np.full(len(hats) - 1, 30 / a.tempo), abs=1e-3)  # every eighth
    slower = scene.with_tempo(90.0)
    assert slower.loop is scene.loop and slower.tempo == 90.0
    hats = slower.triggers_of("hihat").frames / SR
    assert len(hats) == pytest.approx(16.0 / (30 / 90.0), abs=1)
    assert np.diff(hats) == pytest.approx(np.full(len(hats) - 1, 1 / 3), abs=1e-3)
    kicks = slower.triggers_of("kick").frames / SR
    assert np.diff(kicks) == pytest.approx(np.full(len(kicks) - 1, 4 / 3), abs=1e-3)  # beats 1 and 3
    snares = slower.triggers_of("snare").frames / SR
    assert near(snares, kicks + 2 / 3).max() < 1e-3  # beats 2 and 4, between the kicks


def test_a_candidate_is_trimmed_to_its_attack_and_matched_to_the_bounces_hits(drums):
    wave, kicks, hats = drums
    a = analyse(wave, SR)
    scene = ContextScene.build("song.wav", a, wave[int(2 * SR):int(8 * SR)], SR, (2.0, 8.0), Loudness("rms"))
    bounce_kick = rms(kick()[:int(LEVEL_WINDOW_S * SR)])  # what each kick adds to the bounce
    quiet = np.concatenate([np.zeros(300, np.float32), kick(0.05)])  # 300 frames of silence before it
    c = scene.candidate(quiet, "kick")
    assert abs(len(quiet) - len(c.samples) - 300) <= int(0.0005 * SR) + 1  # starts at its attack
    level = rms(c.samples[:int(LEVEL_WINDOW_S * SR)])
    assert 20 * np.log10(level / (bounce_kick * scene.gain)) == pytest.approx(0.0, abs=1.0)
    assert c.gain == pytest.approx(scene.gain * 16, rel=0.15)  # 0.8 / 0.05, at the loop's level
    assert c.triggers == scene.triggers_of("kick").frames.tolist() and not c.on_grid
    grid = scene.candidate(quiet, "snare")  # on the grid: the loop's level
    assert rms(grid.samples[:int(LEVEL_WINDOW_S * SR)]) == pytest.approx(rms(scene.loop), rel=0.05)
    assert grid.on_grid


def render(mix: ContextMix, blocks: int, block: int = MIX_BLOCK) -> np.ndarray:
    out = np.zeros(blocks * block, np.float32)
    for b in range(blocks):
        mix.render(out[b * block:(b + 1) * block])
    return out


def expected_mix(loop: np.ndarray, starts: list[tuple[int, np.ndarray]], frames: int) -> np.ndarray:
    """Reference mix, computed the slow way: the loop tiled, each sample added at its start frame."""
    out = np.resize(loop, frames).astype(np.float64)
    for at, sample in starts:
        n = min(len(sample), frames - at)
        out[at:at + n] += sample[:n]
    return out


def test_the_mix_adds_the_sample_at_its_triggers_and_wraps_the_loop():
    loop = np.linspace(-0.1, 0.1, 1000, dtype=np.float32)  # not a whole number of blocks
    sample = np.array([0.5, 0.25, 0.125] + [0.01] * 40, np.float32)  # rings past the loop's end
    mix = ContextMix(loop)
    mix.candidate = Candidate(sample, [0, 300, 990])
    out = render(mix, 12)  # three loops and a bit
    starts = [(loop_start + t, sample) for loop_start in range(0, len(out), 1000) for t in (0, 300, 990)
              if loop_start + t < len(out)]
    np.testing.assert_allclose(out, expected_mix(loop, starts, len(out)), atol=1e-6)
    assert mix.position == len(out) % len(loop)


def test_a_swap_takes_effect_at_the_next_hit_and_lets_the_sounding_one_ring():
    loop = np.zeros(4096, np.float32)
    first, second = np.full(700, 0.1, np.float32), np.full(700, -0.3, np.float32)
    mix = ContextMix(loop)
    mix.candidate = Candidate(first, [100, 2000])
    out = np.zeros(16 * MIX_BLOCK, np.float32)
    for b in range(16):
        if b == 2:  # frames 512..767: after the first hit (100), before the second (2000)
            mix.candidate = Candidate(second, [100, 2000])
        mix.render(out[b * MIX_BLOCK:(b + 1) * MIX_BLOCK])
    expected = expected_mix(loop, [(100, first), (2000, second)], len(out))
    np.testing.assert_allclose(out, expected, atol=1e-6)  # the first rings to its end; the second from 2000
    assert mix.picked_up_at >= mix.candidate.made_at


def test_a_swap_to_another_category_follows_its_triggers_from_where_the_loop_is():
    loop = np.zeros(3000, np.float32)
    click = np.ones(1, np.float32)
    mix = ContextMix(loop)
    mix.candidate = Candidate(click, [0, 1500])
    render(mix, 4)  # to frame 1024
    mix.candidate = Candidate(click * 2, [200, 1200, 2500])  # a hat, say: 200 has passed for this loop
    out = render(mix, 12)  # frames 1024 .. 4096
    hits = np.flatnonzero(out) + 1024
    assert hits.tolist() == [1200, 2500, 3000 + 200] and np.all(out[np.flatnonzero(out)] == 2)


def test_voices_beyond_the_slots_cut_the_oldest_from_the_next_block():
    loop = np.zeros(2048, np.float32)
    long = np.full(4096, 0.01, np.float32)
    mix = ContextMix(loop, voices=2)
    mix.candidate = Candidate(long, [0, 100, 200])  # three hits, two slots: the one from 0 is cut
    out = render(mix, 4)
    assert out[[50, 150, 250]] == pytest.approx([0.01, 0.02, 0.03], rel=1e-5)  # its block is already mixed
    assert out[MIX_BLOCK:] == pytest.approx(np.full(3 * MIX_BLOCK, 0.02), rel=1e-5)  # two from the next on


def test_the_output_streams_the_mix_with_volume_and_a_clip():
    sd = _FakeSD()
    out = SoundDeviceOutput(sd)
    mix = ContextMix(np.full(1000, 0.5, np.float32))
    mix.candidate = Candidate(np.full(10, 2.0, np.float32), [0])
    out.play_mix(mix, SR)
    stream = sd.streams[-1]
    assert stream.config == (SR, 1, "float32", None) and stream.active
    assert stream.blocksize == MIX_BLOCK and stream.latency == "low"
    block = np.empty((MIX_BLOCK, 1), np.float32)
    out.volume = 0.5
    stream.callback(block, MIX_BLOCK, None, None)
    assert block[:10, 0] == pytest.approx(1.0)  # (0.5 + 2.0) * 0.5 = 1.25, clipped
    assert block[10:, 0] == pytest.approx(0.25)
    assert out.is_playing()
    stream.active = False  # PortAudio gave up: a loop never ends by itself
    assert not out.is_playing() and out.failure is not None


def test_an_analysis_is_cached_by_file_and_comes_back_from_disk(tmp_path, drums):
    wave, _, _ = drums
    bounce = tmp_path / "bounce.wav"
    bounce.write_bytes(b"first version")
    key = onset_cache.analysis_key(str(bounce), (0.0, 600.0))
    assert key == onset_cache.analysis_key(str(bounce), (0.0, 600.0))
    assert key != onset_cache.analysis_key(str(bounce), (10.0, 20.0))
    a = analyse(wave, SR)
    onset_cache.AnalysisCache(tmp_path / "cache").put(key, a)
    back = onset_cache.AnalysisCache(tmp_path / "cache").load(key)  # a new session: from the file
    assert back is not None and back.tempo == a.tempo and back.start == a.start
    for band in a.hits:
        np.testing.assert_array_equal(back.hits[band], a.hits[band])
        np.testing.assert_array_equal(back.levels[band], a.levels[band])
    bounce.write_bytes(b"an edited bounce, longer")
    assert onset_cache.analysis_key(str(bounce), (0.0, 600.0)) != key  # analysed again once it changes
    (tmp_path / "cache" / f"{key}.npz").write_bytes(b"damaged")
    assert onset_cache.AnalysisCache(tmp_path / "cache").load(key) is None


@NEEDS_ALSA
def test_a_real_portaudio_stream_runs_the_mix_callback_on_the_alsa_null_device(tmp_path):
    proc = run_on_alsa(tmp_path, NULL_PCM, """
        import time, numpy as np
        from samplematch_gui.audition import SoundDeviceOutput, open_output
        from samplematch_gui.context_mix import Candidate, ContextMix
        out = open_output()
        assert isinstance(out, SoundDeviceOutput), out.reason
        mix = ContextMix(np.zeros(100 * 256, np.float32))  # whole blocks: the position stays a multiple of 256
        mix.candidate = Candidate(np.ones(10, np.float32), [0, 12800])
        out.play_mix(mix, 44100)
        time.sleep(0.5)
        swapped = Candidate(np.ones(10, np.float32), [100])
        mix.candidate = swapped
        deadline = time.time() + 5
        while mix.picked_up_at < swapped.made_at and time.time() < deadline:
            time.sleep(0.001)
        assert out.is_playing() and out.failure is None
        assert mix.picked_up_at >= swapped.made_at, "the callback never took the new sample"
        print("blocks", mix.position % 256 == 0)
        out.close()
    """)
    assert proc.returncode == 0, proc.stderr
    assert "blocks True" in proc.stdout  # PortAudio asked for 256-frame blocks

"""Preview playback: loudness normalisation, choosing an output, running on without audio."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from samplematch_gui import audition, native_stderr
from samplematch_gui.audition import (
    FORMAT_REFUSED,
    NO_DEVICE,
    NO_PORTAUDIO,
    OUTPUT_LOST,
    Loudness,
    NullOutput,
    PlaybackError,
    SoundDeviceOutput,
    db_to_gain,
    normalise_loudness,
    open_output,
)

REPO = Path(__file__).resolve().parent.parent


def _rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x.astype(np.float64)))))


def test_rms_normalisation_brings_quiet_and_loud_samples_to_the_target():
    t = np.arange(44100) / 44100
    quiet = 0.01 * np.sin(2 * np.pi * 220 * t)
    loud = 0.7 * np.sin(2 * np.pi * 220 * t)
    for x in (quiet, loud):
        y = normalise_loudness(x, Loudness("rms", -18.0))
        assert _rms_db(y) == pytest.approx(-18.0, abs=0.05)
        assert y.dtype == np.float32


def test_rms_gain_is_limited_by_the_peak_ceiling():
    x = np.zeros(44100, np.float32)
    x[100] = 0.5  # a click: reaching -18 dB RMS would need a huge gain
    y = normalise_loudness(x, Loudness("rms", -18.0, ceiling_db=-1.0))
    assert np.max(np.abs(y)) == pytest.approx(db_to_gain(-1.0), rel=1e-4)


def test_near_silence_is_not_blown_up_to_full_level():
    dither = np.random.default_rng(0).integers(-1, 2, 44100).astype(np.float32) / 32768  # +-1 LSB
    for mode in ("rms", "peak"):
        y = normalise_loudness(dither, Loudness(mode, -18.0))
        assert np.max(np.abs(y)) == pytest.approx(np.max(np.abs(dither)) * db_to_gain(30.0), rel=1e-4)


def test_peak_normalisation_and_off_and_silence():
    x = np.array([0.0, 0.25, -0.5, 0.1], np.float32)
    assert np.max(np.abs(normalise_loudness(x, Loudness("peak", -6.0)))) == pytest.approx(
        db_to_gain(-6.0), rel=1e-5)
    np.testing.assert_array_equal(normalise_loudness(x, Loudness("off")), x)
    silent = np.zeros(100, np.float32)
    np.testing.assert_array_equal(normalise_loudness(silent, Loudness("rms")), silent)
    stereo = np.stack([x, x / 2], axis=1)
    assert normalise_loudness(stereo, Loudness("peak", 0.0)).shape == (4, 2)
    with pytest.raises(ValueError):
        normalise_loudness(x, Loudness("lufs"))


def test_without_portaudio_audition_is_off_with_a_reason(monkeypatch):
    def missing():
        raise OSError("PortAudio library not found")

    monkeypatch.setattr(audition, "_import_sounddevice", missing)
    out = open_output()
    assert isinstance(out, NullOutput) and not out.available
    assert out.reason == NO_PORTAUDIO and "libportaudio2" in out.reason and "restart" in out.reason
    assert "not found" in out.detail  # the library's own words, for a tooltip
    out.play(np.zeros(10, np.float32), 44100)  # a no-op, never an error
    assert not out.is_playing() and out.devices() == []


class _FakePortAudioError(Exception):
    pass


class _NoDeviceSD:
    PortAudioError = _FakePortAudioError

    def query_devices(self, *a, **k):
        raise _FakePortAudioError("Error querying device -1")

    def check_output_settings(self, **kwargs):
        raise _FakePortAudioError("Error querying device -1")


def test_without_an_output_device_audition_is_off_with_a_reason(monkeypatch):
    monkeypatch.setattr(audition, "_import_sounddevice", lambda: _NoDeviceSD())
    out = open_output()
    assert isinstance(out, NullOutput)
    assert out.reason == NO_DEVICE and "Rescan Audio Devices" in out.reason
    assert "Error querying device" not in out.reason and "Error querying device -1" in out.detail


class _RecordingStream:
    def __init__(self, samplerate, channels, dtype, device, callback, blocksize=0, latency="high"):
        self.config = (samplerate, channels, dtype, device)
        self.callback = callback
        self.blocksize, self.latency = blocksize, latency
        self.active = False
        self.closed = False

    def start(self):
        self.active = True

    def abort(self):
        self.active = False

    def close(self):
        self.closed = True


class _FakeSD:
    PortAudioError = _FakePortAudioError

    class CallbackStop(Exception):
        pass

    def __init__(self):
        self.streams: list[_RecordingStream] = []
        self.plugged_in = [{"index": 0, "name": "Mic", "max_output_channels": 0, "hostapi": 0},
                           {"index": 1, "name": "Speakers", "max_output_channels": 2, "hostapi": 0},
                           {"index": 2, "name": "Interface", "max_output_channels": 8, "hostapi": 1}]
        self._initialize()

    def _initialize(self):  # like PortAudio: the device list is read once, at start
        self.listed = [dict(d) for d in self.plugged_in]

    def _terminate(self):
        assert all(s.closed for s in self.streams), "PortAudio restarted under an open stream"
        self.listed = []

    def OutputStream(self, **kwargs):
        self.streams.append(_RecordingStream(**kwargs))
        return self.streams[-1]

    def query_devices(self, index=None, kind=None):
        devices = self.listed
        if kind == "output":
            return devices[1]
        return devices if index is None else devices[index]

    def query_hostapis(self, index):
        return ({"name": "ALSA"}, {"name": "JACK Audio Connection Kit"})[index]

    def check_output_settings(self, **kwargs):
        pass


def test_sounddevice_output_streams_with_live_volume_and_stops_the_previous_sound():
    sd = _FakeSD()
    out = SoundDeviceOutput(sd)
    assert [(d.index, d.name, d.is_default, d.host_api) for d in out.devices()] == [
        (1, "Speakers", True, "ALSA"), (2, "Interface", False, "JACK Audio Connection Kit")]
    out.set_device(2)
    out.play(np.ones(10, np.float32), 44100)
    first = sd.streams[-1]
    assert first.config == (44100, 1, "float32", 2) and first.active
    buf = np.empty((4, 1), np.float32)
    out.volume = 0.5
    first.callback(buf, 4, None, None)
    np.testing.assert_allclose(buf[:, 0], 0.5)
    out.volume = 0.25  # applied to the sound already playing
    first.callback(buf, 4, None, None)
    np.testing.assert_allclose(buf[:, 0], 0.25)
    with pytest.raises(sd.CallbackStop):  # 2 frames left: zero-padded, then the stream ends
        first.callback(buf, 4, None, None)
    np.testing.assert_allclose(buf[:, 0], [0.25, 0.25, 0, 0])

    out.play(np.ones(10, np.float32), 44100)
    assert first.closed and not first.active  # a new sound stops the previous one
    out.stop()
    assert sd.streams[-1].closed and not out.is_playing()


def test_a_device_that_refuses_to_play_raises_a_playback_error():
    sd = _FakeSD()

    def refuse(**kwargs):
        raise sd.PortAudioError("Error opening OutputStream: Device unavailable [PaErrorCode -9985]")

    sd.OutputStream = refuse
    out = SoundDeviceOutput(sd, 2)
    with pytest.raises(PlaybackError, match="not responding") as raised:
        out.play(np.ones(10, np.float32), 44100)
    assert raised.value.advice == OUTPUT_LOST and "PaErrorCode -9985" in raised.value.detail
    assert not out.is_playing()

    def wrong_rate(**kwargs):
        raise sd.PortAudioError("Error opening OutputStream: Invalid sample rate [PaErrorCode -9997]")

    sd.OutputStream = wrong_rate
    with pytest.raises(PlaybackError, match="cannot play this format") as raised:
        out.play(np.ones(10, np.float32), 44100)
    assert raised.value.advice == FORMAT_REFUSED


def test_a_stream_that_dies_before_its_sound_ends_leaves_a_failure():
    sd = _FakeSD()
    out = SoundDeviceOutput(sd)
    out.play(np.ones(100, np.float32), 44100)
    stream = sd.streams[-1]
    stream.callback(np.empty((10, 1), np.float32), 10, None, None)
    stream.active = False  # PortAudio's audio thread gave up: the device went away
    assert not out.is_playing() and stream.closed
    assert out.failure is not None and out.failure.advice == OUTPUT_LOST
    out.play(np.ones(10, np.float32), 44100)
    assert out.failure is None
    with pytest.raises(sd.CallbackStop):
        sd.streams[-1].callback(np.empty((20, 1), np.float32), 20, None, None)
    sd.streams[-1].active = False  # ended with its sound: no failure
    assert not out.is_playing() and out.failure is None and sd.streams[-1].closed


def test_open_output_falls_back_to_the_default_for_a_vanished_device(monkeypatch):
    sd = _FakeSD()
    monkeypatch.setattr(audition, "_import_sounddevice", lambda: sd)
    assert open_output(device=0).device() is None  # index 0 has no outputs
    assert open_output(device=2).device() == 2


def test_a_rescan_sees_an_interface_plugged_in_after_start(monkeypatch):
    sd = _FakeSD()
    monkeypatch.setattr(audition, "_import_sounddevice", lambda: sd)
    first = open_output()
    first.play(np.ones(10, np.float32), 44100)
    sd.plugged_in.append({"index": 3, "name": "USB Interface", "max_output_channels": 2})
    assert "USB Interface" not in [d.name for d in open_output().devices()]
    first.close()
    assert "USB Interface" in [d.name for d in open_output(rescan=True).devices()]


NEEDS_ALSA = pytest.mark.skipif(not sys.platform.startswith("linux") or not Path("/usr/share/alsa/alsa.conf").exists(),
                                reason="needs ALSA (its plugins stand in for a sound card)")
NULL_PCM = "pcm.!default { type null }\n"


def run_on_alsa(tmp_path: Path, pcm: str, script: str) -> subprocess.CompletedProcess:
    """A Python script run in a fresh process whose ALSA default device is `pcm` (ALSA reads ~/.asoundrc)."""
    (tmp_path / ".asoundrc").write_text(pcm)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=REPO,
                          env=dict(os.environ, HOME=str(tmp_path)), capture_output=True, text=True, timeout=60)


@NEEDS_ALSA
def test_real_portaudio_playback_on_the_alsa_null_device(tmp_path):
    """PortAudio plays through ALSA's `null` pcm: a real stream, no sound card needed."""
    proc = run_on_alsa(tmp_path, NULL_PCM, """
        import time, numpy as np
        from samplematch_gui.audition import SoundDeviceOutput, open_output
        out = open_output()
        assert isinstance(out, SoundDeviceOutput), out.reason
        assert any(d.name == "default" for d in out.devices())
        out = open_output(rescan=True)  # PortAudio restarted: the device list is read anew
        assert any(d.name == "default" for d in out.devices())
        out.play(np.zeros(4410, np.float32), 44100)
        deadline = time.time() + 10
        while out.is_playing() and time.time() < deadline:
            time.sleep(0.01)
        assert not out.is_playing()
        assert out._pos == 4410  # the stream's callback consumed every frame
        out.close()
        print("played")
    """)
    assert proc.returncode == 0, proc.stderr
    assert "played" in proc.stdout


def test_the_stderr_filter_drops_the_sound_libraries_noise_and_passes_the_rest(capfd):
    noise = [b"ALSA lib pcm.c:2664:(snd_pcm_open_noupdate) Unknown PCM cards.pcm.rear",
             b"Expression 'ret' failed in 'src/hostapi/alsa/pa_linux_alsa.c', line: 1736",
             b"Cannot connect to server socket err = No such file or directory",
             b"jack server is not running or cannot be started"]
    with native_stderr.quiet():
        with native_stderr.quiet():  # nested holds share one filter
            os.write(2, b"\n".join(noise[:2]) + b"\nTraceback (most recent call last):\n")
        os.write(2, b"\n".join(noise[2:]) + b"\nstill ")
        os.write(2, b"here")
        os.write(2, b"\nthe app's own message")  # its end comes after the audio thread's noise broke in
        os.write(2, noise[0] + b"\n")
        os.write(2, b"\n")
    os.write(2, b"ALSA lib shown when nobody holds the filter\n")
    assert capfd.readouterr().err == ("Traceback (most recent call last):\nstill here\nthe app's own message\n"
                                      "ALSA lib shown when nobody holds the filter\n")


@NEEDS_ALSA
def test_an_output_that_fails_mid_sound_is_reported_and_its_noise_kept_off_the_terminal(tmp_path):
    """A real PortAudio stream on an ALSA device that fails once playing (a file plugin writing nowhere): ALSA
    and PortAudio complain on stderr from the audio thread; the app's own messages still get through."""
    proc = run_on_alsa(tmp_path, 'pcm.!default { type file slave.pcm null file "/nonexistent/x.raw" }\n', """
        import sys, time, numpy as np
        from samplematch_gui.audition import SoundDeviceOutput, open_output
        out = open_output()
        assert isinstance(out, SoundDeviceOutput), out.reason
        out.play(np.zeros(44100, np.float32), 44100)
        print("the app's own message", file=sys.stderr, flush=True)
        deadline = time.time() + 10
        while out.is_playing() and time.time() < deadline:
            time.sleep(0.01)
        assert out.failure is not None, "the failure went unnoticed"
        print("failure:", out.failure.advice)
        out.close()
    """)
    assert proc.returncode == 0, proc.stderr
    assert f"failure: {OUTPUT_LOST}" in proc.stdout
    assert proc.stderr == "the app's own message\n"

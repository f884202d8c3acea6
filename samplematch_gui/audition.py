"""Sample preview playback behind a small interface, so the app runs (and tests run) without audio.

open_output() returns a SoundDeviceOutput when PortAudio and an output device are usable, else a
NullOutput whose `reason` says, in plain words, why audition is off and what to do (PortAudio's own words
are kept in `detail`). No Qt here.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from model.audio import load as load_mono
from samplematch_gui import native_stderr
from samplematch_gui.context_mix import ContextMix

PREVIEW_RATE = 44100
PREVIEW_MAX_SECONDS = 30.0  # a long loop is previewed from its start, not decoded whole
MIX_BLOCK = 256  # frames per callback of the in-context mix (5.8 ms at 44.1 kHz)

RESCAN = "Audition → Rescan Audio Devices"
NO_PORTAUDIO = "PortAudio is not installed: install it (Debian/Ubuntu: libportaudio2), then restart SampleMatch"
NO_DEVICE = f"No audio output found: connect headphones or an interface, then {RESCAN}"
OUTPUT_LOST = f"The audio output stopped working: plug it back in or choose another, then {RESCAN}"
FORMAT_REFUSED = "The audio output refused the sound: choose another output in the preview bar"
# PortAudio's words for an output that refuses this stream's format; anything else means the device is gone
_FORMAT_ERRORS = ("Invalid sample rate", "Invalid number of channels", "Sample format not supported")


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    is_default: bool = False
    host_api: str = ""  # Windows lists one device under MME, DirectSound and WASAPI, by one name


@dataclass(frozen=True)
class Loudness:
    """Preview loudness normalisation: mode "off", "peak" or "rms", to target_db dBFS."""
    mode: str = "rms"
    target_db: float = -18.0
    ceiling_db: float = -1.0  # RMS gain never pushes peaks above this
    max_gain_db: float = 30.0  # near-silent files (dither, noise floors) are not blown up to full level


class PlaybackError(Exception):
    """The output device refused to play (unplugged, or the format is unsupported).

    str(): a few words for "Cannot play NAME: ..."; `advice`: what is wrong and what to do; `detail`: PortAudio's
    own message."""

    def __init__(self, message: str, advice: str = OUTPUT_LOST, detail: str = ""):
        super().__init__(message)
        self.advice = advice
        self.detail = detail


def playback_error(exc: Exception) -> PlaybackError:
    """PortAudio's error as plain words."""
    detail = str(exc)
    if any(words in detail for words in _FORMAT_ERRORS):
        return PlaybackError("the audio output cannot play this format", FORMAT_REFUSED, detail)
    return PlaybackError("the audio output is not responding (unplugged or busy?)", OUTPUT_LOST, detail)


class AudioOutput(Protocol):
    available: bool
    reason: str  # why audition is off, in plain words; "" when available
    volume: float  # 0..1, applied live
    detail: str  # the sound library's own words for `reason`
    failure: PlaybackError | None  # why the last sound stopped before its end (the output went away)

    def play(self, samples: np.ndarray, rate: int) -> None: ...  # raises PlaybackError
    def play_mix(self, mix: ContextMix, rate: int) -> None: ...  # until stopped; raises PlaybackError
    def stop(self) -> None: ...
    def is_playing(self) -> bool: ...
    def devices(self) -> list[OutputDevice]: ...
    def device(self) -> int | None: ...
    def set_device(self, index: int | None) -> None: ...
    def close(self) -> None: ...


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def loudness_gain(samples: np.ndarray, loudness: Loudness) -> float:
    """The gain that brings samples (frames or frames x channels) to the target; 1 for silence or mode "off"."""
    x = np.asarray(samples, dtype=np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if loudness.mode == "off" or peak < 1e-6:
        return 1.0
    if loudness.mode == "peak":
        gain = db_to_gain(loudness.target_db) / peak
    elif loudness.mode == "rms":
        rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
        gain = min(db_to_gain(loudness.target_db) / rms, db_to_gain(loudness.ceiling_db) / peak)
    else:
        raise ValueError(f"unknown loudness mode {loudness.mode!r}")
    return min(gain, db_to_gain(loudness.max_gain_db))


def normalise_loudness(samples: np.ndarray, loudness: Loudness) -> np.ndarray:
    """Gain-adjust samples (frames or frames x channels) to the target; silence stays silent."""
    x = np.asarray(samples, dtype=np.float32)
    gain = loudness_gain(x, loudness)
    return x if gain == 1.0 else (x * gain).astype(np.float32)


def load_preview(path: str | Path, rate: int = PREVIEW_RATE) -> np.ndarray:
    """Mono float32 at rate, at most PREVIEW_MAX_SECONDS; raises model.audio.AudioError."""
    return load_mono(path, sample_rate=rate, max_seconds=PREVIEW_MAX_SECONDS)


class NullOutput:
    """Audition switched off; keeps the settings so the UI still works."""

    available = False
    failure: PlaybackError | None = None

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        self.detail = detail  # the library's own words, for a tooltip
        self.volume = 1.0
        self._device: int | None = None

    def play(self, samples: np.ndarray, rate: int) -> None:
        pass

    def play_mix(self, mix: ContextMix, rate: int) -> None:
        pass

    def stop(self) -> None:
        pass

    def is_playing(self) -> bool:
        return False

    def devices(self) -> list[OutputDevice]:
        return []

    def device(self) -> int | None:
        return self._device

    def set_device(self, index: int | None) -> None:
        self._device = index

    def close(self) -> None:
        pass


class SoundDeviceOutput:
    """PortAudio playback through sounddevice; one callback stream per sound, volume applied live.

    The stream is closed on stop, when its sound has ended and before the next sound, so the device is not
    held while idle (a raw ALSA device held open would lock out the DAW). While a stream is open the sound
    libraries' diagnostics are kept off the terminal (native_stderr).
    """

    available = True
    reason = ""
    detail = ""

    def __init__(self, sd_module, device: int | None = None):
        self._sd = sd_module
        self._device = device
        self.volume = 1.0
        self.failure: PlaybackError | None = None
        self._stream = None
        self._lock = threading.Lock()
        self._buffer = np.zeros((0, 1), dtype=np.float32)
        self._pos = 0
        self._mix: ContextMix | None = None

    def devices(self) -> list[OutputDevice]:
        try:
            default = self._sd.query_devices(kind="output")["index"]
        except self._sd.PortAudioError:
            default = None
        return [OutputDevice(d["index"], d["name"], d["index"] == default, self._host_api(d))
                for d in self._sd.query_devices() if d["max_output_channels"] > 0]

    def _host_api(self, device: dict) -> str:
        try:
            return str(self._sd.query_hostapis(device["hostapi"])["name"])
        except (KeyError, IndexError, self._sd.PortAudioError):
            return ""

    def device(self) -> int | None:
        return self._device

    def set_device(self, index: int | None) -> None:
        self.stop()
        self._device = index

    def play(self, samples: np.ndarray, rate: int) -> None:
        data = np.asarray(samples, dtype=np.float32)
        if data.ndim == 1:
            data = data[:, None]
        self.stop()
        with self._lock:
            self._buffer, self._pos, self._mix = data, 0, None
        self._open(rate, data.shape[1], self._callback)

    def play_mix(self, mix: ContextMix, rate: int) -> None:
        """Play the in-context mix, in MIX_BLOCK-frame blocks, until stopped."""
        self.stop()
        self._mix = mix
        self._open(rate, 1, self._mix_callback, blocksize=MIX_BLOCK, latency="low")  # a swap is heard soon

    def _open(self, rate: int, channels: int, callback, **options) -> None:
        self.failure = None
        native_stderr.FILTER.hold()  # released when the stream is closed
        stream = None
        try:
            stream = self._sd.OutputStream(samplerate=rate, channels=channels, dtype="float32",
                                           device=self._device, callback=callback, **options)
            stream.start()
        except (self._sd.PortAudioError, ValueError) as exc:
            if stream is not None:
                stream.close()
            native_stderr.FILTER.release()
            raise playback_error(exc) from None
        self._stream = stream

    def _callback(self, outdata, frames, time_info, status) -> None:
        with self._lock:
            chunk = self._buffer[self._pos:self._pos + frames]
            self._pos += len(chunk)
        outdata[:len(chunk)] = chunk * np.float32(self.volume)
        outdata[len(chunk):] = 0
        if len(chunk) < frames:
            raise self._sd.CallbackStop

    def _mix_callback(self, outdata, frames, time_info, status) -> None:
        """Real-time safe: the mix renders in place (samplematch_gui.context_mix), then volume and a clip."""
        mono, mix = outdata[:, 0], self._mix
        if mix is None:  # stopped while this block was on its way
            mono.fill(0.0)
            return
        mix.render(mono)
        mono *= self.volume
        np.clip(mono, -1.0, 1.0, out=mono)

    def is_playing(self) -> bool:
        """Whether the sound still plays; a stream found ended is closed, and one that ended before its
        sound did (the device went away under it) leaves `failure`."""
        stream = self._stream
        if stream is None:
            return False
        if stream.active:
            return True
        with self._lock:
            cut_short = self._mix is not None or self._pos < len(self._buffer)  # a mix ends only when stopped
        self._close(abort=False)
        if cut_short:
            self.failure = PlaybackError("the audio output stopped during the sound (unplugged?)", OUTPUT_LOST)
        return False

    def stop(self) -> None:
        self._close(abort=True)

    def _close(self, abort: bool) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            if abort:
                stream.abort()
            stream.close()
        except self._sd.PortAudioError:
            pass  # the device is gone; the stream is no more
        finally:
            native_stderr.FILTER.release()

    def close(self) -> None:
        self.stop()


def _import_sounddevice():
    import sounddevice  # initialises PortAudio; raises OSError when the library is missing

    return sounddevice


def open_output(device: int | None = None, rescan: bool = False) -> AudioOutput:
    """The best available output: sounddevice on a working device, else NullOutput(reason).

    PortAudio lists devices once, when it starts; rescan=True restarts it (the way sounddevice's
    maintainer recommends) so an interface plugged in or out since then is seen. Every stream of
    the previous output must be closed first.
    """
    with native_stderr.quiet():  # PortAudio probes every ALSA and JACK device, and they talk
        try:
            sd = _import_sounddevice()
        except OSError as exc:
            return NullOutput(NO_PORTAUDIO, str(exc))
        try:
            if rescan:
                sd._terminate()
                sd._initialize()
            if device is not None and not _is_output_device(sd, device):
                device = None
            sd.check_output_settings(device=device, channels=1, dtype="float32",
                                     samplerate=PREVIEW_RATE)
        except (sd.PortAudioError, ValueError) as exc:
            return NullOutput(NO_DEVICE, f"PortAudio: {exc}")
    return SoundDeviceOutput(sd, device)


def _is_output_device(sd, index: int) -> bool:
    try:
        return sd.query_devices(index)["max_output_channels"] > 0
    except (sd.PortAudioError, ValueError):
        return False

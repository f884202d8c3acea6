"""Sample preview playback behind a small interface, so the app runs (and tests run) without audio.

open_output() returns a SoundDeviceOutput when PortAudio and an output device are usable, else a
NullOutput whose `reason` says why audition is off. No Qt here.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from model.audio import load as load_mono

PREVIEW_RATE = 44100
PREVIEW_MAX_SECONDS = 30.0  # a long loop is previewed from its start, not decoded whole


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
    """The output device refused to play (unplugged, or the format is unsupported)."""


class AudioOutput(Protocol):
    available: bool
    reason: str  # why audition is off; "" when available
    volume: float  # 0..1, applied live

    def play(self, samples: np.ndarray, rate: int) -> None: ...  # raises PlaybackError
    def stop(self) -> None: ...
    def is_playing(self) -> bool: ...
    def devices(self) -> list[OutputDevice]: ...
    def device(self) -> int | None: ...
    def set_device(self, index: int | None) -> None: ...
    def close(self) -> None: ...


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def normalise_loudness(samples: np.ndarray, loudness: Loudness) -> np.ndarray:
    """Gain-adjust samples (frames or frames x channels) to the target; silence stays silent."""
    x = np.asarray(samples, dtype=np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if loudness.mode == "off" or peak < 1e-6:
        return x
    if loudness.mode == "peak":
        gain = db_to_gain(loudness.target_db) / peak
    elif loudness.mode == "rms":
        rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
        gain = min(db_to_gain(loudness.target_db) / rms, db_to_gain(loudness.ceiling_db) / peak)
    else:
        raise ValueError(f"unknown loudness mode {loudness.mode!r}")
    return (x * min(gain, db_to_gain(loudness.max_gain_db))).astype(np.float32)


def load_preview(path: str | Path, rate: int = PREVIEW_RATE) -> np.ndarray:
    """Mono float32 at rate, at most PREVIEW_MAX_SECONDS; raises model.audio.AudioError."""
    return load_mono(path, sample_rate=rate, max_seconds=PREVIEW_MAX_SECONDS)


class NullOutput:
    """Audition switched off; keeps the settings so the UI still works."""

    available = False

    def __init__(self, reason: str):
        self.reason = reason
        self.volume = 1.0
        self._device: int | None = None

    def play(self, samples: np.ndarray, rate: int) -> None:
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

    The stream is closed on stop and before the next sound, so the device is not held while idle
    (a raw ALSA device held open would lock out the DAW).
    """

    available = True
    reason = ""

    def __init__(self, sd_module, device: int | None = None):
        self._sd = sd_module
        self._device = device
        self.volume = 1.0
        self._stream = None
        self._lock = threading.Lock()
        self._buffer = np.zeros((0, 1), dtype=np.float32)
        self._pos = 0

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
            self._buffer, self._pos = data, 0
        stream = None
        try:
            stream = self._sd.OutputStream(samplerate=rate, channels=data.shape[1], dtype="float32",
                                           device=self._device, callback=self._callback)
            stream.start()
        except (self._sd.PortAudioError, ValueError) as exc:
            if stream is not None:
                stream.close()
            raise PlaybackError(f"the output device cannot play it ({exc}); choose another output or "
                                "use Audition → Rescan Audio Devices") from None
        self._stream = stream

    def _callback(self, outdata, frames, time_info, status) -> None:
        with self._lock:
            chunk = self._buffer[self._pos:self._pos + frames]
            self._pos += len(chunk)
        outdata[:len(chunk)] = chunk * np.float32(self.volume)
        outdata[len(chunk):] = 0
        if len(chunk) < frames:
            raise self._sd.CallbackStop

    def is_playing(self) -> bool:
        return self._stream is not None and self._stream.active

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()
            stream.close()

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
    try:
        sd = _import_sounddevice()
    except OSError as exc:
        return NullOutput(f"Audition off: PortAudio is not installed ({exc}).")
    try:
        if rescan:
            sd._terminate()
            sd._initialize()
        if device is not None and not _is_output_device(sd, device):
            device = None
        sd.check_output_settings(device=device, channels=1, dtype="float32",
                                 samplerate=PREVIEW_RATE)
    except (sd.PortAudioError, ValueError) as exc:
        return NullOutput(f"Audition off: no usable audio output device ({exc}).")
    return SoundDeviceOutput(sd, device)


def _is_output_device(sd, index: int) -> bool:
    try:
        return sd.query_devices(index)["max_output_channels"] > 0
    except (sd.PortAudioError, ValueError):
        return False

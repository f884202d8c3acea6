"""In-context audition's real-time figures (README, In-context audition).

    .venv/bin/python bench/context_audio.py [--seconds 30] [--samples DIR] [--swaps 200]

1. The audio callback's CPU share at 256-frame blocks, 44.1 and 48 kHz: the output's real mix callback
   (samplematch_gui.audition) driven block after block on a 3-minute synthetic bounce, the worst case the mixer
   allows: a 2.5-s cymbal on every hat (sixteenths at 128 BPM), so all 16 voices sound. Time in the callback over
   the block's duration, wall clock (what the deadline sees) and the thread's CPU time.
2. The swap: an audio thread calls the callback every block period, as PortAudio would, while the GUI thread
   does what an arrow key does (AuditionController.select: read the sample, or take it from the cache, trim and
   loudness-match it, hand it over). Reported: the time to make the candidate ready and from the key to the
   callback's pickup; the new sample sounds from the next hit after that.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import machine  # noqa: E402
from model.bounce_onsets import analyse  # noqa: E402
from samplematch_gui.audition import MIX_BLOCK, Loudness, SoundDeviceOutput  # noqa: E402
from samplematch_gui.context_mix import VOICES, ContextMix  # noqa: E402
from samplematch_gui.context_scene import ContextScene  # noqa: E402

HYDROGEN_KIT = Path("/usr/share/hydrogen/data/drumkits/GMRockKit")


class _SoundDevice:
    """Stands in for sounddevice and its stream: keeps the callback for the bench to call."""

    PortAudioError = CallbackStop = RuntimeError
    callback: Callable[..., None] | None = None
    active = True

    def OutputStream(self, callback, **_):
        self.callback = callback
        return self

    def start(self) -> None:
        pass

    def abort(self) -> None:
        pass

    def close(self) -> None:
        pass


def synthetic_bounce(seconds: float, rate: int, bpm: float = 128.0) -> np.ndarray:
    """Kick on the beats, snare on 2 and 4, hats on the sixteenths, a bass line and a little noise."""
    rng = np.random.default_rng(0)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    out = 0.15 * np.sin(2 * np.pi * 55 * (1 + (t // 2 % 2) * 0.5) * t) + 0.01 * rng.standard_normal(n)
    sixteenth = 15.0 / bpm
    hit = np.arange(int(0.3 * rate)) / rate
    kick = 0.8 * np.sin(2 * np.pi * 60 * hit) * np.exp(-hit / 0.08)
    snare = 0.4 * rng.standard_normal(len(hit)) * np.exp(-hit / 0.06)
    hat = 0.2 * np.diff(rng.standard_normal(len(hit) + 1)) * np.exp(-hit / 0.015)
    for k in range(int(seconds / sixteenth)):
        i = int(k * sixteenth * rate)
        for sound, on in ((kick, k % 4 == 0), (snare, k % 8 == 4), (hat, True)):
            if on:
                m = min(len(sound), n - i)
                out[i:i + m] += sound[:m]
    return (out / np.abs(out).max() * 0.9).astype(np.float32)


def cymbal(rate: int, seconds: float = 2.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    noise = np.diff(np.random.default_rng(1).standard_normal(len(t) + 1))
    return (0.3 * noise * np.exp(-t / (seconds / 3))).astype(np.float32)


def summary(values: list[float], scale: float = 1e6, digits: int = 0) -> str:
    ordered = sorted(values)
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    return (f"median {statistics.median(values) * scale:.{digits}f}, p99 {p99 * scale:.{digits}f}, "
            f"max {ordered[-1] * scale:.{digits}f}")


def callback_share(rate: int, bounce: np.ndarray, seconds: float) -> None:
    analysis = analyse(bounce, rate)
    scene = ContextScene.build("bench.wav", analysis, bounce, rate, (0.0, len(bounce) / rate), Loudness("rms"))
    mix = ContextMix(scene.loop)
    mix.candidate = scene.candidate(cymbal(rate), "hihat")
    sd = _SoundDevice()
    output = SoundDeviceOutput(sd)
    output.play_mix(mix, rate)
    callback, block = sd.callback, np.zeros((MIX_BLOCK, 1), np.float32)
    assert callback is not None
    for _ in range(200):  # warm up: every voice slot sounding
        callback(block, MIX_BLOCK, None, None)
    walls, cpus, voices = [], [], []
    for _ in range(int(seconds * rate / MIX_BLOCK)):
        wall, cpu = time.perf_counter(), time.thread_time()
        callback(block, MIX_BLOCK, None, None)
        cpus.append(time.thread_time() - cpu)
        walls.append(time.perf_counter() - wall)
        voices.append(sum(v is not None for v in mix._voice))
    period = MIX_BLOCK / rate
    print(f"{rate} Hz, {MIX_BLOCK}-frame blocks ({period * 1000:.2f} ms), {len(walls)} blocks, "
          f"{len(mix.candidate.triggers)} triggers in the loop, {statistics.mean(voices):.1f} of {VOICES} voices "
          f"sounding on average")
    print(f"  time in callback, µs: wall {summary(walls)}; thread CPU {summary(cpus)}")
    print(f"  CPU share: mean {statistics.mean(walls) / period:.1%} (wall), {statistics.mean(cpus) / period:.1%} "
          f"(CPU); p99 {sorted(walls)[int(0.99 * (len(walls) - 1))] / period:.1%}; worst block "
          f"{max(walls) / period:.0%} of its deadline")


def sample_paths(folder: Path, count: int, tmp: Path) -> list[str]:
    """Real one-shots from `folder` if it has them, else generated ones written to tmp."""
    found = sorted(str(p) for p in folder.glob("*.wav"))[:count] if folder.is_dir() else []
    if found:
        return found
    import soundfile as sf

    rng = np.random.default_rng(2)
    for i in range(count):
        t = np.arange(int(0.4 * 44100)) / 44100
        sf.write(tmp / f"s{i}.wav", 0.5 * rng.standard_normal(len(t)) * np.exp(-t / 0.05), 44100)
    return sorted(str(p) for p in tmp.glob("s*.wav"))


def swap_latency(bounce: np.ndarray, paths: list[str], swaps: int) -> None:
    from PySide6.QtCore import QCoreApplication

    from samplematch_gui.ui.audition_controller import AuditionController
    from samplematch_gui.ui.settings import AppSettings

    rate = 44100
    app = QCoreApplication.instance() or QCoreApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="bench-context-"))
    sd = _SoundDevice()
    audition = AuditionController(SoundDeviceOutput(sd), AppSettings(tmp / "settings.ini"))
    scene = ContextScene.build("bench.wav", analyse(bounce, rate), bounce, rate, (0.0, len(bounce) / rate),
                               Loudness("rms"))
    kinds = ("kick", "snare", "hihat", "crash")
    audition.play_context(scene, paths[0], lambda p: kinds[paths.index(p) % len(kinds)])
    mix = audition.mix
    callback, running = sd.callback, True
    assert callback is not None and mix is not None

    def audio_thread() -> None:
        block, period, deadline = np.zeros((MIX_BLOCK, 1), np.float32), MIX_BLOCK / rate, time.perf_counter()
        while running:
            deadline += period
            time.sleep(max(0.0, deadline - time.perf_counter()))
            callback(block, MIX_BLOCK, None, None)

    thread = threading.Thread(target=audio_thread, daemon=True)
    thread.start()
    rng = np.random.default_rng(3)
    results: dict[bool, tuple[list[float], list[float], list[float]]] = {False: ([], [], []), True: ([], [], [])}
    for k in range(swaps):
        path = paths[(k + 1) % len(paths)]
        cached = k + 1 >= len(paths)  # each sample is read from disk the first time only
        time.sleep(rng.uniform(0.02, 0.08))
        pressed = time.perf_counter()
        audition.select(path)  # what ↑/↓ calls
        handed = time.perf_counter()
        while mix.picked_up_at < pressed:
            time.sleep(0.0002)
        for series, value in zip(results[cached], (handed - pressed, audition.prepare_seconds,
                                                   mix.picked_up_at - pressed), strict=True):
            series.append(value)
    running = False
    thread.join()
    audition.stop()
    app.processEvents()
    for cached, (select, prepare, pickup) in results.items():
        if select:
            where = "from the cache" if cached else "read from disk (decode, resample to 44.1 kHz)"
            print(f"  {len(select)} swaps, sample {where}, ms: the key's work on the GUI thread "
                  f"{summary(select, 1e3, 2)} (of which the candidate buffer: {summary(prepare, 1e3, 2)}); "
                  f"key to callback pickup {summary(pickup, 1e3, 1)}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=30.0, help="audio to render per rate for the CPU share")
    p.add_argument("--samples", type=Path, default=HYDROGEN_KIT, help="one-shots to swap between")
    p.add_argument("--swaps", type=int, default=200)
    args = p.parse_args()
    print(f"machine: {machine()}, load average {os.getloadavg()[0]:.1f}")
    for rate in (44100, 48000):
        callback_share(rate, synthetic_bounce(180.0, rate), args.seconds)
    paths = sample_paths(args.samples, 24, Path(tempfile.mkdtemp(prefix="bench-samples-")))
    print(f"swap latency, {MIX_BLOCK}-frame blocks at 44.1 kHz ({MIX_BLOCK / 44100 * 1000:.1f} ms), "
          f"{len(paths)} samples from {args.samples if paths[0].startswith(str(args.samples)) else 'generated'}:")
    swap_latency(synthetic_bounce(60.0, 44100), paths, args.swaps)


if __name__ == "__main__":
    main()

"""Waveform overviews of bounces: exact per-bucket peaks, read block by block in flat memory."""
import threading
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from model import audio
from samplematch_gui import overview
from samplematch_gui.bounce_file import BounceFile
from samplematch_gui.jobs import Cancelled
from samplematch_gui.overview import envelope


def _stereo(path, seconds, rate=48000):
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((int(seconds * rate), 2)) * np.linspace(0.01, 0.5, int(seconds * rate))[:, None])
    sf.write(path, data.astype(np.float32), rate, subtype="FLOAT")
    return data.astype(np.float32).mean(axis=1)


def test_block_reads_give_the_peaks_of_the_whole_file(tmp_path, monkeypatch):
    mono = _stereo(tmp_path / "mix.wav", 3.0)
    monkeypatch.setattr(overview, "BLOCK_FRAMES", 5000)  # many blocks
    ov = BounceFile(tmp_path / "mix.wav").overview(700)
    bucket = -(-len(mono) // 700)
    padded = np.concatenate([mono, np.full(-len(mono) % bucket, mono[-1], np.float32)]).reshape(-1, bucket)
    np.testing.assert_allclose(ov.low, padded.min(axis=1), atol=1e-6)
    np.testing.assert_allclose(ov.high, padded.max(axis=1), atol=1e-6)
    assert len(ov.low) <= 700 and ov.duration == pytest.approx(3.0)


def test_a_long_bounce_never_sits_in_memory_whole(tmp_path, monkeypatch):
    _stereo(tmp_path / "long.wav", 60.0)  # 23 MB decoded
    monkeypatch.setattr(overview, "BLOCK_FRAMES", 1 << 16)
    bounce = BounceFile(tmp_path / "long.wav")
    tracemalloc.start()
    try:
        ov = bounce.overview(2000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ov.duration == pytest.approx(60.0) and len(ov.high) == 2000
    assert peak < 4 * 2**20


def test_cancel_and_bad_files(tmp_path):
    _stereo(tmp_path / "mix.wav", 1.0)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        BounceFile(tmp_path / "mix.wav").overview(100, cancel)
    (tmp_path / "bad.wav").write_bytes(b"RIFF nonsense")
    with pytest.raises(audio.AudioError):
        BounceFile(tmp_path / "bad.wav")


def test_envelope_of_a_short_signal():
    lo, hi = envelope(np.array([0.0, -1.0, 0.5, 0.25], np.float32), 2)
    assert lo.tolist() == [-1.0, 0.25] and hi.tolist() == [0.0, 0.5]

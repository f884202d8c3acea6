"""Audio input: formats, rates, channels, bit depths, band-limited resampling, clear errors."""
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from model import audio


def _tone(sr: int, freq: float = 440.0, seconds: float = 0.5, channels: int = 1) -> np.ndarray:
    t = np.arange(int(sr * seconds)) / sr
    x = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.stack([x] * channels, axis=1) if channels > 1 else x


def _peak_freq(x: np.ndarray, sr: int) -> float:
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / sr)[spec.argmax()]


@pytest.mark.parametrize("ext,fmt,subtype", [
    ("wav", "WAV", "PCM_16"), ("wav", "WAV", "PCM_24"), ("wav", "WAV", "PCM_32"),
    ("wav", "WAV", "FLOAT"), ("wav", "WAV", "DOUBLE"), ("wav", "WAV", "PCM_U8"),
    ("aiff", "AIFF", "PCM_16"), ("aif", "AIFF", "PCM_24"), ("flac", "FLAC", "PCM_24"),
    ("ogg", "OGG", "VORBIS"), ("mp3", "MP3", "MPEG_LAYER_III"),
])
def test_reads_every_format_and_bit_depth(tmp_path, ext, fmt, subtype):
    path = tmp_path / f"tone.{ext}"
    sf.write(path, _tone(44100), 44100, format=fmt, subtype=subtype)
    wave = audio.load(path, 44100)
    assert wave.dtype == np.float32 and wave.ndim == 1
    assert abs(len(wave) - 22050) < 3000  # lossy codecs add a little padding
    assert abs(_peak_freq(wave, 44100) - 440) < 5
    assert 0.3 < np.abs(wave).max() < 0.7


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 32000, 48000, 88200, 96000, 176400, 192000])
def test_resamples_any_rate_to_44k1(tmp_path, rate):
    path = tmp_path / "tone.wav"
    sf.write(path, _tone(rate, 1000.0, 1.0), rate, subtype="FLOAT")
    wave = audio.load(path, 44100)
    assert abs(len(wave) - 44100) <= 2
    assert abs(_peak_freq(wave, 44100) - 1000) < 3
    assert np.abs(wave[2000:-2000]).max() == pytest.approx(0.5, abs=0.02)


def test_resampler_is_band_limited():
    """A 30 kHz tone at 96 kHz is above the 22.05 kHz Nyquist: it must vanish, not alias."""
    x = _tone(96000, 30000.0, 1.0).astype(np.float32)
    y = audio.resample(x, 96000, 44100)
    assert np.sqrt(np.mean(y[2000:-2000] ** 2)) < 0.005


def test_mixes_any_channel_count_to_mono(tmp_path):
    path = tmp_path / "six.wav"
    data = np.zeros((4410, 6), np.float32)
    data[:, 0] = 0.6
    data[:, 5] = -0.3
    sf.write(path, data, 44100, subtype="FLOAT")
    assert audio.load(path) == pytest.approx(np.full(4410, 0.05, np.float32), abs=1e-6)


def test_reads_only_the_needed_part(tmp_path):
    path = tmp_path / "long.wav"
    sf.write(path, _tone(44100, seconds=10.0), 44100)
    assert len(audio.load(path, 44100, max_seconds=1.5)) == int(1.5 * 44100)
    assert len(audio.load(path, 44100, max_seconds=2.0, start_seconds=9.0)) == 44100


def test_excerpts_come_from_the_region(tmp_path):
    sr = 44100
    x = np.zeros(sr * 20, np.float32)
    x[sr * 10: sr * 14] = 0.5  # only 10-14 s is loud
    path = tmp_path / "bounce.wav"
    sf.write(path, x, sr, subtype="FLOAT")
    ex = audio.load_excerpts(path, sr, 4.0, 5, region=(10.0, 14.0))
    assert ex.shape == (1, 4 * sr) and np.all(ex == 0.5)
    spread = audio.load_excerpts(path, sr, 4.0, 10)
    assert spread.shape == (10, 4 * sr)
    assert spread[0, 0] == 0 and spread[-1, -1] == 0  # first and last windows hug the ends


@pytest.mark.parametrize("make,expected", [
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk"), "damaged"),
    (lambda p: p.write_text("hello, I am a text file pretending to be audio\n" * 20), "not an audio"),
    (lambda p: sf.write(p, np.zeros((0, 1)), 44100), "empty"),
])
def test_bad_files_give_a_clear_error(tmp_path, make, expected):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(audio.AudioError, match=expected):
        audio.load(path)


@pytest.mark.parametrize("name, fmt", [("cut.flac", "FLAC"), ("cut.mp3", "MP3")])
def test_a_truncated_file_is_an_error_or_its_readable_part_without_decoder_noise(tmp_path, capfd, name, fmt):
    path = tmp_path / name
    sf.write(path, _tone(44100, seconds=2.0), 44100, format=fmt)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    try:
        wave = audio.load(path)
    except audio.AudioError as exc:
        assert str(exc)
    else:
        assert 0 < len(wave) < 2 * 44100
    assert capfd.readouterr().err == ""  # mpg123's "Xing stream size off" stays off the terminal


def test_missing_file_and_unsupported_rate(tmp_path):
    with pytest.raises(audio.AudioError, match="not found"):
        audio.load(tmp_path / "nope.wav")
    path = tmp_path / "slow.wav"
    sf.write(path, np.zeros(4000), 4000)
    with pytest.raises(audio.AudioError, match="sample rate"):
        audio.load(path)


def test_odd_paths(tmp_path):
    path = tmp_path / "Ünïcödé  folder [v2] #1" / "kick (final) ~ copy.wav"
    path.parent.mkdir()
    sf.write(path, _tone(44100), 44100)
    assert len(audio.load(Path(str(path)))) == 22050


def test_a_file_without_read_permission_says_permission_denied(tmp_path, monkeypatch):
    import os

    path = tmp_path / "locked.wav"
    sf.write(path, _tone(44100), 44100)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: emulate the kernel's refusal
        real_open = os.open

        def refuse(file, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", os.fspath(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", refuse)
    try:
        with pytest.raises(audio.AudioError, match="^permission denied$"):
            audio.load(path)
    finally:
        path.chmod(0o644)


def test_a_text_file_named_mp3_gives_one_message_and_no_decoder_noise(tmp_path, capfd):
    path = tmp_path / "song.mp3"
    path.write_text("hello, I am a text file pretending to be audio\n" * 20)
    with pytest.raises(audio.AudioError, match="^not an audio file") as exc:
        audio.load(path)
    assert "pipe" not in str(exc.value)
    assert capfd.readouterr().err == ""



def test_a_path_of_1024_bytes_or_more_decodes(tmp_path):
    deep = tmp_path.joinpath(*["folder " + "y" * 200] * 5)
    deep.mkdir(parents=True)
    path = deep / "tone.flac"
    with open(path, "wb") as f:  # libsndfile cannot open such a path by name
        sf.write(f, _tone(44100), 44100, format="FLAC")
    assert len(str(path).encode()) >= 1024
    assert audio.probe(path).frames == 22050
    assert len(audio.load(path, 44100, max_seconds=0.25)) == 11025
    assert sum(len(b) for b in audio.mono_blocks(path, 4096)) == 22050
    assert audio.load_excerpts(path, 44100, 0.1, 3).shape == (3, 4410)


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_not_opened(tmp_path):
    import os

    path = tmp_path / "pipe.wav"
    os.mkfifo(path)
    with pytest.raises(audio.AudioError, match="not a regular file"):
        audio.load(path)  # must not block waiting for a writer


def test_a_folder_named_like_audio_is_not_a_file(tmp_path):
    (tmp_path / "kit.wav").mkdir()
    with pytest.raises(audio.AudioError, match="folder"):
        audio.load(tmp_path / "kit.wav")

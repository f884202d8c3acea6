"""LMMS project files: read them, list the tracks `lmms rendertracks` renders, shorten their song.

`.mmp` is plain XML; `.mmpz` is a 4-byte big-endian length followed by the zlib-compressed XML.
rendertracks writes one file per unmuted instrument or sample track, named `<n>_<track name>.<ext>`,
numbered 1.. over the song editor's tracks first, then the Beat+Bassline editor's (whose tracks are
stored inside the first Beat+Bassline track), each in project order.
"""
from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path

INSTRUMENT_TRACK, BEAT_TRACK, SAMPLE_TRACK = "0", "1", "2"
ROOT_TAGS = ("lmms-project", "multimedia-project")   # the latter: projects saved by LMMS < 1.0
TICKS_PER_BEAT = 48            # LMMS: 192 ticks per 4/4 bar
_NOTE_CLIPS = ("pattern", "bbtco", "sampletco")
_CLIPS = (*_NOTE_CLIPS, "automationpattern")


@dataclass(frozen=True)
class Track:
    number: int          # rendertracks' file number; 0 = not rendered (muted)
    name: str
    instrument: str      # plugin name ("audiofileprocessor", "zynaddsubfx", ...); "" for a sample track
    sample: str          # AudioFileProcessor src as written ("drums/kick01.ogg"), else ""
    in_beat: bool        # in the Beat+Bassline editor
    muted: bool


def read_project(path: str | Path) -> ET.Element:
    """The <lmms-project> root of an .mmp or .mmpz file (ValueError when it is neither)."""
    data = Path(path).read_bytes()
    if str(path).lower().endswith(".mmpz"):
        try:
            data = zlib.decompress(data[4:])
        except zlib.error as exc:
            raise ValueError(f"{path}: not a compressed LMMS project ({exc})") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"{path}: not an LMMS project ({exc})") from None
    if root.tag not in ROOT_TAGS or root.find("song") is None:
        raise ValueError(f"{path}: not an LMMS song project")
    return root


def write_project(root: ET.Element, path: str | Path) -> None:
    """Write as plain XML (.mmp)."""
    Path(path).write_bytes(b'<?xml version="1.0"?>\n<!DOCTYPE lmms-project>\n' + ET.tostring(root))


def _song_tracks(root: ET.Element) -> list[ET.Element]:
    container = root.find("song/trackcontainer")
    return [] if container is None else container.findall("track")


def _track(el: ET.Element, number: int, in_beat: bool) -> Track:
    instrument = el.find("instrumenttrack/instrument")
    plugin = "" if instrument is None else instrument.get("name", "")
    afp = None if instrument is None else instrument.find("audiofileprocessor")
    return Track(number=number, name=el.get("name", ""), instrument=plugin,
                 sample="" if afp is None else afp.get("src", ""), in_beat=in_beat, muted=_muted(el))


def _muted(el: ET.Element) -> bool:
    return el.get("muted", "0") == "1"


def project_tracks(root: ET.Element) -> list[Track]:
    """Every instrument and sample track, numbered as rendertracks names its files."""
    song = _song_tracks(root)
    beat = [t for b in song if b.get("type") == BEAT_TRACK for t in b.findall("bbtrack/trackcontainer/track")]
    tracks, number = [], 0
    for elements, in_beat in ((song, False), (beat, True)):
        for el in elements:
            if el.get("type") not in (INSTRUMENT_TRACK, SAMPLE_TRACK):
                continue
            if not _muted(el):
                number += 1
            tracks.append(_track(el, 0 if _muted(el) else number, in_beat))
    return tracks


def tempo(root: ET.Element) -> float:
    head = root.find("head")
    return float(head.get("bpm", 140)) if head is not None else 140.0


def _ticks_per_second(root: ET.Element) -> float:
    return tempo(root) / 60.0 * TICKS_PER_BEAT


def _note_clips(root: ET.Element) -> list[tuple[float, float]]:
    """(pos, len) in ticks of the song editor's note, beat and sample clips."""
    return [(float(c.get("pos", 0)), float(c.get("len", 0)))
            for t in _song_tracks(root) for c in t if c.tag in _NOTE_CLIPS]


def song_seconds(root: ET.Element) -> float:
    """End of the song's last note or sample clip, at the project's base tempo."""
    return max((pos + length for pos, length in _note_clips(root)), default=0.0) / _ticks_per_second(root)


def excerpt_start(root: ET.Element, seconds: float) -> float:
    """Where a `seconds` window starts (ticks): of 0 and the clip starts that leave the window inside the
    song, the one cutting through the fewest clips (a cut clip is lost), then the one nearest the middle."""
    clips, window = _note_clips(root), seconds * _ticks_per_second(root)
    latest = max(0.0, max((pos + length for pos, length in clips), default=0.0) - window)
    candidates = {0.0} | {pos for pos, _ in clips if pos <= latest}
    return min(candidates, key=lambda s: (sum(pos < s < pos + length for pos, length in clips),
                                          abs(s - latest / 2)))


def excerpt(root: ET.Element, seconds: float) -> tuple[ET.Element, float]:
    """A copy whose song is the `seconds` from excerpt_start on; (copy, start in seconds).

    Clips starting outside the window are dropped, the rest moved to the new start: renders stay short
    and mostly skip intros and outros.
    """
    root = copy.deepcopy(root)
    start, window = excerpt_start(root, seconds), seconds * _ticks_per_second(root)
    song = root.find("song")
    assert song is not None  # read_project checks it
    for track in [*_song_tracks(root), *song.findall("track")]:
        for clip in [c for c in track if c.tag in _CLIPS]:
            pos = float(clip.get("pos", 0)) - start
            if 0 <= pos < window:
                clip.set("pos", str(int(round(pos))))
            else:
                track.remove(clip)
    return root, start / _ticks_per_second(root)

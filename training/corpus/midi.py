"""Tiny standard-MIDI-file reader/writer: channel voice events with times in seconds (tempo map applied)."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

DRUM_CHANNEL = 9
_DATA_LEN = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}


class MidiError(Exception):
    pass


@dataclass(frozen=True)
class Event:
    time: float      # seconds
    status: int      # 0x80..0xE0 (high nibble)
    channel: int
    data: tuple[int, ...]


@dataclass(frozen=True)
class Note:
    start: float
    end: float
    channel: int
    pitch: int
    velocity: int


@dataclass(frozen=True)
class MidiFile:
    events: list[Event]
    channel_names: dict[int, str]    # name of the first named track that plays on each channel


def read_midi(path: str | Path) -> MidiFile:
    blob = Path(path).read_bytes()
    if blob[:4] != b"MThd":
        raise MidiError(f"{path}: not a standard MIDI file")
    hlen = struct.unpack(">I", blob[4:8])[0]
    _, ntracks, division = struct.unpack(">HHH", blob[8:14])
    if division & 0x8000:
        raise MidiError(f"{path}: SMPTE time division is not supported")
    pos, tempos = 8 + hlen, [(0, 500000)]
    raw: list[tuple[int, int, int, tuple[int, ...]]] = []  # (tick, status, channel, data)
    names: dict[int, str] = {}
    for _ in range(ntracks):
        if blob[pos:pos + 4] != b"MTrk":
            raise MidiError(f"{path}: damaged track header")
        length = struct.unpack(">I", blob[pos + 4:pos + 8])[0]
        first = len(raw)
        try:
            name = _parse_track(blob[pos + 8:pos + 8 + length], raw, tempos)
        except IndexError:
            raise MidiError(f"{path}: truncated track") from None
        for channel in {e[2] for e in raw[first:]}:
            if name:
                names.setdefault(channel, name)
        pos += 8 + length
    to_seconds = _tick_clock(sorted(tempos), division)
    raw.sort(key=lambda e: e[0])
    return MidiFile([Event(to_seconds(t), s, c, d) for t, s, c, d in raw], names)


def _read_varlen(data: bytes, i: int) -> tuple[int, int]:
    value = 0
    while True:
        b = data[i]
        i += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, i


def _parse_track(data: bytes, out: list, tempos: list) -> str:
    """Append (tick, status, channel, data) to out and tempo changes to tempos; returns the track name."""
    i, tick, running, name = 0, 0, 0, ""
    while i < len(data):
        delta, i = _read_varlen(data, i)
        tick += delta
        status = data[i]
        if status == 0xFF:
            kind = data[i + 1]
            length, i = _read_varlen(data, i + 2)
            if kind == 0x51:
                tempos.append((tick, int.from_bytes(data[i:i + 3], "big")))
            elif kind == 0x03 and not name:
                name = data[i:i + length].decode("latin-1")
            i += length
        elif status in (0xF0, 0xF7):
            length, i = _read_varlen(data, i + 1)
            i += length
        else:
            if status & 0x80:
                running = status
                i += 1
            kind = running & 0xF0
            n = _DATA_LEN.get(kind, 0)
            out.append((tick, kind, running & 0x0F, tuple(data[i:i + n])))
            i += n
    return name


def _tick_clock(tempos: list[tuple[int, int]], division: int):
    marks, seconds, (last_tick, last_tempo) = [], 0.0, tempos[0]
    for tick, tempo in tempos[1:]:
        seconds += (tick - last_tick) * last_tempo / 1e6 / division
        marks.append((tick, seconds, tempo))
        last_tick, last_tempo = tick, tempo
    marks.insert(0, (0, 0.0, tempos[0][1]))

    def to_seconds(tick: int) -> float:
        t0, s0, tempo = marks[0]
        for mark in marks:
            if mark[0] > tick:
                break
            t0, s0, tempo = mark
        return s0 + (tick - t0) * tempo / 1e6 / division
    return to_seconds


def notes(events: list[Event]) -> list[Note]:
    """Pair note-ons with their note-offs (velocity-0 note-ons count as offs)."""
    open_notes: dict[tuple[int, int], list[tuple[float, int]]] = {}
    out = []
    for e in events:
        if e.status not in (0x80, 0x90):
            continue
        key = (e.channel, e.data[0])
        if e.status == 0x90 and e.data[1] > 0:
            open_notes.setdefault(key, []).append((e.time, e.data[1]))
        elif open_notes.get(key):
            start, vel = open_notes[key].pop(0)
            out.append(Note(start, e.time, e.channel, e.data[0], vel))
    for (channel, pitch), pending in open_notes.items():
        out.extend(Note(start, start + 0.5, channel, pitch, vel) for start, vel in pending)
    return sorted(out, key=lambda n: (n.start, n.channel, n.pitch))


def write_midi(path: str | Path, events: list[Event], ticks_per_second: int = 960) -> None:
    """Format-0 file at 120 bpm (480 ticks per beat -> 960 ticks per second)."""
    body, last = bytearray(), 0
    body += b"\x00\xff\x51\x03" + (500000).to_bytes(3, "big")
    order = {0xC0: 0, 0xB0: 1, 0x80: 2, 0x90: 3}     # at equal times: program, controls, offs, then ons
    for e in sorted(events, key=lambda e: (e.time, order.get(e.status, 4))):
        tick = max(last, int(round(e.time * ticks_per_second)))
        body += _varlen(tick - last) + bytes([e.status | e.channel, *e.data])
        last = tick
    body += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, ticks_per_second // 2)
    Path(path).write_bytes(header + b"MTrk" + struct.pack(">I", len(body)) + bytes(body))


def _varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))

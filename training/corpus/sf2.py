"""SoundFont 2 preset headers (the PHDR chunk): enough to list a file's presets and banks."""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Preset:
    name: str
    program: int
    bank: int


def list_presets(path: str | Path) -> list[Preset]:
    """Presets of an .sf2 file ([] when the file is missing or not a SoundFont)."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"RIFF":
                return []
            f.read(4)
            if f.read(4) != b"sfbk":
                return []
            return _scan(f)
    except OSError:
        return []


def _scan(f) -> list[Preset]:
    while True:
        head = f.read(8)
        if len(head) < 8:
            return []
        cid, size = head[:4], struct.unpack("<I", head[4:])[0]
        if cid == b"LIST":
            kind = f.read(4)
            if kind != b"pdta":
                f.seek(size - 4 + (size & 1), 1)
                continue
            end = f.tell() + size - 4
            while f.tell() < end:
                sub, sub_size = f.read(4), struct.unpack("<I", f.read(4))[0]
                if sub == b"phdr":
                    return _presets(f.read(sub_size))
                f.seek(sub_size + (sub_size & 1), 1)
            return []
        f.seek(size + (size & 1), 1)


def _presets(blob: bytes) -> list[Preset]:
    out = []
    for i in range(0, len(blob) - 38, 38):     # the last record is the EOP terminator
        name, program, bank = struct.unpack("<20sHH", blob[i:i + 24])
        out.append(Preset(name.split(b"\0")[0].decode("latin-1").strip(), program, bank))
    return out

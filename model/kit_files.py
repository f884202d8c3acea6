"""Categories of samples from the kit files beside them: Hydrogen drumkit.xml, SFZ, Drumlabooh drumkit.txt.

A kit file names its pieces ("Snare Jazz" plays jsnare_01.flac), which file names often do not ("TM_08.aiff",
"beats_06-38.flac"). Each reader returns {sample path: category} for the samples whose piece the file
names (model.taxonomy.kit_piece_category); a sample listed under pieces of two different categories is left
out (the name or the audio decides it). Paths are joined to the kit file's folder and normalised; look them
up with `sample_key`, which also forgives the case differences of kits made on Windows.

Pure Python, no audio: it runs in the app's scanner and in training.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from model.taxonomy import kit_piece_category

HYDROGEN = "drumkit.xml"
DRUMLABOOH = "drumkit.txt"
SFZ_SUFFIX = ".sfz"
_MAX_BYTES = 8 << 20  # a kit file is text of a few kB; anything this big is not one
_MAX_INCLUDE_DEPTH = 8


class KitFileError(Exception):
    """A kit file cannot be read; str() is one line naming the file."""


def is_kit_file(name: str) -> bool:
    lower = name.lower()
    return lower in (HYDROGEN, DRUMLABOOH) or lower.endswith(SFZ_SUFFIX)


def sample_key(path: str | os.PathLike[str]) -> str:
    """The form a sample path is looked up in: normalised, case-folded."""
    return os.path.normpath(os.fspath(path)).casefold()


def read_kit_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """{sample_key(sample path): category} from one kit file; KitFileError if it cannot be read."""
    path = Path(path)
    name = path.name.lower()
    if name == HYDROGEN:
        pieces = _hydrogen_pieces(path)
    elif name == DRUMLABOOH:
        pieces = _drumlabooh_pieces(path)
    elif name.endswith(SFZ_SUFFIX):
        pieces = _sfz_pieces(path)
    else:
        raise KitFileError(f"{path}: not a kit file (drumkit.xml, drumkit.txt or .sfz)")
    return _unambiguous(pieces)


def folder_kit_categories(folder: str | os.PathLike[str],
                          problems: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """What every kit file directly in folder says; unreadable ones are noted in problems and skipped."""
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it if is_kit_file(e.name) and e.is_file())
    except OSError:
        return {}
    found: dict[str, str] = {}
    for kit_name in names:
        kit_path = os.path.join(folder, kit_name)
        try:
            mapping = read_kit_file(kit_path)
        except KitFileError as exc:
            if problems is not None:
                problems.append((kit_path, str(exc).removeprefix(f"{kit_path}: ")))
            continue
        for key, category in mapping.items():
            found.setdefault(key, category)
    return found


def _unambiguous(pieces: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    out: dict[str, str | None] = {}
    for sample, category in pieces:
        if category is None:
            continue
        key = sample_key(sample)
        out[key] = category if out.get(key, category) == category else None
    return {k: v for k, v in out.items() if v is not None}


def _text(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise KitFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > _MAX_BYTES:
        raise KitFileError(f"{path}: too big for a kit file ({len(data) >> 20} MB or more)")
    return data.decode("utf-8", errors="replace")


def _join(folder: Path, relative: str) -> str:
    return os.path.join(folder, relative.strip().replace("\\", "/"))


# Hydrogen ------------------------------------------------------------------------------------------------

def _hydrogen_pieces(path: Path) -> Iterable[tuple[str, str | None]]:
    try:
        root = ET.fromstring(_text(path))
    except ET.ParseError as exc:
        raise KitFileError(f"{path}: not valid XML ({exc})") from None
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]  # newer kits carry a namespace
    for instrument in root.iter("instrument"):
        category = kit_piece_category(instrument.findtext("name") or "")
        for filename in instrument.iter("filename"):
            if filename.text and filename.text.strip():
                yield _join(path.parent, filename.text), category


# Drumlabooh / Drumrox: "instrument name=file1.wav,file2.wav" per line --------------------------------------

def _drumlabooh_pieces(path: Path) -> Iterable[tuple[str, str | None]]:
    for line in _text(path).splitlines():
        name, sep, files = line.strip().lstrip(">").rpartition("=")
        if not sep or not name.strip():
            continue
        category = kit_piece_category(name.partition("=")[0])  # "Ride Crash=Ride Crash=a.wav" happens
        for file in files.split(","):
            if file.strip():
                yield _join(path.parent, file), category


# SFZ -----------------------------------------------------------------------------------------------------

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_DEFINE = re.compile(r"^\s*#define\s+(\$\w+)\s+(\S+)", re.M)
_INCLUDE = re.compile(r'^\s*#include\s+"([^"]+)"', re.M)
_HEADER = re.compile(r"<(\w+)>")
# An opcode's value runs to the next opcode or the end: sample paths may hold spaces.
_OPCODE = re.compile(r"(\w+)=(.*?)(?=\s+\w+=|\s*$)", re.S)
_LABELS = ("region_label", "group_label", "master_label", "global_label")
_LEVELS = ("global", "master", "group", "region")
_NOTE = re.compile(r"([a-g])(#|b)?(-?\d)$", re.I)
_NOTE_OFFSET = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}


def _gm_category(key: int) -> str | None:
    """General MIDI percussion key map (notes 35-81)."""
    if key in (35, 36):
        return "kick"
    if key in (37, 38, 40):
        return "snare"
    if key == 39:
        return "clap"
    if key in (41, 43, 45, 47, 48, 50):
        return "tom"
    if key in (42, 44, 46):
        return "hihat"
    if key in (49, 52, 55, 57):
        return "crash"
    if key in (51, 53, 59):
        return "ride"
    return "perc" if 54 <= key <= 81 else None


def _midi_key(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if value.lstrip("-").isdigit():
        return int(value)
    note = _NOTE.match(value)
    if not note:
        return None
    letter, accidental, octave = note.groups()
    shift = {"#": 1, "b": -1}.get(accidental or "", 0)
    return 12 * (int(octave) + 1) + _NOTE_OFFSET[letter.lower()] + shift  # c4 = 60


def _sfz_source(path: Path, depth: int = 0) -> str:
    text = _COMMENT.sub(" ", _text(path))
    if depth < _MAX_INCLUDE_DEPTH:
        def include(match: re.Match) -> str:
            try:
                return _sfz_source(path.parent / match.group(1), depth + 1)
            except KitFileError:
                return " "  # a missing include: what the rest says still counts
        text = _INCLUDE.sub(include, text)
    for name, value in _DEFINE.findall(text):
        text = text.replace(name, value)
    return _DEFINE.sub(" ", text)


def _sfz_regions(path: Path) -> list[dict[str, str]]:
    """Each region's opcodes, with what its group, master and global headers set."""
    parts = _HEADER.split(_sfz_source(path))
    scopes: dict[str, dict[str, str]] = {level: {} for level in _LEVELS}
    control: dict[str, str] = {}
    regions = []
    for header, body in zip(parts[1::2], parts[2::2], strict=True):
        opcodes = {k.lower(): v.strip() for k, v in _OPCODE.findall(body)}
        header = header.lower()
        if header == "control":
            control.update(opcodes)
        elif header in _LEVELS:
            scopes[header] = opcodes
            for lower in _LEVELS[_LEVELS.index(header) + 1:]:
                scopes[lower] = {}  # a new group starts without the last group's regions
            if header == "region":
                merged = {k: v for level in _LEVELS for k, v in scopes[level].items()}
                merged["default_path"] = control.get("default_path", "")
                regions.append(merged)
    return regions


def _region_key(region: dict[str, str]) -> int | None:
    key = _midi_key(region.get("key"))
    lo, hi = _midi_key(region.get("lokey")), _midi_key(region.get("hikey"))
    return key if key is not None else (lo if lo is not None and lo == hi else None)


def _sfz_pieces(path: Path) -> Iterable[tuple[str, str | None]]:
    regions = [r for r in _sfz_regions(path) if r.get("sample")]
    keys = [_region_key(r) for r in regions]
    # A General MIDI kit: one key per region, a kick and a snare among them (a piano maps ranges of keys).
    gm_kit = bool(keys) and all(k is not None for k in keys) and bool({35, 36} & set(keys)) \
        and bool({38, 40} & set(keys))
    by_file_name = kit_piece_category(path.stem)  # "Programs/kick.sfz"
    for region, key in zip(regions, keys, strict=True):
        label = next((region[k] for k in _LABELS if region.get(k)), "")
        category = kit_piece_category(label) if label else None
        if category is None:
            category = by_file_name or (_gm_category(key) if gm_kit and key is not None else None)
        sample = region["sample"]
        if sample.startswith("*"):  # a generator (*sine, *noise), not a file
            continue
        yield _join(path.parent, region["default_path"].replace("\\", "/") + sample), category

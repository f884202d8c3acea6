"""Hydrogen drum kits (drumkit.xml): instruments -> pieces with a role, velocity layers kept."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .kits import Kit, Layer, Piece, looks_electronic
from .roles import kit_piece_role

HYDROGEN_DIRS = (Path("/usr/share/hydrogen/data/drumkits"),)
COPYRIGHT_FILES = ("/usr/share/doc/hydrogen-drumkits/copyright", "/usr/share/doc/hydrogen-data/copyright")


def _meaningful(name: str) -> bool:
    # Placeholder instruments: "", "17", "f#4 - ", "Sample: beats_01-10.flac".
    stripped = re.sub(r"^[a-g]#?\d\s*-\s*", "", name.strip(), flags=re.I)
    return bool(stripped) and not stripped.isdigit() and not stripped.lower().startswith("sample:")


def read_hydrogen_kit(kit_dir: Path) -> Kit | None:
    xml_path = Path(kit_dir) / "drumkit.xml"
    try:
        root = ET.parse(xml_path).getroot()
    except (OSError, ET.ParseError):
        return None
    ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    name = root.findtext(ns + "name") or Path(kit_dir).name
    pieces = []
    for inst in root.iter(ns + "instrument"):
        inst_name = (inst.findtext(ns + "name") or "").strip()
        if not _meaningful(inst_name):
            continue
        layers = []
        for layer in inst.iter(ns + "layer"):
            path = Path(kit_dir) / (layer.findtext(ns + "filename") or "")
            if path.is_file():
                layers.append(Layer(float(layer.findtext(ns + "min") or 0), float(layer.findtext(ns + "max") or 1),
                                    path=str(path)))
        direct = inst.findtext(ns + "filename")   # very old kits: one file, no layer element
        if not layers and direct and (Path(kit_dir) / direct).is_file():
            layers.append(Layer(0.0, 1.0, path=str(Path(kit_dir) / direct)))
        if layers:
            pieces.append(Piece(inst_name, kit_piece_role(re.sub(r"^[a-g]#?\d\s*-\s*", "", inst_name, flags=re.I)),
                                sorted(layers, key=lambda layer: layer.vmin)))
    licence = (root.findtext(ns + "license") or "").strip() or "see Debian copyright (GPL-2+)"
    return Kit(name=f"hydrogen:{Path(kit_dir).name}", kind="hydrogen", origin=str(kit_dir), licence=licence,
               electronic=looks_electronic(name, Path(kit_dir).name), pieces=pieces,
               licence_files=[f for f in COPYRIGHT_FILES if Path(f).is_file()])


def hydrogen_kits(dirs=HYDROGEN_DIRS) -> list[Kit]:
    kits = []
    for base in dirs:
        if Path(base).is_dir():
            for kit_dir in sorted(p for p in Path(base).iterdir() if (p / "drumkit.xml").is_file()):
                kit = read_hydrogen_kit(kit_dir)
                if kit and kit.pieces:
                    kits.append(kit)
    return kits

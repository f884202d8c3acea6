"""Kits from the curated drum pack (manifest.csv: real multi-mic acoustic kits and drum machines).

One Kit per pack kit and microphone mix (a multi-mic kit gives a `close` and a `room` kit); both mixes of a
kit share a `family`, so the split keeps them together. A piece is one instrument of a class and one round
robin; its velocity layers are the recorded velocities, split at their midpoints.
"""
from __future__ import annotations

import csv
import itertools
import os
from collections import defaultdict
from pathlib import Path

from .kits import Kit, Layer, Piece

PACK_ENV = "SAMPLEMATCH_DRUM_PACK"
# The pack lives beside the checkout in this project's workspace (shared/drums); elsewhere name it.
DEFAULT_PACK = Path(os.environ.get(PACK_ENV) or Path(__file__).resolve().parents[3] / "shared" / "drums")

# Pack classes -> (corpus role, words put in the piece name so gm.NOTE_HINTS pick the right articulation).
CLASS_ROLES = {"kick": ("kick", "kick"), "snare": ("snare", "snare"), "hihat_closed": ("hihat", "closed hat"),
               "hihat_open": ("hihat", "open hat"), "hihat_pedal": ("hihat", "pedal hat"), "ride": ("ride", "ride"),
               "crash": ("crash", "crash"), "tom": ("tom", "tom"), "clap": ("perc", "clap"),
               "rim": ("perc", "rim stick"), "perc": ("perc", "perc")}


# Credits the pack's licences ask for (shared/drums/README.md), per pack source and per kit.
SOURCE_ATTRIBUTIONS = {
    "drumgizmo-muldjordkit": "Drum samples provided by DrumGizmo.org: MuldjordKit by Lars Muldjord (www.muldjord.com, "
                             "www.drumgizmo.org), sfz mapping by kinwie; mono close/room mixdowns of the 16 mics",
    "karoryfer-gogodze-phu-vol-ii": "Karoryfer Samples: Gogodze Phu Vol II, performed by Angelika Pastuszka, "
                                    "recorded by D. Smolken",
    "sams-sonor": "Sam's Sonor: samples by Sam Greene (Sonor Force 3001), sfz mapping by kinwie; modified "
                  "(mono, trimmed, normalised), CC-BY-SA-4.0",
    "drum-sklad": "drum_sklad (Drumlabooh kits) by Peter Semiletov",
}
KIT_ATTRIBUTIONS = {
    "copyc4t-el-nacho-drumkit": "El Nacho Drumkit by copyc4t (Paolo D'Emilio), "
                                "freesound.org/people/copyc4t/packs/22277/",
    "jazzkit": "Gretsch drums by bigjoedrummer, Jazz Gretsch Big Cymbals by shpira (freesound, CC0)",
    "lel-dr8": "ROM dump by Edward d-tech (www.dtech.lv)",
    "lel-psr": "ROM dump by Edward d-tech (www.dtech.lv)",
}


def drum_pack_dir() -> Path | None:
    """The pack folder ($SAMPLEMATCH_DRUM_PACK, else shared/drums beside the checkout), None if absent."""
    return DEFAULT_PACK if (DEFAULT_PACK / "manifest.csv").is_file() else None


def _round_robin(path: str) -> str:
    return Path(path).stem.rsplit("_", 1)[-1]


def _layers(rows: list[dict], root: Path) -> list[Layer]:
    rows = sorted(rows, key=lambda r: float(r["velocity"] or 1.0))
    velocities = [float(r["velocity"] or 1.0) for r in rows]
    edges = [0.0] + [(a + b) / 2 for a, b in itertools.pairwise(velocities)] + [1.0]
    return [Layer(edges[i], edges[i + 1], path=str(root / r["path"])) for i, r in enumerate(rows)]


def _pieces(rows: list[dict], root: Path) -> list[Piece]:
    """Rows of one kit and mix -> pieces: (class, instrument, round robin) with velocity layers."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if row["class"] not in CLASS_ROLES:
            continue
        # Rows without a velocity are alternatives, not layers: each is its own piece.
        variant = _round_robin(row["path"]) if row["velocity"] else row["path"]
        groups[(row["class"], row["instrument"], variant)].append(row)
    pieces = []
    for (cls, instrument, _), members in sorted(groups.items()):
        role, words = CLASS_ROLES[cls]
        pieces.append(Piece(f"{words} {instrument}", role, _layers(members, root)))
    return pieces


def licence_files(root: Path, source: str, kit: str) -> list[str]:
    base = root / "LICENSES" / source
    files = [p for p in (base / kit).glob("*") if p.is_file()] if (base / kit).is_dir() else []
    files += [p for p in base.glob("*") if p.is_file()]
    return [str(p) for p in sorted(files)]


def pack_kits(root: Path | None = None) -> list[Kit]:
    """Every kit (and mic mix) of the pack; [] when the pack is not there."""
    root = root or drum_pack_dir()
    if root is None:
        return []
    with open(root / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    by_kit: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        mix = row["mic_mix"] if row["mic_mix"] in ("close", "room") else "direct"
        by_kit[(row["kit"], mix)].append(row)
    kits = []
    for (kit, mix), members in sorted(by_kit.items()):
        first = members[0]
        name = f"pack:{kit}" + ("" if mix == "direct" else f":{mix}")
        kits.append(Kit(name, "pack", f"{root}/{first['source']}/{kit}", first["licence"],
                        first["kit_kind"] == "electronic", _pieces(members, root),
                        licence_files(root, first["source"], kit), family=f"pack:{kit}",
                        attribution="; ".join(a for a in (SOURCE_ATTRIBUTIONS.get(first["source"], ""),
                                                          KIT_ATTRIBUTIONS.get(kit, "")) if a)))
    return kits

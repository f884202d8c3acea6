"""Kits grouped from loose sample folders: sonic-pi-samples.

lmms-common's drum samples are not made into kits: the real-music dev set (lmms_dev.py) plays them, so
they must never be trained on."""
from __future__ import annotations

import re
from pathlib import Path

from .kits import Kit, Piece, even_layers
from .roles import kit_piece_role

SONIC_PI = Path("/usr/share/sonic-pi/samples")
SONIC_PI_COPYRIGHT = "/usr/share/doc/sonic-pi-samples/copyright"


# Sonic Pi names the taxonomy cannot read as drum pieces.
SONIC_PI_ALIASES = {"drum_bass": "kick", "drum_cymbal_closed": "closed hat", "drum_cymbal_open": "open hat",
                    "drum_cymbal_pedal": "pedal hat", "drum_splash": "splash", "elec_tick": "closed hat tick"}


def _pieces(files: list[Path], aliases: dict[str, str] | None = None) -> list[Piece]:
    """One piece per file; "_soft"/"_hard" twins become two velocity layers of one piece."""
    groups: dict[str, list[Path]] = {}
    for f in sorted(files):
        groups.setdefault(re.sub(r"_(soft|hard)$", "", f.stem), []).append(f)
    pieces = []
    for base, paths in groups.items():
        paths.sort(key=lambda p: 0 if p.stem.endswith("_soft") else 1)
        pieces.append(Piece(base, kit_piece_role((aliases or {}).get(base, base)), even_layers(paths)))
    return pieces


def sonic_pi_kits(root: Path = SONIC_PI) -> list[Kit]:
    if not root.is_dir():
        return []

    def glob(*pats: str) -> list[Path]:
        return [p for pat in pats for p in root.glob(pat)]

    groups = {"acoustic": (False, glob("drum_*.flac")),
              "electronic": (True, glob("bd_*.flac", "sn_*.flac", "elec_*.flac", "glitch_perc*.flac"))}
    licence = "CC0 / MIT per file (sonic-pi-samples, see LICENSES copy of the Debian copyright)"
    return [Kit(f"sonic-pi:{name}", "sonic-pi", str(root), licence, electronic,
                _pieces(files, SONIC_PI_ALIASES), [SONIC_PI_COPYRIGHT])
            for name, (electronic, files) in groups.items() if files]

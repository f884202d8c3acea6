"""Kits grouped from loose sample folders: sonic-pi-samples and lmms-common."""
from __future__ import annotations

import re
from pathlib import Path

from .kits import Kit, Piece, even_layers
from .roles import kit_piece_role

SONIC_PI = Path("/usr/share/sonic-pi/samples")
LMMS = Path("/usr/share/lmms/samples")
SONIC_PI_COPYRIGHT = "/usr/share/doc/sonic-pi-samples/copyright"
LMMS_COPYRIGHT = "/usr/share/doc/lmms-common/copyright"


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
    glob = lambda *pats: [p for pat in pats for p in root.glob(pat)]
    groups = {"acoustic": (False, glob("drum_*.flac")),
              "electronic": (True, glob("bd_*.flac", "sn_*.flac", "elec_*.flac", "glitch_perc*.flac"))}
    licence = "CC0 / MIT per file (sonic-pi-samples, see LICENSES copy of the Debian copyright)"
    return [Kit(f"sonic-pi:{name}", "sonic-pi", str(root), licence, electronic,
                _pieces(files, SONIC_PI_ALIASES), [SONIC_PI_COPYRIGHT])
            for name, (electronic, files) in groups.items() if files]


def lmms_kits(root: Path = LMMS) -> list[Kit]:
    drums, beats = root / "drums", root / "beats"
    if not drums.is_dir():
        return []
    licence = "GPL-2+ (lmms-common, see LICENSES copy of the Debian copyright)"
    files = sorted(drums.glob("*.ogg"))
    by = lambda *words: [f for f in files if any(f.stem.startswith(w) for w in words)]
    kits = [
        Kit("lmms:acoustic", "lmms", str(drums), licence, False,
            _pieces(by("bassdrum_acoustic", "snare_acoustic", "snare_rim", "hihat_closed01", "hihat_opened01",
                       "hihat_foot", "ride01", "crash01", "tom_", "sidestick", "shaker01")), [LMMS_COPYRIGHT]),
        Kit("lmms:electronic", "lmms", str(drums), licence, True,
            _pieces(by("kick_hard", "kick_distorted", "snare_electro", "snare_harsh", "clap01", "clap02",
                       "hihat_closed02", "hihat_opened02", "zap", "crash02")), [LMMS_COPYRIGHT]),
        Kit("lmms:hiphop", "lmms", str(drums), licence, True,
            _pieces(by("kick_hiphop", "snare_hiphop", "hihat_closed03", "hihat_opened03", "clap03", "ride02",
                       "tom0")), [LMMS_COPYRIGHT]),
        Kit("lmms:studio", "lmms", str(drums), licence, False,
            _pieces(by("bassdrum0", "kick0", "snare0", "hihat_closed04", "hihat_closed05", "rim01", "wood01",
                       "clav", "shaker02", "snare_muffled")), [LMMS_COPYRIGHT]),
    ]
    if beats.is_dir():
        kits.append(Kit("lmms:rave", "lmms", str(beats), licence, True,
                        _pieces(sorted(beats.glob("rave_*.ogg"))), [LMMS_COPYRIGHT]))
    return kits

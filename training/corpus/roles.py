"""Roles of stems and kit pieces from their names (model.taxonomy for the drum categories)."""
from __future__ import annotations

import re

from model.taxonomy import NON_DRUM, categorise

# Word prefixes that say "percussion" though the taxonomy files them under "other".
PERC_WORDS = ("perc", "shaker", "shake", "conga", "bongo", "clap", "cowbell", "tamb", "clave", "cabasa",
              "maraca", "guiro", "agogo", "timbale", "djembe", "cajon", "woodblock", "block", "triangle",
              "snap", "tabla", "stick", "whistle")
# Instrument roles recognised by word prefix in stem file names (first match wins); else "other".
INSTRUMENT_WORDS = (("bass", "bass"), ("sub", "bass"), ("chord", "chords"), ("piano", "keys"), ("key", "keys"),
                    ("organ", "keys"), ("rhodes", "keys"), ("synth", "synth"), ("lead", "lead"), ("pad", "pad"),
                    ("string", "strings"), ("guitar", "guitar"), ("gtr", "guitar"), ("vox", "vocals"),
                    ("vocal", "vocals"), ("voice", "vocals"), ("choir", "vocals"), ("brass", "brass"),
                    ("horn", "brass"), ("arp", "arp"), ("pluck", "synth"), ("fx", "fx"))


def _words(name: str) -> list[str]:
    return re.findall(r"[a-z]+", name.lower())


def _drum_category(name: str) -> str:
    # The corpus has no clap or non-drum roles: a clap is percussion, a loop names no piece.
    category = categorise(name)
    return {"clap": "perc", NON_DRUM: "other"}.get(category, category)


def kit_piece_role(name: str) -> str:
    """Role of a drum-kit piece: a drum category, "perc" for everything else in a kit."""
    category = _drum_category(name)
    return "perc" if category == "other" else category


def stem_role(name: str) -> str:
    """Role of a user's stem from its file name: a drum category, "perc", or an instrument role."""
    category = _drum_category(name)
    if category != "other":
        return category
    words = _words(name)

    def starts(prefix: str) -> bool:
        return any(w.startswith(prefix) for w in words)

    if any(starts(p) for p in PERC_WORDS):
        return "perc"
    # A whole drum bus ("Drums", "Beat", "Overheads") stays "other": no single-piece one-shots from it.
    return next((role for prefix, role in INSTRUMENT_WORDS if starts(prefix)), "other")

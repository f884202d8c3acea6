"""Roles of stems and kit pieces from their names (model.taxonomy for the drum categories)."""
from __future__ import annotations

import re

from model.taxonomy import categorise

# Names that say "percussion" though taxonomy files them under "other".
PERC_WORDS = ("perc", "shaker", "shake", "conga", "bongo", "clap", "cowbell", "tamb", "clave", "cabasa",
              "maraca", "guiro", "agogo", "timbale", "djembe", "cajon", "woodblock", "block", "triangle",
              "snap", "tabla", "rim", "stick", "drum", "beat", "loop", "fx_perc", "whistle")
# Instrument roles recognised in stem file names (first match wins); anything else -> "other".
INSTRUMENT_WORDS = (("bass", "bass"), ("sub", "bass"), ("chord", "chords"), ("piano", "keys"), ("key", "keys"),
                    ("organ", "keys"), ("rhodes", "keys"), ("synth", "synth"), ("lead", "lead"), ("pad", "pad"),
                    ("string", "strings"), ("guitar", "guitar"), ("gtr", "guitar"), ("vox", "vocals"),
                    ("vocal", "vocals"), ("voice", "vocals"), ("choir", "vocals"), ("brass", "brass"),
                    ("horn", "brass"), ("arp", "arp"), ("pluck", "synth"), ("fx", "fx"))


def _words(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.lower())


def kit_piece_role(name: str) -> str:
    """Role of a drum-kit piece: a drum category, "perc" for everything else in a kit."""
    category = categorise(name)
    return "perc" if category == "other" else category


def stem_role(name: str) -> str:
    """Role of a user's stem from its file name: a drum category, "perc", or an instrument role."""
    category = categorise(name)
    if category != "other":
        return category
    words = _words(name)
    if any(w in words for w in PERC_WORDS):
        return "perc"
    for word, role in INSTRUMENT_WORDS:
        if word in words:
            return role
    return "other"

"""Drum category of a sample or stem from its file and folder names (keyword dictionaries).

As in the SampleMatch paper, categories come from typical drum-type expressions in names ("hat"
for hi-hat, "BD" for kick). Names are split into lower-case tokens on separators, letter/digit
boundaries and camelCase ("KickHard" -> kick, hard; "OHHat" -> oh, hat; "BD0010" -> bd, 0010),
and keywords match whole tokens only: "abdomen", "kickstarter", "snarky", "hattrick" match nothing.

Choices (each pinned by tests/test_taxonomy.py):
- The first keyword occurrence in a name decides: "Kick+Snare layer" is a kick, "Clap Snare" other.
- Multi-word keywords match consecutive tokens: "bass drum" is a kick, "bass" alone or "bass
  guitar" is nothing; "side stick" and "cross stick" are snare.
- A token glued from known words is split into them: "kickin", "snaretop", "floortom",
  "hihatopen", "subkick", "bassdrum", "hhclosed". Every piece must be a dictionary word of three or
  more letters, a modifier from the short list below, or "hh", so "chin" is not "ch" + "in" and
  "tomato" is no tom.
- Plurals count: "Kicks", "hats", "crashes".
- Rim, rimshot, RS, side stick and cross stick are snare. Clap, shaker, tambourine, conga, cowbell,
  overhead... are an explicit "other", so a "Clap 1.wav" in a "Snares" folder stays other.
  Plain "bell" is nothing ("ride bell" is a ride through "ride").
- "OH" alone is nothing: in multitracks it means overhead mics, in sample packs an open hat, so
  the folder decides. "OHH", "open hat", "CH", "HH" are hi-hats; "OH_Hat" is one through "hat".
- Splash and china are crashes. "Cymbal", "cym" and "cy" are weak keywords, used only when a name
  has no other keyword: such a name is a crash ("Cymbal Ride" is a ride), and in a path it becomes
  a ride when the nearest farther folder with a (strong) keyword says ride ("Rides/Cymbal 2.wav").
- LT, MT, HT, FT are toms; numbered drum-machine names like "t1" are not.
- Spelled-out words beat two-letter abbreviations wherever they stand: "CR78 Snare" and "RD-8 Kick"
  (drum-machine models) and "Ch1 Kick" (a mixer channel) are a snare and kicks. "Ch" followed by a
  number beside a word that does not describe a hat is a channel ("Ch 3 Guitar", "CH12 Bass" are no
  hi-hats; "CH 01" and "CH 01 Hard" are).
- Loops and names with a tempo ("Kick Loop 128", "Hats 120bpm") are "other": they hold many hits,
  and the app ranks one-shots. Only the name that decides counts: a "Loopmasters" folder above
  "Kicks/BD 1.wav" changes nothing.
- For paths, the file name without its extension decides when it matches anything, otherwise the
  nearest folder that matches; "other" when nothing matches. A drum word after the last dot
  ("Open.Hat") is kept as part of the name. For multitrack stems whose folders carry song or
  band names, categorise the stem name alone.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import NamedTuple

CATEGORIES = ("kick", "snare", "hihat", "ride", "crash", "tom", "other")
PERCUSSION = CATEGORIES[:6]

# Keywords per category; a space separates the tokens of a multi-word keyword.
_KEYWORDS = {
    "kick": ("kick", "kik", "kck", "bd", "bds", "kd", "bass drum"),
    "snare": ("snare", "snr", "sd", "sds", "sn", "rim", "rimshot", "rs", "sidestick", "side stick",
              "crossstick", "cross stick", "xstick"),
    "hihat": ("hat", "hihat", "hhat", "hh", "hhs", "ch", "chh", "ohh", "phh", "hho", "hhc"),
    "ride": ("ride", "rd"),
    "crash": ("crash", "crsh", "cr", "splash", "china"),
    "tom": ("tom", "tomtom", "lt", "mt", "ht", "ft"),
    "other": ("perc", "percussion", "clap", "handclap", "snap", "fingersnap", "shaker", "shake",
              "tamb", "tambourine", "tambo", "conga", "bongo", "cowbell", "clave", "woodblock",
              "guiro", "cabasa", "triangle", "agogo", "timbale", "djembe", "cajon", "maraca",
              "vibraslap", "tabla", "overhead", "ovh"),
}
_WEAK = {"cymbal": "crash", "cym": "crash", "cy": "crash"}
# A loop at some tempo holds many hits: not a one-shot of any drum.
_LOOP_WORDS = frozenset({"loop", "bpm"})
# Words that only join keywords into compounds ("kickin", "snaretop", "floortom", "hitom").
_MODIFIERS = frozenset({"in", "out", "sub", "top", "bottom", "bot", "up", "down", "hi", "high",
                        "lo", "low", "mid", "floor", "rack", "open", "closed", "close", "pedal",
                        "bell", "hard", "soft", "bass", "drum"})

_HAT_DESCRIPTIONS = _MODIFIERS - {"in", "out", "sub", "floor", "rack", "bass", "drum"}

_STRONG = {tuple(k.split()): cat for cat, words in _KEYWORDS.items() for k in words}
_MAX_PHRASE = max(len(k) for k in _STRONG)
_WORDS = frozenset(w for k in _STRONG for w in k) | set(_WEAK) | _MODIFIERS | _LOOP_WORDS
# Pieces of glued compounds: single-word keywords of 3+ letters (so "sidekick" is not "side" + kick,
# "chin" not "ch" + in), modifiers, and "hh", which starts no English word ("hhopen", "hhpedal").
_PIECES = frozenset(w for w in (*(k[0] for k in _STRONG if len(k) == 1), *_WEAK)
                    if len(w) >= 3) | _MODIFIERS | {"hh"}
_ALNUM_RUN = re.compile(r"[^\W_]+")
_PATH_SEP = re.compile(r"[\\/]+")
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,5}")  # what follows the last dot


class _Match(NamedTuple):
    category: str
    weak: bool


def _split_run(run: str) -> list[str]:
    """Split an alphanumeric run at letter/digit and camelCase boundaries."""
    parts, start = [], 0
    for i in range(1, len(run)):
        a, b = run[i - 1], run[i]
        if (a.isdigit() != b.isdigit() or (a.islower() and b.isupper())
                or (a.isupper() and b.isupper() and i + 1 < len(run) and run[i + 1].islower())):
            parts.append(run[start:i])
            start = i
    parts.append(run[start:])
    return parts


def _singular(word: str, vocabulary: frozenset[str]) -> str:
    """The word, or its singular form when only that is in the vocabulary ("hats" -> "hat")."""
    if word in vocabulary or len(word) < 4 or not word.endswith("s"):
        return word
    for stem in (word[:-1], word[:-2] if word.endswith("es") else None):
        if stem in vocabulary:
            return stem
    return word


@lru_cache(maxsize=4096)
def _segment(token: str) -> tuple[str, ...]:
    """A glued token as its dictionary words ("floortom" -> floor, tom), else the token itself."""
    best: list[tuple[str, ...] | None] = [()] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(end):
            if best[start] is None:
                continue
            piece = _singular(token[start:end], _PIECES)
            if piece in _PIECES:
                best[end] = best[start] + (piece,)
                break
    found = best[len(token)]
    return found if found is not None and len(found) > 1 else (token,)


def tokens(name: str) -> list[str]:
    """Lower-case word tokens of one name component, compounds split into their words."""
    out: list[str] = []
    for run in _ALNUM_RUN.findall(name):
        for part in _split_run(run):
            out.extend(_segment(part.lower()))
    return out


def _is_channel_prefix(words: list[str], i: int) -> bool:
    # "Ch 3 Guitar", "CH12_Bass": a mixer channel number, not a closed hat ("CH 01 Hard" still is).
    if words[i] != "ch" or i + 1 >= len(words) or not words[i + 1].isdigit():
        return False
    rest = words[:i] + words[i + 2:]
    return any(not w.isdigit() and w not in _HAT_DESCRIPTIONS for w in rest)


def _match(name: str) -> _Match | None:
    words = [_singular(w, _WORDS) for w in tokens(name)]
    if any(w in _LOOP_WORDS for w in words):
        return _Match("other", False)
    for abbreviations in (False, True):  # "CR78 Snare", "Ch1 Kick": the spelled-out word decides
        for i in range(len(words)):
            for n in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
                phrase = tuple(words[i:i + n])
                category = _STRONG.get(phrase)
                if category and (n == 1 and len(phrase[0]) <= 2) == abbreviations \
                        and not _is_channel_prefix(words, i):
                    return _Match(category, False)
    weak = next((_WEAK[w] for w in words if w in _WEAK), None)
    return _Match(weak, True) if weak else None


def categorise_name(name: str) -> str | None:
    """Category named by one file stem or folder name; None when no keyword matches."""
    found = _match(name)
    return found.category if found else None


def _components(path_or_name: str | os.PathLike) -> list[str]:
    """File stem first, then folder names from nearest to farthest."""
    parts = [p for p in _PATH_SEP.split(os.fspath(path_or_name)) if p]
    if not parts:
        return []
    stem, _, suffix = parts[-1].rpartition(".")
    # A drum word after the last dot ("Open.Hat") is part of the name, not an extension.
    if stem and _EXTENSION.fullmatch(suffix) and _singular(suffix.lower(), _WORDS) not in _WORDS:
        parts[-1] = stem
    return parts[::-1]


def categorise(path_or_name: str | os.PathLike) -> str:
    """Category of a sample/stem path or bare name; the file name beats folders, "other" if none."""
    matches = [m for m in map(_match, _components(path_or_name)) if m is not None]
    if not matches:
        return "other"
    if matches[0].weak:
        farther = next((m.category for m in matches if not m.weak), None)
        return "ride" if farther == "ride" else matches[0].category
    return matches[0].category

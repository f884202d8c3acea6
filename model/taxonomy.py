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
- Rim, rimshot, RS, side stick and cross stick are snare. Clap, handclap and (finger) snap are claps: in
  electronic music they play the snare's role, so they get their own category. Shaker, tambourine,
  conga, cowbell, tabla, triangle... are "perc". Overheads are an explicit "other" (a microphone, not a
  piece), so a "Clap 1.wav" in a "Snares" folder is a clap and "Snares/Overheads.wav" other.
  Plain "bell" is nothing ("ride bell" is a ride through "ride").
- A single letter glued to "snare", "kick" or "hihat" names a variant ("jsnare", "rsnare": jazz and rock
  snare); "TM", "T" + one digit ("TM_08", "t2_01") are toms, "SR" (snare roll) a snare and "HO" an open hat,
  as in Hydrogen's kits. "Cymbal closed/open/pedal" is a hi-hat and "drum bass" a kick (Sonic Pi).
- "OH" alone is nothing: in multitracks it means overhead mics, in sample packs an open hat, so
  the folder decides. "OHH", "open hat", "CH", "HH" are hi-hats; "OH_Hat" is one through "hat".
- Splash and china are crashes. "Cymbal", "cym" and "cy" are weak keywords, used only when a name
  has no other keyword: such a name is a crash ("Cymbal Ride" is a ride), and in a path it becomes
  a ride when the nearest farther folder with a (strong) keyword says ride ("Rides/Cymbal 2.wav").
- LT, MT, HT, FT, TM are toms.
- Spelled-out words beat two-letter abbreviations wherever they stand: "CR78 Snare" and "RD-8 Kick"
  (drum-machine models) and "Ch1 Kick" (a mixer channel) are a snare and kicks. "Ch" followed by a
  number beside a word that does not describe a hat is a channel ("Ch 3 Guitar", "CH12 Bass" are no
  hi-hats; "CH 01" and "CH 01 Hard" are).
- Loops and names with a tempo ("Kick Loop 128", "Hats 120bpm") are NON_DRUM, not one-shots: they hold
  many hits, and the app ranks one-shots. Instruments that are no drums ("choir", "vocal", "piano",
  "guitar", "strings", "drone", "chord", "ambient"...) are weak NON_DRUM keywords: any drum word in the
  name or a folder beats them ("Vocal Snare", "Kicks/Ambient 2.wav"). "Bass", "synth" and "pad" are no
  keywords: a bass drum, a synth kick and a drum pad are drums. Only the name that decides counts: a
  "Loopmasters" folder above "Kicks/BD 1.wav" changes nothing.
- For paths, the file name without its extension decides when it matches anything, otherwise the
  nearest folder that matches; "other" when nothing matches (`name_category` says None then, so that
  a kit file or the audio may decide). A drum word after the last dot
  ("Open.Hat") is kept as part of the name. For multitrack stems whose folders carry song or
  band names, categorise the stem name alone.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import NamedTuple

CATEGORIES = ("kick", "snare", "clap", "hihat", "ride", "crash", "tom", "perc", "other")
PERCUSSION = CATEGORIES[:8]  # the named drum categories; "other" is a one-shot nothing names
NON_DRUM = "non_drum"  # not a one-shot: a loop, a tonal or sustained sound, noise, silence
ALL_CATEGORIES = (*CATEGORIES, NON_DRUM)  # what a sample may be filed under

# Keywords per category; a space separates the tokens of a multi-word keyword.
_KEYWORDS = {
    "kick": ("kick", "kik", "kck", "bd", "bds", "kd", "bass drum", "drum bass"),
    "snare": ("snare", "snr", "sd", "sds", "sn", "sr", "rim", "rimshot", "rs", "sidestick", "side stick",
              "crossstick", "cross stick", "xstick"),
    "clap": ("clap", "handclap", "snap", "fingersnap", "finger snap"),
    "hihat": ("hat", "hihat", "hhat", "hh", "hhs", "ch", "chh", "ohh", "phh", "hho", "hhc", "ho",
              "cymbal closed", "cymbal open", "cymbal pedal"),
    "ride": ("ride", "rd"),
    "crash": ("crash", "crsh", "cr", "splash", "china"),
    "tom": ("tom", "tomtom", "lt", "mt", "ht", "ft", "tm"),
    "perc": ("perc", "percussion", "shaker", "shake", "tamb", "tambourine", "tambo", "conga", "bongo",
             "cowbell", "clave", "woodblock", "wood block", "guiro", "cabasa", "triangle", "agogo", "timbale",
             "djembe", "cajon", "maraca", "vibraslap", "tabla", "whistle", "cuica", "surdo", "darbuka",
             "castanet", "dunun", "dununba", "sangban", "kenkeni"),
    "other": ("overhead", "ovh"),
}
# Instruments that are no drum: weak too, so "Vocal Snare" is a snare and "Kicks/Ambient 2.wav" a kick.
_NOT_DRUMS = ("choir", "vocal", "vox", "voice", "piano", "organ", "guitar", "guit", "strings", "violin", "cello",
              "flute", "trumpet", "brass", "drone", "chord", "ambient", "ambi")
_WEAK = {"cymbal": "crash", "cym": "crash", "cy": "crash", **dict.fromkeys(_NOT_DRUMS, NON_DRUM)}
# A loop at some tempo holds many hits: not a one-shot of any drum.
_LOOP_WORDS = frozenset({"loop", "bpm"})
# Glued to one letter, these still name the piece ("jsnare", "rsnare": jazz and rock snares).
_PREFIXABLE = ("snare", "kick", "hihat")
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


def _pieces_of(token: str) -> tuple[str, ...] | None:
    """The dictionary words a token is glued from, or None."""
    best: list[tuple[str, ...] | None] = [()] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(end):
            prefix = best[start]
            if prefix is None:
                continue
            piece = _singular(token[start:end], _PIECES)
            if piece in _PIECES:
                best[end] = prefix + (piece,)
                break
    return best[len(token)]


@lru_cache(maxsize=4096)
def _segment(token: str) -> tuple[str, ...]:
    """A glued token as its dictionary words ("floortom" -> floor, tom), else the token itself."""
    found = _pieces_of(token)
    if found is None and len(token) > 4:
        rest = _pieces_of(token[1:])  # "jsnare", "rsnaretop": one letter names the variant
        if rest and rest[0] in _PREFIXABLE:
            return rest
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


def _numbered_tom(words: list[str], i: int) -> bool:
    # "t2_01", "T1": a tom numbered by the kit (Millo's Hydrogen kits), an abbreviation like "LT".
    return words[i] == "t" and i + 1 < len(words) and len(words[i + 1]) == 1 and words[i + 1] in "123456789"


def _match(name: str) -> _Match | None:
    words = [_singular(w, _WORDS) for w in tokens(name)]
    if any(w in _LOOP_WORDS for w in words):
        return _Match(NON_DRUM, False)
    for abbreviations in (False, True):  # "CR78 Snare", "Ch1 Kick": the spelled-out word decides
        for i in range(len(words)):
            for n in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
                phrase = tuple(words[i:i + n])
                category = _STRONG.get(phrase)
                if category and (n == 1 and len(phrase[0]) <= 2) == abbreviations \
                        and not _is_channel_prefix(words, i):
                    return _Match(category, False)
            if abbreviations and _numbered_tom(words, i):
                return _Match("tom", False)
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


def name_category(path_or_name: str | os.PathLike) -> str | None:
    """Category the names of a sample path (or a bare name) give; None when no name says anything."""
    matches = [m for m in map(_match, _components(path_or_name)) if m is not None]
    if not matches:
        return None
    if matches[0].weak:
        farther = next((m.category for m in matches if not m.weak), None)
        if farther == "ride" or (farther and matches[0].category == NON_DRUM):
            return farther
        return matches[0].category
    return matches[0].category


def categorise(path_or_name: str | os.PathLike) -> str:
    """Category of a sample/stem path or bare name; the file name beats folders, "other" if none."""
    return name_category(path_or_name) or "other"


# In a kit file's instrument list, "Stick" is the General MIDI side stick (a snare sound).
_KIT_PIECE_WORDS = {"stick": "snare", "sticks": "snare"}
_NOTE_PREFIX = re.compile(r"^\s*[a-g][#b]?-?\d\s*-\s*", re.I)  # Hydrogen's "c#3 - stick"


def kit_piece_category(instrument: str) -> str | None:
    """Category of a kit file's instrument name ("Snare Jazz", "c#3 - stick"); None if it names none."""
    name = _NOTE_PREFIX.sub("", instrument)
    found = categorise_name(name)
    if found is not None:
        return found
    return next((_KIT_PIECE_WORDS[w] for w in tokens(name) if w in _KIT_PIECE_WORDS), None)

"""General MIDI drum map: note -> role, and name hints to pick a kit piece for a note."""
from __future__ import annotations

GM_ROLE = {35: "kick", 36: "kick", 38: "snare", 40: "snare", 42: "hihat", 44: "hihat", 46: "hihat",
           51: "ride", 59: "ride", 53: "ride", 49: "crash", 57: "crash", 52: "crash", 55: "crash",
           41: "tom", 43: "tom", 45: "tom", 47: "tom", 48: "tom", 50: "tom"}
# Percussion notes rendered from SoundFont kits besides the mapped ones (all role "perc").
GM_PERC_NOTES = (37, 39, 54, 56, 60, 62, 64, 69, 70, 75, 76)

GM_NAMES = {35: "acoustic bass drum", 36: "bass drum", 37: "side stick", 38: "snare", 39: "hand clap",
            40: "electric snare", 41: "low floor tom", 42: "closed hihat", 43: "high floor tom",
            44: "pedal hihat", 45: "low tom", 46: "open hihat", 47: "low mid tom", 48: "hi mid tom",
            49: "crash cymbal 1", 50: "high tom", 51: "ride cymbal 1", 52: "chinese cymbal", 53: "ride bell",
            54: "tambourine", 55: "splash cymbal", 56: "cowbell", 57: "crash cymbal 2", 59: "ride cymbal 2",
            60: "hi bongo", 62: "mute hi conga", 64: "low conga", 69: "cabasa", 70: "maracas",
            75: "claves", 76: "hi wood block"}

# Words in a piece name that suit a note; pieces naming the "wrong" variant are avoided where possible.
NOTE_HINTS = {42: ("clos", "ch", "chh", "tight"), 44: ("ped", "foot", "phh"), 46: ("open", "op", "ohh"),
              53: ("bell", "cup"), 51: ("ride",), 59: ("ride",), 52: ("china",), 55: ("splash",),
              41: ("floor", "low", "lo", "ft"), 43: ("floor", "low", "lo"), 45: ("mid", "low"),
              47: ("mid",), 48: ("hi", "high", "1"), 50: ("hi", "high"), 38: ("snare",), 40: ("snare", "2"),
              37: ("stick", "rim"), 39: ("clap",), 54: ("tamb",), 56: ("cowbell", "bell"), 75: ("clave",),
              69: ("cabasa", "shak"), 70: ("marac", "shak"), 60: ("bongo",), 62: ("conga",), 64: ("conga",),
              76: ("block", "wood")}


def note_role(note: int) -> str:
    return GM_ROLE.get(note, "perc")

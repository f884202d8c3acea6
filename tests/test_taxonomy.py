"""Drum categories from sample-pack, drum-kit and multitrack-stem names (model.taxonomy)."""
from pathlib import Path, PureWindowsPath

import pytest

from model.taxonomy import (
    ALL_CATEGORIES,
    CATEGORIES,
    NON_DRUM,
    PERCUSSION,
    categorise,
    categorise_name,
    kit_piece_category,
    name_category,
    tokens,
)

# File names as they appear in commercial packs, free kits (Hydrogen, LMMS, Sonic Pi), drum
# machines and DAW/multitrack exports, with the category a producer would give them.
FILE_NAMES = [
    # kick
    ("KSHMR_Kick_01_C.wav", "kick"),
    ("808_BD_03.wav", "kick"),
    ("VEC1 Bassdrum 012.wav", "kick"),
    ("Kick-Soft.flac", "kick"),
    ("01_Kick_In.wav", "kick"),
    ("02_KickOut.wav", "kick"),
    ("03 Kick Sub.wav", "kick"),
    ("SubKick.wav", "kick"),
    ("bd_haus.flac", "kick"),
    ("PowR_BD_1.flac", "kick"),
    ("bassdrum_acoustic01.ogg", "kick"),
    ("Bass Drum 2.aif", "kick"),
    ("TR909 Kik 04.wav", "kick"),
    ("KCK_Punchy_A#.wav", "kick"),
    ("PearlKick-Hardest.wav", "kick"),
    ("808kick_long.wav", "kick"),
    ("KICKIN.wav", "kick"),
    ("Kick+Snare layer.wav", "kick"),
    ("elec_hollow_kick.flac", "kick"),
    # snare
    ("Cymatics - Titan Snare 3.wav", "snare"),
    ("04_Snare_Top.wav", "snare"),
    ("05_Snare_Bottom.wav", "snare"),
    ("SnareBot.wav", "snare"),
    ("snaretop.wav", "snare"),
    ("SD_Tight_02.wav", "snare"),
    ("PowR_SN_1.flac", "snare"),
    ("Snr Crack 5.wav", "snare"),
    ("Rimshot 1.wav", "snare"),
    ("rim_01.flac", "snare"),
    ("RS 808.wav", "snare"),
    ("Side Stick.wav", "snare"),
    ("sidestick01.ogg", "snare"),
    ("Cross Stick Soft.wav", "snare"),
    ("SnareOffRim-2.wav", "snare"),
    ("Snare+Clap.wav", "snare"),
    ("jsnare_01.flac", "snare"),  # Millo's Hydrogen kits: jazz and rock snares, a snare roll
    ("rsnare_03.flac", "snare"),
    ("sr_02.flac", "snare"),
    ("SN3_04.aiff", "snare"),
    # hihat
    ("VEE_Hat_Closed_07.wav", "hihat"),
    ("Hat Closed.flac", "hihat"),
    ("OH_Hat_Closed.wav", "hihat"),
    ("CH 01.wav", "hihat"),
    ("Hard_CHH_02.flac", "hihat"),
    ("Hard_Hse_OHH_1.flac", "hihat"),
    ("HH_Open_3.wav", "hihat"),
    ("HHOpen.wav", "hihat"),
    ("hhclosed_04.flac", "hihat"),
    ("hhpedal_01.flac", "hihat"),
    ("HiHatSemiopen-2.wav", "hihat"),
    ("Hi-Hat Foot.wav", "hihat"),
    ("hi hat open.wav", "hihat"),
    ("Open Hat 09.wav", "hihat"),
    ("openhat2.flac", "hihat"),
    ("hihatopen.wav", "hihat"),
    ("Hats_Shuffle_Cl.wav", "hihat"),
    ("07_HiHats.wav", "hihat"),
    ("hhat-paiste-302-14-open-p.wav", "hihat"),
    ("ho_01.flac", "hihat"),
    ("HH2_08.aiff", "hihat"),
    ("drum_cymbal_closed.flac", "hihat"),  # Sonic Pi
    ("drum_cymbal_pedal.flac", "hihat"),
    # ride
    ("RD_C_1.wav", "ride"),
    ("12 Ride.wav", "ride"),
    ("RideBell-3.wav", "ride"),
    ("Ride Bell.wav", "ride"),
    ("24Ride-1.wav", "ride"),
    ("Ride Cymbal Bow.wav", "ride"),
    ("Cymbal Ride 20in.wav", "ride"),
    # crash
    ("Crash18-2.wav", "crash"),
    ("13_Crash_L.wav", "crash"),
    ("CR_808_01.wav", "crash"),
    ("ZildjianSplash-Med.wav", "crash"),
    ("China-4.wav", "crash"),
    ("808_Cymbal.flac", "crash"),
    ("Cym Swell.wav", "crash"),
    ("Crashes 03.wav", "crash"),
    # tom
    ("Tom 1.wav", "tom"),
    ("FloorTom.wav", "tom"),
    ("floortom_03.flac", "tom"),
    ("Rack Tom 2.wav", "tom"),
    ("08_Toms.wav", "tom"),
    ("TomHigh-0.wav", "tom"),
    ("drum_tom_lo_hard.flac", "tom"),
    ("LT_Deep.wav", "tom"),
    ("MT 02.wav", "tom"),
    ("ft_01.flac", "tom"),
    ("hitom.wav", "tom"),
    ("TM_08.aiff", "tom"),  # Hydrogen's BJA_Pacific
    ("TM2_03.aiff", "tom"),
    ("t2_01.flac", "tom"),  # Millo_MultiLayered3: t1 = high tom, t2 = mid tom
    ("t1_01.flac", "tom"),
    ("T1 Kick.wav", "kick"),
    ("drum_bass_hard.flac", "kick"),
    # claps play the snare's role in electronic music: their own category
    ("EE_Clap.flac", "clap"),
    ("HandClap-Soft.wav", "clap"),
    ("Clap Snare.wav", "clap"),
    ("Fingersnap-Med.wav", "clap"),
    ("finger snap 2.wav", "clap"),
    # other percussion
    ("Tambourine-3.wav", "perc"),
    ("Tamb Hit.wav", "perc"),
    ("808_Conga.flac", "perc"),
    ("Cowbell-Hard.wav", "perc"),
    ("Perc_Wood_3.wav", "perc"),
    ("tabla_ghe1.flac", "perc"),
    ("elec_triangle.flac", "perc"),
    ("Djembe1 Slap.wav", "perc"),
    # named, but no piece
    ("10_Overheads.wav", "other"),
    ("Bell-Med.wav", "other"),
    # drum-machine models and mixer channels: the spelled-out word beats the abbreviation
    ("CR78 Snare.wav", "snare"),
    ("Roland CR-78/CR78 Kick.wav", "kick"),
    ("RD-8 Kick 2.wav", "kick"),
    ("RD9 Cowbell.wav", "perc"),
    ("MT-32 Kick.wav", "kick"),
    ("CR8000 Clap.wav", "clap"),
    ("Ch1 Kick.wav", "kick"),
    ("Ch 3 Snare Top.wav", "snare"),
    ("CH_01.wav", "hihat"),
    ("CH 01 Hard.wav", "hihat"),
    ("CH 12 Bass.wav", "other"),
    ("Guitar Ch 3.wav", NON_DRUM),
    # loops hold many hits: not one-shots
    ("Kick Loop 128.wav", NON_DRUM),
    ("Hats Loop 120bpm.wav", NON_DRUM),
    ("Ride_Loops_01.wav", NON_DRUM),
    ("Shaker_Loop_120.wav", NON_DRUM),
    ("loop_amen.flac", NON_DRUM),
    ("Loopmasters/Kicks/BD 1.wav", "kick"),
    # no drum keyword at all
    ("09_OH_L.wav", "other"),
    ("OH.wav", "other"),
    ("abdomen.wav", "other"),
    ("Bass_Guitar_DI.wav", NON_DRUM),
    ("ambi_choir.flac", NON_DRUM),
    ("guit_em9.flac", NON_DRUM),
    ("Vocal Snare.wav", "snare"),
    ("Pad 3.wav", "other"),
    ("Synth 2.wav", "other"),
    ("Bass.wav", "other"),
    ("808 Bass C.wav", "other"),
    ("Piano.wav", NON_DRUM),
    ("vocals_lead.wav", NON_DRUM),
    ("snarky_synth.wav", "other"),
    ("kickstarter_promo.wav", "other"),
    ("hattrick.wav", "other"),
    ("tomato_soup.wav", "other"),
    ("Chin Music.wav", "other"),
    ("Sidekick Theme.wav", "other"),
    ("Cymatics - Titan Pluck.wav", "other"),
    ("Crosstalk.wav", "other"),
    ("Rider.wav", "other"),
    ("Thatch.wav", "other"),
    ("emptySample.flac", "other"),
    ("beats_06-38.flac", "other"),
    ("CB_03.aiff", "other"),
    ("Room_Mono.wav", "other"),
]


@pytest.mark.parametrize(("name", "expected"), FILE_NAMES)
def test_file_names(name, expected):
    assert categorise(name) == expected


def test_table_covers_every_category():
    assert {expected for _, expected in FILE_NAMES} == set(ALL_CATEGORIES)
    assert len(FILE_NAMES) >= 80


@pytest.mark.parametrize(("path", "expected"), [
    # a folder decides when the file name names nothing
    ("Kicks/Punchy 1.wav", "kick"),
    ("Roland TR-808/BD/BD0010.WAV", "kick"),
    ("Roland TR-808/CY/CY5050.WAV", "crash"),
    ("Samples/Hi Hats/Open/Sizzle 2.wav", "hihat"),
    ("Drums/Kicks/ünïcode kick (1).wav", "kick"),
    ("Drums/Kicks/ünïcode (1).wav", "kick"),
    ("Hats/OH.wav", "hihat"),
    ("MySong Multitrack/09_OH_L.wav", "other"),
    # the file name beats every folder
    ("Snares/Clap 1.wav", "clap"),
    ("Snares/Overheads.wav", "other"),
    ("Kicks/Snare Layer.wav", "snare"),
    ("Drums/Toms/Ride.wav", "ride"),
    # the nearest matching folder beats farther ones
    ("Snares/Rims/Hit 3.wav", "snare"),
    ("Kicks/Toms/Low 1.wav", "tom"),
    ("Drums/Cymbals/Crashes/A 1.wav", "crash"),
    ("Drums/Hats/[Closed] (2)/x.wav", "hihat"),
    # a cymbal-only name follows the nearest folder only when it says ride
    ("Rides/Cymbal 2.wav", "ride"),
    ("Rides/Zildjian/Cymbal 2.wav", "ride"),
    ("Rides/Crash/Cymbal 2.wav", "crash"),
    ("Hats & Cymbals/Cymbal 1.wav", "crash"),
    ("Cymbals/Ride 01.wav", "ride"),
    # a drum word anywhere beats a word for another instrument
    ("Kicks/Ambient 2.wav", "kick"),
    ("Vocals/Take 1.wav", NON_DRUM),
    # Windows separators, odd characters, no extension, names that look like extensions
    ("C:\\Users\\me\\Samples\\Snares\\Hit 1.wav", "snare"),
    ("C:\\Users\\me\\Samples\\Kicks\\", "kick"),
    ("~/Splice/sounds/packs/Lo-Fi Drums/Toms/tom_A#_02 (copy).aiff", "tom"),
    ("/media/usb/Ünïcødé Päck/Crash – 01 ★.wav", "crash"),
    ("Open.Hat", "hihat"),
    ("Kick 1.5 Hard", "kick"),
    ("Hats/take.2", "hihat"),
    ("", "other"),
    ("/", "other"),
    (".wav", "other"),
])
def test_paths(path, expected):
    assert categorise(path) == expected


def test_accepts_path_objects():
    assert categorise(Path("Drums") / "Kicks" / "one.wav") == "kick"
    assert categorise(PureWindowsPath("D:/Drums/Rides/one.wav")) == "ride"


@pytest.mark.parametrize(("name", "expected"), [
    ("Kicks", "kick"),
    ("Hi Hats", "hihat"),
    ("Clap", "clap"),
    ("Overhead", "other"),
    ("OH", None),
    ("Bass", None),
    ("Bell", None),
    ("Punchy 1", None),
    ("Zildjian Cymbal", "crash"),
    ("", None),
])
def test_categorise_name(name, expected):
    assert categorise_name(name) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("KickHard", ["kick", "hard"]),
    ("OHHat", ["oh", "hat"]),
    ("BD0010", ["bd", "0010"]),
    ("808kick", ["808", "kick"]),
    ("TR-808", ["tr", "808"]),
    ("KSHMR_Kick_01_C", ["kshmr", "kick", "01", "c"]),
    ("floortom", ["floor", "tom"]),
    ("kickstarter", ["kickstarter"]),
    ("chin", ["chin"]),
    ("(Snare)[Top]{x}", ["snare", "top", "x"]),
    ("ÜberKick ünïcode", ["über", "kick", "ünïcode"]),
    ("", []),
])
def test_tokens(name, expected):
    assert tokens(name) == expected


def test_categories():
    assert CATEGORIES == ("kick", "snare", "clap", "hihat", "ride", "crash", "tom", "perc", "other")
    assert PERCUSSION == CATEGORIES[:8]
    assert ALL_CATEGORIES == (*CATEGORIES, NON_DRUM)


@pytest.mark.parametrize(("path", "expected"), [
    ("Kicks/Punchy 1.wav", "kick"),
    ("Punchy 1.wav", None),  # nothing named: a kit file or the audio may decide
    ("emptySample.flac", None),
    ("10_Overheads.wav", "other"),  # named, and named as no piece
    ("loop_amen.flac", NON_DRUM),
])
def test_name_category_says_none_when_no_name_decides(path, expected):
    assert name_category(path) == expected


@pytest.mark.parametrize(("instrument", "expected"), [
    ("Snare Jazz", "snare"),
    ("Stick", "snare"),  # General MIDI's side stick
    ("c#3 - stick", "snare"),  # Hydrogen's note-named slots
    ("c3 - bass drum 1", "kick"),
    ("d#4 - cymbal 1", "crash"),
    ("a#3 - hi-hat open", "hihat"),
    ("Hand Clap", "clap"),
    ("Finger Snaps", "clap"),
    ("Sangban1 Head Hit", "perc"),
    ("Whistle", "perc"),
    ("Crash Left", "crash"),
    ("Ride Bell", "ride"),
    ("Snare Roll", "snare"),
    ("17", None),
    ("", None),
    ("Zap 1", None),
    ("Drum 2", None),
])
def test_kit_piece_category(instrument, expected):
    assert kit_piece_category(instrument) == expected

"""Make one song: accompaniment + drum stems from its kit, mix levels, production chain, one-shots.

Each drum stem gives two kinds of one-shots, as a producer's library holds both: hits cut from the
processed stem (they carry the song's production chain, like hits cut from a real multitrack) and the kit
samples the song plays (after its kit transform, without the chain, like a sample pack's files). With cut
hits alone the shared chain is a shortcut no sample pack offers (a model trained so ranked the real dev
songs' drum samples at chance); with kit samples alone it never sees the cut hits users also keep.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .drums_render import assign_pieces, played_layers, render_drums
from .kit_transform import KitTransform, random_kit_transform
from .kits import Kit, Piece
from .layout import PERCUSSION_ROLES, SAMPLE_RATE, song_record, write_oneshot, write_song, write_stem
from .oneshots import SILENCE_PEAK, extract_oneshots, library_sample, oneshot_count
from .parts import Accompaniment
from .production import apply_chain, random_chain

MIX_PEAK = 0.89


@dataclass(frozen=True)
class SongPlan:
    index: int
    id: str
    kit_source: str
    kit: str
    genre: str
    duration: float
    split: str
    donor: str = ""                     # a second kit of the same kind lending donor_roles (a mixed kit)
    donor_roles: tuple[str, ...] = ()


def mixed_kit(kit: Kit, donor: Kit, roles: tuple[str, ...]) -> Kit:
    """The kit with the pieces of `roles` taken from donor instead."""
    pieces: list[Piece] = [p for p in kit.pieces if p.role not in roles] + [p for p in donor.pieces if p.role in roles]
    return Kit(f"{kit.name}+{donor.name}", kit.kind, kit.origin, kit.licence, kit.electronic, pieces,
               kit.licence_files + donor.licence_files, kit.family, kit.attribution)


def mix_levels(stems: dict[str, tuple[str, np.ndarray]], rng: np.random.Generator) -> None:
    """Random 'mix engineer' levels: drum stems by peak (-12..-3 dBFS), melodic ones by RMS (-26..-16)."""
    for role, wave in stems.values():
        if role in PERCUSSION_ROLES:
            level, target = np.max(np.abs(wave)), 10 ** (rng.uniform(-12, -3) / 20)
        else:
            level, target = np.sqrt(np.mean(wave.astype(np.float64) ** 2)), 10 ** (rng.uniform(-26, -16) / 20)
        if level > 0:
            wave *= target / level


def make_song(corpus_dir: Path, plan: SongPlan, kit: Kit, accompaniment: Accompaniment,
              rng: np.random.Generator, donor: Kit | None = None, rooms: tuple[str, ...] = ()) -> dict:
    """donor: the kit lending plan.donor_roles; rooms: impulse responses the chain may place the song in."""
    n = int(round(plan.duration * SAMPLE_RATE))
    if donor is not None:
        kit = mixed_kit(kit, donor, plan.donor_roles)
    notes = {note for _, note, _ in accompaniment.drum_hits}
    transform = random_kit_transform(rng)
    kit_transform = KitTransform(transform, SAMPLE_RATE)
    mapping = assign_pieces(kit, notes, rng)
    drums = render_drums(accompaniment.drum_hits, mapping, n, SAMPLE_RATE, kit_transform)
    played = played_layers(accompaniment.drum_hits, mapping, n, SAMPLE_RATE)
    stems = {role: (role, wave) for role, wave in sorted(drums.items())}
    stems.update({name: (role, wave.astype(np.float32).copy()) for name, role, wave in accompaniment.melodic})
    mix_levels(stems, rng)
    chain = random_chain(rng, rooms)
    processed = {name: (role, apply_chain(wave, chain, SAMPLE_RATE)) for name, (role, wave) in stems.items()}
    processed = {k: v for k, v in processed.items() if np.max(np.abs(v[1])) >= SILENCE_PEAK}
    peak = np.max(np.abs(sum(w for _, w in processed.values()))) if processed else 0.0
    gain = MIX_PEAK / peak if peak > 0 else 1.0

    song_dir = Path(corpus_dir) / "songs" / plan.id
    shutil.rmtree(song_dir, ignore_errors=True)      # leftovers of an interrupted attempt
    stem_records, shot_records = [], []
    for name, (role, wave) in processed.items():
        wave = wave * gain
        stem_records.append({"name": name, "file": write_stem(song_dir, name, wave), "role": role})
        if role in PERCUSSION_ROLES:
            count = oneshot_count(plan.genre)
            cut = extract_oneshots(wave, SAMPLE_RATE, count)
            kit_samples = [library_sample(kit_transform(layer.audio()), SAMPLE_RATE)
                           for layer in played.get(role, [])[:count]]
            for kind, shots in (("stem", cut), ("kit", kit_samples)):
                for k, shot in enumerate(s for s in shots if s.size):
                    shot_records.append({"file": write_oneshot(song_dir, f"{name}_{kind}{k}", shot), "role": role,
                                         "stem": name, "from": kind})
    record = song_record(plan.id, plan.genre, plan.kit_source, plan.split, n / SAMPLE_RATE, stem_records,
                         shot_records, chain, kit=plan.kit, donor=plan.donor, donor_roles=list(plan.donor_roles),
                         kit_transform=transform, mix_gain=round(float(gain), 5),
                         accompaniment=accompaniment.info)
    write_song(corpus_dir, record)
    return record

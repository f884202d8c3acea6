"""Pack kits, kit multiplication, mixed kits and measured rooms (the corpus's kit variety)."""
import csv

import numpy as np
import soundfile as sf

from training.corpus.build import plan_songs
from training.corpus.drums_render import played_layers
from training.corpus.kit_sources import group_kits, source_record
from training.corpus.kit_transform import KitTransform, apply_kit_transform
from training.corpus.kits import Kit, Layer, Piece
from training.corpus.kits_pack import pack_kits
from training.corpus.oneshots import library_sample
from training.corpus.rooms import build_rooms, wiener_ir
from training.corpus.song import mixed_kit

SR = 44100
FIELDS = ["path", "source", "licence", "kit", "kit_kind", "class", "instrument", "velocity", "mic_mix",
          "duration_s", "sha1"]


def _hit(seed, n=8820, decay=0.05):
    t = np.arange(n) / SR
    return (np.random.default_rng(seed).standard_normal(n) * np.exp(-t / decay)).astype(np.float32)


def _write_pack(root, rows):
    with open(root / "manifest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, FIELDS)
        w.writeheader()
        for r in rows:
            (root / r["path"]).parent.mkdir(parents=True, exist_ok=True)
            sf.write(root / r["path"], r.pop("wave"), SR)
            w.writerow({k: r.get(k, "") for k in FIELDS})


def _row(kit, cls, inst, vel, mix, n, wave, kind="acoustic"):
    return {"path": f"src/{kit}/{cls}/{kit}_{cls}_{inst}_v{vel or 'na'}_{mix}_{n:02d}.flac", "source": "src",
            "licence": "CC0-1.0", "kit": kit, "kit_kind": kind, "class": cls, "instrument": inst,
            "velocity": vel, "mic_mix": mix, "wave": wave}


def test_pack_kits_keep_velocity_layers_round_robins_and_mic_mixes(tmp_path):
    rows = []
    for mix in ("close", "room"):
        for v, seed in (("0.3", 1), ("0.9", 2)):
            for rr in (1, 2):
                rows.append(_row("big", "snare", "Snare", v, mix, rr, _hit(seed + 10 * rr)))
        rows.append(_row("big", "kick", "Kick", "", mix, 1, _hit(7)))
        rows.append(_row("big", "hihat_open", "Hihat", "", mix, 1, _hit(8)))
    rows.append(_row("tiny", "kick", "BD", "", "mono", 1, _hit(30), "electronic"))
    rows.append(_row("tiny", "snare", "SD", "", "mono", 1, _hit(31), "electronic"))
    _write_pack(tmp_path, rows)
    kits = {k.name: k for k in pack_kits(tmp_path)}
    assert sorted(kits) == ["pack:big:close", "pack:big:room", "pack:tiny"]
    close = kits["pack:big:close"]
    snares = [p for p in close.pieces if p.role == "snare"]
    assert len(snares) == 2                                     # one piece per round robin
    assert [(layer.vmin, layer.vmax) for layer in snares[0].layers] == [(0.0, 0.6), (0.6, 1.0)]
    hat = next(p for p in close.pieces if p.role == "hihat")
    assert "open" in hat.name                                   # the articulation reaches the note hints
    assert kits["pack:tiny"].electronic and not close.electronic
    groups = group_kits(list(kits.values()))
    assert sorted(k.name for k in groups["pack:big:close"]) == ["pack:big:close", "pack:big:room"]


def test_kit_transform_is_coherent_and_does_what_it_says():
    hit = _hit(3, decay=0.2)
    up = apply_kit_transform(hit, {"semitones": 3.0}, SR)
    assert abs(len(up) / len(hit) - 2 ** (-3 / 12)) < 0.02          # a sampler's pitch: shorter when higher
    assert np.isclose(np.abs(up).max(), np.abs(hit).max(), rtol=1e-4)
    damped = apply_kit_transform(hit, {"decay_s": 0.1}, SR)
    tail = slice(int(0.15 * SR), None)
    assert np.sum(damped[tail] ** 2) < 0.05 * np.sum(hit[tail] ** 2)
    punchy = apply_kit_transform(hit, {"transient_db": 9.0}, SR)
    assert np.sum(punchy[:200] ** 2) / np.sum(punchy ** 2) > np.sum(hit[:200] ** 2) / np.sum(hit ** 2)
    song = KitTransform({"semitones": -2.0, "tilt": {"db": 4.0, "pivot_hz": 1000.0}}, SR)
    assert song(hit) is song(hit)                                   # each sample transformed once per song
    assert apply_kit_transform(hit, {}, SR) is hit


def _kit(name, electronic, roles):
    return Kit(name, "synthetic", "t", "CC0", electronic,
               [Piece(r, r, [Layer(0, 1, wave=_hit(hash((name, r)) % 1000))]) for r in roles])


def test_mixed_kits_borrow_a_minority_of_roles_from_a_same_kind_kit_of_the_same_split():
    roles = ("kick", "snare", "hihat", "crash", "tom")
    sources = {f"s{i}": [_kit(f"s{i}", i % 2 == 0, roles)] for i in range(12)}
    plans, _ = plan_songs(sources, 400, seed=3, song_seconds=(4, 6))
    split_of = {p.kit_source: p.split for p in plans}
    mixed = [p for p in plans if p.donor]
    assert 0.1 < len(mixed) / len(plans) < 0.3
    for p in mixed:
        assert p.donor != p.kit and split_of.get(p.donor, p.split) == p.split
        assert (int(p.donor[1:]) % 2) == (int(p.kit[1:]) % 2)          # same kind (electronic / acoustic)
        assert 1 <= len(p.donor_roles) <= 2
    base, donor = sources["s0"][0], sources["s2"][0]
    kit = mixed_kit(base, donor, ("snare",))
    assert [p.role for p in kit.pieces].count("snare") == 1
    assert next(p for p in kit.pieces if p.role == "snare") is donor.pieces[1]


def test_wiener_deconvolution_recovers_a_known_room():
    rng = np.random.default_rng(0)
    room = np.zeros(4000)
    room[0], room[300], room[1700] = 1.0, 0.5, -0.3
    room[2000:] = 0.05 * rng.standard_normal(2000) * np.exp(-np.arange(2000) / 400)
    pairs = []
    for seed in range(4):
        close = _hit(seed, 20000, 0.1).astype(np.float64)
        pairs.append((close, np.convolve(close, room)[:20000]))
    ir = wiener_ir(pairs, seconds=0.1)
    want = room / np.linalg.norm(room)
    assert np.dot(ir[:4000], want) / np.linalg.norm(ir[:4000]) > 0.99


def test_rooms_are_built_from_close_and_room_pairs_of_the_pack(tmp_path):
    rows = [_row("big", "snare", "Snare", "0.5", mix, 1, _hit(5) if mix == "close" else 0.5 * _hit(5))
            for mix in ("close", "room")]
    (tmp_path / "pack").mkdir()
    _write_pack(tmp_path / "pack", rows)
    paths = build_rooms(tmp_path / "pack", tmp_path / "cache")
    assert [p.rsplit("/", 1)[-1] for p in paths] == ["big_snare.npy"]
    assert build_rooms(None, tmp_path / "cache") == []


def test_a_kit_sources_record_carries_the_credits_its_licences_ask_for(tmp_path):
    rows = [_row("jazzkit", "kick", "Kick", "", "mono", 1, _hit(1)),
            _row("jazzkit", "snare", "Snare", "", "mono", 1, _hit(2))]
    for r in rows:
        r["source"] = "drum-sklad"
        r["path"] = r["path"].replace("src/", "drum-sklad/")
    _write_pack(tmp_path, rows)
    kits = pack_kits(tmp_path)
    record = source_record("pack:jazzkit", kits)
    assert "Peter Semiletov" in record["attribution"] and "bigjoedrummer" in record["attribution"]


def test_oneshots_are_the_kit_samples_the_song_plays_most_not_cuts_of_the_processed_stem():
    soft, hard = _hit(1), _hit(2)
    kick = Piece("kick", "kick", [Layer(0, 0.5, wave=soft), Layer(0.5, 1, wave=hard)])
    hat = Piece("closed hat", "hihat", [Layer(0, 1, wave=_hit(3))])
    hits = [(0.0, 36, 120), (0.5, 36, 30), (1.0, 36, 127), (1.5, 42, 90), (9.0, 36, 10)]   # the last is past the end
    played = played_layers(hits, {36: kick, 42: hat}, SR * 2, SR)
    assert [layer.wave is hard for layer in played["kick"]] == [True, False] and len(played["hihat"]) == 1
    shot = library_sample(np.concatenate([np.zeros(1000, np.float32), 0.2 * hard]), SR)
    assert np.isclose(np.abs(shot).max(), 10 ** (-1 / 20)) and len(shot) < len(hard) + 1000
    assert library_sample(np.zeros(100, np.float32), SR).size == 0

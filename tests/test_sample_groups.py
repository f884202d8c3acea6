"""Duplicates and velocity layers of one sound take one row, ranked by the best member (the core, on arrays)."""
from __future__ import annotations

import numpy as np
import soundfile as sf

from model import audio
from samplematch_gui.library_db import SampleRow
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.query_session import Query, Ranking
from samplematch_gui.result_table import ResultTable
from samplematch_gui.sample_groups import content_hash, copy_key, layer_key
from tests import sounds

RATE = 32000  # the model's rate: the scanner hashes the key window it embeds


def _key_window_hash(path) -> int:
    wave, info = audio.load_with_info(path, RATE, max_seconds=1.5)
    return content_hash(wave, info.duration)


def test_the_content_hash_is_the_sound_not_the_file(tmp_path):
    rng = np.random.default_rng(0)
    pcm = np.round(sounds.snare(rng) * 32767).astype(np.int16)  # one recording, losslessly in three files
    wav, flac, stereo = tmp_path / "Snare 3.wav", tmp_path / "Snare 3.flac", tmp_path / "Snare 3 stereo.wav"
    sf.write(wav, pcm, sounds.SR)
    sf.write(flac, pcm, sounds.SR)
    sf.write(stereo, np.stack([pcm, pcm], axis=1), sounds.SR)
    other = sounds.write(tmp_path / "Snare 4.wav", sounds.snare(rng))
    quieter = sounds.write(tmp_path / "Snare 3 soft.wav", 0.5 * pcm / 32767)
    hashes = [_key_window_hash(p) for p in (wav, flac, stereo, other, quieter)]
    assert hashes[0] == hashes[1] == hashes[2]  # WAV, FLAC, a stereo file of two equal channels
    assert len(set(hashes[2:])) == 3  # another snare, the same one quieter: other sounds
    window = pcm[:1000] / 32767
    assert content_hash(window, 1.0) != content_hash(window, 1.5)  # the length counts too


def test_names_without_their_layer_or_format():
    assert {layer_key(n) for n in ("Kick-Soft.wav", "Kick-Hard.wav", "Kick_v3.wav", "Kick rr2.flac")} == {("kick",)}
    assert {layer_key(n) for n in ("rsnare_01.flac", "rsnare_05.flac")} == {("rsnare",)}
    assert layer_key("PearlTom1-Soft.wav") == ("pearl", "tom", "1") != layer_key("PearlTom2-Soft.wav")
    assert layer_key("bassdrum-4mics-soft4.flac") == layer_key("bassdrum-4mics-normal3.flac")
    assert layer_key("HH2_05.aiff") != layer_key("HH_03.aiff")  # the second hi-hat is another piece
    assert layer_key("drum_tom_mid_hard.flac") != layer_key("drum_tom_lo_hard.flac")
    assert copy_key("Snare 3 stereo.flac") == copy_key("Snare 3.wav") != copy_key("Snare 4.wav")


def _unit(rng, base=None, spread=0.0, dim=32) -> np.ndarray:
    v = rng.standard_normal(dim) if base is None else base + spread * rng.standard_normal(dim)
    return v / np.linalg.norm(v)


def _library():
    """(rows, embeddings): a snare as WAV and FLAC, a kick mono and stereo in two folders, five velocity layers of
    a tom, three numbered ones of a snare, the demo kit's trimmed copy of a crash, and sounds that only look
    related."""
    rng = np.random.default_rng(1)
    snare, kick, tom, crash, other, rim, pack = (_unit(rng) for _ in range(7))
    samples = [  # folder, name, category, duration, hash, peak level, embedding
        ("/lib/Snares", "Snare 3.wav", "snare", 0.4, 11, -1.0, snare),
        ("/lib/Snares", "Snare 3.flac", "snare", 0.4, 11, -1.0, snare),
        ("/lib/Kicks", "Kick A.wav", "kick", 0.6, 22, -0.5, kick),
        ("/lib/Stereo Kicks", "Kick A.wav", "kick", 0.6, 22, -0.5, kick),
        *[("/lib/Toms", f"Tom-{v}.wav", "tom", 1.0 - 0.1 * i, 30 + i, -1.0, _unit(rng, tom, 0.05))
          for i, v in enumerate(("Softest", "Soft", "Med", "Hard", "Hardest"))],
        *[("/lib/Kit", f"rsnare_0{i + 1}.flac", "snare", 0.5, 60 + i, -18.0 + 6 * i, _unit(rng, rim, 0.03))
          for i in range(3)],  # numbered layers, louder and louder
        ("/lib/Cymbals", "Crash 16.wav", "crash", 4.2, 40, -3.0, crash),
        ("/demo/Demo Drum Kit/Cymbals", "Crash 16.wav", "crash", 2.5, 41, -3.0, _unit(rng, crash, 0.03)),
        ("/lib/Toms", "Tom-Sub.wav", "tom", 1.0, 50, -1.0, _unit(rng, tom, 0.05)),  # another name: another piece
        ("/lib/Toms", "Tom-Loud.wav", "tom", 1.0, 51, -1.0, other),  # a layer's name, but another sound
        ("/lib/Toms2", "Tom-Soft.wav", "tom", 1.0, 52, -1.0, _unit(rng, tom, 0.05)),  # another folder: another kit
        ("/lib/Kit B", "Crash 16.wav", "crash", 1.2, 53, -3.0, _unit(rng, crash, 0.03)),  # same name, other length
        # A pack's numbered kicks: alike, but each normalised to the same peak: sounds of their own.
        *[("/lib/Pack", f"Kick 0{i + 1}.wav", "kick", 0.5, 70 + i, -0.3, _unit(rng, pack, 0.03)) for i in range(3)],
    ]
    rows = sorted(((SampleRow(f"{f}/{n}", f, n, 1, 1, d, c, None, None, "m", h, lv), e)
                   for f, n, c, d, h, lv, e in samples), key=lambda row: row[0].path)
    return [r for r, _ in rows], np.stack([e for _, e in rows]).astype(np.float32)


def test_duplicates_and_velocity_layers_take_one_row_ranked_by_the_best_member():
    rows, embeddings = _library()
    index = LibraryIndex(rows, embeddings, "m")
    groups = {frozenset(index.paths[i] for i in index.groups.members(p)) for p in range(len(index))}
    assert {g for g in groups if len(g) > 1} == {
        frozenset({"/lib/Snares/Snare 3.wav", "/lib/Snares/Snare 3.flac"}),  # the same hash
        frozenset({"/lib/Kicks/Kick A.wav", "/lib/Stereo Kicks/Kick A.wav"}),
        frozenset(f"/lib/Toms/Tom-{v}.wav" for v in ("Softest", "Soft", "Med", "Hard", "Hardest")),  # layers
        frozenset(f"/lib/Kit/rsnare_0{i}.flac" for i in (1, 2, 3)),
        frozenset({"/lib/Cymbals/Crash 16.wav", "/demo/Demo Drum Kit/Cymbals/Crash 16.wav"}),  # a trimmed copy
    }

    # A bounce ranks the fourth layer best and the loud snare copy last: each group is one row, its best member's.
    rng = np.random.default_rng(2)
    scores = rng.uniform(0.0, 0.5, len(index)).astype(np.float32)
    hard = index.position("/lib/Toms/Tom-Hard.wav")
    scores[hard] = 0.9
    order = np.argsort(-scores, kind="stable")
    table = ResultTable()
    table.set_ranking(Ranking(index, order, scores, Query("bounce", "/b.wav")))
    shown = [index.paths[p] for p in table.shown]
    assert len(shown) == len(index) - 1 - 1 - 4 - 2 - 1 and shown[0] == "/lib/Toms/Tom-Hard.wav"
    assert table.counts[0] == 5 and table.kept == len(index)
    assert [index.paths[p] for p in table.shown].count("/lib/Toms/Tom-Soft.wav") == 0
    snare_row = next(r for r, p in enumerate(table.shown) if "Snare 3" in index.paths[p])
    best_snare = max(("/lib/Snares/Snare 3.wav", "/lib/Snares/Snare 3.flac"),
                     key=lambda p: scores[index.position(p)])
    assert shown[snare_row] == best_snare and table.counts[snare_row] == 2
    rows_before = [table.score(p) for p in table.shown]
    assert rows_before == sorted(rows_before, reverse=True)  # ranked by the best members

    # Expanded, the other layers follow their best one, best first; folded again, they go.
    table.set_expanded(hard, True)
    assert table.expanded(0)
    layers = [index.paths[p] for p in table.shown[:5]]
    assert layers[0] == "/lib/Toms/Tom-Hard.wav" and sorted(layers[1:]) == sorted(
        f"/lib/Toms/Tom-{v}.wav" for v in ("Softest", "Soft", "Med", "Hardest"))
    assert [scores[index.position(p)] for p in layers[1:]] == sorted(
        (scores[index.position(p)] for p in layers[1:]), reverse=True)
    assert table.counts[:5].tolist() == [5, 0, 0, 0, 0]
    table.set_expanded(index.position(layers[2]), False)  # from any member
    assert [index.paths[p] for p in table.shown] == shown

    # A filter that keeps two layers shows them as a group of two; the best kept one leads.
    table.set_expanded(hard, True)
    table.set_text("soft")
    kept = [index.paths[p] for p in table.shown]
    assert kept[0] in ("/lib/Toms/Tom-Soft.wav", "/lib/Toms/Tom-Softest.wav") and table.counts[0] == 2
    assert set(kept[:2]) == {"/lib/Toms/Tom-Soft.wav", "/lib/Toms/Tom-Softest.wav"}
    assert "/lib/Toms2/Tom-Soft.wav" in kept[2:]


def test_a_library_without_embeddings_groups_by_the_hash_alone():
    rows, _ = _library()
    index = LibraryIndex(rows)  # read before the model is loaded
    multi = {frozenset(index.groups.members(p).tolist()) for p in range(len(index))
             if index.groups.sizes[p] > 1}
    assert {frozenset(index.paths[i] for i in g) for g in multi} == {
        frozenset({"/lib/Snares/Snare 3.wav", "/lib/Snares/Snare 3.flac"}),
        frozenset({"/lib/Kicks/Kick A.wav", "/lib/Stereo Kicks/Kick A.wav"})}

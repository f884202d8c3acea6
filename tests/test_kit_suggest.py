"""Whole-kit suggestion, headless: slots, fit against coherence, locks, alternatives, hats split open/closed."""
import numpy as np
import pytest

from samplematch_gui.kit_suggest import (
    SLOT_NAMES,
    KitConfig,
    KitError,
    hat_kind_by_name,
    measured_decay,
    suggest_kit,
)
from samplematch_gui.library_db import SampleRow
from samplematch_gui.library_index import LibraryIndex
from samplematch_gui.query_session import Query, Ranking
from tests import sounds

PIECES = {"kick": "kick", "snare": "snare", "clap": "clap", "Closed Hat": "hihat", "Open Hat": "hihat",
          "ride": "ride", "crash": "crash", "tom": "tom"}
SLOT_CATEGORIES = {"kick": {"kick"}, "snare": {"snare", "clap"}, "closed_hat": {"hihat"}, "open_hat": {"hihat"},
                   "ride": {"ride"}, "crash": {"crash"}, "tom": {"tom"}}


def _library(kits: int = 4, layers: int = 2, seed: int = 0, copies: bool = False):
    """Kits whose pieces share a direction in key space; kit k's pieces fit the bounce best for k = 0 in the
    kick slot, k = 1 in the snare slot... so that the best fits come from different kits. copies: the layers
    of a piece are copies of one file (one content hash), so they form one group."""
    rng = np.random.default_rng(seed)
    dim = 64
    kit_dirs = rng.standard_normal((kits, dim))
    piece_dirs = {p: rng.standard_normal(dim) for p in PIECES}
    rows, vectors, scores = [], [], []
    for k in range(kits):
        for n, (piece, category) in enumerate(PIECES.items()):
            for layer in range(layers):
                folder = f"/lib/Kit {k}"
                name = f"{piece} {layer + 1}.wav"
                rows.append(SampleRow(f"{folder}/{name}", folder, name, 1, 1, 0.5, category, None, None, "m",
                                      content_hash=1 + k * len(PIECES) + n if copies else None))
                vectors.append(2.0 * kit_dirs[k] + piece_dirs[piece] + 0.3 * rng.standard_normal(dim))
                favourite = (n % kits) == k  # this kit holds the best-fitting piece of this kind
                scores.append(0.8 + 0.1 * favourite - 0.01 * layer + 0.01 * rng.random())
    index = LibraryIndex(rows, np.array(vectors, np.float32), "m")
    scores = np.array(scores, np.float32)
    return Ranking(index, np.argsort(-scores), scores, Query("bounce", "/songs/bounce.wav"))


def _kit_of(path: str) -> str:
    return path.split("/")[2]


def _no_measure(path):
    raise AssertionError(f"{path} is named: it needs no measuring")


def test_every_slot_gets_a_distinct_sample_of_its_categories():
    ranking = _library()
    kit = suggest_kit(ranking, hat_decay=_no_measure)
    assert [p.slot.name for p in kit.picks] == list(SLOT_NAMES)
    chosen = [c.path for _, c in kit.chosen()]
    assert len(chosen) == len(SLOT_NAMES) == len(set(chosen))
    index = ranking.index
    for pick in kit.picks:
        for c in (pick.choice, *pick.alternatives):
            assert index.category(c.position) in SLOT_CATEGORIES[pick.slot.name]
            assert c.path == index.paths[c.position]
    assert "Open Hat" in kit.pick("open_hat").choice.path and "Closed Hat" in kit.pick("closed_hat").choice.path


def test_coherence_gathers_one_kit_and_without_it_the_best_fits_win():
    ranking = _library()
    by_fit = suggest_kit(ranking, cfg=KitConfig(coherence_weight=0.0), hat_decay=_no_measure)
    for pick in by_fit.picks:  # each slot's best fit, wherever it comes from
        members = ranking.index.in_categories(pick.slot.categories)
        if pick.slot.hat:
            members &= np.array([hat_kind_by_name(p) == pick.slot.hat for p in ranking.index.paths])
        assert pick.choice.fit == pytest.approx(float(ranking.fit[members].max()))
    assert len({_kit_of(c.path) for _, c in by_fit.chosen()}) > 1
    coherent = suggest_kit(ranking, cfg=KitConfig(coherence_weight=0.6), hat_decay=_no_measure)
    assert len({_kit_of(c.path) for _, c in coherent.chosen()}) == 1
    assert coherent.coherence > by_fit.coherence and coherent.fit < by_fit.fit
    assert coherent.score == pytest.approx(0.4 * coherent.fit + 0.6 * coherent.coherence)


def test_locked_slots_stay_and_the_rest_gather_round_them():
    ranking = _library()
    cfg = KitConfig(coherence_weight=0.6)
    first = suggest_kit(ranking, cfg=cfg, hat_decay=_no_measure)
    home = _kit_of(first.pick("kick").choice.path)
    other = next(_kit_of(p) for p in ranking.index.paths if _kit_of(p) != home)
    locks = {"kick": f"/lib/{other}/kick 2.wav", "snare": f"/lib/{other}/clap 1.wav",
             "closed_hat": f"/lib/{other}/Closed Hat 2.wav"}
    kit = suggest_kit(ranking, locks, cfg=cfg, hat_decay=_no_measure)
    assert {p.slot.name: p.choice.path for p in kit.picks if p.locked} == locks
    assert {_kit_of(c.path) for _, c in kit.chosen()} == {other}
    swapped = {**locks, "tom": kit.pick("tom").alternatives[0].path}  # an alternative, locked in its turn
    again = suggest_kit(ranking, swapped, cfg=cfg, hat_decay=_no_measure)
    assert {p.slot.name: p.choice.path for p in again.picks if p.locked} == swapped


def test_each_slot_offers_the_next_four_by_kit_score():
    kit = suggest_kit(_library(), hat_decay=_no_measure)
    for pick in kit.picks:
        assert len(pick.alternatives) == 4
        assert pick.choice.path not in {c.path for c in pick.alternatives}
        scores = [pick.choice.score] + [c.score for c in pick.alternatives]
        assert scores == sorted(scores, reverse=True)
    assert kit.pick("kick").choice.score == pytest.approx(kit.score)


def test_optional_slots_can_be_left_out_and_missing_pieces_stay_empty():
    ranking = _library()
    kit = suggest_kit(ranking, slots=["open_hat"], hat_decay=_no_measure)
    assert [p.slot.name for p in kit.picks] == ["kick", "snare", "closed_hat", "open_hat"]  # required always
    no_toms = _library()
    no_toms.index.set_user_category(no_toms.index.position("/lib/Kit 0/tom 1.wav"), "perc")
    keep = [i for i in range(len(no_toms.index)) if no_toms.index.category(i) != "tom"]
    scores = no_toms.scores.copy()
    scores[[i for i in range(len(scores)) if i not in keep]] = np.nan
    unscored_toms = Ranking(no_toms.index, np.array(keep), scores, no_toms.query)
    tom = suggest_kit(unscored_toms, hat_decay=_no_measure).pick("tom")
    assert tom.choice is None and tom.alternatives == ()


def test_unnamed_hats_are_split_by_their_measured_decay():
    ranking = _library()
    index = ranking.index
    for i, path in enumerate(index.paths):  # the hats lose their names
        if index.category(i) == "hihat":
            index.paths[i] = path.replace("Closed Hat", "HH short").replace("Open Hat", "HH long")
    decays = {p: (0.05 if "short" in p else 0.6) for p in index.paths}
    asked = []

    def decay(path):
        asked.append(path)
        return decays[path]

    kit = suggest_kit(ranking, hat_decay=decay)
    assert "short" in kit.pick("closed_hat").choice.path and "long" in kit.pick("open_hat").choice.path
    assert all("short" in c.path for c in kit.pick("closed_hat").alternatives)
    assert 0 < len(asked) <= 3 * KitConfig().candidates


def test_hat_names_say_open_or_closed():
    assert hat_kind_by_name("/k/Hat Op Dirty.wav") == "open"
    assert hat_kind_by_name("/k/hihatopen.wav") == "open"
    assert hat_kind_by_name("/k/HiHatClosed-2.wav") == "closed"
    assert hat_kind_by_name("/k/Pedal HH.wav") == "closed"
    assert hat_kind_by_name("/k/Open Hats/hat 01.wav") == "open"  # the folder, when the name says nothing
    assert hat_kind_by_name("/k/HH_01.aiff") is None


def test_measured_decay_reads_the_file(tmp_path):
    rng = np.random.default_rng(0)
    short = sounds.write(tmp_path / "a.wav", sounds.hat(rng, 0.02))
    long = sounds.write(tmp_path / "b.wav", sounds.hat(rng, 0.3, seconds=1.5))
    assert measured_decay(str(short)) < 0.2 < measured_decay(str(long))
    (tmp_path / "broken.wav").write_bytes(b"not audio")
    assert measured_decay(str(tmp_path / "broken.wav")) is None
    assert measured_decay(str(tmp_path / "gone.wav")) is None


def test_no_kit_without_a_scored_bounce():
    ranking = _library()
    unscored = Ranking(ranking.index, ranking.order, np.full(len(ranking.scores), np.nan, np.float32))
    with pytest.raises(KitError):
        suggest_kit(unscored)


def test_alternatives_offer_another_sound_never_a_layer_of_one_already_offered():
    ranking = _library(layers=3, copies=True)
    group_of = ranking.index.groups.group_of
    assert len(set(group_of.tolist())) < len(group_of)  # the fixture's layers do form groups
    kit = suggest_kit(ranking, hat_decay=_no_measure)
    for pick in kit.picks:
        assert pick.choice is not None
        offered = [pick.choice.path] + [c.path for c in pick.alternatives]
        groups = [group_of[ranking.index.position(p)] for p in offered]
        assert len(groups) == len(set(groups)), offered
        assert len(pick.alternatives) >= 3  # every slot has a sound in each of the 4 kits

"""Fitting the category head (training.category_fit) and its labelled sources."""
import csv

import numpy as np

from model.category_head import CLASSES, load_head
from model.taxonomy import NON_DRUM
from tests import sounds
from training.category_fit import fit_categories, fit_softmax, group_folds
from training.category_sources import Example, pack_examples, synth_wave


def test_softmax_fit_separates_classes():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 3, (3, 4))
    labels = np.repeat(np.arange(3), 50)
    x = centres[labels] + rng.normal(0, 0.5, (150, 4))
    w, b = fit_softmax(x, labels, np.full(150, 1 / 150), l2=1e-3, classes=3)
    assert np.mean(np.argmax(x @ w + b, axis=1) == labels) > 0.97


def test_groups_are_held_out_whole():
    groups = ["a"] * 10 + ["b"] * 6 + ["c"] * 5 + ["d"] * 3 + ["e"] * 2 + ["f"]
    fold = group_folds(groups, folds=3)
    for g in set(groups):
        assert len({f for f, h in zip(fold, groups, strict=True) if h == g}) == 1
    assert sorted(np.bincount(fold)) == [8, 9, 10]  # biggest first, each to the emptiest fold


def _pack(root, kits=5):
    """A drum pack laid out like ../shared/drums: manifest.csv with class, kit and instrument columns."""
    rng = np.random.default_rng(1)
    make = {"kick": lambda: sounds.kick(rng, rng.uniform(45, 70)), "snare": lambda: sounds.snare(rng),
            "hihat_closed": lambda: sounds.hat(rng, rng.uniform(0.02, 0.08))}
    rows = []
    for k in range(kits):
        for cls, synth in make.items():
            for i in range(3):
                rel = f"src/kit{k}/{cls}/kit{k}_{cls}_{i}.flac"
                sounds.write(root / rel, synth())
                rows.append({"path": rel, "kit": f"kit{k}", "class": cls, "instrument": f"Pad {i}"})
    with open(root / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["path", "kit", "class", "instrument"])
        writer.writeheader()
        writer.writerows(rows)


def test_fit_categories_writes_a_measured_head_into_the_model_folder(tmp_path, tiny_weights, tiny_embedder):
    _pack(tmp_path / "drums")
    items = pack_examples(tmp_path / "drums")
    assert {e.label for e in items} == {"kick", "snare", "hihat"}  # the pack's hihat_* classes are hi-hats
    items += [Example(NON_DRUM, f"generated:{kind}:{i}", synth=(kind, i, 2.0 + i))
              for kind in ("silence", "noise", "tone") for i in range(5)]
    model = tmp_path / "model"
    model.mkdir()
    head, table = fit_categories(model, tiny_embedder, items, folds=5, log=lambda _: None)
    loaded = load_head(model, tiny_embedder.model_id)
    assert loaded.classes == CLASSES and loaded.info["held_out"] == table
    assert table["classes"]["kick"]["n"] == 15 and table["classes"][NON_DRUM]["n"] == 15
    assert table["classes"]["kick"]["names"] == 0.0  # "Pad 1" names nothing
    assert 0.0 <= table["all"]["names + head"] <= 1.0 and table["drum hits in other"]["names"] == 1.0
    # The sounds are easy: the head, on kits it never saw, tells most of them apart.
    assert table["mean per class"]["head"] > 0.6


def test_generated_sounds():
    rate = 8000
    silence = synth_wave(("silence", 0, 2.0), rate)
    assert len(silence) == 16000 and np.max(np.abs(silence)) < 1e-3
    for kind in ("noise", "tone", "pad"):
        wave = synth_wave((kind, 3, 1.5), rate)
        assert len(wave) == 12000 and 0.01 < np.max(np.abs(wave)) <= 1.0
        assert np.array_equal(wave, synth_wave((kind, 3, 1.5), rate))  # the same on every run

"""Fit the category head on labelled kits and measure it on kits it never saw.

`samplematch-train fit-categories --model DIR`: embed every labelled example with DIR's key encoder (the
same window the app's scanner embeds), compute the audio features, fit a softmax classifier (L2-regularised,
class-balanced) and write category_head.safetensors + category_head.json into DIR. Accuracy is measured by
cross-validation over whole groups (kits, sound families): each fold's head never saw a hit of the kits it
is scored on. The table compares names only (model.taxonomy), the head alone, and names first then the head,
which is the app's order when a sample has no kit file.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from model import audio
from model.category_head import CLASSES, CategoryHead, Decision, decide
from model.inference import Embedder
from model.oneshot_features import FeatureConfig, audio_features
from model.taxonomy import ALL_CATEGORIES, NON_DRUM, name_category
from training.category_sources import Example, synth_wave

L2_GRID = (0.01, 0.03, 0.1)
# A loop or a pad in the ranking costs the producer more than a drum hit filed away: weigh those errors more.
NON_DRUM_WEIGHT = 3.0
FOLDS = 5
EMBED_BATCH = 128
NON_DRUM_GRID = (0.2, 0.3, 0.4, 0.5, 0.6)
CONFIDENCE_GRID = (0.0, 0.3, 0.4, 0.5)
MAX_OTHER = 0.05  # of held-out drum hits the head may leave undecided ("other")


@dataclass
class Embedded:
    examples: list[Example]
    embeddings: np.ndarray  # (n, embed_dim)
    audio: np.ndarray       # (n, features)
    skipped: list[tuple[str, str]]

    @property
    def labels(self) -> np.ndarray:
        return np.array([CLASSES.index(e.label) for e in self.examples])

    @property
    def groups(self) -> list[str]:
        return [e.group for e in self.examples]


def _window(e: Example, rate: int, seconds: float) -> tuple[np.ndarray, float]:
    if e.path is not None:
        wave, info = audio.load_with_info(e.path, rate, max_seconds=seconds)
        return wave, info.duration
    wave = synth_wave(e.synth, rate)
    return wave[:int(seconds * rate)], len(wave) / rate


def embed(items: list[Example], embedder: Embedder, features: FeatureConfig, cancel=None,
          progress: Callable[[int, int, str], None] | None = None) -> Embedded:
    """Key embeddings and audio features of every example that can be read (the others are listed)."""
    kept, embs, feats, skipped = [], [], [], []
    for start in range(0, len(items), EMBED_BATCH):
        _check(cancel)
        waves = []
        for e in items[start:start + EMBED_BATCH]:
            try:
                wave, duration = _window(e, features.sample_rate, features.window_seconds)
            except audio.AudioError as exc:
                skipped.append((e.path or str(e.synth[:3]), str(exc)))
                continue
            kept.append(e)
            waves.append(wave)
            feats.append(audio_features(wave, duration, features))
        if waves:
            embs.append(embedder.embed_keys(waves))
        if progress:
            progress(min(start + EMBED_BATCH, len(items)), len(items), "embedding")
    dim = embedder.embed_dim
    return Embedded(kept, np.concatenate(embs) if embs else np.zeros((0, dim), np.float32),
                    np.array(feats, np.float32).reshape(len(kept), len(features.names)), skipped)


def _check(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise InterruptedError("fitting the category head was cancelled; nothing was written")


# ------------------------------------------------------------------------------------------- the classifier

def _design(data: Embedded) -> np.ndarray:
    emb = data.embeddings / np.maximum(np.linalg.norm(data.embeddings, axis=1, keepdims=True), 1e-12)
    return np.concatenate([emb, data.audio], axis=1).astype(np.float64)


def _balanced_weights(labels: np.ndarray, groups: list[str]) -> np.ndarray:
    """Each class weighs the same (not a one-shot NON_DRUM_WEIGHT times more), and within a class a big kit
    no more than sqrt(its size) small ones."""
    group_size: dict[tuple[str, int], int] = {}
    for g, y in zip(groups, labels, strict=True):
        group_size[g, y] = group_size.get((g, y), 0) + 1
    w = np.array([1 / math.sqrt(group_size[g, y]) for g, y in zip(groups, labels, strict=True)])
    for y in np.unique(labels):
        w[labels == y] *= (NON_DRUM_WEIGHT if CLASSES[y] == NON_DRUM else 1.0) / w[labels == y].sum()
    return w / w.sum()


def fit_softmax(x: np.ndarray, labels: np.ndarray, weights: np.ndarray, l2: float,
                classes: int = len(CLASSES)) -> tuple[np.ndarray, np.ndarray]:
    """Weighted multinomial logistic regression on standardised x: (weights (d, k), bias (k,))."""
    n, d = x.shape
    onehot = np.eye(classes)[labels]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:d * classes].reshape(d, classes), theta[d * classes:]
        logits = x @ w + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        value = -(weights[:, None] * onehot * log_p).sum() + 0.5 * l2 * (w ** 2).sum()
        g = weights[:, None] * (np.exp(log_p) - onehot)
        grad = np.concatenate([(x.T @ g + l2 * w).ravel(), g.sum(axis=0)])
        return value, grad

    res = minimize(loss, np.zeros(d * classes + classes), jac=True, method="L-BFGS-B",
                   options={"maxiter": 2000})
    return res.x[:d * classes].reshape(d, classes), res.x[d * classes:]


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x.mean(axis=0), x.std(axis=0) + 1e-6


def fit_head(data: Embedded, l2: float, model_id: str, features: FeatureConfig,
             decision: Decision = Decision(), rows: np.ndarray | None = None) -> CategoryHead:
    rows = np.arange(len(data.examples)) if rows is None else rows
    x = _design(data)[rows]
    labels = data.labels[rows]
    mean, scale = _standardise(x)
    w, b = fit_softmax((x - mean) / scale, labels, _balanced_weights(labels, [data.groups[i] for i in rows]), l2)
    return CategoryHead(CLASSES, w.astype(np.float32), b.astype(np.float32), mean.astype(np.float32),
                        scale.astype(np.float32), model_id, features, decision)


def group_folds(groups: list[str], folds: int = FOLDS) -> np.ndarray:
    """A fold per example; a group's examples share one (largest groups first, each to the emptiest fold)."""
    size: dict[str, int] = {}
    for g in groups:
        size[g] = size.get(g, 0) + 1
    load, fold_of = [0] * folds, {}
    for g in sorted(size, key=lambda g: (-size[g], g)):
        f = int(np.argmin(load))
        fold_of[g], load[f] = f, load[f] + size[g]
    return np.array([fold_of[g] for g in groups])


def held_out_probabilities(data: Embedded, l2: float, model_id: str, features: FeatureConfig,
                           folds: int = FOLDS, cancel=None) -> np.ndarray:
    fold = group_folds(data.groups, folds)
    probs = np.zeros((len(data.examples), len(CLASSES)))
    for f in range(folds):
        _check(cancel)
        test = np.flatnonzero(fold == f)
        head = fit_head(data, l2, model_id, features, rows=np.flatnonzero(fold != f))
        probs[test] = head.probabilities(data.embeddings[test], data.audio[test])
    return probs


# ---------------------------------------------------------------------------------------------- measuring

def _as_category(category: str | None) -> str:
    return category if category in ALL_CATEGORIES else "other"


def name_guesses(data: Embedded) -> list[str | None]:
    """What model.taxonomy reads from each example's name (None: nothing)."""
    return [name_category(e.name) if e.name else None for e in data.examples]


def predictions(probs: np.ndarray, names: list[str | None], decision: Decision) -> dict[str, list[str]]:
    """Per example: names only, the head alone, names first then the head."""
    by_head = [_as_category(c) for c in decide(probs, decision)]
    return {"names": [_as_category(n) for n in names], "head": by_head,
            "names + head": [_as_category(n) if n is not None else h for n, h in zip(names, by_head, strict=True)]}


def choose_decision(data: Embedded, probs: np.ndarray, names: list[str | None]) -> Decision:
    """The thresholds with the best mean per-class accuracy of names first, then the head, on held-out kits,
    leaving at most MAX_OTHER of the drum hits undecided."""
    truth = [e.label for e in data.examples]
    best, chosen = -1.0, Decision()
    for non_drum_at in NON_DRUM_GRID:
        for confidence in CONFIDENCE_GRID:
            d = Decision(non_drum_at, confidence)
            guess = predictions(probs, names, d)["names + head"]
            other = np.mean([g == "other" for g, t in zip(guess, truth, strict=True) if t != NON_DRUM])
            score = mean_class_accuracy(truth, guess)
            if other <= MAX_OTHER and score > best:
                best, chosen = score, d
    return chosen


def mean_class_accuracy(truth: list[str], guess: list[str]) -> float:
    return float(np.mean([np.mean([g == c for t, g in zip(truth, guess, strict=True) if t == c]) for c in set(truth)]))


def accuracy_table(data: Embedded, preds: dict[str, list[str]]) -> dict:
    """Per class: held-out examples and the share each method gets right; "other" and non-drum shares of
    the drum hits."""
    truth = [e.label for e in data.examples]
    table: dict = {"classes": {}, "methods": list(preds)}
    for c in CLASSES:
        rows = [i for i, t in enumerate(truth) if t == c]
        if not rows:
            continue
        table["classes"][c] = {"n": len(rows), **{m: round(float(np.mean([p[i] == c for i in rows])), 3)
                                                  for m, p in preds.items()}}
    drums = [i for i, t in enumerate(truth) if t != NON_DRUM]
    table["all"] = {"n": len(truth), **{m: round(float(np.mean([p[i] == truth[i] for i in range(len(truth))])), 3)
                                        for m, p in preds.items()}}
    table["mean per class"] = {m: round(mean_class_accuracy(truth, p), 3) for m, p in preds.items()}
    table["drum hits in other"] = {m: round(float(np.mean([p[i] == "other" for i in drums])), 3)
                                   for m, p in preds.items()}
    table["drum hits called non-drum"] = {m: round(float(np.mean([p[i] == NON_DRUM for i in drums])), 3)
                                          for m, p in preds.items()}
    return table


def markdown(table: dict) -> str:
    methods = table["methods"]
    lines = ["| class | held-out examples | " + " | ".join(methods) + " |",
             "|---|---:|" + "---:|" * len(methods)]
    label = {NON_DRUM: "not a one-shot"}
    for c, row in table["classes"].items():
        lines.append(f"| {label.get(c, c)} | {row['n']} | " + " | ".join(f"{row[m]:.0%}" for m in methods) + " |")
    for key in ("all", "mean per class", "drum hits in other", "drum hits called non-drum"):
        row = table[key]
        n = f"{row['n']}" if "n" in row else ""
        lines.append(f"| *{key}* | {n} | " + " | ".join(f"{row[m]:.0%}" for m in methods) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ command

def fit_categories(model_dir: str | Path, embedder: Embedder, items: list[Example], folds: int = FOLDS,
                   write: bool = True, cancel=None, progress: Callable[[int, int, str], None] | None = None,
                   log: Callable[[str], None] = print) -> tuple[CategoryHead, dict]:
    """Fit the head for the model in model_dir on items (training.category_sources.examples), measure it on
    held-out groups, write it there (unless not write). cancel.is_set() stops it before anything is written."""
    if len({e.label for e in items}) < 2 or len({e.group for e in items}) < folds:
        raise ValueError(f"too few labelled examples to fit and measure a head ({len(items)} in "
                         f"{len({e.group for e in items})} kits; {folds} are held out in turn)")
    features = FeatureConfig(sample_rate=embedder.sample_rate, window_seconds=embedder.key_seconds)
    log(f"embedding {len(items)} labelled examples with {embedder.model_id}")
    data = embed(items, embedder, features, cancel, progress)
    for path, message in data.skipped:
        log(f"skipped {path}: {message}")
    scores = {}
    for l2 in L2_GRID:
        probs = held_out_probabilities(data, l2, embedder.model_id, features, folds, cancel)
        scores[l2] = (mean_class_accuracy([e.label for e in data.examples],
                                          [CLASSES[i] for i in probs.argmax(axis=1)]), probs)
        log(f"L2 {l2:g}: mean per-class accuracy on held-out kits {scores[l2][0]:.3f}")
    l2 = max(scores, key=lambda k: scores[k][0])
    probs = scores[l2][1]
    names = name_guesses(data)
    decision = choose_decision(data, probs, names)
    table = accuracy_table(data, predictions(probs, names, decision))
    head = fit_head(data, l2, embedder.model_id, features, decision)
    counts = {c: int(np.sum(data.labels == i)) for i, c in enumerate(CLASSES)}
    head = CategoryHead(head.classes, head.weights, head.bias, head.mean, head.scale, head.model_id, features,
                        decision, info={"fitted": {"sources": sorted({e.group.split(":")[0] for e in data.examples}),
                                                   "examples": counts,
                                                   "groups": len(set(data.groups)), "l2": l2, "folds": folds},
                                        "held_out": table})
    if write:
        head.save(model_dir)
        log(f"wrote the category head into {model_dir}")
    log(markdown(table))
    return head, table

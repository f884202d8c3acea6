"""The category head: a softmax classifier from a sample's key embedding and a few audio features to its
drum category, or to "not a one-shot". numpy only, so the app runs it without torch.

It lives in the model folder beside the encoders it was fitted on (`samplematch-train fit-categories`):
category_head.safetensors holds the weights and the input standardisation, category_head.json the classes,
the feature settings, the model id, the decision thresholds and the held-out accuracy. A head fitted on
other encoders than the ones loaded is refused (its inputs would mean nothing).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.oneshot_features import FeatureConfig
from model.taxonomy import NON_DRUM, PERCUSSION
from model.versioned_json import read_fitted

HEAD_FILE = "category_head.safetensors"
INFO_FILE = "category_head.json"
FORMAT_VERSION = 1
CLASSES = (*PERCUSSION, NON_DRUM)


class HeadError(RuntimeError):
    """The head files are unreadable, of another format, or were fitted on other encoders."""


@dataclass(frozen=True)
class Decision:
    """Not a one-shot when P(non_drum) reaches non_drum_at; else the likeliest drum class when its probability
    reaches min_confidence; else no opinion (the sample stays "other")."""
    non_drum_at: float = 0.5
    min_confidence: float = 0.4


@dataclass(frozen=True, eq=False)
class CategoryHead:
    classes: tuple[str, ...]
    weights: np.ndarray  # (inputs, classes) on standardised inputs
    bias: np.ndarray     # (classes,)
    mean: np.ndarray     # (inputs,) of [unit embedding, audio features]
    scale: np.ndarray    # (inputs,)
    model_id: str
    features: FeatureConfig = FeatureConfig()
    decision: Decision = Decision()
    info: dict = field(default_factory=dict)  # how it was fitted and how well it does on held-out kits

    @property
    def embed_dim(self) -> int:
        return len(self.mean) - len(self.features.names)

    def inputs(self, embeddings: np.ndarray, audio: np.ndarray) -> np.ndarray:
        """(n, inputs) standardised: the L2-normalised embeddings, then the audio features."""
        emb = np.asarray(embeddings, np.float32).reshape(-1, self.embed_dim)
        emb = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        x = np.concatenate([emb, np.asarray(audio, np.float32).reshape(len(emb), -1)], axis=1)
        return (x - self.mean) / self.scale

    def probabilities(self, embeddings: np.ndarray, audio: np.ndarray) -> np.ndarray:
        """(n, classes) softmax probabilities."""
        return softmax(self.inputs(embeddings, audio) @ self.weights + self.bias)

    def decide(self, probabilities: np.ndarray) -> list[str | None]:
        """A category per row of probabilities, None where the head is not sure enough."""
        return decide(probabilities, self.decision, self.classes)

    def save(self, folder: str | Path) -> None:
        from safetensors.numpy import save

        folder = Path(folder)
        tensors = {"weights": self.weights, "bias": self.bias, "mean": self.mean, "scale": self.scale}
        (folder / HEAD_FILE).write_bytes(save({k: np.ascontiguousarray(v, np.float32) for k, v in tensors.items()}))
        doc = {"format_version": FORMAT_VERSION, "classes": list(self.classes), "model_id": self.model_id,
               "features": self.features.to_dict(),
               "decision": {"non_drum_at": self.decision.non_drum_at,
                            "min_confidence": self.decision.min_confidence},
               **self.info}
        (folder / INFO_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def decide(probabilities: np.ndarray, decision: Decision, classes: tuple[str, ...] = CLASSES) -> list[str | None]:
    """Per row of (n, classes) probabilities: NON_DRUM, a drum class, or None (not sure enough)."""
    p = np.atleast_2d(probabilities)
    nd = classes.index(NON_DRUM)
    drums = np.delete(np.arange(len(classes)), nd)
    best = drums[np.argmax(p[:, drums], axis=1)]
    out: list[str | None] = []
    for row, b in zip(p, best, strict=True):
        if row[nd] >= decision.non_drum_at:
            out.append(NON_DRUM)
        else:
            out.append(classes[b] if row[b] >= decision.min_confidence else None)
    return out


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def load_head(folder: str | Path, model_id: str | None = None) -> CategoryHead:
    """The head in a model folder; HeadError if it is missing, unreadable, or fitted on another model_id."""
    folder = Path(folder)
    info_path = folder / INFO_FILE
    doc, tensors = read_fitted(folder, INFO_FILE, HEAD_FILE, FORMAT_VERSION, "category head", HeadError, model_id,
                               "samplematch-train fit-categories")
    try:
        head = CategoryHead(
            classes=tuple(doc["classes"]), weights=tensors["weights"], bias=tensors["bias"],
            mean=tensors["mean"], scale=tensors["scale"], model_id=doc["model_id"],
            features=FeatureConfig.from_dict(doc["features"]), decision=Decision(**doc["decision"]),
            info={k: v for k, v in doc.items()
                  if k not in ("format_version", "classes", "model_id", "features", "decision")})
    except (KeyError, TypeError, ValueError) as exc:
        raise HeadError(f"{info_path}: invalid category head ({exc})") from None
    k, d = len(head.classes), len(head.mean)
    if NON_DRUM not in head.classes or head.weights.shape != (d, k) or head.bias.shape != (k,) \
            or head.scale.shape != (d,) or head.embed_dim <= 0:
        raise HeadError(f"{folder / HEAD_FILE}: shapes do not match the classes and features in {INFO_FILE}")
    return head

"""Checkpoints: model, optimiser, grad scaler, step, sampler and RNG states, best metric, config.

Written atomically (tmp + rename) so a run stopped at any moment leaves a loadable last.pt.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import torch

LAST, BEST = "last.pt", "best.pt"


def rng_state() -> dict:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save(path: str | Path, state: dict) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def load(path: str | Path) -> dict:
    # Our own files: they hold numpy RNG state and config dicts, hence weights_only=False.
    return torch.load(Path(path), map_location="cpu", weights_only=False)

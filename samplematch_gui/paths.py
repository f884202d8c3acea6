"""Where things live; paths are normalised once here and stored as str everywhere else."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "SampleMatch"
REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The app's own data folder (never a sample folder); SAMPLEMATCH_DATA_DIR overrides."""
    override = os.environ.get("SAMPLEMATCH_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "library.sqlite3"


def bundled_weights_dir() -> Path:
    override = os.environ.get("SAMPLEMATCH_WEIGHTS")
    return Path(override) if override else REPO_ROOT / "resources" / "model"


def normalise_path(path: str | os.PathLike) -> str:
    """Absolute, symlinks resolved, user (~) expanded; the one form stored in the cache."""
    return str(Path(os.path.expanduser(os.fspath(path))).resolve(strict=False))


def is_inside(path: str, folder: str) -> bool:
    """path is folder or lies below it (both normalised)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)

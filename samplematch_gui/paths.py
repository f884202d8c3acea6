"""Where things live; paths are normalised once here and stored as str everywhere else."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

APP_NAME = "SampleMatch"
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent


def data_dir() -> Path:
    """The app's own data folder (never a sample folder); SAMPLEMATCH_DATA_DIR overrides."""
    override = os.environ.get("SAMPLEMATCH_DATA_DIR")
    return Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "library.sqlite3"


def bundled_weights_dir() -> Path:
    """SAMPLEMATCH_WEIGHTS, else the bundled model: resources/model in the repository (a checkout or an editable
    install), which a wheel installs as the package data samplematch_gui/bundled_model (pyproject.toml)."""
    override = os.environ.get("SAMPLEMATCH_WEIGHTS")
    if override:
        return Path(override)
    installed = PACKAGE_DIR / "bundled_model"
    return installed if installed.is_dir() else REPO_ROOT / "resources" / "model"


def normalise_path(path: str | os.PathLike) -> str:
    """Absolute, symlinks resolved, user (~) expanded; the one form stored in the cache."""
    return str(Path(os.path.expanduser(os.fspath(path))).resolve(strict=False))


def is_inside(path: str, folder: str) -> bool:
    """path is folder or lies below it (both normalised)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def is_text(path: str) -> bool:
    """Whether the name is valid UTF-8 text; names from old Latin-1 archives are not, and cannot be
    stored in the cache (SQLite text is UTF-8)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown(path: str | os.PathLike) -> str:
    """The name as printable text: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")

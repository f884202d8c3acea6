"""Persistent UI settings (QSettings, organisation "SampleMatch"), typed.

Lists and sets are stored as JSON text: QSettings' own list handling differs between formats
and platforms (a one-item list comes back as a string from INI files).
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from model.taxonomy import ALL_CATEGORIES

ORGANISATION = "SampleMatch"
APPLICATION = "SampleMatch"
MAX_RECENT = 10
MAX_MODES = 500  # bounces whose query mode is remembered
MODES = ("fit", "like")


class AppSettings:
    def __init__(self, file: str | Path | None = None):
        """The user's settings, or an INI file at `file` (tests, portable installs)."""
        self._s = (QSettings(str(file), QSettings.Format.IniFormat) if file is not None
                   else QSettings(ORGANISATION, APPLICATION))

    def sync(self) -> None:
        self._s.sync()

    # helpers -----------------------------------------------------------------------------
    def _json(self, key: str, default, kind: type | tuple[type, ...]):
        """The stored value if it parses and is of `kind`, else default (hand-edited or old files)."""
        raw = self._s.value(key)
        if raw is None:
            return default
        try:
            value = json.loads(str(raw))
        except ValueError:
            return default
        if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
            return default
        if isinstance(value, (int, float)) and not _finite(value):
            return default
        return value

    def _strings(self, key: str) -> list[str]:
        return [v for v in self._json(key, [], list) if isinstance(v, str)]

    def _set_json(self, key: str, value) -> None:
        self._s.setValue(key, json.dumps(value))

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._s.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # library -----------------------------------------------------------------------------
    @property
    def folders(self) -> list[str]:
        return self._strings("library/folders")

    @folders.setter
    def folders(self, value: list[str]) -> None:
        self._set_json("library/folders", list(value))

    # window ------------------------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def set_geometry(self, value: QByteArray) -> None:
        self._s.setValue("window/geometry", value)

    @property
    def sidebar(self) -> bool:
        """Whether the user wants the sidebar (it still steps aside in a window too narrow for it)."""
        return self._json("window/sidebar", True, bool)

    @sidebar.setter
    def sidebar(self, value: bool) -> None:
        self._set_json("window/sidebar", bool(value))

    def splitter_state(self, name: str) -> QByteArray | None:
        """Saved state of a splitter or header ("main", "workspace", "columns")."""
        return self._bytes(f"window/state_{name}")

    def set_splitter_state(self, name: str, value: QByteArray) -> None:
        self._s.setValue(f"window/state_{name}", value)

    def dialog_folder(self, kind: str) -> str:
        """Where the file dialog of this kind ("bounce", "samples") was last used; home at first, or when that
        folder has gone."""
        folder = self._json(f"dialogs/{kind}", "", str)
        return folder if folder and os.path.isdir(folder) else str(Path.home())

    def set_dialog_folder(self, kind: str, folder: str) -> None:
        self._set_json(f"dialogs/{kind}", folder)

    # filters -----------------------------------------------------------------------------
    # The text filter is not kept: found again on the next start, it would hide most of the library unasked.
    @property
    def categories(self) -> set[str]:
        """The category chips picked (empty: all)."""
        saved = self._json("filters/categories", [], list)
        return {c for c in saved if isinstance(c, str) and c in ALL_CATEGORIES}

    @categories.setter
    def categories(self, value: set[str]) -> None:
        self._set_json("filters/categories", sorted(value))

    @property
    def show_non_drums(self) -> bool:
        """Whether files that are not drum one-shots (loops, pads, noise...) are ranked and shown."""
        return self._json("filters/non_drums", False, bool)

    @show_non_drums.setter
    def show_non_drums(self, value: bool) -> None:
        self._set_json("filters/non_drums", bool(value))

    # audition ----------------------------------------------------------------------------
    @property
    def volume(self) -> float:
        return min(1.0, max(0.0, float(self._json("audition/volume", 0.8, (int, float)))))

    @volume.setter
    def volume(self, value: float) -> None:
        self._set_json("audition/volume", float(value))

    @property
    def device_name(self) -> str | None:
        """Devices are remembered by name: PortAudio indices change when hardware changes."""
        return self._json("audition/device", None, str) or None

    @device_name.setter
    def device_name(self, value: str | None) -> None:
        self._set_json("audition/device", value)

    @property
    def device_host_api(self) -> str | None:
        return self._json("audition/device_host_api", None, str)

    @device_host_api.setter
    def device_host_api(self, value: str | None) -> None:
        self._set_json("audition/device_host_api", value)

    @property
    def auto_play(self) -> bool:
        return self._json("audition/auto_play", True, bool)

    @auto_play.setter
    def auto_play(self, value: bool) -> None:
        self._set_json("audition/auto_play", bool(value))

    @property
    def loudness_mode(self) -> str:
        mode = self._json("audition/loudness", "rms", str)
        return mode if mode in ("off", "peak", "rms") else "rms"

    @loudness_mode.setter
    def loudness_mode(self, value: str) -> None:
        self._set_json("audition/loudness", value)

    # query -------------------------------------------------------------------------------
    @property
    def recent_bounces(self) -> list[str]:
        return self._strings("query/recent")[:MAX_RECENT]

    def add_recent_bounce(self, path: str) -> None:
        recent = [p for p in self.recent_bounces if p != path]
        self._set_json("query/recent", [path, *recent][:MAX_RECENT])

    def bounce_mode(self, path: str) -> str:
        """The query mode last used with this bounce ("fit" when none was saved)."""
        mode = self._json("query/modes", {}, dict).get(path)
        return mode if mode in MODES else "fit"

    def set_bounce_mode(self, path: str, mode: str) -> None:
        saved = {p: m for p, m in self._json("query/modes", {}, dict).items() if p != path and m in MODES}
        if mode != "fit":
            saved[path] = mode      # the newest last: the oldest are dropped first
        self._set_json("query/modes", dict(list(saved.items())[-MAX_MODES:]))

    @property
    def last_bounce(self) -> tuple[str, tuple[float, float] | None] | None:
        """The bounce on show when the app closed, and its region (None: the whole file)."""
        saved = self._json("query/last", None, dict)
        path = None if saved is None else saved.get("path")
        if not isinstance(path, str) or not path:
            return None
        region = saved.get("region")
        ok = (isinstance(region, list) and len(region) == 2 and all(
            isinstance(t, (int, float)) and not isinstance(t, bool) and _finite(t) for t in region)
            and 0 <= region[0] < region[1])
        return path, (float(region[0]), float(region[1])) if ok else None

    @last_bounce.setter
    def last_bounce(self, value: tuple[str, tuple[float, float] | None] | None) -> None:
        self._set_json("query/last", None if value is None else
                       {"path": value[0], "region": None if value[1] is None else list(value[1])})

    @property
    def excerpts(self) -> int:
        return max(1, min(64, int(self._json("query/excerpts", 10, (int, float)))))

    @excerpts.setter
    def excerpts(self, value: int) -> None:
        self._set_json("query/excerpts", int(value))


def _finite(x: int | float) -> bool:
    try:
        return math.isfinite(x)
    except OverflowError:  # an int too large for a float
        return False

"""Show a file in the system file manager (macOS Finder, Windows Explorer, xdg-open elsewhere)."""
from __future__ import annotations

import os
import subprocess
import sys


def reveal_command(path: str, platform: str = sys.platform) -> list[str]:
    """The command that shows `path`; on Linux it opens the containing folder."""
    if platform == "darwin":
        return ["open", "-R", path]
    if platform.startswith("win"):
        return ["explorer", f"/select,{os.path.normpath(path)}"]
    return ["xdg-open", os.path.dirname(path) or "."]


def reveal(path: str) -> str | None:
    """Start the file manager; returns an error message instead of raising."""
    try:
        subprocess.Popen(reveal_command(path), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as exc:
        return f"Cannot open the file manager: {exc}"
    return None

"""Read the JSON documents an exported model folder holds (config, category head), checking their version."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_versioned_json(path: Path, version: int, what: str, missing: str, error: type[Exception]) -> dict[str, Any]:
    """The JSON object at path, whose "format_version" must be version; error(message) otherwise.

    what names the document in messages ("model config"); missing is the message for an absent file.
    """
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise error(missing) from None
    except (OSError, ValueError) as exc:
        raise error(f"unreadable {what} {path}: {exc}") from None
    if not isinstance(doc, dict):
        raise error(f"{path}: not a {what} (a JSON object is expected)")
    found = doc.get("format_version")
    if found != version:
        raise error(f"{path}: format version {found!r}, this build reads {version}")
    return doc

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


def read_fitted(folder: Path, info_file: str, tensor_file: str, version: int, what: str, error: type[Exception],
                model_id: str | None, refit: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the JSON document, the safetensors arrays) of something fitted on a model's encoders and kept in its
    folder (the category head, the hit matching); error(message) if either is missing or unreadable, or if it
    was fitted on another model_id than the one given (refit: the command that fits it again)."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    info_path = folder / info_file
    doc = read_versioned_json(info_path, version, what, f"no {what} in {folder} ({info_file} is missing)", error)
    if model_id is not None and doc.get("model_id") != model_id:
        raise error(f"{info_path} was fitted on model {doc.get('model_id')!r}, not {model_id!r}: "
                    f"run `{refit} --model {folder}`")
    try:
        return doc, load_file(str(folder / tensor_file))
    except (OSError, SafetensorError) as exc:
        raise error(f"unreadable {what} {folder / tensor_file}: {exc}") from None

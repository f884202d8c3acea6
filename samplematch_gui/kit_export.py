"""Copy a suggested kit into a folder the user picks: copies only, an existing file is never replaced, and a
file that cannot be copied is one line in the report while the rest go on."""
from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samplematch_gui.kit_suggest import Slot


@dataclass(frozen=True)
class CopyReport:
    copied: list[str] = field(default_factory=list)  # the new files
    problems: list[str] = field(default_factory=list)  # one line per file not copied


def kit_files(pieces: list[tuple[Slot, str]]) -> list[tuple[str, str]]:
    """(source, name of its copy) for each (slot, path) of a kit: "1 Kick - BD_01.wav", in kit order."""
    return [(path, f"{n} {slot.file_label} - {os.path.basename(path)}") for n, (slot, path) in enumerate(pieces, 1)]


def copy_kit(files: list[tuple[str, str]], folder: str | Path, sample_folders: Sequence[str] = ()) -> CopyReport:
    """Copy each (source, name) into folder. A folder inside one of the user's sample folders is refused: the
    app never writes into them."""
    target = Path(folder)
    report = CopyReport()
    inside = next((f for f in sample_folders if _within(target, Path(f))), None)
    if inside is not None:
        report.problems.append(f"{target}: inside your sample folder {inside}; SampleMatch never writes there, "
                               "choose another folder")
        return report
    if not target.is_dir():
        report.problems.append(f"{target}: not a folder")
        return report
    for source, name in files:
        problem = _copy(Path(source), target / name)
        if problem is None:
            report.copied.append(str(target / name))
        else:
            report.problems.append(f"{name}: {problem}")
    return report


def _copy(source: Path, dest: Path) -> str | None:
    """Copy one file without ever replacing one; what went wrong, or None."""
    try:
        src = open(source, "rb")
    except OSError as exc:
        return f"cannot read {source} ({exc.strerror or exc})"
    with src:
        try:
            out = open(dest, "xb")  # exclusive: an existing file (or one made meanwhile) is left alone
        except FileExistsError:
            return f"a file of that name is already in {dest.parent}; left as it is"
        except OSError as exc:
            return f"cannot write it ({exc.strerror or exc})"
        try:
            with out:
                shutil.copyfileobj(src, out)
        except OSError as exc:
            dest.unlink(missing_ok=True)  # ours, half written
            return f"copy failed ({exc.strerror or exc})"
    try:
        shutil.copystat(source, dest)
    except OSError:
        pass  # the copy is whole; its dates are a nicety
    return None


def _within(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False

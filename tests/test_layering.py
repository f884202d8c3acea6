"""The layers stay apart: model/ never imports Qt, training or the app; training never the app;
the app's library core is plain Python (Qt lives in samplematch_gui/ui/ only)."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = {"PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6"}
RULES = {
    "model": QT | {"training", "samplematch_gui", "sounddevice"},
    "training": QT | {"samplematch_gui", "sounddevice"},
    "samplematch_gui": QT,  # the ui/ package is exempt below
}


def _imports(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", sorted(RULES))
def test_no_forbidden_imports(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        if package == "samplematch_gui" and "ui" in path.relative_to(ROOT / package).parts[:1]:
            continue
        offenders += [f"{path.relative_to(ROOT)} imports {m}" for m in _imports(path)
                      if m in RULES[package]]
    assert not offenders


def test_library_core_runs_without_loading_qt():
    code = ("import sys, samplematch_gui.scanner, samplematch_gui.library_index, "
            "samplematch_gui.engine, samplematch_gui.cli, model.taxonomy; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(QT)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout.strip()
    assert out == "[]"

"""The layers stay apart: model/ never imports Qt, training or the app; training never the app;
the app's library core is plain Python (Qt lives in samplematch_gui/ui/ only); the runtime imports no torch."""
import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QT = {"PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6"}
RULES = {
    "model": QT | {"training", "samplematch_gui", "sounddevice"},
    "training": QT | {"samplematch_gui", "sounddevice"},
    "samplematch_gui": QT | {"training", "samplematch_gui.ui"},  # the ui/ package itself is exempt
}
# `samplematch` with no command starts the window: a deferred import inside a function (the
# runtime test below proves that importing the CLI loads no Qt).
ENTRY_POINTS = {("samplematch_gui/cli.py", "samplematch_gui.ui")}


def _imports(path: Path, root: Path = ROOT) -> Iterator[str]:
    """Absolute names of what a file imports, relative imports resolved ("from .ui import x" in
    samplematch_gui/a.py is samplematch_gui.ui and samplematch_gui.ui.x)."""
    package = path.relative_to(root).parent.parts
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[:len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            yield module
            yield from (f"{module}.{a.name}" for a in node.names)


def _offenders(package: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        if package == "samplematch_gui" and path.relative_to(root / package).parts[0] == "ui":
            continue
        name = path.relative_to(root).as_posix()
        found += [f"{name} imports {m}" for m in _imports(path, root)
                  if any((m == f or m.startswith(f + ".")) and (name, f) not in ENTRY_POINTS
                         for f in RULES[package])]
    return found


@pytest.mark.parametrize("package", sorted(RULES))
def test_no_forbidden_imports(package):
    assert _offenders(package) == []


def test_the_check_catches_relative_and_submodule_imports(tmp_path):
    core = tmp_path / "samplematch_gui"
    (core / "ui").mkdir(parents=True)
    (core / "a.py").write_text("from .ui import theme\n")
    (core / "b.py").write_text("from samplematch_gui import ui\nfrom . import scanner\n")
    (core / "ui" / "c.py").write_text("from PySide6 import QtCore\n")  # the Qt layer may
    assert _offenders("samplematch_gui", tmp_path) == [
        "samplematch_gui/a.py imports samplematch_gui.ui",
        "samplematch_gui/a.py imports samplematch_gui.ui.theme",
        "samplematch_gui/b.py imports samplematch_gui.ui"]


# The app and the CLI run the encoders in ONNX Runtime: torch and the rest of the train extra are imported only by
# the torch side of model/ (training, export, `--backend torch`), or inside a function that chooses that backend.
TRAIN_EXTRA = {"torch", "timm", "torchvision", "nnAudio", "onnx", "onnxscript", "scipy"}
TORCH_SIDE = {"model/encoders.py", "model/frontend.py", "model/backbone_mn.py", "model/inference_torch.py"}


def _module_level_imports(path: Path) -> Iterator[str]:
    """What a file imports when it is imported: top-level statements, not function bodies or TYPE_CHECKING."""
    todo = list(ast.parse(path.read_text(), str(path)).body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module or ""
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            todo += node.body + node.orelse
        elif isinstance(node, ast.Try):
            todo += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]


def test_the_runtime_imports_nothing_of_the_train_extra():
    runtime = [p for folder in ("model", "samplematch_gui") for p in sorted((ROOT / folder).rglob("*.py"))
               if p.relative_to(ROOT).as_posix() not in TORCH_SIDE]
    found = [f"{p.relative_to(ROOT).as_posix()} imports {m}" for p in runtime for m in _module_level_imports(p)
             if m.split(".")[0] in TRAIN_EXTRA]
    assert found == []


def test_library_core_and_model_run_without_loading_qt():
    modules = sorted(f"{p.parent.name}.{p.stem}" for folder in ("samplematch_gui", "model")
                     for p in (ROOT / folder).glob("*.py") if p.stem not in ("__init__", "__main__"))
    code = (f"import sys, importlib; [importlib.import_module(m) for m in {modules!r}]; "
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(QT)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout.strip()
    assert out == "[]"

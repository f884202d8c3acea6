"""The built wheel is a working app: a non-editable install into a fresh venv, run outside the repository,
finds its bundled model, indexes and ranks with ONNX Runtime, and its window starts, loads the model and quits.

Kept fast and offline: the wheel is built without build isolation (this venv's setuptools, nothing fetched) from a
copy of the repository's files (so no stale build/ folder leaks in), and installed with --no-deps into a fresh
venv made without pip (this venv's pip installs into it with --python). The runtime dependencies come from this
venv through a .pth file that puts its site-packages *after* the fresh venv's own, so samplematch_gui, model and
the bundled model load from the installed wheel, never from the repository (the tests check where they load
from). That the runtime does not depend on torch is checked on the wheel's own metadata.
"""
import os
import signal
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from samplematch_gui.ui.app import STARTUP_LOG_ENV
from tests import sounds

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "training", "samplematch_gui")
TRAIN_ONLY = {"torch", "torchvision", "timm", "nnaudio", "onnx", "onnxscript", "scipy", "tensorboard"}


def _repository_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    for name in _repository_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes((ROOT / name).read_bytes())
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"), str(source)],
                   check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("samplematch-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "zz_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return {"wheel": wheel, "venv": venv, "python": python, "site": Path(site), "source": source}


def _env(tmp_path: Path) -> dict:
    return dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
                SAMPLEMATCH_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen")


def test_the_wheel_holds_every_module_and_the_bundled_model(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    modules = {name for name in _repository_files() if name.endswith(".py") and name.split("/")[0] in PACKAGES}
    assert modules <= names, sorted(modules - names)[:5]
    model_files = {f"samplematch_gui/bundled_model/{p.name}" for p in (ROOT / "resources" / "model").iterdir()}
    assert model_files <= names and "samplematch_gui/bundled_model/key_encoder.onnx" in names


def test_the_runtime_does_not_depend_on_torch(installed):
    meta = zipfile.ZipFile(installed["wheel"]).read(
        next(n for n in zipfile.ZipFile(installed["wheel"]).namelist() if n.endswith(".dist-info/METADATA")))
    requires = [line.split(":", 1)[1].strip() for line in meta.decode().splitlines()
                if line.startswith("Requires-Dist:")]
    runtime = {r.split(";")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
               for r in requires if "extra ==" not in r}
    assert "onnxruntime" in runtime and not runtime & TRAIN_ONLY, runtime
    assert any(r.startswith("torch") and 'extra == "train"' in r for r in requires)


def test_the_installed_cli_indexes_and_ranks_with_its_bundled_model(installed, tmp_path):
    library = tmp_path / "Samples"
    rng = np.random.default_rng(4)
    for name, wave in (("kick.wav", sounds.kick(rng)), ("snare.wav", sounds.snare(rng)),
                       ("hat.wav", sounds.hat(rng))):
        sounds.write(library / name, wave)
    bounce = tmp_path / "bounce.wav"
    sf.write(bounce, sounds.song(np.random.default_rng(5), 8.0, 44100), 44100)
    script, env, db = installed["venv"] / "bin" / "samplematch", _env(tmp_path), tmp_path / "lib.sqlite3"
    run = dict(cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    indexed = subprocess.run([str(script), "index", str(library), "--db", str(db)], **run)
    assert indexed.returncode == 0 and "indexed 3" in indexed.stdout, indexed.stderr
    ranked = subprocess.run([str(script), "rank", str(bounce), "--db", str(db), "--top", "0"], **run)
    assert ranked.returncode == 0 and len(ranked.stdout.strip().splitlines()) == 3, ranked.stderr
    where = subprocess.run([str(installed["python"]), "-c",
                            "import sys, samplematch_gui, model; from samplematch_gui.engine import load_embedder; "
                            "from samplematch_gui.paths import bundled_weights_dir; e = load_embedder(); "
                            "print(samplematch_gui.__file__, model.__file__, bundled_weights_dir(), e.backend, "
                            "'torch' in sys.modules)"], **run)
    app_file, model_file, weights, backend, torch_loaded = where.stdout.split()
    for path in (app_file, model_file, weights):
        assert Path(path).is_relative_to(installed["site"]), path
    assert backend == "onnx" and torch_loaded == "False"


def test_the_installed_app_opens_loads_its_model_and_quits(installed, tmp_path):
    env = dict(_env(tmp_path), **{STARTUP_LOG_ENV: "1"})
    app = subprocess.Popen([str(installed["venv"] / "bin" / "samplematch"), "--db", str(tmp_path / "lib.sqlite3")],
                           cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in app.stderr:
            seen.append(line)
            if line.startswith("samplematch-startup model_"):
                break
        assert any(line.startswith("samplematch-startup first_paint") for line in seen), "".join(seen)
        assert seen[-1].startswith("samplematch-startup model_ready"), "".join(seen)
        app.send_signal(signal.SIGTERM)  # the window closes as its close button closes it
        assert app.wait(timeout=60) == 0
    finally:
        if app.poll() is None:
            app.kill()

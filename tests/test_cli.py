"""The `samplematch` command: index, rank, JSON output, exit codes, crash safety."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from samplematch_gui.cli import main
from samplematch_gui.library_db import LibraryDB
from tests import sounds


def test_index_prints_a_summary_and_lists_errors(tmp_path, sample_library, tiny_weights, capsys):
    db = tmp_path / "lib.db"
    assert main(["--db", str(db), "--weights", str(tiny_weights), "index", str(sample_library)]) == 0
    out, err = capsys.readouterr()
    assert "indexed 8, skipped 0 unchanged, removed 0, errors 1; 8 samples" in out
    assert "not_audio.wav" in err and "9/9" in err  # the error line and the finished progress bar
    assert main(["index", str(sample_library), "--db", str(db), "--weights", str(tiny_weights)]) == 0
    assert "indexed 0, skipped 9 unchanged" in capsys.readouterr().out


def test_rank_json(indexed, bounce, tiny_weights, capsys):
    args = ["rank", str(bounce), "--db", str(indexed), "--weights", str(tiny_weights), "--json"]
    assert main(args + ["--top", "0"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert len(results) == 8
    assert all(os.path.isabs(r["path"]) and os.path.exists(r["path"]) for r in results)
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    assert main(args + ["--top", "3"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert main(args + ["--category", "kick", "--category", "hihat"]) == 0
    cats = [r["category"] for r in json.loads(capsys.readouterr().out)]
    assert sorted(cats) == ["hihat", "hihat", "kick", "kick"]


def test_rank_text_lists_best_first(indexed, bounce, tiny_weights, capsys):
    assert main(["rank", str(bounce), "--db", str(indexed), "--weights", str(tiny_weights),
                 "--region", "2", "8"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 8 and lines[0].split()[0] == "1"
    assert float(lines[0].split()[1]) == 100.0 and float(lines[-1].split()[1]) == 0.0  # the fit percentile
    assert float(lines[0].split()[2]) >= float(lines[-1].split()[2])  # the raw score


def test_usage_errors_exit_2(capsys):
    for argv in (["rank"], ["index"], ["rank", "x.wav", "--category", "cowbell"],
                 ["rank", "x.wav", "--top", "-1"], ["frobnicate"], ["rank", "x.wav", "--region", "5", "1"],
                 ["rank", "x.wav", "--region", "-5", "2"], ["rank", "x.wav", "--region", "0", "nan"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv


def test_failures_exit_1_with_one_line(tmp_path, indexed, tiny_weights, sample_library, capsys):
    assert main(["index", str(sample_library), "--db", str(tmp_path / "x.db"),
                 "--weights", str(tmp_path / "no-model")]) == 1
    err = capsys.readouterr().err.strip()
    assert "samplematch-train bundle" in err and len(err.splitlines()) == 1
    assert main(["rank", str(tmp_path / "missing.wav"), "--db", str(indexed),
                 "--weights", str(tiny_weights)]) == 1
    assert "not found" in capsys.readouterr().err
    assert main(["index", str(tmp_path / "nowhere"), "--db", str(indexed),
                 "--weights", str(tiny_weights)]) == 1
    kick = str(sample_library / "Kicks" / "808_BD_01.wav")
    missing = tmp_path / "sub" / "missing.db"
    assert main(["rank", kick, "--db", str(missing), "--weights", str(tiny_weights)]) == 1
    assert f"no library at {missing}" in capsys.readouterr().err and not missing.parent.exists()
    LibraryDB(tmp_path / "empty.db").close()
    assert main(["rank", kick, "--db", str(tmp_path / "empty.db"), "--weights", str(tiny_weights)]) == 1
    assert "no samples indexed" in capsys.readouterr().err


def test_a_region_past_the_end_of_the_bounce_says_so(indexed, bounce, tiny_weights, capsys):
    args = ["rank", str(bounce), "--db", str(indexed), "--weights", str(tiny_weights)]
    assert main(args + ["--region", "100", "200"]) == 1
    assert "after the end of the file (12.0 s)" in capsys.readouterr().err
    assert main(args + ["--region", "7", "200", "--json"]) == 0  # a region running past the end is cut
    assert len(json.loads(capsys.readouterr().out)) == 8


def test_kill_9_mid_scan_loses_nothing_committed(tmp_path, tiny_weights):
    rng = np.random.default_rng(4)
    root = tmp_path / "big"
    for i in range(400):
        sounds.write(root / f"kick_{i:03d}.wav", sounds.kick(rng, 40 + i % 50, 0.2))
    db = tmp_path / "lib.db"
    cmd = [sys.executable, "-m", "samplematch_gui", "index", str(root), "--db", str(db),
           "--weights", str(tiny_weights)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    committed = 0
    deadline = time.monotonic() + 120
    while committed < 64 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if db.exists():
            with sqlite3.connect(db, timeout=5) as con:
                try:
                    committed = con.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
                except sqlite3.OperationalError:
                    pass
    assert proc.poll() is None, "the scan finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after_kill = con.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
    assert 64 <= after_kill < 400
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0
    assert f"indexed {400 - after_kill}, skipped {after_kill} unchanged" in done.stdout


def test_another_programs_database_is_refused_untouched(tmp_path, sample_library, tiny_weights, bounce, capsys):
    from tests.test_library_db_safety import BROWSER_HISTORY, _make, _state

    places = tmp_path / "browser"
    places.mkdir()
    history = _make(places / "History", BROWSER_HISTORY)
    before = _state(places)
    for argv in (["index", str(sample_library)], ["rank", str(bounce)]):
        assert main(argv + ["--db", str(history), "--weights", str(tiny_weights)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and f"{history} is not a SampleMatch library" in err
    assert _state(places) == before


def test_a_damaged_library_names_the_file_and_what_to_do(tmp_path, sample_library, tiny_weights, bounce, capsys):
    db = tmp_path / "lib.db"
    db.write_bytes(np.random.default_rng(3).bytes(8192))
    for argv in (["index", str(sample_library)], ["rank", str(bounce)]):
        assert main(argv + ["--db", str(db), "--weights", str(tiny_weights)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and f"{db} is damaged" in err and "samplematch index" in err


def test_a_folder_name_that_is_not_text_says_so(tmp_path, tiny_weights, capsys):
    odd = os.fsdecode(os.fsencode(tmp_path) + b"/Kit \xfc")
    os.mkdir(odd)
    assert main(["index", odd, "--db", str(tmp_path / "lib.db"), "--weights", str(tiny_weights)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not valid UTF-8 text" in err and "codec" not in err


def test_a_model_config_with_nonsense_values_names_the_model_folder(tmp_path, tiny_weights, sample_library,
                                                                    capsys):
    bad = tmp_path / "bad-model"
    shutil.copytree(tiny_weights, bad)
    doc = json.loads((bad / "config.json").read_text())
    doc["config"]["frontend"]["n_fft"] = 0
    (bad / "config.json").write_text(json.dumps(doc))
    assert main(["index", str(sample_library), "--db", str(tmp_path / "lib.db"), "--weights", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and "n_fft" in err and "positive" in err


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's own tmp folders are private to their owner)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="samplematch-ro-"))
    path.chmod(0o755)
    yield path
    for folder, _, _ in os.walk(path):
        os.chmod(folder, 0o777)
    shutil.rmtree(path)


def _as_user_without_write_permission(argv, home):
    """Permission bits bind every user but root: as root, run the command without the capabilities that
    override them (it stays the owner of the repository and the test's files, which it can still read)."""
    drop_root = (["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
                 if os.geteuid() == 0 else [])
    if drop_root and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv (util-linux): cannot drop the capability to ignore permissions")
    env = {**os.environ, "HOME": str(home), "SAMPLEMATCH_DATA_DIR": str(home / "data")}
    return subprocess.run([*drop_root, sys.executable, *argv], capture_output=True, text=True, cwd=home,
                          env=env, timeout=300)


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permission bits")
@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_rank_reads_a_library_it_may_not_write(shared_dir, sample_library, tiny_weights, bounce, read_only):
    weights, home, lib = shared_dir / "model", shared_dir / "home", shared_dir / "library"
    shutil.copytree(tiny_weights, weights)
    query = shutil.copy(bounce, shared_dir / "bounce.wav")
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    lib.mkdir()
    db = lib / "lib.db"
    assert main(["index", str(sample_library), "--db", str(db), "--weights", str(weights)]) == 0
    weights.chmod(0o755)  # readable by the other user (pytest made it private)
    for f in weights.iterdir():
        f.chmod(0o644)
    if read_only == "file":
        db.chmod(0o444)
        lib.chmod(0o777)
    else:
        db.chmod(0o666)
        lib.chmod(0o555)
    before = {p.name: p.read_bytes() for p in lib.iterdir()}
    assert list(before) == ["lib.db"]
    done = _as_user_without_write_permission(["-m", "samplematch_gui", "rank", str(query), "--db", str(db),
                                              "--weights", str(weights), "--json", "--top", "0"], home)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 8
    assert {p.name: p.read_bytes() for p in lib.iterdir()} == before  # no side files left behind
    opening_to_write = f"from samplematch_gui.library_db import LibraryDB; LibraryDB({str(db)!r})"
    done = _as_user_without_write_permission(["-c", opening_to_write], home)  # what `index` does first
    assert done.returncode == 1 and f"cannot write {db}: the file or its folder is read-only" in done.stderr
    assert {p.name: p.read_bytes() for p in lib.iterdir()} == before


def test_rank_says_why_a_silent_or_short_bounce_is_not_ranked_and_gives_the_fit(indexed, bounce, tiny_weights,
                                                                                 tmp_path, capsys):
    import soundfile as sf

    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(10 * 44100, np.float32), 44100)
    common = ["--db", str(indexed), "--weights", str(tiny_weights)]
    assert main(["rank", str(silent), *common]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("samplematch: silent.wav is silent (digital silence)")
    assert main(["rank", str(bounce), *common, "--region", "1", "3"]) == 1
    assert "The region is only 2.0 s long" in capsys.readouterr().err
    assert main(["rank", str(bounce), *common, "--json", "--top", "0"]) == 0
    fits = [r["fit"] for r in json.loads(capsys.readouterr().out)]
    assert fits[0] == 100.0 and fits[-1] == 0.0 and fits == sorted(fits, reverse=True)

"""The `samplematch` command: index, rank, JSON output, exit codes, crash safety."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

from samplematch_gui.cli import main
from samplematch_gui.library_db import LibraryDB
from tests import sounds


@pytest.fixture
def indexed(tmp_path, sample_library, tiny_weights, capsys):
    db = tmp_path / "lib.db"
    assert main(["index", str(sample_library), "--db", str(db), "--weights", str(tiny_weights)]) == 0
    capsys.readouterr()
    return db


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
    assert float(lines[0].split()[1]) >= float(lines[-1].split()[1])


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
    assert main(args + ["--region", "11", "200", "--json"]) == 0  # a region running past the end is cut
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

"""`samplematch kit`: the suggested kit as text and JSON, and its exit codes."""
import json

import numpy as np
import pytest
import soundfile as sf

from samplematch_gui.cli import main
from samplematch_gui.kit_suggest import SLOT_NAMES
from samplematch_gui.library_db import LibraryDB
from samplematch_gui.scanner import scan_library

CATEGORIES = {"kick": {"kick"}, "snare": {"snare", "clap"}, "closed_hat": {"hihat"}, "open_hat": {"hihat"},
              "ride": {"ride"}, "crash": {"crash"}, "tom": {"tom"}}


@pytest.fixture
def indexed(tmp_path, sample_library, tiny_embedder):
    with LibraryDB(tmp_path / "kit.db") as db:
        scan_library(db, [db.add_folder(sample_library)], tiny_embedder)
    return tmp_path / "kit.db"


def test_kit_json_fills_every_slot(indexed, bounce, tiny_weights, capsys):
    assert main(["kit", str(bounce), "--db", str(indexed), "--weights", str(tiny_weights), "--json"]) == 0
    kit = json.loads(capsys.readouterr().out)
    assert [s["slot"] for s in kit["slots"]] == list(SLOT_NAMES)
    paths = [s["path"] for s in kit["slots"]]
    assert len(set(paths)) == len(paths) and all(paths)
    for s in kit["slots"]:
        assert s["category"] in CATEGORIES[s["slot"]] and 0 <= s["fit"] <= 100
        assert all(a["category"] in CATEGORIES[s["slot"]] and a["path"] not in paths for a in s["alternatives"])
    by_slot = {s["slot"]: s["path"] for s in kit["slots"]}
    assert by_slot["open_hat"].endswith("Open Hat.ogg") and by_slot["closed_hat"].endswith("Closed Hat 1.aiff")
    kicks = [by_slot["kick"]] + [a["path"] for a in kit["slots"][0]["alternatives"]]
    assert sorted(p.rsplit("/", 1)[1] for p in kicks) == ["808_BD_01.wav", "Punchy Kick 2.flac"]
    assert 0 <= kit["coherence"] <= 100 and kit["score"] == pytest.approx(0.6 * kit["fit"] + 0.4 * kit["coherence"],
                                                                          abs=0.02)


def test_kit_text_lists_each_slot(indexed, bounce, tiny_weights, capsys):
    assert main(["kit", str(bounce), "--db", str(indexed), "--weights", str(tiny_weights), "--region", "1", "9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("kit for bounce.wav: fit")
    assert [line.split("  ")[0] for line in lines if not line.startswith((" ", "kit"))] == [
        "Kick", "Snare / clap", "Closed hat", "Open hat", "Ride", "Crash", "Tom"]


def test_kit_usage_errors_exit_2(capsys):
    for argv in (["kit"], ["kit", "x.wav", "--region", "5", "1"], ["kit", "x.wav", "--top", "3"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv


def test_kit_failures_exit_1_with_one_line(tmp_path, indexed, tiny_weights, capsys):
    args = ["--db", str(indexed), "--weights", str(tiny_weights)]
    assert main(["kit", str(tmp_path / "missing.wav"), *args]) == 1
    err = capsys.readouterr().err.strip()
    assert "missing.wav" in err and len(err.splitlines()) == 1
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(44100 * 10, np.float32), 44100)
    assert main(["kit", str(silent), *args]) == 1
    err = capsys.readouterr().err.strip()
    assert "silent" in err and len(err.splitlines()) == 1
    assert main(["kit", str(silent), "--db", str(tmp_path / "none.db"), "--weights", str(tiny_weights)]) == 1
    assert "no library" in capsys.readouterr().err

"""Copying a kit to a folder: copies only, nothing replaced, one line per file that cannot be copied."""
import os

import numpy as np

from samplematch_gui.kit_export import copy_kit, kit_files
from samplematch_gui.kit_suggest import SLOTS
from tests import sounds


def _kit(paths: list[str]) -> list:
    return list(zip(SLOTS, paths, strict=False))


def _samples(folder, n: int) -> list[str]:
    rng = np.random.default_rng(0)
    return [str(sounds.write(folder / f"Kit {i}" / "hit.wav", sounds.kick(rng, 50 + i))) for i in range(n)]


def test_the_kit_is_copied_in_kit_order_and_the_originals_stay(tmp_path):
    sources = _samples(tmp_path / "Samples", 3)
    before = {p: open(p, "rb").read() for p in sources}
    out = tmp_path / "Project kit"
    out.mkdir()
    files = kit_files(_kit(sources))
    assert [name for _, name in files] == ["1 Kick - hit.wav", "2 Snare - hit.wav", "3 Closed hat - hit.wav"]
    report = copy_kit(files, out, [str(tmp_path / "Samples")])
    assert report.problems == []
    assert sorted(os.listdir(out)) == [name for _, name in files]
    for source, name in files:
        assert open(out / name, "rb").read() == before[source]
        assert open(source, "rb").read() == before[source]  # still there, unchanged


def test_an_existing_file_is_never_replaced_and_the_rest_go_on(tmp_path):
    sources = _samples(tmp_path / "Samples", 3)
    out = tmp_path / "out"
    out.mkdir()
    files = kit_files(_kit(sources))
    (out / files[0][1]).write_bytes(b"mine")
    os.remove(sources[1])  # gone since the kit was suggested
    report = copy_kit(files, out)
    assert (out / files[0][1]).read_bytes() == b"mine"
    assert report.copied == [str(out / files[2][1])]
    assert len(report.problems) == 2
    assert report.problems[0].startswith(files[0][1]) and "already" in report.problems[0]
    assert report.problems[1].startswith(files[1][1]) and "cannot read" in report.problems[1]
    assert all("\n" not in line for line in report.problems)
    assert not (out / files[1][1]).exists()


def test_a_folder_inside_the_sample_folders_or_missing_is_refused(tmp_path):
    sources = _samples(tmp_path / "Samples", 2)
    inside = tmp_path / "Samples" / "Kit 0"
    report = copy_kit(kit_files(_kit(sources)), inside, [str(tmp_path / "Samples")])
    assert report.copied == [] and "never writes" in report.problems[0]
    assert sorted(os.listdir(inside)) == ["hit.wav"]
    report = copy_kit(kit_files(_kit(sources)), tmp_path / "nowhere")
    assert report.copied == [] and "not a folder" in report.problems[0]

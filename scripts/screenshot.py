"""Render the real window with the demo library and a ranking to docs/screenshot.png.

    xvfb-run -a .venv/bin/python scripts/screenshot.py [--out docs/screenshot.png] [--weights DIR]

Everything it writes besides the PNG goes to a temporary folder (app data, cache, settings), so
the user's library is untouched. Without bundled weights it uses a tiny randomly initialised
model and says so: the layout is real, the ranking is then meaningless. Xvfb has no sound card,
so ALSA's `null` device stands in and the audition controls render as a producer sees them.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _isolate(tmp: Path) -> None:
    os.environ["SAMPLEMATCH_DATA_DIR"] = str(tmp / "appdata")
    (tmp / ".asoundrc").write_text("pcm.!default { type null }\n")
    os.environ["HOME"] = str(tmp)  # read by ALSA when PortAudio starts


def _weights(requested: str | None, tmp: Path) -> tuple[Path, bool]:
    """(weights folder, whether they are the real ones rather than a random stand-in)."""
    from model.weights import WeightsError, read_config
    from samplematch_gui.paths import bundled_weights_dir

    folder = Path(requested) if requested else bundled_weights_dir()
    try:
        read_config(folder)
        return folder, True
    except WeightsError:
        import torch

        from model import EncoderConfig, ModelConfig, SampleMatchModel
        from model.weights import export_model

        print(f"screenshot: no weights in {folder}; using a tiny random model", file=sys.stderr)
        torch.manual_seed(0)
        model = SampleMatchModel(ModelConfig(encoder=EncoderConfig(backbone="test_efficientnet")))
        export_model(model.eval(), tmp / "tiny", name="untrained-demo")
        return tmp / "tiny", False


def _wait(app, condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshot: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def _pump(app, seconds: float) -> None:
    """Let timers fire and queued work land (a plain sleep would hold the event loop)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--weights", help="model folder (default: the bundled model)")
    parser.add_argument("--size", default="1440x900", help="window size WxH")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="samplematch-shot-"))
    _isolate(tmp)
    weights, real = _weights(args.weights, tmp)

    from model.weights import read_config
    from samplematch_gui.ui.app import create_app, open_window
    from samplematch_gui.ui.settings import AppSettings

    app = create_app([sys.argv[0]])
    settings = AppSettings(tmp / "settings.ini")
    settings.auto_play = False
    window, _loader = open_window(demo=True, weights_dir=weights, db_path=tmp / "library.sqlite3",
                                  settings=settings)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    _wait(app, lambda: window.model.has_scores() and not window.library.scanning()
          and window.query_panel.waveform.duration > 0, 300, "the demo ranking")
    duration = window.query_panel.waveform.duration
    window.query_panel.waveform.set_region(duration * 0.25, duration * 0.75)
    _wait(app, lambda: window.search.query is not None and window.search.query.region is not None
          and not window.search.busy() and window.model.has_scores(), 120, "the region ranking")
    _pump(app, 0.5)  # past the region debounce: the region's ranking starts
    _wait(app, lambda: not window.search.busy(), 120, "the region ranking")
    window.table.selectRow(1)
    window.table.setFocus()
    _pump(app, 0.4)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(args.out)):
        raise SystemExit(f"screenshot: could not write {args.out}")
    model = "" if real else "random stand-in "
    print(f"screenshot: {args.out} ({model}model {read_config(weights).model_id}, "
          f"{window.model.rowCount()} samples)")
    window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

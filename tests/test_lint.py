"""ruff and mypy stay clean, with the settings and the paths in pyproject.toml."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _findings(*command: str) -> str:
    """The tool's output when it reports anything (or fails to run), else ""."""
    result = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
    return "" if result.returncode == 0 else f"exit status {result.returncode}\n{result.stdout}{result.stderr}"


def test_ruff_finds_nothing():
    assert _findings("ruff", "check", "--no-fix", ".") == ""


def test_mypy_finds_nothing():
    assert _findings("mypy") == ""

#!/usr/bin/env bash
# One-time (and idempotent) set-up: system libraries where we can, a local .venv, the project.
#   bash scripts/setup.sh         the app, training and the tests: .[train,test] (torch included; the test command)
#   bash scripts/setup.sh --app   the app and the CLI only: ONNX Runtime, no torch (the start command)
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
    "") EXTRAS="[train,test]" ;;
    --app) EXTRAS="" ;;
    *) echo "usage: bash scripts/setup.sh [--app]" >&2; exit 2 ;;
esac

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "SampleMatch needs Python >= 3.11 (found $("$PYTHON" --version 2>&1)); set PYTHON=..." >&2
    exit 1
fi

# PortAudio lets sounddevice play auditions; the Qt libraries let PySide6 start on a bare system.
SYSTEM_PACKAGES="libportaudio2 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 libxcb-cursor0"
# Debian and Ubuntu ship venv's pip bootstrap (ensurepip) separately.
PYVER=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
"$PYTHON" -c 'import ensurepip' >/dev/null 2>&1 || SYSTEM_PACKAGES="$SYSTEM_PACKAGES python$PYVER-venv"
if command -v dpkg >/dev/null 2>&1; then
    missing=$(for p in $SYSTEM_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done | xargs)
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing system packages: $missing"
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
                || echo "warning: could not install $missing; audition may be disabled" >&2
        else
            echo "note: for audition and the window, run:  sudo apt-get install $missing" >&2
        fi
    fi
fi

if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    rm -rf .venv  # absent, or left without pip by an earlier run that lacked ensurepip
    if ! "$PYTHON" -m venv .venv; then
        rm -rf .venv
        echo "Could not create .venv; install venv support first:  sudo apt-get install python$PYVER-venv" >&2
        exit 1
    fi
fi
stamp=.venv/.samplematch-installed
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $EXTRAS"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".$EXTRAS"
    echo "$want" > "$stamp"
fi

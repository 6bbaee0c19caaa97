#!/usr/bin/env bash
# Create (or update) a virtualenv with sciannot's pinned requirements. Used by `make` (the
# venv of `make run` and `make test`), by CI through make, and by the image build.
#
#   scripts/install-python.sh [--dev] VENV
#
#   --dev   also the test and lint tools (requirements-dev.txt)
#   PYTHON  the interpreter for a new venv (default: python3.11, else python3); it must be 3.11
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=requirements.txt
venv=""
for arg in "$@"; do
  case "$arg" in
    --dev) requirements=requirements-dev.txt ;;
    -*) echo "install-python.sh: unknown option '$arg'" >&2; exit 2 ;;
    *) venv=$arg ;;
  esac
done
if [ -z "$venv" ]; then
  echo "usage: scripts/install-python.sh [--dev] VENV" >&2
  exit 2
fi

python=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
if [ ! -x "$venv/bin/python" ]; then
  if [ -z "$python" ] || ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "sciannot needs Python 3.11; set PYTHON=/path/to/python3.11" >&2
    exit 1
  fi
  "$python" -m venv "$venv"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r "$requirements"

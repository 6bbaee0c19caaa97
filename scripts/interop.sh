#!/usr/bin/env bash
# `make interop`: lmms-eval in its own environment, then the agreement run
# (tests/interop/run_interop.py). Never part of `make test`: it installs a few GB and runs
# lmms-eval several times. LMMS_EVAL_VERSION picks the release (the exported task supports
# 0.6.x and 0.7.x); each version gets its own environment, .venv-interop-<version>, so
# switching back and forth does not reinstall.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
APP_PY="${APP_PY:-.venv/bin/python}"
LMMS_EVAL_VERSION="${LMMS_EVAL_VERSION:-0.7.3}"
case "$LMMS_EVAL_VERSION" in
  0.6.* | 0.7.*) ;;
  *)
    echo "LMMS_EVAL_VERSION=$LMMS_EVAL_VERSION: the exported task supports lmms-eval 0.6.x and 0.7.x" >&2
    exit 2
    ;;
esac
VENV=".venv-interop-$LMMS_EVAL_VERSION"
TORCH_VERSION=2.13.0
STAMP="$VENV/.installed-lmms-eval-$LMMS_EVAL_VERSION-torch-$TORCH_VERSION"

"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "lmms-eval here needs Python 3.11; set PYTHON=/path/to/python3.11")'

if [ ! -f "$STAMP" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  # Torch must be a CPU build: a CUDA one pulls gigabytes of GPU libraries this project never
  # uses. Ask pip which wheel it would take before installing anything.
  wheels="$(mktemp -d)"
  trap 'rm -rf "$wheels"' EXIT
  timeout 900 "$VENV/bin/pip" download --quiet --no-deps --only-binary=:all: \
    -d "$wheels" "torch==$TORCH_VERSION"
  torch_wheel="$(ls "$wheels"/torch-*.whl)"
  case "$torch_wheel" in
    *+cpu*) ;;
    *)
      echo "pip offers $(basename "$torch_wheel"), not a CPU build of torch $TORCH_VERSION;" >&2
      echo "point pip at a CPU wheel (PIP_FIND_LINKS or the CPU index) and run again." >&2
      exit 1
      ;;
  esac
  # The wheel file itself is the requirement, so no dependency can swap torch for another build.
  timeout 1800 "$VENV/bin/pip" install --quiet "$torch_wheel" \
    "lmms-eval==$LMMS_EVAL_VERSION" "filelock<4"
  # torchvision's wheel on PyPI links CUDA torch libraries (libtorch_cuda, libc10_cuda): next to
  # a CPU torch its operators fail to load and importing transformers fails with it. Neither
  # lmms-eval's core, its dummy model nor the scripted model needs torchvision; transformers
  # runs without it.
  "$VENV/bin/pip" uninstall --quiet --yes torchvision
  touch "$STAMP"
fi

exec "$APP_PY" tests/interop/run_interop.py --lmms-python "$VENV/bin/python" "$@"

#!/usr/bin/env bash
# `make interop-vlmevalkit VLMEVALKIT_SRC=/path/to/VLMEvalKit`: VLMEvalKit (not on PyPI) in its
# own environment (.venv-vlmeval), then tests/interop/run_vlmevalkit.py. Without
# VLMEVALKIT_SRC an existing .venv-vlmeval is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
APP_PY="${APP_PY:-.venv/bin/python}"
VENV=.venv-vlmeval
TORCH_VERSION=2.13.0
# Enough to import VLMEvalKit's video_base and the helpers it reaches (vlmeval.smp), build
# prompts and read and write its prediction files; not its models or other datasets.
DEPS=(pandas numpy pillow portalocker openpyxl xlsxwriter python-dotenv requests tqdm tabulate
  rich termcolor validators huggingface_hub sty openai datasets timeout-decorator levenshtein
  decord)

if [ -n "${VLMEVALKIT_SRC:-}" ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "VLMEvalKit here needs Python 3.11")'
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  wheels="$(mktemp -d)"
  trap 'rm -rf "$wheels"' EXIT
  # A CPU build of torch only: torchvision on PyPI is linked to CUDA torch, so it is left out
  # and the run loads video_base without the datasets that need it.
  "$VENV/bin/pip" download --quiet --no-deps --only-binary=:all: -d "$wheels" "torch==$TORCH_VERSION"
  torch_wheel="$(ls "$wheels"/torch-*.whl)"
  case "$torch_wheel" in
    *+cpu*) ;;
    *) echo "pip offers $(basename "$torch_wheel"), not a CPU build of torch" >&2; exit 1 ;;
  esac
  "$VENV/bin/pip" install --quiet --no-deps "$torch_wheel"
  "$VENV/bin/pip" install --quiet --no-deps -e "$VLMEVALKIT_SRC"
  "$VENV/bin/pip" install --quiet "${DEPS[@]}"
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "no $VENV: run make interop-vlmevalkit VLMEVALKIT_SRC=/path/to/VLMEvalKit" >&2
  exit 1
fi
exec "$APP_PY" tests/interop/run_vlmevalkit.py --vlmeval-python "$VENV/bin/python" "$@"

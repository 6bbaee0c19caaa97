# sciannot — everyday commands. Configuration lives in sciannot/settings.py and the
# environment (.env.example), never here, so `manage.py` run by hand behaves the same.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Re-install when a requirements file changes. `make run` needs only the runtime set
# (requirements.txt); `make test`, `make lint` and `make bench` add the test and lint tools.
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
RUN_STAMP := $(VENV)/.runtime-$(shell cat requirements.txt | sha256sum | cut -c1-16)

.PHONY: run test lint bench screenshots interop interop-vlmevalkit check-python browser-deps clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "sciannot needs Python 3.11; set PYTHON=/path/to/python3.11")'

# The same script builds the image's venv (Dockerfile), so CI exercises that step too.
$(STAMP): requirements.txt requirements-dev.txt scripts/install-python.sh | check-python
	PYTHON=$(PYTHON) scripts/install-python.sh --dev $(VENV)
	@rm -f $(VENV)/.installed-* $(VENV)/.runtime-*
	@touch $@ $(RUN_STAMP)

$(RUN_STAMP): requirements.txt scripts/install-python.sh | check-python
	PYTHON=$(PYTHON) scripts/install-python.sh $(VENV)
	@rm -f $(VENV)/.runtime-*
	@touch $@

run: $(RUN_STAMP)
	$(PY) manage.py migrate --noinput
	PORT=$(PORT) $(PY) manage.py seed_demo --if-empty --media-later
	@echo ""
	@echo "  sciannot is running at http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web app and the worker)"
	@echo ""
	@$(PY) -m celery -A sciannot worker --beat --loglevel=INFO --concurrency=2 \
	    --without-gossip --without-mingle --without-heartbeat & WORKER=$$!; \
	  trap 'kill -TERM $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# Chromium for the browser tests comes from the system's packages; install it when we can.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	    else echo "browser tests need Chromium at /usr/bin/chromium (apt-get install chromium)"; fi; }

test: $(STAMP) browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) tests/bench/bench_first_run.py
	$(PY) tests/bench/bench_import.py $(BENCH_ARGS)
	$(PY) tests/bench/bench_viewers.py
	$(PY) tests/bench/bench_keepalive.py
	$(PY) tests/bench/bench_drafts.py
	$(PY) tests/bench/bench_evaluate.py
	$(PY) tests/bench/bench_release.py
	$(PY) tests/bench/bench_upload.py
	$(PY) tests/bench/bench_load.py
	$(PY) tests/bench/bench_analysis.py

# The README's screenshots (docs/screenshots/), from a demo seeded in a temporary folder of
# its own: the checkout's database and media are never touched.
screenshots: $(STAMP) browser-deps
	$(PY) scripts/screenshots.py $(SCREENSHOTS_ARGS)

# Not part of `test`: lmms-eval gets its own environment (.venv-interop-<version>, CPU torch;
# LMMS_EVAL_VERSION=0.6.1 make interop picks the release) and the
# run checks that its numbers on a demo release are the leaderboard's.
interop: $(STAMP)
	PYTHON=$(PYTHON) scripts/interop.sh
	@if [ -x .venv-vlmeval/bin/python ]; then scripts/interop-vlmevalkit.sh; \
	  else echo "skipping VLMEvalKit: no .venv-vlmeval (make interop-vlmevalkit VLMEVALKIT_SRC=...)"; fi

# VLMEvalKit is not on PyPI: VLMEVALKIT_SRC is a checkout of it, installed into .venv-vlmeval.
interop-vlmevalkit: $(STAMP)
	PYTHON=$(PYTHON) VLMEVALKIT_SRC=$(VLMEVALKIT_SRC) scripts/interop-vlmevalkit.sh

clean:
	rm -rf var/test-* .pytest_cache .mypy_cache .ruff_cache

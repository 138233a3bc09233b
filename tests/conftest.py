"""Shared fixtures: every path points at a temp dir; real model, real Chroma (embedded and a
server started here on 127.0.0.1), one session-wide index of the shipped corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import free_port, stop_process, wait_http

pytest_plugins = ["tests.llm_server"]  # the llama.cpp server fixture `llm_server`

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "lactation-education-and-support-services.txt"
PAGES = Path(__file__).resolve().parent / "pages"
SEED_DOC = "benefits/maternity/lactation-education-and-support-services"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked ``session_end`` (the log scan, tests/test_log_scan.py) run after every
    other test of the session, whatever the order of the files: they read what it wrote."""
    last = [item for item in items if item.get_closest_marker("session_end")]
    if last:
        items[:] = [item for item in items if not item.get_closest_marker("session_end")] + last


@pytest.fixture(autouse=True)
def _isolated_paths(tmp_path, monkeypatch):
    """No test writes outside its temp dir unless it asks for a shared fixture."""
    monkeypatch.setenv("PMA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("PMA_DATA_DIR", str(tmp_path / "var"))
    for key in list(os.environ):
        if key.startswith("PMA_") and key not in ("PMA_INDEX_DIR", "PMA_DATA_DIR"):
            monkeypatch.delenv(key, raising=False)


def make_settings(tmp: Path, **overrides):
    from core.settings import Settings

    base = {"index_dir": tmp / "index", "data_dir": tmp / "var", "corpus": [SEED]}
    base.update(overrides)
    return Settings(**base)


@pytest.fixture(scope="session")
def embedder():
    from core.embeddings import get_embeddings
    from core.settings import EmbeddingSettings

    return get_embeddings(EmbeddingSettings())


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, embedder):
    """Settings of an index built once from the shipped corpus (read-only for tests)."""
    from ingest.build import ingest

    tmp = tmp_path_factory.mktemp("seed_index")
    settings = make_settings(tmp)
    ingest(settings.corpus, settings, progress=False, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def seed_assistant(seed_index):
    from assistant.pipeline import Assistant

    return Assistant.from_settings(seed_index)


EVAL_CORPUS = ROOT / "evals" / "corpus"


@pytest.fixture(scope="session")
def manual_index(tmp_path_factory, embedder):
    """Settings of an index built once from a whole manual: the shipped page plus the eval's
    test pages (evals/corpus, written for the project), read-only for tests."""
    from ingest.build import ingest

    tmp = tmp_path_factory.mktemp("manual_index")
    settings = make_settings(tmp, corpus=[ROOT / "corpus", EVAL_CORPUS])
    report = ingest(settings.corpus, settings, progress=False, embedder=embedder)
    assert not report.failures, report.failures
    return settings


@pytest.fixture(scope="session")
def manual_assistant(manual_index):
    """The assistant over the whole test manual, without rules (answers only)."""
    from assistant.index import LoadedIndex
    from assistant.pipeline import Assistant

    return Assistant(manual_index, LoadedIndex(manual_index), rules=None, audit=None)


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that a test can stop and start again."""

    def __init__(self, path: Path):
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = open(path.parent / f"chroma-{self.port}.log", "ab")

    def start(self) -> None:
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        self.proc = subprocess.Popen(
            [exe, "run", "--path", str(self.path), "--host", "127.0.0.1",
             "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(f"{self.url}/api/v2/heartbeat", 60, self.proc)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma_server") / "data")
    server.start()
    yield server
    server.stop()
    server.log.close()

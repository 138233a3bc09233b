"""The running app (python app.py in a subprocess) driven by gradio_client and plain HTTP.

One app per module: it starts on an empty index folder, so it builds the index from the shipped
corpus first (with progress), then answers. A second app, with login, a queue of one and a copy
of that index, checks authentication and the queue limit.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT, SEED, SEED_DOC
from tests.support import free_port, http_status, stop_process

LIMIT = 300  # max_question_chars for the app under test
START_TIMEOUT = 300  # seconds: first start builds the index


class RunningApp:
    """python app.py on 127.0.0.1 with its own index and data folders."""

    def __init__(self, base: Path, env: dict[str, str] | None = None):
        self.base = base
        self.index_dir = base / "index"
        self.data_dir = base / "var"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / "app.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PMA_")}
        self.env.update({
            "PMA_INDEX_DIR": str(self.index_dir), "PMA_DATA_DIR": str(self.data_dir),
            "PMA_WEB__HOST": "127.0.0.1", "PMA_WEB__PORT": str(self.port),
            "PMA_LIMITS__MAX_QUESTION_CHARS": str(LIMIT), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
            "PYTHONUNBUFFERED": "1",
        })
        self.env.update(env or {})
        self.proc: subprocess.Popen | None = None

    def start(self) -> RunningApp:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT,
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited with {self.proc.returncode}:\n{self.log()}")
            if self.status("/") in (200, 401):
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"app did not start within {START_TIMEOUT}s:\n{self.log()}")

    def status(self, path: str) -> int | None:
        return http_status(self.url + path)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        stop_process(self.proc, timeout=15)
        self._log.close()

    def audit_lines(self) -> int:
        p = self.data_dir / "audit.jsonl"
        return len(p.read_text().splitlines()) if p.exists() else 0


def last_reply(result) -> BeautifulSoup:
    """The last assistant message of a /chat result, parsed."""
    messages = result[0]
    assert messages[-1]["role"] == "assistant"
    content = messages[-1]["content"]
    text = content[0]["text"] if isinstance(content, list) else content
    return BeautifulSoup(text, "html.parser")


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp(tmp_path_factory.mktemp("web_app")).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def login_app(app, tmp_path_factory):
    base = tmp_path_factory.mktemp("web_login")
    shutil.copytree(app.index_dir, base / "index")
    running = RunningApp(base, env={
        "PMA_WEB__USERNAME": "rep", "PMA_WEB__PASSWORD": "correct horse",
        "PMA_WEB__CONCURRENCY": "1", "PMA_WEB__MAX_QUEUE": "1"}).start()
    yield running
    running.stop()


@pytest.fixture
def client(app):
    from gradio_client import Client

    return Client(app.url, verbose=False)


def test_first_start_builds_the_index_with_progress(app):
    assert any(app.index_dir.iterdir())
    log = app.log()
    assert "Embedding" in log and "100%" in log


def test_answer_carries_citations_quoted_from_the_manual(client):
    reply = last_reply(client.predict(
        "Who can bill Medi-Cal for lactation support services?", api_name="/chat"))
    assert reply.select_one(".pma-answer")["data-abstained"] == "false"
    sources = reply.select(".pma-source")
    assert sources, reply
    page = normalise(SEED.read_text())
    for s in sources:
        assert s.select_one("a.pma-link")["href"].startswith("https://providerlibrary.")
        assert "2024-12-04" in s.select_one(".pma-updated").text
        quote = normalise(s.select_one(".pma-quote blockquote").text)
        assert quote and quote in page
    markers = {m["data-n"] for m in reply.select(".pma-text .pma-ref")}
    assert markers and markers <= {s["data-n"] for s in sources}


def test_follow_up_keeps_the_conversation(client):
    client.predict("Who can provide lactation education and support services?",
                   api_name="/chat")
    result = client.predict("And can they bill Medi-Cal for it directly?", api_name="/chat")
    assert [m["role"] for m in result[0]] == ["user", "assistant"] * 2
    reply = last_reply(result)
    assert reply.select(".pma-source")
    assert "directly" in normalise(reply.text)


def test_unanswerable_question_is_refused(client):
    reply = last_reply(client.predict("What is the boiling point of mercury in Kelvin?",
                                      api_name="/chat"))
    box = reply.select_one(".pma-answer")
    assert box["data-abstained"] == "true" and "pma-refusal" in box["class"]
    assert reply.select(".pma-source") == [] and reply.select_one(".pma-badge") is None


def test_over_long_question_gets_a_message_and_no_model_call(app, client):
    before = app.audit_lines()
    reply = last_reply(client.predict("Can a nurse bill for lactation support? " * 20,
                                      api_name="/chat"))
    assert reply.select_one(".pma-refusal")["data-reason"] == "too_long"
    assert f"{LIMIT:,}" in reply.text
    assert app.audit_lines() == before  # the assistant was never called
    client.predict("Which lactation equipment is covered?", api_name="/chat")
    assert app.audit_lines() == before + 1  # ... while a normal question is recorded


def test_filters_by_document_and_provider_type(client):
    doc = SEED_DOC
    reply = last_reply(client.predict("What lactation durable medical equipment is covered?",
                                      [doc], "Hospitals", api_name="/chat"))
    assert reply.select(".pma-source")
    with pytest.raises(ValueError):  # not one of the offered choices (gradio_client AppError)
        client.predict("What equipment is covered?", [], "Martians", api_name="/chat")


def test_feedback_is_appended_without_member_identifiers(app, client):
    result = client.predict("Can an IBCLC bill Medi-Cal directly?", api_name="/chat")
    answer_id = last_reply(result).select_one(".pma-answer")["data-answer-id"]
    number = len(result[0]) // 2
    status = client.predict(number, "down", "Member SSN 123-45-6789 was asking",
                            "It depends on who renders the service.", api_name="/feedback")
    assert "saved" in status[0]
    text = (app.data_dir / "feedback.jsonl").read_text()
    entries = [json.loads(line) for line in text.splitlines()]
    mine = [e for e in entries if e["answer_id"] == answer_id]
    assert len(mine) == 1 and mine[0]["rating"] == "down" and mine[0]["interface"] == "web"
    assert mine[0]["correct_answer"] == "It depends on who renders the service."
    assert mine[0]["citations"]
    assert "123-45-6789" not in text
    refused = client.predict(number + 5, "down", "", "", api_name="/feedback")
    assert "not saved" in refused[0]


def test_concurrent_questions_are_all_answered(app):
    """Default concurrency (2) and queue: 6 clients at once all get cited answers."""
    from gradio_client import Client

    questions = ["Who can bill Medi-Cal for lactation support services?",
                 "What lactation durable medical equipment is covered?",
                 "Can an IBCLC bill Medi-Cal directly?"] * 2
    clients = [Client(app.url, verbose=False) for _ in questions]
    with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(lambda cq: cq[0].predict(cq[1], api_name="/chat"),
                                zip(clients, questions)))
    for question, result in zip(questions, results):
        assert BeautifulSoup(result[0][0]["content"][0]["text"], "html.parser").text == question
        assert last_reply(result).select(".pma-source")


def _file_urls(path: Path) -> list[str]:
    p = str(path)
    q = urllib.parse.quote(p)
    rel = urllib.parse.quote(os.path.relpath(p, ROOT))  # relative to the app's cwd
    return [f"/file={p}", f"/gradio_api/file={p}", f"/gradio_api/file={q}",
            f"/gradio_api/file={rel}", f"/file={rel}",
            f"/gradio_api/file=..%2F..%2F..%2F..%2F..%2F..%2F..{q}",
            f"/gradio_api/file=/{p.lstrip('/')}", f"/static/..{q}", f"/assets/..{q}"]


def test_no_file_on_disk_is_served(app, client):
    client.predict("Can an IBCLC bill Medi-Cal directly?", api_name="/chat")
    client.predict(1, "up", "fine", "", api_name="/feedback")
    secrets = [app.data_dir / "feedback.jsonl", app.data_dir / "audit.jsonl",
               *[p for p in app.index_dir.rglob("*") if p.is_file()][:3],
               ROOT / "core" / "settings.py", ROOT / "app.py", ROOT / "pyproject.toml",
               SEED, Path("/etc/passwd")]
    assert all(p.exists() for p in secrets)
    for path in secrets:
        marker = path.read_bytes()[:64]
        for url in _file_urls(path):
            code, body = app.get(url)
            assert code != 200 or marker not in body, url
    for env_file in (ROOT / ".env", app.base / ".env"):
        for url in _file_urls(env_file):
            assert app.get(url)[0] != 200, url


def test_login_is_enforced(login_app):
    from gradio_client import Client

    assert login_app.status("/config") == 401
    assert login_app.status("/gradio_api/info") == 401
    with pytest.raises(ValueError):
        Client(login_app.url, verbose=False)
    with pytest.raises(ValueError, match="Could not login"):
        Client(login_app.url, auth=("rep", "wrong"), verbose=False)
    client = Client(login_app.url, auth=("rep", "correct horse"), verbose=False)
    reply = last_reply(client.predict("Who can provide lactation services?", api_name="/chat"))
    assert reply.select(".pma-source")


def test_queue_refuses_beyond_its_size(login_app):
    """Concurrency 1 and a queue of 1: a burst of 8 questions gets some "queue is full"."""
    from gradio_client import Client
    from gradio_client.utils import QueueError

    clients = [Client(login_app.url, auth=("rep", "correct horse"), verbose=False)
               for _ in range(8)]
    question = "Who can bill Medi-Cal for lactation support services?"

    def burst() -> list[str]:
        outcomes = []
        with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
            futures = [pool.submit(c.predict, question, api_name="/chat") for c in clients]
            for f in futures:
                try:
                    f.result(timeout=120)
                    outcomes.append("ok")
                except QueueError as exc:  # gradio_client's error for a full queue
                    outcomes.append(str(exc))
        return outcomes

    bursts = []
    for _ in range(3):  # a burst can trickle in on a busy machine; one refusal is the proof
        outcomes = burst()
        bursts.append(outcomes)
        assert outcomes.count("ok") >= 1
        assert all(o == "ok" or "queue is full" in o.lower() for o in outcomes), outcomes
        if "ok" in outcomes and len(set(outcomes)) > 1:
            break
    assert any(o != "ok" for b in bursts for o in b), bursts

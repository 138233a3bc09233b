"""Feedback log: redacted entries, corrupt lines reported, nothing lost under concurrency."""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import threading
from pathlib import Path

import pytest

from assistant.audit import SALT_ENV
from assistant.feedback import FeedbackLog

IDENTIFIERS = [
    "Maria Lopez",
    "91234567A",
    "123-45-6789",
    "01/02/1990",
    "(555) 123-4567",
    "maria@gmail.com",
]


@pytest.fixture(autouse=True)
def _no_env_salt(monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)


def test_entry_is_redacted_and_complete(tmp_path):
    fb = FeedbackLog(tmp_path / "var" / "feedback.jsonl")
    entry = fb.record(
        answer_id="a1",
        question="Patient Maria Lopez, CIN 91234567A, DOB 01/02/1990: is a hospital-grade pump a rental?",
        answer="Hospital-grade electric breast pumps are rentals only [1].",
        rating="down",
        comment="call mom at (555) 123-4567 or maria@gmail.com, SSN 123-45-6789",
        correct_answer="Yes, rental only, prior authorization required.",
        interface="web",
        citations=["lactation-0004"],
        user="jane.rep",
    )
    text = (tmp_path / "var" / "feedback.jsonl").read_text()
    for raw in [*IDENTIFIERS, "jane.rep"]:
        assert raw not in text, raw
    assert (
        entry["question"]
        == "Patient [NAME], CIN [CIN], DOB [DOB]: is a hospital-grade pump a rental?"
    )
    assert (
        "[PHONE]" in entry["comment"]
        and "[EMAIL]" in entry["comment"]
        and "[SSN]" in entry["comment"]
    )
    assert entry["correct_answer"] == "Yes, rental only, prior authorization required."
    assert entry["rating"] == "down" and entry["interface"] == "web" and entry["answer_id"] == "a1"
    assert entry["citations"] == ["lactation-0004"] and len(entry["user_hash"]) == 64
    assert entry["time"].endswith("Z")
    assert fb.read() == [entry]


def test_rating_and_interface_are_checked(tmp_path):
    fb = FeedbackLog(tmp_path / "feedback.jsonl")
    with pytest.raises(ValueError, match="rating"):
        fb.record(answer_id="a", question="q", answer="a", rating="meh", interface="web")
    with pytest.raises(ValueError, match="interface"):
        fb.record(answer_id="a", question="q", answer="a", rating="up", interface="")
    assert not (tmp_path / "feedback.jsonl").exists()


def test_read_skips_and_reports_corrupt_lines(tmp_path, caplog):
    path = tmp_path / "feedback.jsonl"
    fb = FeedbackLog(path)
    fb.record(answer_id="a1", question="q1", answer="x", rating="up", interface="web")
    with path.open("ab") as f:
        f.write(b'{"answer_id": "half-writ\n')  # a torn line
        f.write(b"\xff\xfe not utf-8\n")
        f.write(b'["a list, not an entry"]\n\n')
    fb.record(answer_id="a2", question="q2", answer="y", rating="down", interface="slack")
    with caplog.at_level(logging.WARNING, logger="assistant.feedback"):
        entries = fb.read()
    assert [e["answer_id"] for e in entries] == ["a1", "a2"]
    assert fb.corrupt_lines == [2, 3, 4]
    assert "Skipped 3 corrupt line(s)" in caplog.text and "half-writ" not in caplog.text


def test_missing_file_reads_empty(tmp_path):
    fb = FeedbackLog(tmp_path / "none.jsonl")
    assert fb.read() == [] and fb.corrupt_lines == []


def _write_many(path: str, tag: str, n: int) -> None:
    fb = FeedbackLog(Path(path))
    for i in range(n):
        fb.record(
            answer_id=f"{tag}-{i}",
            question=f"member Maria Lopez CIN 91234567A question {i} " + "pump " * 50,
            answer="answer " * 100,
            rating="down" if i % 2 else "up",
            comment="comment",
            interface="web",
            citations=["c1", "c2"],
            user=tag,
        )


def test_concurrent_threads_and_processes_lose_nothing(tmp_path):
    path = tmp_path / "feedback.jsonl"
    FeedbackLog(path).salt  # noqa: B018  (one salt for every writer)
    threads = [
        threading.Thread(target=_write_many, args=(str(path), f"t{k}", 50)) for k in range(8)
    ]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(path), f"p{k}", 50)) for k in range(2)]
    for w in (*threads, *procs):
        w.start()
    for w in (*threads, *procs):
        w.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    lines = path.read_text().splitlines()
    assert len(lines) == 10 * 50
    ids = [json.loads(line)["answer_id"] for line in lines]  # every line is valid JSON
    assert len(set(ids)) == 500
    fb = FeedbackLog(path)
    assert len(fb.read()) == 500 and fb.corrupt_lines == []
    assert "91234567A" not in path.read_text() and "Lopez" not in path.read_text()


def test_evals_import_reads_the_log(tmp_path):
    feedback_import = pytest.importorskip("evals.feedback_import")
    path = tmp_path / "feedback.jsonl"
    fb = FeedbackLog(path)
    fb.record(
        answer_id="a1",
        question="Can an IBCLC bill Medi-Cal?",
        answer="x",
        rating="down",
        correct_answer="No, not directly.",
        interface="web",
        citations=["lactation-0003"],
    )
    fb.record(
        answer_id="a2", question="Is a pump covered?", answer="y", rating="up", interface="web"
    )
    summary = feedback_import.import_feedback(path, tmp_path / "candidates.jsonl", dataset_files=[])
    assert (summary.read, summary.thumbs_down, summary.added, summary.malformed) == (2, 1, 1, 0)
    cand = json.loads((tmp_path / "candidates.jsonl").read_text().splitlines()[0])
    assert cand["reference_answer"] == "No, not directly."
    assert cand["previous_citations"] == [{"chunk_id": "lactation-0003"}]

"""Audit log: one JSON line per answer, hashed user and question, safe under concurrency."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import stat
import threading
from pathlib import Path

import pytest

from assistant.audit import SALT_ENV, SALT_FILENAME, AuditLog, load_salt, question_hash
from core.types import Answer, Citation, Context, Verdict

QUESTION = "Patient Maria Lopez CIN 91234567A DOB 01/02/1990: can our IBCLC bill Medi-Cal?"
ANSWER_TEXT = "An IBCLC cannot bill Medi-Cal directly [1]."


@pytest.fixture(autouse=True)
def _no_env_salt(monkeypatch):
    monkeypatch.delenv(SALT_ENV, raising=False)


def make_answer(question: str = QUESTION, **kw) -> Answer:
    cit = Citation(
        n=1,
        chunk_id="lactation-0003",
        doc_id="lactation",
        title="Lactation Education and Support Services",
        section="Billing",
        quote="Persons with lactation educator-counselor or IBCLC certifications are not recognized",
    )
    verdict = Verdict(
        verdict="not_eligible", rule_id="ibclc-direct-billing", explanation="...", citation=cit
    )
    ctx = [
        Context(
            chunk_id=f"lactation-000{i}",
            doc_id="lactation",
            url=None,
            title="t",
            section="s",
            score=0.5,
        )
        for i in (3, 4)
    ]
    fields = {
        "question": question,
        "answer": ANSWER_TEXT,
        "citations": [cit],
        "verdict": verdict,
        "contexts": ctx,
        "answerer": "extractive",
        "removed_sentences": 1,
        "corrected_by_rule": True,
        "timings_ms": {"retrieve": 12.0, "answer": 30.5, "total": 45.25},
    }
    fields.update(kw)
    return Answer(**fields)


def test_record_writes_one_line_with_the_fields(tmp_path):
    log = AuditLog(tmp_path / "var" / "audit.jsonl")
    answer = make_answer()
    entry = log.record(answer, interface="web", user="rep.jane@healthnet.example")
    lines = (tmp_path / "var" / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0]) == entry
    assert entry["interface"] == "web" and entry["answer_id"] == answer.id
    assert entry["time"].endswith("Z") and entry["time"][:4].isdigit()
    assert entry["chunk_ids"] == ["lactation-0003"]
    assert entry["context_ids"] == ["lactation-0003", "lactation-0004"]
    assert entry["verdict"] == {"kind": "not_eligible", "rule_id": "ibclc-direct-billing"}
    assert entry["answerer"] == "extractive" and entry["abstained"] is False
    assert entry["removed_sentences"] == 1 and entry["corrected_by_rule"] is True
    assert abs(entry["latency_ms"] - 45.25) <= 0.05
    assert len(entry["user_hash"]) == 64 and len(entry["question_hash"]) == 64


def test_nothing_raw_from_the_question_or_user(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.record(make_answer(), interface="slack", user="U024BE7LH")
    log.record(
        make_answer(verdict=None, abstained=True, abstain_reason="member_specific"), "cli", None
    )
    text = path.read_text()
    for raw in (
        "Maria",
        "Lopez",
        "91234567A",
        "01/02/1990",
        "IBCLC",
        "Medi-Cal",
        "U024BE7LH",
        "cannot bill",
    ):
        assert raw not in text, raw
    second = json.loads(text.splitlines()[1])
    assert second["user_hash"] is None and second["verdict"] is None
    assert second["abstained"] is True and second["abstain_reason"] == "member_specific"


def test_hashes_are_stable_salted_and_normalised(tmp_path, monkeypatch):
    log = AuditLog(tmp_path / "audit.jsonl")
    a = log.record(make_answer(), "web", "jane")
    b = log.record(make_answer(question="  " + QUESTION.upper() + "\n"), "web", "jane")
    c = log.record(make_answer(question="Is a hospital-grade pump a rental?"), "web", "john")
    assert a["user_hash"] == b["user_hash"] != c["user_hash"]
    assert a["question_hash"] == b["question_hash"] != c["question_hash"]
    # a fresh log in the same folder reuses the salt file: same hashes after a restart
    again = AuditLog(tmp_path / "audit.jsonl").record(make_answer(), "web", "jane")
    assert again["user_hash"] == a["user_hash"]
    # another salt, other hashes; the env variable wins over the file
    monkeypatch.setenv(SALT_ENV, "another-salt")
    other = AuditLog(tmp_path / "audit.jsonl").record(make_answer(), "web", "jane")
    assert other["user_hash"] != a["user_hash"] and other["question_hash"] != a["question_hash"]
    assert other["question_hash"] == question_hash(QUESTION, b"another-salt")


def test_salt_file_is_private_and_created_once(tmp_path):
    salts = []
    threads = [
        threading.Thread(target=lambda: salts.append(load_salt(tmp_path / "d"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    salt_file = tmp_path / "d" / SALT_FILENAME
    assert len(set(salts)) == 1 and len(salts[0]) == 64
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "d").iterdir()] == [SALT_FILENAME]  # no temp files left


def test_log_file_is_private(tmp_path):
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record(make_answer(), "web")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _write_many(path: str, tag: str, n: int) -> None:
    log = AuditLog(Path(path))
    for i in range(n):
        log.record(make_answer(timings_ms={"total": float(i)}), interface=f"{tag}-{i}", user=tag)


def test_concurrent_threads_and_processes_lose_nothing(tmp_path):
    path = tmp_path / "audit.jsonl"
    AuditLog(path).salt  # noqa: B018  (create the salt first so every writer shares it)
    threads = [
        threading.Thread(target=_write_many, args=(str(path), f"t{k}", 50)) for k in range(8)
    ]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_write_many, args=(str(path), f"p{k}", 100)) for k in range(2)]
    for w in (*threads, *procs):
        w.start()
    for w in (*threads, *procs):
        w.join(timeout=120)
    assert all(p.exitcode == 0 for p in procs)
    lines = path.read_text().splitlines()
    assert len(lines) == 8 * 50 + 2 * 100
    interfaces = {json.loads(line)["interface"] for line in lines}  # every line is valid JSON
    assert len(interfaces) == len(lines)
    assert os.path.exists(str(path) + ".lock")

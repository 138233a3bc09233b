"""Every record the assistant keeps, fed the independently written PHI messages
(``evals/datasets/phi_*.jsonl``), holds no identifier the redactor removes: the feedback log
redacts every free-text field, the audit log keeps hashes only, and log lines are redacted.

What the redactor misses (listed by ``python -m evals.phi``) is the only thing that may reach
the feedback log or a log line; the audit log holds none of the identifiers at all. The files
written here are scanned again at the end of the session (``tests/test_log_scan.py``).
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache

from assistant.audit import AuditLog
from assistant.feedback import FeedbackLog
from core.logging_setup import RedactingFilter
from core.redact import find_identifiers
from core.types import Answer
from evals.phi import covered_mask, is_removed, load_split

DISTINCT_KINDS = {"cin", "bic", "member_id", "account", "claim_member", "ssn", "dob", "phone",
                  "email", "address", "name"}


def distinctive(text: str, kind: str) -> bool:
    """Long or specific enough that finding it in a record cannot be chance."""
    if kind == "name":
        return len(text.split()) >= 2 and len(text) >= 8
    return kind in DISTINCT_KINDS and len(text) >= 6 and any(c.isdigit() or c == "@" for c in text)


@lru_cache(maxsize=1)
def phi_identifiers() -> tuple[list[dict], set[str], set[str]]:
    """The PHI messages, the distinctive identifiers the redactor removes from them, and the
    ones it misses (from the same messages)."""
    rows = load_split("dev") + load_split("test")
    removed, missed = set(), set()
    for row in rows:
        mask = covered_mask(len(row["text"]), find_identifiers(row["text"]))
        for item in row["member"]:
            if distinctive(item["text"], item["kind"]):
                (removed if is_removed(row["text"], item["text"], mask) else missed).add(
                    item["text"])
    # a text that is member data in one message and kept in another ("2/27/2025" a birth date
    # here, a date of service there; "Maria Lopez" a member, "Dr. Maria Lopez" a provider) may
    # rightly stay where it is kept, so it is not looked for
    kept = {item["text"] for row in rows for item in row.get("keep", [])}
    ambiguous = {i for i in removed | missed if any(i in k or k in i for k in kept if len(k) > 3)}
    return rows, removed - missed - ambiguous, missed - ambiguous


def present(text: str, identifiers: set[str]) -> set[str]:
    return {i for i in identifiers if re.search(rf"(?<![\w]){re.escape(i)}(?![\w])", text)}


def test_the_phi_set_gives_many_identifiers_to_look_for():
    rows, removed, missed = phi_identifiers()
    assert len(rows) >= 500
    assert len(removed) >= 500
    assert len(missed) <= 0.05 * (len(removed) + len(missed))


def test_feedback_audit_and_logs_hold_only_what_the_redactor_misses(tmp_path):
    rows, removed, missed = phi_identifiers()
    feedback = FeedbackLog(tmp_path / "var" / "feedback.jsonl")
    audit = AuditLog(tmp_path / "var" / "audit.jsonl")
    log_file = tmp_path / "var" / "assistant.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.phi_records")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for row in rows:
            text = row["text"]
            feedback.record(answer_id=row["id"], question=text, answer="See the manual [1].",
                            rating="down", comment=f"wrong for {text}", correct_answer=text,
                            interface="web", citations=["lactation-0003"], user="rep@clinic")
            audit.record(Answer(question=text, answer="See the manual [1].", abstained=True,
                                abstain_reason="member_specific"), interface="slack",
                         user="U024BE7LH")
            logger.info("question from %s: %s", "web", text)
    finally:
        logger.removeHandler(handler)
        handler.close()

    fb_text = feedback.path.read_text(encoding="utf-8")
    audit_text = audit.path.read_text(encoding="utf-8")
    log_text = log_file.read_text(encoding="utf-8")
    assert len(feedback.read()) == len(rows) and len(audit.read()) == len(rows)
    for name, text in (("feedback", fb_text), ("log", log_text)):
        leaked = present(text, removed)
        assert not leaked, f"{name} holds identifiers the redactor removes: {sorted(leaked)[:10]}"
        assert present(text, removed | missed) <= missed
    assert not present(audit_text, removed | missed), "the audit log must hold hashes only"
    for line in audit_text.splitlines():
        entry = json.loads(line)
        assert "question" not in entry and entry["question_hash"] and entry["user_hash"]

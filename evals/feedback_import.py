"""Thumbs-down feedback -> candidate eval cases for a person to review.

Reads the feedback log (JSON lines: time, interface, answer_id, question, answer, rating,
comment, correct_answer, citations), keeps the ``rating == "down"`` entries and appends one
candidate per new question to the output file, marked ``needs_review: true`` (the eval run
skips such cases). The rep's correct answer becomes ``reference_answer``; the reviewer adds
``doc_id``/``section``/``key_facts`` (or ``expect: "refuse"`` / ``verdict``), drops
``needs_review`` and moves the case into a dataset. A question already in the datasets or the
output file (compared case- and punctuation-insensitively) or an answer_id already imported is
not added again. Text is passed through the member-identifier redactor before it is written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.cases import DATASET_DIR
from evals.metrics import normalize

DEFAULT_OUT = Path(__file__).resolve().parent / "candidates" / "feedback.jsonl"
_PUNCT = re.compile(r"[^\w\s]")
# Fallback only, when core.redact is not available: long digit-bearing tokens (member IDs,
# claim numbers) and slash dates.
_ID_LIKE = re.compile(r"\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{7,}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")


@dataclass
class ImportSummary:
    read: int = 0
    malformed: int = 0
    thumbs_down: int = 0
    added: int = 0
    duplicates: int = 0

    def __str__(self) -> str:
        return (f"{self.read} feedback entries read ({self.malformed} malformed), "
                f"{self.thumbs_down} thumbs-down, {self.added} candidates added, "
                f"{self.duplicates} duplicates skipped")


def question_key(question: str) -> str:
    """Case-, dash- and punctuation-insensitive identity of a question."""
    return " ".join(_PUNCT.sub(" ", normalize(question)).split())


def _redactor():
    try:
        from core.redact import redact
    except ImportError:
        return lambda text: _ID_LIKE.sub("[ID]", text)
    return redact


def _read_jsonl(path: Path) -> Iterable[dict[str, Any] | None]:
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            yield None
            continue
        yield rec if isinstance(rec, dict) else None


def known_keys(paths: Iterable[Path]) -> tuple[set[str], set[str]]:
    """(question keys, answer ids) already present in the given JSONL files."""
    questions, answer_ids = set(), set()
    for path in paths:
        for rec in _read_jsonl(Path(path)):
            if rec and isinstance(rec.get("question"), str):
                questions.add(question_key(rec["question"]))
            if rec and rec.get("source", {}).get("answer_id"):
                answer_ids.add(rec["source"]["answer_id"])
    return questions, answer_ids


def _cited(citations: Any) -> list[dict[str, Any]]:
    out = []
    for c in citations or []:
        if isinstance(c, dict):
            out.append({k: c[k] for k in ("doc_id", "section", "chunk_id") if k in c})
        elif isinstance(c, str):
            out.append({"chunk_id": c})
    return out


def to_candidate(entry: dict[str, Any], redact=None) -> dict[str, Any]:
    """One thumbs-down entry -> a candidate case (pure but for the redactor)."""
    redact = redact or _redactor()
    question = redact(str(entry.get("question") or "").strip())

    def clean(value: Any) -> str | None:
        return redact(str(value)).strip() if value else None

    digest = hashlib.sha256(question_key(question).encode()).hexdigest()[:10]
    return {
        "id": f"fb-{digest}",
        "question": question,
        "reference_answer": clean(entry.get("correct_answer")),
        "comment": clean(entry.get("comment")),
        "previous_answer": clean(entry.get("answer")),
        "previous_citations": _cited(entry.get("citations")),
        "needs_review": True,
        "source": {"type": "feedback", "answer_id": entry.get("answer_id"),
                   "time": entry.get("time"), "interface": entry.get("interface")},
    }


def import_feedback(feedback: Path, out: Path = DEFAULT_OUT,
                    dataset_files: Iterable[Path] | None = None) -> ImportSummary:
    """Append new thumbs-down candidates from ``feedback`` to ``out``; return the counts."""
    feedback, out = Path(feedback), Path(out)
    files = list(dataset_files) if dataset_files is not None else sorted(DATASET_DIR.glob("*.jsonl"))
    seen_q, seen_ids = known_keys([*files, out])
    summary, new, redact = ImportSummary(), [], _redactor()
    # The web page writes a rating at once and a fuller line (comment, correct answer) with the
    # same answer_id later: the last line of an answer is the one that counts.
    latest: dict[Any, dict[str, Any] | None] = {}
    for i, entry in enumerate(_read_jsonl(feedback)):
        key = entry.get("answer_id") if isinstance(entry, dict) and entry.get("answer_id") \
            else ("line", i)
        latest.pop(key, None)
        latest[key] = entry
        summary.read += 1
    for entry in latest.values():
        if entry is None or not isinstance(entry.get("question"), str) or not entry["question"].strip():
            summary.malformed += 1
            continue
        if str(entry.get("rating", "")).lower() != "down":
            continue
        summary.thumbs_down += 1
        cand = to_candidate(entry, redact)
        key, aid = question_key(cand["question"]), cand["source"]["answer_id"]
        if key in seen_q or (aid and aid in seen_ids):
            summary.duplicates += 1
            continue
        seen_q.add(key)
        if aid:
            seen_ids.add(aid)
        new.append(cand)
    if new:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("a", encoding="utf-8") as fh:
            for cand in new:
                fh.write(json.dumps(cand, ensure_ascii=False) + "\n")
    summary.added = len(new)
    return summary


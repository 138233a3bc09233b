"""Read and check the eval datasets (JSON lines). A case's kind comes from its fields:

- ``expect: "refuse"``            -> unanswerable (the assistant must refuse)
- ``verdict`` (+ optional ``accept``) -> billing (a rule verdict is expected)
- ``key_facts`` + ``history``     -> multiturn (a follow-up in a conversation)
- ``key_facts``                   -> answerable
- ``needs_review: true``          -> candidate (imported feedback; skipped until reviewed)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATASET_DIR = Path(__file__).resolve().parent / "datasets"
KINDS = ("answerable", "unanswerable", "billing", "multiturn")
VERDICT_KINDS = ("eligible", "not_eligible", "conditional", "unknown")


class DatasetError(ValueError):
    """A dataset line is malformed; the message names file and line."""


def default_files() -> list[Path]:
    return sorted(DATASET_DIR.glob("*.jsonl"))


def kind_of(rec: dict[str, Any]) -> str:
    if rec.get("needs_review"):
        return "candidate"
    if rec.get("expect") == "refuse":
        return "unanswerable"
    if "verdict" in rec:
        return "billing"
    if "key_facts" in rec:
        return "multiturn" if rec.get("history") else "answerable"
    raise ValueError("cannot tell the kind: needs expect='refuse', verdict or key_facts")


def _check(rec: dict[str, Any], kind: str) -> None:
    if not isinstance(rec.get("question"), str) or not rec["question"].strip():
        raise ValueError("'question' must be a non-empty string")
    for turn in rec.get("history") or []:
        if turn.get("role") not in ("user", "assistant") or not isinstance(turn.get("content"), str):
            raise ValueError("history turns need role user|assistant and content")
    if kind in ("answerable", "multiturn"):
        if not rec.get("doc_id") or not rec.get("section"):
            raise ValueError("'doc_id' and 'section' are required")
        facts = rec.get("key_facts")
        if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and f for f in facts):
            raise ValueError("'key_facts' must be a non-empty list of strings")
    if kind == "billing":
        accepted = [rec["verdict"]] + list(rec.get("accept") or [])
        bad = [v for v in accepted if v not in VERDICT_KINDS]
        if bad:
            raise ValueError(f"unknown verdict kind(s) {bad}; use one of {VERDICT_KINDS}")


def read_file(path: Path) -> list[dict[str, Any]]:
    """Cases of one file, each with ``kind`` and ``dataset`` (the file stem) added."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise DatasetError(f"{path}:{n}: each line must be a JSON object")
            kind = kind_of(rec)
            if kind != "candidate":
                _check(rec, kind)
        except ValueError as exc:  # JSONDecodeError is a ValueError
            raise DatasetError(f"{path}:{n}: {exc}") from None
        rec.setdefault("id", f"{Path(path).stem}-{n}")
        out.append({**rec, "kind": kind, "dataset": Path(path).stem})
    return out


def load(files: Iterable[Path]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(runnable cases, skipped candidates) from ``files``; ids must be unique."""
    cases, skipped, seen = [], [], set()
    for path in files:
        for rec in read_file(path):
            if rec["kind"] == "candidate":
                skipped.append(rec)
                continue
            if rec["id"] in seen:
                raise DatasetError(f"{path}: duplicate case id {rec['id']!r}")
            seen.add(rec["id"])
            cases.append(rec)
    return cases, skipped


def accepted_verdicts(case: dict[str, Any]) -> list[str]:
    """The verdict kinds a billing case accepts (``verdict`` first)."""
    return [case["verdict"]] + [v for v in case.get("accept") or [] if v != case["verdict"]]

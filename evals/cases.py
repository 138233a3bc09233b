"""Read and check the eval datasets (JSON lines). A case's kind comes from its fields:

- ``expect: "refuse"``            -> unanswerable (the assistant must refuse)
- ``verdict`` (+ optional ``accept``) -> billing (a rule verdict is expected)
- ``key_facts`` + ``history``     -> multiturn (a follow-up in a conversation)
- ``key_facts``                   -> answerable
- ``needs_review: true``          -> candidate (imported feedback; skipped until reviewed)

Every case belongs to a ``split``: ``dev`` (tune and calibrate on it) or ``test`` (report and gate
on it; never tune on it). A case without one is ``dev``. Answerable cases may list ``parts``
(``[{"ask": ..., "key_facts": [...]}]``, a part with ``"answerable": false`` is one the manual does
not answer and must be marked so); a billing case's ``verdict: "none"`` means no verdict may appear.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATASET_DIR = Path(__file__).resolve().parent / "datasets"
KINDS = ("answerable", "unanswerable", "billing", "multiturn")
VERDICT_KINDS = ("eligible", "not_eligible", "conditional", "unknown")
NO_VERDICT = "none"  # a billing-sounding question outside every rule pack: no verdict may appear
SPLITS = ("dev", "test")


class DatasetError(ValueError):
    """A dataset line is malformed; the message names file and line."""


SEED_DIR = DATASET_DIR / "seed"  # the team's own cases on the shipped page (dev material)


def seed_files() -> list[Path]:
    """The first team's cases about the shipped lactation page alone: run them against the
    shipped corpus (``python -m evals --corpus corpus --dataset ...``), not the eval manual,
    where some of their 'unanswerable' questions have answers on other pages."""
    return sorted(SEED_DIR.glob("*.jsonl"))


def default_files() -> list[Path]:
    """Every dataset of answers and verdicts (the redaction set ``phi_*`` has its own runner)."""
    return sorted(p for p in DATASET_DIR.glob("*.jsonl") if not p.name.startswith("phi_"))


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
    if rec.get("split", "dev") not in SPLITS:
        raise ValueError(f"'split' must be one of {SPLITS}")
    if kind in ("answerable", "multiturn"):
        if not rec.get("doc_id") or not rec.get("section"):
            raise ValueError("'doc_id' and 'section' are required")
        _check_facts(rec.get("key_facts"))
        for part in rec.get("parts") or []:
            if not isinstance(part, dict) or not isinstance(part.get("ask"), str):
                raise ValueError("each part needs 'ask' (and 'key_facts' unless answerable: false)")
            if part.get("answerable", True):
                _check_facts(part.get("key_facts"))
    if kind == "billing":
        accepted = [rec["verdict"]] + list(rec.get("accept") or [])
        bad = [v for v in accepted if v not in (*VERDICT_KINDS, NO_VERDICT)]
        if bad:
            raise ValueError(f"unknown verdict kind(s) {bad}; use one of "
                             f"{(*VERDICT_KINDS, NO_VERDICT)}")


def _check_facts(facts: Any) -> None:
    if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and f for f in facts):
        raise ValueError("'key_facts' must be a non-empty list of strings")


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
        rec.setdefault("split", "dev")
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


def accepted_verdicts(case: dict[str, Any]) -> list[str | None]:
    """The verdict kinds a billing case accepts (``verdict`` first; ``none`` reads as None:
    no verdict at all)."""
    kinds = [case["verdict"]] + [v for v in case.get("accept") or [] if v != case["verdict"]]
    return [None if k == NO_VERDICT else k for k in kinds]

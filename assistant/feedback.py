"""Feedback log: thumbs up/down on answers, one JSON line each, with member identifiers redacted.

Written by the web page and the Slack bot; read by ``python -m evals import-feedback``, which
turns thumbs-down entries into candidate eval cases. Every free-text field (question, answer,
comment, correct answer) goes through ``core.redact.redact`` before it is written; the user
is stored only as a salted hash (same salt as the audit log).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from assistant.audit import SaltedLog, append_jsonl, lock_for, user_hash, utc_now
from core.redact import redact

log = logging.getLogger(__name__)

Rating = Literal["up", "down"]
RATINGS = ("up", "down")


class FeedbackLog(SaltedLog):
    """Appends feedback entries to ``path`` (JSON lines) and reads them back."""

    def __init__(self, path: Path, salt_file: Path | None = None, max_field_chars: int = 10_000):
        super().__init__(path, salt_file)
        self.max_field_chars = max_field_chars
        self.corrupt_lines: list[int] = []  # line numbers skipped by the last read()

    def _clean(self, text: str) -> str:
        return redact(str(text or "")[: self.max_field_chars]).strip()

    def record(
        self,
        *,
        answer_id: str,
        question: str,
        answer: str,
        rating: Rating,
        comment: str = "",
        correct_answer: str = "",
        interface: str,
        citations: Sequence[str] = (),
        user: str | None = None,
    ) -> dict[str, Any]:
        """Append one entry and return it as written."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")
        if not interface:
            raise ValueError("interface is required (e.g. 'web', 'slack', 'cli')")
        entry = {
            "time": utc_now(),
            "interface": str(interface),
            "answer_id": str(answer_id),
            "rating": rating,
            "question": self._clean(question),
            "answer": self._clean(answer),
            "comment": self._clean(comment),
            "correct_answer": self._clean(correct_answer),
            "citations": [str(c)[:300] for c in citations],  # chunk ids of our own index
            "user_hash": user_hash(user, self.salt),
        }
        append_jsonl(self.path, entry)
        return entry

    def read(self) -> list[dict[str, Any]]:
        """Every entry, oldest first. Corrupt lines are skipped, logged (by line number, never
        their content) and listed in ``self.corrupt_lines``."""
        self.corrupt_lines = []
        if not self.path.exists():
            return []
        with lock_for(self.path):  # never read a line while it is being written
            data = self.path.read_bytes()
        out = []
        for n, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                rec = None
            if isinstance(rec, dict):
                out.append(rec)
            else:
                self.corrupt_lines.append(n)
        if self.corrupt_lines:
            log.warning(
                "Skipped %d corrupt line(s) in %s (line %s). The other entries were read.",
                len(self.corrupt_lines),
                self.path,
                ", ".join(map(str, self.corrupt_lines[:20])),
            )
        return out

"""Audit log: one JSON line per answer, with nothing raw from the question or the user.

Each line holds the time (UTC), the interface, a salted hash of the user and of the question,
the chunk ids cited and retrieved, the verdict (kind + rule id), the answerer, whether it
abstained and why, how many sentences the verifier removed, whether the rule guard corrected
the text, and the total latency. The salt comes from ``PMA_AUDIT_SALT`` or from a file created
with mode 0600 beside the log on first use, so hashes are stable across restarts but cannot be
reversed by hashing guesses without the salt.

``append_jsonl`` and the salt helpers are shared with ``assistant.feedback``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.redact import redact
from core.types import Answer

SALT_ENV = "PMA_AUDIT_SALT"
SALT_FILENAME = ".audit_salt"
LOCK_TIMEOUT_S = 30.0

_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


# ------------------------------------------------------------------ salt and hashes
def load_salt(data_dir: Path, salt_file: Path | None = None) -> bytes:
    """The hashing salt: $PMA_AUDIT_SALT, else the salt file (created 0600 on first use)."""
    env = os.environ.get(SALT_ENV)
    if env:
        return env.encode("utf-8")
    path = Path(salt_file) if salt_file else Path(data_dir) / SALT_FILENAME
    try:
        return _read_salt(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_hex(32).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic: exactly one writer wins, nobody reads a half-written salt
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read_salt(path)


def _read_salt(path: Path) -> bytes:
    salt = path.read_bytes().strip()
    if not salt:
        raise ValueError(
            f"The salt file {path} is empty. Delete it; a new one is made on next use."
        )
    return salt


def salted_hash(value: str, salt: bytes) -> str:
    """HMAC-SHA256 of value keyed by the salt, hex."""
    return hmac.new(salt, value.encode("utf-8"), hashlib.sha256).hexdigest()


def user_hash(user: str | None, salt: bytes) -> str | None:
    return None if user is None or user == "" else salted_hash("user:" + user, salt)


def question_hash(question: str, salt: bytes) -> str:
    """Same hash for the same question up to case and spacing."""
    return salted_hash("question:" + " ".join(question.casefold().split()), salt)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# ------------------------------------------------------------------ appends
def _thread_lock(path: Path) -> threading.Lock:
    key = os.path.abspath(path)
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())


def lock_for(path: Path):
    """The inter-process lock guarding a JSONL file (a FileLock on '<file>.lock')."""
    from filelock import FileLock  # light, but only needed when something is written

    return FileLock(path.with_name(path.name + ".lock"), timeout=LOCK_TIMEOUT_S)


def append_jsonl(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line; safe across threads and processes (thread lock + file lock +
    one O_APPEND write of the whole line)."""
    path = Path(path)
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock(path), lock_for(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


# ------------------------------------------------------------------ the audit log
class SaltedLog:
    """A JSON-lines file whose identifying fields are hashed with the data folder's salt."""

    def __init__(self, path: Path, salt_file: Path | None = None):
        self.path = Path(path)
        self.salt_file = salt_file
        self._salt: bytes | None = None

    @property
    def salt(self) -> bytes:
        if self._salt is None:
            self._salt = load_salt(self.path.parent, self.salt_file)
        return self._salt


class AuditLog(SaltedLog):
    """Appends one JSON line per answer to ``path``."""

    def entry(self, answer: Answer, interface: str, user: str | None = None) -> dict[str, Any]:
        """The line recorded for an answer (no raw question, answer text or user)."""
        v = answer.verdict
        timings = answer.timings_ms or {}
        latency = timings.get("total", sum(timings.values()) if timings else None)
        return {
            "time": utc_now(),
            "interface": interface,
            "answer_id": answer.id,
            "user_hash": user_hash(user, self.salt),
            "question_hash": question_hash(answer.question, self.salt),
            "chunk_ids": [c.chunk_id for c in answer.citations],
            "context_ids": [c.chunk_id for c in answer.contexts],
            "verdict": {"kind": v.verdict, "rule_id": v.rule_id} if v else None,
            "answerer": answer.answerer,
            "abstained": answer.abstained,
            "abstain_reason": redact(answer.abstain_reason) if answer.abstain_reason else None,
            "removed_sentences": answer.removed_sentences,
            "corrected_by_rule": answer.corrected_by_rule,
            "latency_ms": round(latency, 1) if latency is not None else None,
        }

    def record(self, answer: Answer, interface: str, user: str | None = None) -> dict[str, Any]:
        entry = self.entry(answer, interface, user)
        append_jsonl(self.path, entry)
        return entry

    def read(self) -> list[dict[str, Any]]:
        """Every entry (corrupt lines skipped)."""
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
        return out

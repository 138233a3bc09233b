"""Scanning stored files for member identifiers: the check run over logs, the audit log and the
feedback log after a test run (``tests/test_zz_log_scan.py``) or by hand. It reports where and
what kind, never the value itself."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from core.phi.detect import KINDS, Span

# Kinds a scan of logs and stored files looks for: a plain date (log timestamps) is not one.
SCAN_KINDS = frozenset(KINDS) - {"DATE"}


def texts_of(line: str) -> list[str]:
    """The line itself, or each string of a JSON line (so escapes like \\n and the next field
    do not make a context the text never had)."""
    stripped = line.strip()
    if stripped[:1] not in ("{", "["):
        return [line]
    try:
        value = json.loads(stripped)
    except ValueError:
        return [line]
    out: list[str] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out


def scan_files(
    paths: Iterable[Path | str], kinds: Iterable[str] = SCAN_KINDS,
    find: Callable[[str], list[Span]] | None = None,
) -> list[dict[str, Any]]:
    """Identifiers found in text files, as {"path", "line", "kind"} (never the value itself).

    Run over log, audit and feedback files after a test run: the expected result is [].
    A JSON line is scanned field by field. ``find`` defaults to
    ``core.redact.find_identifiers`` (the "log" level).
    """
    if find is None:
        from core.redact import find_identifiers as find
    wanted = frozenset(kinds)
    findings = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, start=1):
                kinds_here = []
                for text in texts_of(line):
                    kinds_here += [k for k, _s, _e in find(text) if k in wanted]
                findings.extend({"path": str(path), "line": n, "kind": kind}
                                for kind in sorted(set(kinds_here), key=kinds_here.index))
    return findings

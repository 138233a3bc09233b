"""Member identifiers out of what reps paste: find them, replace them with typed placeholders.

``redact(text)`` runs before a rep's message is logged, stored or searched, in every interface.
It replaces Medi-Cal client index numbers ([CIN]), benefits ID card numbers ([BIC]), member and
subscriber ids ([MEMBER_ID]), account, MRN and chart numbers ([ACCOUNT]), claim and
authorization numbers ([CLAIM]), SSNs and their last four ([SSN]), dates of birth ([DOB]), the
member's phone ([PHONE]), e-mail ([EMAIL]) and street address ([ADDRESS]), and member names
([NAME]) — and keeps what is not a member's: CPT/HCPCS/ICD-10 codes, NPIs and TINs, Health Net's
phone and fax numbers, form numbers, policy dates and dates of service, amounts, provider names,
paths, hashes and Slack ids.

Two levels: ``"log"`` (the default: logs, audit, feedback, search) removes what the detectors
are sure of; ``"llm"`` (``redact_for_llm``: what an outside model is sent) also removes the spans
they are unsure of (an unlabelled recent date, an unlabelled hyphenated number, a capitalised
pair of given names), so a doubtful span never leaves the building.

The detectors live in ``assistant/phi/`` (structured identifiers, names, word lists); how well
they do is measured by ``python -m evals.phi`` on messages written by someone who never read
them. Placeholders match no detector, so ``redact(redact(x)) == redact(x)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assistant.phi import structured as st
from assistant.phi.names import names
from assistant.phi.structured import Finding

Span = tuple[str, int, int]

KINDS = ("CIN", "BIC", "MEMBER_ID", "ACCOUNT", "CLAIM", "SSN", "DOB", "DATE", "PHONE", "EMAIL",
         "ADDRESS", "NAME")
LEVELS = ("log", "llm")
_PRIORITY = {"EMAIL": 9, "SSN": 8, "DOB": 7, "PHONE": 6, "DATE": 6, "CIN": 5, "BIC": 5,
             "MEMBER_ID": 5, "ACCOUNT": 5, "CLAIM": 5, "ADDRESS": 4, "NAME": 3}
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")
_MASK = "\ue000"  # neither a word character nor a space: a placeholder cues nothing
_NEXT_TO = re.compile(r"[\s,;:|/()\-\u2013\u2014]*")


def placeholder(kind: str) -> str:
    return f"[{kind}]"


def detect(text: str) -> list[Finding]:
    """Every candidate identifier in text, each marked sure or not (unmerged)."""
    if not text:
        return []
    masked = _PLACEHOLDER.sub(lambda m: _MASK * len(m.group()), text)
    guarded = st.guarded_spans(masked)
    kept = st.Occupied()
    found: list[Finding] = [f for f in st.emails(masked) if not guarded.overlaps(f.start, f.end)]
    found += st.phones_and_ssns(masked, kept)
    found += st.dates(masked, kept)
    found += st.addresses(masked, kept)
    taken = st.Occupied((f.start, f.end) for f in found)
    found += st.identifiers(masked, taken, kept, guarded)
    blocked = st.Occupied([(f.start, f.end) for f in found] + list(kept) + list(guarded))
    found += names(masked, [f for f in found if f.sure], blocked)
    return _dates_next_to_members(masked, found)


def _dates_next_to_members(text: str, found: list[Finding]) -> list[Finding]:
    """An unlabelled date right beside a member's name or id is that member's date of birth."""
    if not any(f.kind == "DATE" for f in found):
        return found
    starts = {f.start for f in found if f.sure and f.kind != "DOB"}
    ends = {f.end for f in found if f.sure and f.kind != "DOB"}
    out = []
    for f in found:
        if f.kind == "DATE" and not f.sure:
            before = any(p in ends and _NEXT_TO.fullmatch(text[p:f.start])
                         for p in range(max(0, f.start - 4), f.start + 1))
            after = any(p in starts and _NEXT_TO.fullmatch(text[f.end:p])
                        for p in range(f.end, min(len(text), f.end + 4) + 1))
            if before or after:
                f = Finding("DOB", f.start, f.end, True)
        out.append(f)
    return out


def find_identifiers(text: str, level: str = "log") -> list[Span]:
    """Member identifiers in text as (kind, start, end), sorted, non-overlapping."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    found = detect(text)
    if level == "log":
        found = [f for f in found if f.sure]
    return _merge(found)


def _merge(found: Iterable[Finding]) -> list[Span]:
    """Union of overlapping spans; a union keeps the kind of its highest-priority member."""
    out: list[list[Any]] = []  # [start, end, kind, prio]
    for f in sorted(found, key=lambda f: (f.start, -_PRIORITY[f.kind], f.end)):
        prio = _PRIORITY[f.kind]
        if out and f.start < out[-1][1]:
            last = out[-1]
            last[1] = max(last[1], f.end)
            if prio > last[3]:
                last[2], last[3] = f.kind, prio
        else:
            out.append([f.start, f.end, f.kind, prio])
    return [(k, s, e) for s, e, k, _p in out]


def redact(text: str, level: str = "log") -> str:
    """text with every member identifier replaced by its typed placeholder."""
    spans = find_identifiers(text, level)
    if not spans:
        return text
    parts, pos = [], 0
    for kind, s, e in spans:
        parts.append(text[pos:s])
        parts.append(placeholder(kind))
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def redact_for_llm(text: str) -> str:
    """What an outside LLM may see: sure and unsure identifiers removed."""
    return redact(text, level="llm")


def has_identifiers(text: str) -> bool:
    return bool(find_identifiers(text))


# Kinds a scan of logs and stored files looks for: a plain date (log timestamps) is not one.
SCAN_KINDS = frozenset(KINDS) - {"DATE"}


def _texts_of(line: str) -> list[str]:
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
    paths: Iterable[Path | str], kinds: Iterable[str] = SCAN_KINDS
) -> list[dict[str, Any]]:
    """Identifiers found in text files, as {"path", "line", "kind"} (never the value itself).

    Run over log, audit and feedback files after a test run: the expected result is [].
    A JSON line is scanned field by field.
    """
    wanted = frozenset(kinds)
    findings = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, start=1):
                kinds_here = []
                for text in _texts_of(line):
                    kinds_here += [k for k, _s, _e in find_identifiers(text) if k in wanted]
                for kind in sorted(set(kinds_here), key=kinds_here.index):
                    findings.append({"path": str(path), "line": n, "kind": kind})
    return findings

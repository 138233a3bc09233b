"""The detectors run together: every candidate member identifier in a text, and their union.

``detect(text)`` runs the structured detectors (``structured``: e-mail, SSN, phone, dates,
addresses, labelled and shaped identifiers), then the name detector (``names``), which reads
the structured findings as anchors, then the default-deny pass (``doubt``: what stands beside a
sure member identifier is the member's unless something explains it), and returns every
finding, sure or not. ``merge`` turns findings into sorted, non-overlapping ``(kind, start,
end)`` spans. Placeholders already in the text ("[NAME]") are masked first, so they match
nothing and cue nothing: redaction is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from core.phi import structured as st
from core.phi.doubt import beside_members
from core.phi.machine import guarded_spans, timestamps
from core.phi.names import names
from core.phi.spans import Finding, Occupied

Span = tuple[str, int, int]

KINDS = ("CIN", "BIC", "MEMBER_ID", "ACCOUNT", "CLAIM", "SSN", "DOB", "DATE", "PHONE", "EMAIL",
         "ADDRESS", "NAME")
PRIORITY = {"EMAIL": 9, "SSN": 8, "DOB": 7, "PHONE": 6, "DATE": 6, "CIN": 5, "BIC": 5,
            "MEMBER_ID": 5, "ACCOUNT": 5, "CLAIM": 5, "ADDRESS": 4, "NAME": 3}
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")
_MASK = "\ue000"  # neither a word character nor a space: a placeholder cues nothing
_NEXT_TO = re.compile(r"[\s,;:|/()\-\u2013\u2014]*")


def detect(text: str) -> list[Finding]:
    """Every candidate identifier in text, each marked sure or not (unmerged)."""
    if not text:
        return []
    masked = PLACEHOLDER.sub(lambda m: _MASK * len(m.group()), text)
    guarded = guarded_spans(masked)
    kept = Occupied()
    found: list[Finding] = [f for f in st.emails(masked) if not guarded.overlaps(f.start, f.end)]
    found += st.phones_and_ssns(masked, kept)
    found += st.dates(masked, kept, timestamps(masked))
    found += st.addresses(masked, kept)
    found += [f for f in st.edi(masked) if not guarded.overlaps(f.start, f.end)]
    taken = Occupied((f.start, f.end) for f in found)
    found += st.identifiers(masked, taken, kept, guarded)
    blocked = Occupied([(f.start, f.end) for f in found] + list(kept) + list(guarded))
    found += names(masked, [f for f in found if f.sure], blocked)
    found += _compact_dates_after_names(masked, found)
    found += _claims_for_members(masked, found, Occupied(list(kept) + list(guarded)))
    found = beside_members(masked, found, Occupied(list(kept) + list(guarded)))
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


_COMPACT_DATE = re.compile(r"(?<![\w-])(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{2}(?![\w-])")


def _compact_dates_after_names(text: str, found: list[Finding]) -> list[Finding]:
    """Six digits that read as a date (MMDDYY) right after a member's name are that member's
    date of birth: "vo, thanh 031877"."""
    ends = {f.end for f in found if f.kind == "NAME" and f.sure}
    out = []
    for m in _COMPACT_DATE.finditer(text):
        gap_start = next((p for p in range(max(0, m.start() - 4), m.start() + 1) if p in ends),
                         None)
        if gap_start is not None and _NEXT_TO.fullmatch(text, gap_start, m.start()) and \
                not any(f.start < m.end() and m.start() < f.end for f in found):
            out.append(Finding("DOB", m.start(), m.end()))
    return out


# "auth 88213 for Ms. Adeleke", "claim 4471 for pt", "PA 20931 of [NAME]": a short claim or
# authorization number is the member's when the words after it name the member.
_CLAIM_FOR = re.compile(
    r"(?<![\w-])(?:auth(?:orization)?s?|claims?|pa|tar|appeal|grievance|dispute|pdr|case)"
    r"[ \t]*(?:(?:\#|no\.?|number|num)[ \t]*)?:?[ \t]*(\d{4,8})[ \t]+(?:for|of|on|re)[ \t]+"
    r"(?:(?:the|my|our)[ \t]+)?", re.IGNORECASE)
_MEMBER_AFTER = re.compile(r"(?:pt|patient|member|mbr|enrollee|\ue000)\b|\ue000", re.IGNORECASE)


def _claims_for_members(text: str, found: list[Finding], kept: Occupied) -> list[Finding]:
    names_at = {f.start for f in found if f.kind == "NAME" and f.sure}
    taken = Occupied((f.start, f.end) for f in found)
    out = []
    for m in _CLAIM_FOR.finditer(text):
        s, e = m.span(1)
        if taken.overlaps(s, e) or kept.overlaps(s, e):
            continue
        if m.end() in names_at or _MEMBER_AFTER.match(text, m.end()):
            out.append(Finding("CLAIM", s, e))
    return out


def merge(found: Iterable[Finding]) -> list[Span]:
    """Union of overlapping spans; a union keeps the kind of its highest-priority member."""
    out: list[list[Any]] = []  # [start, end, kind, prio]
    for f in sorted(found, key=lambda f: (f.start, -PRIORITY[f.kind], f.end)):
        prio = PRIORITY[f.kind]
        if out and f.start < out[-1][1]:
            last = out[-1]
            last[1] = max(last[1], f.end)
            if prio > last[3]:
                last[2], last[3] = f.kind, prio
        else:
            out.append([f.start, f.end, f.kind, prio])
    return [(k, s, e) for s, e, k, _p in out]

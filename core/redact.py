"""Member identifiers out of what reps paste: find them, replace them with typed placeholders.

``redact(text)`` runs before a rep's message is logged, stored or searched, in every interface.
It replaces Medi-Cal client index numbers ([CIN]), benefits ID card numbers ([BIC]), member and
subscriber ids ([MEMBER_ID]), account, MRN and chart numbers ([ACCOUNT]), claim and
authorization numbers ([CLAIM]), SSNs and their last four ([SSN]), dates of birth ([DOB]), the
member's phone ([PHONE]), e-mail ([EMAIL]) and street address ([ADDRESS]), and member names
([NAME]) — and keeps what is not a member's: CPT/HCPCS/ICD-10 codes, NPIs and TINs, Health Net's
phone and fax numbers, form numbers, policy dates and dates of service, amounts, provider names,
paths, hashes, Slack ids and our own ids.

Two levels: ``"log"`` (the default: logs, audit, feedback, search) removes what the detectors
are sure of; ``"llm"`` (``redact_for_llm``: what an outside model is sent) also removes the spans
they are unsure of (an unlabelled recent date, an unlabelled hyphenated number, a capitalised
pair of given names), so a doubtful span never leaves the building.

This module is the API only. The detectors live in ``core/phi/`` (``detect`` runs them:
``structured``, ``names``, ``machine`` for what is never a member's, ``words`` for the word
lists); ``core.phi.scan`` scans stored files; ``core.phi.build_data`` rebuilds the
word lists taken from the manual's pages; how well it all does is measured by
``python -m evals.phi`` on messages written by someone who never read them. Placeholders match
no detector, so ``redact(redact(x)) == redact(x)``.
"""

from __future__ import annotations

from core.phi.detect import KINDS, PLACEHOLDER, Span, detect, merge
from core.phi.scan import SCAN_KINDS, scan_files

__all__ = ["KINDS", "LEVELS", "PLACEHOLDER", "SCAN_KINDS", "Span", "detect", "find_identifiers",
           "has_identifiers", "placeholder", "redact", "redact_for_llm", "scan_files"]

LEVELS = ("log", "llm")


def placeholder(kind: str) -> str:
    return f"[{kind}]"


def find_identifiers(text: str, level: str = "log") -> list[Span]:
    """Member identifiers in text as (kind, start, end), sorted, non-overlapping."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    found = detect(text)
    if level == "log":
        found = [f for f in found if f.sure]
    return merge(found)


def redact(text: str, level: str = "log") -> str:
    """text with every member identifier replaced by its typed placeholder.

    A placeholder can change what is read around it, so a second pass runs on the result; what
    comes out holds nothing the detector would find (the log scan uses the same detector)."""
    for _ in range(3):
        spans = find_identifiers(text, level)
        if not spans:
            return text
        parts, pos = [], 0
        for kind, s, e in spans:
            parts.append(text[pos:s])
            parts.append(placeholder(kind))
            pos = e
        parts.append(text[pos:])
        text = "".join(parts)
    return text


def redact_for_llm(text: str) -> str:
    """What an outside LLM may see: sure and unsure identifiers removed."""
    return redact(text, level="llm")


def has_identifiers(text: str) -> bool:
    return bool(find_identifiers(text))

"""What is never a member's identifier, though it has the shape of one: machine identifiers
(paths, links, hashes, uuids, ULIDs, Slack ids and timestamps, our own ids such as
"fb-35120030e5" or "venv-3f9a1c2b44", snake_case names), amounts, timestamps and plan names.

``guarded_spans(text)`` returns their ranges; no detector takes a span inside one, so a log line
stays readable ("venv-3f9a1c2b44/lib/..." does not become "venv-[MEMBER_ID]/lib/...").
Every pattern is anchored or bounded, so the cost stays linear in the text.
"""

from __future__ import annotations

import re

from core.phi.spans import Occupied

_PATH = re.compile(r"(?<![\w.@%+=~:/\\-])(?:[A-Za-z]:\\|~?\.{0,2}/)?[\w.@%+=~-]*"
                   r"(?:[/\\][\w.@%+=~-]*){2,}")
_URL = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
_HEX = re.compile(r"(?<![\w-])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{12,}(?![\w@-])"
                  r"|(?<![\w-])(?=[0-9A-F]*[A-F])(?=[0-9A-F]*\d)[0-9A-F]{16,}(?![\w@-])")
_UUID = re.compile(r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
                   r"-[0-9a-fA-F]{12}(?![\w-])")
# Slack ids (C0123ABCD, U024BE7LH, Ev0123ABCD) mix letters after digits; a member id does not.
_SLACK = re.compile(r"(?<![\w-])(?:Ev)?[A-Z][A-Z0-9]{7,11}(?![\w-])"
                    r"|(?<![\w.])\d{10}\.\d{6}(?![\w.])")
# A Slack id after the key that names it ("app A0254755380", "team_id: T0123456789"): even one with
# only digits after its letter, which has the shape of a member id.
_NAMED_SLACK_ID = re.compile(r"(?<![\w-])(?i:app|bot|team|channel|enterprise|event|user)(?:_id)?"
                             r"[\s:=\"']{1,4}(?:Ev)?[A-Z][A-Z0-9]{7,11}(?![\w-])")
# A long token with letters and digits interleaved (ULIDs, base32/base64 tokens, request ids):
# member ids are at most 17 characters, letters first or a single letter among digits.
_TOKEN = re.compile(r"(?<![\w.@-])[A-Za-z0-9+/=]{16,}(?![\w@-])")
# Our own ids and other machine names: a lower-case word joined by "-" to a hash or a number
# ("fb-35120030e5", "venv-3f9a1c2b44", "seg-000123", "sync-20250301"), or snake_case
# ("job_1712345678", "doc_0042_chunk_17"). A member label in front ("mbr-12345678") is not one.
_JOINED = re.compile(r"(?<![\w@.-])([a-z]{2,12}(?:[-_][a-z]{2,12})*)[-_]((?:\d[A-Za-z0-9]{0,63}"
                     r"|[0-9a-f]{2,64})(?:[-_.][A-Za-z0-9]{1,64}){0,4})(?![\w@-])")
_SNAKE = re.compile(r"(?<![\w@.-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w@-])")
_MEMBER_WORDS = frozenset(
    "cin bic mbr mbrs member mem mid sub subscriber id ids pt pts patient acct account mrn chart "
    "ssn ss soc social claim claims auth auths tar ref case icn dcn hn mc mcal medi ins insurance "
    "policy enc encounter visit fin har csn dob bday born ph phone cell tel home mobile cb "
    "callback contact record rec med mr hosp client recipient beneficiary enrollee card "
    "benefits".split())
# Health plans and programs: their names are never a member's ("Health Net", "L.A. Care").
_PLAN_NAMES = re.compile(
    r"\b(?:Health\s*Net(?:\s+of\s+California)?|(?:Medi[-\s]Cal|(?-i:MediCal|MEDICAL))"
    r"(?:\s+Rx)?|L\.?A\.?\s+Care|Covered\s+California|Kaiser(?:\s+Permanente)?"
    r"|Blue\s+(?:Shield|Cross)|Anthem|Molina(?:\s+Healthcare)?|CalViva(?:\s+Health)?"
    r"|Partnership\s+HealthPlan|Cal\s*MediConnect|CalAIM|Medicare|WellCare|Centene"
    r"|Community\s+Health\s+Group|Health\s+Plan\s+of\s+San\s+\w+)\b",
    re.IGNORECASE)
# "2026-12-02 01:02:28,123", "2026-12-02T01:02:28.123456+00:00", an access log's
# "02/Dec/2026:01:02:28 +0000": a machine's clock, never a birth date
TIMESTAMP = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                       r"(?:Z|[+-]\d{2}:?\d{2})?(?!\d)"
                       r"|(?<![\w/])\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?:[ \t][+-]\d{4})?(?!\d)")
# A short hash after the word that names it: "commit 7478763", "sha a653524f", "rev: 3f9a1c2"
_NAMED_HASH = re.compile(r"(?<![\w-])(?:commit|sha|hash|digest|rev|revision|HEAD\s+is\s+now\s+at)"
                         r"[\s:=#]{1,3}[0-9a-f]{7,40}(?![\w-])", re.IGNORECASE)
_MONEY = re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?|(?<![\w.])\d[\d,]*\.\d{2}(?![\d])")


def _slack_like(tok: str) -> bool:
    """Slack ids mix letters in after their first digit (two or more); member ids do not."""
    if tok[0].isdigit():
        return True  # the message timestamp
    first = next((i for i, c in enumerate(tok) if c.isdigit()), None)
    return first is not None and sum(c.isalpha() for c in tok[first:]) >= 2


def _interleaved(tok: str) -> bool:
    """Three or more runs of letters, digits among them: "01HV6Z3Q8K9T2M4N5P6R7S8T9V"."""
    runs = re.findall(r"[A-Za-z]+", tok)
    return len(runs) >= 3 and sum(c.isdigit() for c in tok) >= 3


def _machine_joined(prefix: str) -> bool:
    """A lower-case word joined to a number or a hash is ours ("fb-35120030e5", "seg-000123"),
    unless the word is a member label ("mbr-12345678", "cin-91234567a")."""
    return not any(w in _MEMBER_WORDS for w in re.split(r"[-_]", prefix))


def guarded_spans(text: str) -> Occupied:
    """Machine identifiers, paths, links, amounts, timestamps and plan names: never redacted."""
    spans = Occupied()
    for rx in (_URL, _HEX, _UUID, _MONEY, TIMESTAMP, _NAMED_HASH, _NAMED_SLACK_ID, _PLAN_NAMES,
               _SNAKE):
        for m in rx.finditer(text):
            spans.add(*m.span())
    for m in _SLACK.finditer(text):
        if _slack_like(m.group()):
            spans.add(*m.span())
    for m in _TOKEN.finditer(text):
        if _interleaved(m.group()):
            spans.add(*m.span())
    for m in _JOINED.finditer(text):
        if _machine_joined(m.group(1)):
            spans.add(*m.span())
    for m in _PATH.finditer(text):
        parts = re.split(r"[/\\]", m.group())
        if m.group()[0] in "/\\~." or sum(bool(re.search(r"[A-Za-z]{2}", p)) for p in parts) >= 2:
            spans.add(*m.span())
    return spans


def timestamps(text: str) -> Occupied:
    """Where a machine's clock is written: the dates in it are no one's birth date."""
    return Occupied(m.span() for m in TIMESTAMP.finditer(text))

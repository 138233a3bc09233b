"""Untrusted page text never reaches an answer: injected instructions, role markers and links
that leave Health Net.

Ingest flags suspicious pages (core/flags.py); this module is the answer side's check.
``unsafe_text`` says whether a piece of text may not be quoted; ``quotable`` says whether one
span of a passage may be quoted (a span is tainted by the whole paragraph around it, so the
"fact" that follows an injected instruction is not trusted either); ``masked_passages`` hands
an LLM copies of the passages without tainted paragraphs; ``scrub_links`` removes from an
answer every link that is not the url of one of its citations (or a Health Net link quoted
from the manual).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from core import flags as fl
from core.types import Citation, Passage

LINK_REMOVED = "(link removed)"

# Beyond ingest's patterns (injected instructions, role markers, chat markup: ``unsafe_text``
# checks them first): text that speaks to the model instead of to providers.
_EXTRA_PATTERNS = [
    r"\b(?:as\s+an?\s+(?:ai|assistant|language\s+model|chatbot))\b",
    (r"\b(?:the|this|an?)\s+(?:ai|assistant|chatbot|language\s+model|llm|bot)\s+"
     r"(?:must|should|shall|will|needs?\s+to|has\s+to)\b"),
    r"\b(?:respond|reply|answer)\s+(?:only\s+)?with\b[^.!?\n]{0,60}\b(?:yes|eligible|approved)\b",
    r"\b(?:reveal|print|repeat|show)\s+(?:your|the)\s+(?:prompt|instructions|rules)\b",
    (r"\b(?:do\s+not|don't|never)\s+(?:cite|mention|tell|reveal)\b[^.!?\n]{0,40}"
     r"\b(?:source|manual|passage|user|provider)s?\b"),
    r"\boverride\b[^.!?\n]{0,30}\b(?:instructions|rules|prompt|verdict|policy)\b",
    r"(?:^|[\n.!?]\s*)(?:system|assistant|user|human|ai|developer)\s*:",
]
_EXTRA = re.compile("|".join(f"(?:{p})" for p in _EXTRA_PATTERNS), re.IGNORECASE)

# Links: explicit (scheme or www.), e-mail addresses, and bare host names with a common TLD.
_TLDS = ("com|net|org|info|biz|io|co|us|gov|edu|ru|cn|xyz|top|site|online|app|dev|ly|me|tk|"
         "example|test|invalid|local")
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]{1,15}://|www\.)[^\s<>\"'\[\]{}|\\^`]{1,500}",
                  re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@((?:[a-z0-9-]{1,63}\.){1,10}[a-z]{2,24})\b", re.IGNORECASE)
_BARE_HOST = re.compile(
    rf"(?<![\w@./-])((?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.){{1,10}}(?:{_TLDS}))\b"
    r"(?:/[^\s<>\"'\[\]{}|\\^`]{0,500})?", re.IGNORECASE)
_CODE_SCHEMES = ("javascript", "data", "vbscript", "file")
_PARAGRAPH = re.compile(r"\n\s*\n")


def links_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, link) for every link-like thing in ``text``: URLs, e-mails, bare hosts.
    Overlapping matches are one link (their union), so removing it leaves no piece behind."""
    spans = []
    for rx in (_URL, _EMAIL, _BARE_HOST):
        for m in rx.finditer(text):
            link = m.group(0).rstrip(".,;:!?)")
            if link:
                spans.append((m.start(), m.start() + len(link)))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b, text[a:b]) for a, b in merged]


def _host(link: str) -> str | None:
    m = _EMAIL.fullmatch(link)
    if m:
        return m.group(1).lower()
    if not re.match(r"(?i)[a-z][a-z0-9+.-]{1,15}://|www\.", link):
        link = "http://" + link
    return fl.link_host(link)


def is_trusted_link(link: str) -> bool:
    """A link to a Health Net or allow-listed government domain over http(s) (or an e-mail
    address there); Settings.trusted_link_domains sets the list."""
    m = re.match(r"([a-z][a-z0-9+.-]*):", link, re.IGNORECASE)
    if m and m.group(1).lower() in _CODE_SCHEMES:
        return False
    host = _host(link)
    return bool(host) and fl.is_trusted_host(host)


@lru_cache(maxsize=4096)
def unsafe_text(text: str) -> bool:
    """Instruction-like text, role markers or chat markup, invisible characters, or a link
    that leaves Health Net's domains: never quoted, never accepted as support."""
    if not text:
        return False
    if fl.instruction_flags(text) or _EXTRA.search(text):
        return True
    if fl.strip_invisible(text)[1]:
        return True
    if re.search(r"(?i)\b(?:javascript|vbscript|data)\s*:", text):
        return True
    return any(not is_trusted_link(link) for _, _, link in links_in(text))


fl._ON_CONFIGURE.append(unsafe_text.cache_clear)


def paragraph_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The blank-line-delimited paragraph(s) of ``text`` around ``start:end``."""
    a = 0
    for m in _PARAGRAPH.finditer(text, 0, start):
        a = m.end()
    m = _PARAGRAPH.search(text, max(end, start))
    b = m.start() if m else len(text)
    return a, max(b, end)


def quotable(text: str, start: int, end: int) -> bool:
    """May ``text[start:end]`` be quoted? Not when it or its paragraph is unsafe."""
    a, b = paragraph_span(text, start, end)
    return not unsafe_text(text[start:end]) and not unsafe_text(text[a:b])


def unsafe_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of ``text`` that are unsafe."""
    out, pos = [], 0
    for m in [*_PARAGRAPH.finditer(text), None]:
        end = m.start() if m else len(text)
        if unsafe_text(text[pos:end]):
            out.append((pos, end))
        pos = m.end() if m else end
    return out


def masked_passages(passages: list[Passage]) -> list[Passage]:
    """Copies of ``passages`` whose unsafe paragraphs are left out (same order and numbering),
    for answerers that see the whole text (the LLM). Whatever such an answerer quotes from a
    copy is still a substring of the original, so verification works on the originals."""
    out = []
    for p in passages:
        text = p.chunk.text
        bad = unsafe_paragraphs(text)
        if not bad:
            out.append(p)
            continue
        kept, pos = [], 0
        for a, b in [*bad, (len(text), len(text))]:
            if text[pos:a].strip():
                kept.append((pos, a))
            pos = b
        pieces, sentences, offset = [], [], 0
        for a, b in kept:
            a += len(text[a:b]) - len(text[a:b].lstrip())
            b -= len(text[a:b]) - len(text[a:b].rstrip())
            shift = offset - a
            sentences += [(x + shift, y + shift) for x, y in p.chunk.sentences if a <= x and y <= b]
            pieces.append(text[a:b])
            offset += b - a + 2
        chunk = p.chunk.model_copy(update={"text": "\n\n".join(pieces), "sentences": sentences})
        out.append(p.model_copy(update={"chunk": chunk, "parts": []}))
    return out


def allowed_links(citations: Iterable[Citation]) -> set[str]:
    """Links an answer may contain: its citations' urls, and Health Net links that its
    citations quote from the manual."""
    allowed: set[str] = set()
    for c in citations:
        if c.url:
            allowed.add(_norm(c.url))
        allowed.update(_norm(link) for _, _, link in links_in(c.quote) if is_trusted_link(link))
    return allowed


def scrub_links(text: str, citations: Iterable[Citation]) -> tuple[str, int]:
    """``text`` with every link not in ``allowed_links(citations)`` replaced; and how many."""
    allowed = allowed_links(citations)
    removed = 0
    for _ in range(5):  # what is left around a removed link is checked again
        pieces, pos, found = [], 0, 0
        for a, b, link in links_in(text):
            if _norm(link) in allowed:
                continue
            pieces += [text[pos:a], LINK_REMOVED]
            pos, found = b, found + 1
        if not found:
            break
        pieces.append(text[pos:])
        text, removed = "".join(pieces), removed + found
    return text, removed


def _norm(link: str) -> str:
    return link.strip().rstrip("/").lower()

"""Suspicious content in manual pages (prompt-injection defence).

Every flag is a string ``"<kind>: <detail>"``; the kinds are the constants below. Loaders
remove hidden text and comments (and flag them); visible instruction-like text is kept and
flagged, and the answer side decides what to do with it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from core.settings import HEALTH_NET_DOMAINS, TRUSTED_LINK_DOMAINS

HIDDEN_TEXT = "hidden_text"
HTML_COMMENT = "html_comment"
INSTRUCTION_LIKE = "instruction_like"
EXTERNAL_LINK = "external_link"
UNSAFE_LINK = "unsafe_link"
INVISIBLE_CHARACTERS = "invisible_characters"

# Domains whose links are normal manual content; any other link in a page body is flagged.
# Settings.trusted_link_domains is the source: its default until configure_trusted_domains()
# sets the configured list (the ingest and the Assistant do, from their Settings).
TRUSTED_DOMAINS: tuple[str, ...] = TRUSTED_LINK_DOMAINS

# Chat-template markup (ChatML, Llama's [INST] and <<SYS>>): never manual content. The answer
# side (assistant/safety.py) reads it through ``instruction_flags``.
CHAT_MARKUP = r"<\|?(?:im_start|im_end|system|endoftext)\|?>|\[/?INST\]|<</?SYS>>"

# (label, pattern) searched case-insensitively in body text. Bounded quantifiers only.
INSTRUCTION_PATTERNS: list[tuple[str, str]] = [
    ("ignore instructions", (
     r"\bignore\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous\s+|prior\s+|above\s+|earlier\s+"
     r"|preceding\s+|other\s+)?(?:instructions|directions|rules|prompts?)\b")),
    ("disregard", (r"\bdisregard\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:above|previous"
                  r"|prior|earlier|preceding|instructions|rules|guidelines)\b")),
    ("forget", (r"\bforget\s+(?:all|everything|your)\b(?:\s+\w+){0,3}?\s+(?:instructions|rules"
               r"|training|told)\b")),
    ("you are now", r"\byou\s+are\s+now\b"),
    ("system prompt", r"\bsystem\s+prompt\b"),
    ("new instructions", r"\bnew\s+instructions\b"),
    ("tell eligible", (
     r"\b(?:tell|inform|say\s+to|assure|answer|reply\s+to)\s+(?:the\s+|a\s+|any\s+|every\s+)?"
     r"(?:providers?|users?|members?|callers?|reps?|representatives?)\b[^.!?\n]{0,120}?"
     r"\b(?:is|are)\s+(?:always\s+)?(?:eligible|covered|approved|billable)\b")),
    ("always answer", r"\balways\s+(?:answer|say|respond|reply)\b"),
    ("role marker", r"(?:^|\n)\s*(?:assistant|system|user|human|ai)\s*:"),
    ("chat markup", CHAT_MARKUP),
]

_INSTRUCTIONS = [(label, re.compile(p, re.IGNORECASE)) for label, p in INSTRUCTION_PATTERNS]
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]{1,300}", re.IGNORECASE)
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad"
                        "\u202a-\u202e\u2066-\u2069]")


def flag(kind: str, detail: str = "") -> str:
    detail = " ".join(detail.split())
    if len(detail) > 80:
        detail = detail[:77] + "..."
    return f"{kind}: {detail}" if detail else kind


def instruction_flags(text: str) -> list[str]:
    """Flags for instruction-like phrases (text kept, flag raised)."""
    out = []
    for label, rx in _INSTRUCTIONS:
        m = rx.search(text)
        if m:
            out.append(flag(INSTRUCTION_LIKE, f"{label}: {_around(text, m.start(), m.end())}"))
    return out


def urls_in_text(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?") for m in _URL.finditer(text)]


def link_flags(urls: list[str]) -> list[str]:
    """Flags for links that leave Health Net's domains or run code."""
    out = []
    for url in urls:
        url = url.strip()
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme in ("javascript", "data", "vbscript"):
            out.append(flag(UNSAFE_LINK, url))
            continue
        host = link_host(url)
        if host and not is_trusted_host(host):
            out.append(flag(EXTERNAL_LINK, host))
    return out


def link_host(url: str) -> str | None:
    """Host name of an absolute link (None for relative, mailto:, tel:, ...)."""
    if url.lower().startswith("www."):
        url = "http://" + url
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https", "ftp", ""):
            return None
        return (parts.hostname or "").lower() or None
    except ValueError:
        return None


def _under(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def is_health_net_host(host: str) -> bool:
    return _under(host, HEALTH_NET_DOMAINS)


def is_trusted_host(host: str) -> bool:
    """Health Net's own sites and the allow-listed government domains."""
    return _under(host, TRUSTED_DOMAINS)


def configure_trusted_domains(domains: list[str] | tuple[str, ...]) -> None:
    """Replace the allow-list (from Settings.trusted_link_domains) and forget cached checks."""
    global TRUSTED_DOMAINS
    new = tuple(d.lower().strip(". ") for d in domains if d.strip(". "))
    if new != TRUSTED_DOMAINS:
        TRUSTED_DOMAINS = new
        for hook in _ON_CONFIGURE:
            hook()


_ON_CONFIGURE: list = []  # cache clearers registered by readers of the allow-list


def find_suspicious(text: str) -> list[str]:
    """All text-level flags for one piece of visible text (instruction-like, links)."""
    return instruction_flags(text) + link_flags(urls_in_text(text))


def strip_invisible(text: str) -> tuple[str, bool]:
    """Remove zero-width and bidi-control characters; say whether there were any."""
    cleaned = _INVISIBLE.sub("", text)
    return cleaned, len(cleaned) != len(text)


def unique(flags: list[str]) -> list[str]:
    return list(dict.fromkeys(flags))


def _around(text: str, a: int, b: int, pad: int = 20) -> str:
    start, end = max(0, a - pad), min(len(text), b + pad)
    return ("..." if start else "") + text[start:end] + ("..." if end < len(text) else "")

"""Site chrome of the provider library: the patterns live here, as data, in one place.

A line (or an HTML block's text) is chrome when, whitespace-normalised, it matches one of
``CHROME_PATTERNS`` whole, when it is made only of navigation/footer words, or when it is a
breadcrumb trail. Nothing here may reach a block.
"""

from __future__ import annotations

import re
from functools import lru_cache

_APOS = "['\u2019]"

# (name, pattern) — matched whole (re.fullmatch, case-insensitive) against one normalised line.
CHROME_PATTERNS: list[tuple[str, str]] = [
    ("skip link", r"skip to (?:the )?(?:main )?content"),
    ("search scope",
     (r"search in (?!(?:the|a|an|your|our|this|each|all|any)\b)(?P<lob>[a-z][a-z0-9&/\-]{1,20}"
     r"(?: [a-z0-9&/\-]{1,20}){0,2})")),
    ("search help", rf"the search{_APOS}?s? minimum of \d+ and maximum of \d+ characters\b.*"),
    ("search help", r"to search for information outside the provider manual\b.*"),
    ("search wait", r"please wait while we retrie?ve the (?:findings|results)\W*"),
    ("search results", r"search results for\s*:?(?:\s.{0,100})?"),
    ("result counter", r"displaying \d+ (?:of|-|to) \d+(?: of \d+)? results?\W*"),
    ("no results", r"(?:no|0) results? (?:were )?found\W*"),
    ("back to top", r"back to (?:the )?top\W*"),
    ("print", r"print(?: this page| page)?"),
    ("copyright", r"(?:©|\(c\)|copyright\b).{0,300}"),
    ("copyright", r".{0,200}\ball rights reserved\b.{0,100}"),
    ("cookies", r"this (?:web)?site uses cookies\b.{0,300}"),
    ("helpful", r"was this (?:page|information) helpful\W*"),
]

# Lines made only of these (split on | · • / ,) are navigation or footer links.
NAV_WORDS: frozenset[str] = frozenset(
    {
        "home", "menu", "close", "open", "search", "submit", "cancel", "back", "next",
        "previous", "print", "share", "email", "top", "back to top", "log in", "login",
        "sign in", "sign out", "logout", "register", "privacy policy", "privacy",
        "terms of use", "terms and conditions", "terms", "contact us", "contact",
        "accessibility", "site map", "sitemap", "feedback", "careers", "about us",
        "newsroom", "provider library", "provider manual", "provider search",
        "find a provider", "language assistance", "nondiscrimination notice",
        "notice of privacy practices", "cookie settings", "cookie preferences",
        "skip to main content", "health net", "for providers", "for members",
    }
)

_ANY = re.compile(
    "|".join(f"(?P<p{i}>{pattern})" for i, (_, pattern) in enumerate(CHROME_PATTERNS)),
    re.IGNORECASE,
)
_NAV_SPLIT = re.compile(r"\s*(?:[|\u00b7\u2022/,]|\s-\s)\s*")
_CRUMB_SPLIT = re.compile(r"\s*[>\u00bb\u203a]\s*")
_WS = re.compile(r"\s+")


def normalise(line: str) -> str:
    """Collapse whitespace and strip."""
    return _WS.sub(" ", line).strip()


@lru_cache(maxsize=4096)
def chrome_match(line: str) -> tuple[str, str | None] | None:
    """Return (pattern name, line of business hint) if ``line`` is site chrome, else None."""
    text = normalise(line)
    if not text or len(text) > 600:
        return None
    m = _ANY.fullmatch(text)
    if m:
        groups = m.groupdict()
        i = next(int(k[1:]) for k, v in groups.items() if v is not None and k[0] == "p")
        lob = groups.get("lob")
        return CHROME_PATTERNS[i][0], (_lob_name(lob) if lob else None)
    low = text.lower()
    pieces = [p for p in _NAV_SPLIT.split(low) if p] if len(low) <= 300 else []
    if pieces and all(p.strip(" .:") in NAV_WORDS for p in pieces):
        return "navigation", None
    if not any(c in text for c in ">\u00bb\u203a"):
        return None
    crumbs = [p for p in _CRUMB_SPLIT.split(text) if p]
    if len(crumbs) >= 2:
        short = all(len(c.split()) <= 8 and c[-1] not in ".!?;:" for c in crumbs)
        if short and (len(crumbs) >= 3 or crumbs[0].lower() in NAV_WORDS):
            return "breadcrumb", None
    return None


def is_chrome(line: str) -> bool:
    return chrome_match(line) is not None


# Line of business names as the site writes them, keyed by URL path segment.
LOB_BY_SEGMENT: dict[str, str] = {
    "medi-cal": "Medi-Cal",
    "medicare": "Medicare",
    "commercial": "Commercial",
    "cal-mediconnect": "Cal MediConnect",
}


def _lob_name(raw: str) -> str:
    raw = normalise(raw)
    return LOB_BY_SEGMENT.get(raw.lower().replace(" ", "-"), raw)

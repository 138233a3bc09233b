"""Calendar dates in a message, and the time between two of them in a number fact's unit.

A number fact with ``since`` phrases ("delivered", "date of service") is worked out from the date
named after such a phrase and the last date named after it: "delivered june 2024 ... a visit in
april 2025" -> 10 months, "date of service jan 5 2025, received june 20 2025" -> 166 days. Dates
are written with a month name ("june 20 2025", "feb 1") or in numbers ("2/10/2024", "3/1").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NAMES = (r"january|jan|february|feb|march|mar|april|apr|may(?=\s+\d)|june|jun|july|jul|"
                r"august|aug|september|sept|sep|october|oct|november|nov|december|dec")
_NAMED = re.compile(r"\b(" + _MONTH_NAMES + r")\b\.?"
                    r"(?:\s+(\d{1,2})(?:st|nd|rd|th)?\b,?)?(?:\s+(\d{4}))?\b", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\w/.-])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\w/])")
# one date with its day, for a number fact's patterns ("{date}"): "march 3", "3/1", "3/1/2025"
# a day named relative to today ("yesterday", "3 days ago", "last week", "tmrw"): ordered among
# themselves (not against calendar dates)
_COUNT = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|couple(?: of)?)"
_RELATIVE = (r"\b(?:today|tonight|this (?:morning|afternoon|evening)|yesterday|tomorrow|tmrw|tmr"
             r"|(?:last|next) (?:week|wk|month|mo)"
             r"|" + _COUNT + r"\s*(?:days?|d|weeks?|wks?|months?|mos?)\s+(?:ago|before|earlier|later|from now)"
             r"|in " + _COUNT + r"\s*(?:days?|weeks?|wks?|months?|mos?))\b")
DAY_PATTERN = (r"(?:\b(?:" + _MONTH_NAMES + r")\b\.?\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+\d{4}\b)?"
               r"|(?<![\w/.-])\d{1,2}/\d{1,2}(?:/(?:\d{4}|\d{2}))?(?![\w/])|" + _RELATIVE + ")")
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Mention:
    """A date named in a text: where, and its year and day when they are given."""

    at: int
    year: int | None
    month: int  # 1-12
    day: int | None


def mentions(text: str) -> list[Mention]:
    """The dates named in ``text``, in order."""
    found = []
    for m in _NAMED.finditer(text):
        day = int(m.group(2)) if m.group(2) else None
        found.append(Mention(m.start(), int(m.group(3)) if m.group(3) else None,
                             _MONTHS.index(m.group(1).lower()[:3]) + 1,
                             day if day and day <= 31 else None))
    for m in _NUMERIC.finditer(text):
        month, day = int(m.group(1)), int(m.group(2))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        year = int(m.group(3)) if m.group(3) else None
        if year is not None and year < 100:
            year += 2000
        found.append(Mention(m.start(), year, month, day))
    return sorted(found, key=lambda d: d.at)


def span(start: Mention, end: Mention, units: Mapping[str, float], wrap: bool = True
         ) -> float | None:
    """Time from ``start`` to ``end`` in the fact's unit (``units``: unit word -> multiplier to
    it; a ``day`` or ``month`` entry is needed). Days when both dates give the day, else whole
    months. With ``wrap``, a year not given is taken so that ``end`` does not come before
    ``start`` (a date named after another is later); without it, the same year. None when
    ``end`` is before ``start`` or the unit cannot be converted."""
    if start.day is not None and end.day is not None:
        days = _days(start, end, wrap)
        if days is None:
            return None
        if "day" in units:
            return round(days * units["day"], 2)
        if "month" in units:
            return round(days / DAYS_PER_MONTH * units["month"], 2)
        return None
    if start.year is None or end.year is None:
        months = (end.month - start.month) % 12 if wrap else end.month - start.month
    else:
        months = (end.year - start.year) * 12 + (end.month - start.month)
    if months < 0:
        return None
    if "month" in units:
        return round(months * units["month"], 2)
    if "day" in units:
        return round(months * DAYS_PER_MONTH * units["day"], 2)
    return None


def _days(start: Mention, end: Mention, wrap: bool) -> int | None:
    y0, y1 = start.year, end.year
    if y0 is None and y1 is None:
        y0 = y1 = 2001  # any year that is not a leap year
    elif y0 is None:
        y0 = y1 if (start.month, start.day) <= (end.month, end.day) or not wrap else y1 - 1
    elif y1 is None:
        y1 = y0 if (end.month, end.day) >= (start.month, start.day) or not wrap else y0 + 1
    try:
        d0, d1 = date(y0, start.month, start.day), date(y1, end.month, end.day)
    except ValueError:  # "2/30"
        return None
    if d1 < d0 and start.year is None and end.year is None and wrap:
        d1 = date(y1 + 1, end.month, end.day)
    days = (d1 - d0).days
    return days if days >= 0 else None


def day_number(text: str) -> float | None:
    """The day a date names, as a number that orders dates ("3/1" < "march 5"); a year not
    given is taken as one and the same year."""
    found = [d for d in mentions(text) if d.day is not None]
    if not found:
        return relative_day(text)
    d = found[0]
    try:
        return float(date(d.year or 2001, d.month, d.day).toordinal())
    except ValueError:
        return None


_WORD_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a few": 3, "couple": 2,
                "couple of": 2}
_TODAY = float(date(2001, 6, 15).toordinal())  # "today" for days named relative to it


def relative_day(text: str) -> float | None:
    """The day a relative expression names ("yesterday", "3 days ago", "next week", "in 2
    weeks"), counted from one fixed "today"; None when there is none."""
    m = re.search(_RELATIVE, text, re.IGNORECASE)
    if m is None:
        return None
    t = m.group(0).lower()
    fixed = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1, "tmrw": 1, "tmr": 1}
    if t in fixed or t.startswith("this "):
        return _TODAY + fixed.get(t, 0)
    step = 30 if re.search(r"\b(?:months?|mos?)\b", t) else 7 if re.search(
        r"\b(?:weeks?|wks?)\b", t) else 1
    if t.startswith(("last ", "next ")):
        return _TODAY + (step if t.startswith("next ") else -step)
    n = re.search(_COUNT, t.removeprefix("in "))
    count = n.group(0) if n else "1"
    k = int(count) if count.isdigit() else _WORD_COUNTS.get(count, 1)
    sign = -1 if re.search(r"\b(?:ago|before|earlier)\b", t) else 1
    return _TODAY + sign * k * step

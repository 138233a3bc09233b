"""Dates in a message and the time between two of them, in a number fact's unit (pure)."""

from __future__ import annotations

import pytest

from assistant.rules import dates

MONTHS = {"month": 1.0, "week": 0.2308, "day": 0.0329}
DAYS = {"day": 1.0, "month": 30.4}


@pytest.mark.parametrize("text,found", [
    ("delivered june 2024", [(2024, 6, None)]),
    ("dos jan 5 2025, received june 20th, 2025", [(2025, 1, 5), (2025, 6, 20)]),
    ("seen 2/10/2024 and again 3/1/25", [(2024, 2, 10), (2025, 3, 1)]),
    ("approved 3/1 but she saw the member 2/20", [(None, 3, 1), (None, 2, 20)]),
    ("24/7 support, 13/40 weeks", []),                       # not a month and day
    ("may I bill", []),                                       # "may" without a day is no month
])
def test_dates_named_in_words_or_numbers(text, found):
    assert [(d.year, d.month, d.day) for d in dates.mentions(text)] == found


def _span(text: str, units: dict[str, float]) -> float | None:
    first, last = dates.mentions(text)[0], dates.mentions(text)[-1]
    return dates.span(first, last, units)


def test_span_in_days_when_both_dates_give_the_day():
    assert _span("jan 5 2025 ... june 20 2025", DAYS) == 166
    assert _span("feb 1 2025 ... sept 1 2025", DAYS) == 212
    assert _span("12/20 ... 1/10", DAYS) == 21                 # no year: across new year


def test_span_in_months_is_worked_out_from_days_or_whole_months():
    assert _span("2/10/2024 ... 3/1/2025", MONTHS) == pytest.approx(12.66, abs=0.05)
    assert _span("june 2024 ... april 2025", MONTHS) == 10
    assert _span("october ... february", MONTHS) == 4          # no year: the next february


def test_a_later_date_before_the_first_gives_nothing():
    assert _span("june 20 2025 ... jan 5 2025", DAYS) is None
    assert _span("june 2025 ... jan 2024", MONTHS) is None


def test_a_day_number_orders_dates_written_either_way():
    assert dates.day_number("3/1") < dates.day_number("march 5") < dates.day_number("3/20")
    assert dates.day_number("june 2025") is None               # no day: no day number


def test_without_wrap_a_date_named_before_is_not_pushed_into_the_next_year():
    first, last = dates.mentions("5/6 ... 5/1")
    assert dates.span(first, last, DAYS, wrap=False) is None
    assert dates.span(first, last, DAYS) == 360


@pytest.mark.parametrize("earlier,later", [
    ("3 days ago", "yesterday"),
    ("yesterday", "today"),
    ("last week", "3 days ago"),
    ("today", "tmrw"),
    ("today", "in 2 weeks"),
    ("a couple of days ago", "this morning"),
])
def test_days_named_relative_to_today_are_ordered(earlier, later):
    a, b = dates.relative_day(f"seen {earlier}"), dates.relative_day(f"seen {later}")
    assert a is not None and b is not None and a < b


def test_a_calendar_date_wins_over_a_relative_day_and_no_day_is_none():
    assert dates.day_number("approved 3/1, seen yesterday") == dates.day_number("approved 3/1")
    assert dates.relative_day("the daily limit, ago-ish") is None
    assert dates.day_number("no day here") is None

"""``[n]`` markers (assistant/citations.py) and answer sentences (assistant/sentences.py)."""

from __future__ import annotations

import pytest

from assistant import citations
from assistant.sentences import split_sentences


def test_markers_are_written_once_each_in_order():
    assert citations.marker(3) == "[3]"
    assert citations.markers([2, 1, 2]) == "[2][1]"
    assert citations.numbers("a [1] b [22] c [x]") == [1, 22]


def test_claims_split_at_each_run_of_markers():
    assert citations.split_claims("A. [1] B [2][3] tail") == [
        ("A.", [1]), (" B", [2, 3]), (" tail", [])]
    assert citations.split_claims("No markers here.") == [("No markers here.", [])]
    assert citations.split_claims("") == []


def test_strip_removes_markers_and_the_space_before_them():
    assert citations.strip_markers("Yes [1]. It is [1, 2] so [3;4].") == "Yes. It is so."
    assert citations.remove_runs("A. [1] [2] B") == "A. B"


def test_replace_markers_sees_each_number_and_how_it_was_written():
    seen = []
    out = citations.replace_markers("a [1] b [007]", lambda n, w: seen.append((n, w)) or "#")
    assert out == "a # b #" and seen == [(1, "[1]"), (7, "[007]")]


@pytest.mark.parametrize("raw, expected", [
    ("Fact (Passage 2).", "Fact [2]."),
    ("Fact [1, 3].", "Fact [1][3]."),
    ("Fact 【2†source】.", "Fact [2]."),
    ("Fact [^1].", "Fact [1]."),
    ("Fact [1-3].", "Fact [1][2][3]."),
    ("Fact [7].", "Fact ."),  # out of range: dropped
    ("Up to (9) pumps.", "Up to (9) pumps."),  # not a citation: kept
])
def test_other_citation_styles_become_markers(raw, expected):
    assert citations.normalise(raw, 3) == expected


def test_sentences_end_at_a_stop_before_a_capital_digit_or_marker_and_at_line_breaks():
    text = "A is so. [1] B is 12 days. [2] 30 days apply.\nNext line. e.g. lower"
    assert split_sentences(text) == ["A is so. [1]", "B is 12 days. [2]", "30 days apply.",
                                     "Next line. e.g. lower"]


def test_a_list_stays_with_its_lead_in_and_stray_punctuation_is_no_sentence():
    assert split_sentences("Pumps:\n• manual\n• electric") == ["Pumps:\n• manual\n• electric"]
    assert split_sentences("Done.\n.\n") == ["Done."]

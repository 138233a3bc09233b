"""Negation and denial words (assistant/negation.py)."""

from __future__ import annotations

import pytest

from assistant.negation import denies, negated, negative_question


@pytest.mark.parametrize("text, expected", [
    ("An IBCLC cannot bill Medi-Cal directly.", True),
    ("Members don't need a prescription.", True),
    ("No referral is needed.", True),
    ("Nothing notable here; notice the note.", False),  # whole words only
    ("An IBCLC can bill Medi-Cal.", False),
    ("Bill without a TAR.", False),  # "without" is no negation of a statement
])
def test_a_statement_is_negated_by_whole_negation_words(text, expected):
    assert negated(text) is expected


def test_a_question_asked_in_the_negative():
    assert negative_question("Can a LEC bill without a TAR?")
    assert negative_question("Can a LEC not bill?")
    assert not negative_question("Can a LEC bill?")
    assert not negative_question("Isn't a LEC able to bill?")  # answered like the positive


def test_denials():
    assert denies("Lactation consultants are not covered providers.")
    assert denies("An IBCLC may not bill directly.")
    assert not denies("Never mind, the pump is covered.")
    assert not denies("It is covered.")

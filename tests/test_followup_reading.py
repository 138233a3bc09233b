"""Which questions lean on the conversation: words pointing back make a follow-up at any
length; a person alone ("she", "the pt") and "that" as a conjunction do not."""

from __future__ import annotations

import pytest

from assistant.followup import is_follow_up, resolve
from core.types import Turn

HISTORY = [Turn(role="user", content="does a hospital grade pump need an auth for medi-cal"),
           Turn(role="assistant", content="Yes, rentals only with prior authorization.")]


@pytest.mark.parametrize("question", [
    "who's allowed to write the rx for it, just MDs or can our NP do it too",
    "ok what fax # do i send it to",
    "what if its her 12 yr old son instead",
    "and if we miss that deadline what happens to the site",
    "does the same apply to a personal-use pump for a member who went back to work",
    "can we bill for those separately from the office visit",
])
def test_a_question_pointing_back_is_a_follow_up(question):
    assert is_follow_up(question, HISTORY)
    resolved = resolve(question, HISTORY)
    assert resolved.follow_up and HISTORY[0].content in resolved.search


@pytest.mark.parametrize("question", [
    "how many days does a member have to file an appeal after a denial notice",
    "pt is 30 weeks pregnant, can she see a doula who is not contracted with Health Net",
    "the manual says that claims need the NPI, which box on the CMS-1500 holds the number",
])
def test_a_self_contained_question_is_not(question):
    assert not is_follow_up(question, HISTORY)
    assert resolve(question, HISTORY).search == question


def test_without_history_nothing_is_a_follow_up():
    assert not is_follow_up("what fax do i send it to", [])

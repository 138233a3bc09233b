"""Follow-up questions read in the light of the conversation (assistant/followup.py)."""

from __future__ import annotations

import pytest

from assistant.followup import (
    Resolved,
    is_follow_up,
    last_user_question,
    resolve,
    retrieval_query,
)
from core.types import Turn

EARLIER = "Can an IBCLC bill Medi-Cal?"
HISTORY = [Turn(role="user", content=EARLIER), Turn(role="assistant", content="No. [1]")]


def test_the_last_user_question_skips_answers_and_blank_turns():
    history = [Turn(role="user", content="  first  "), Turn(role="assistant", content="a"),
               Turn(role="user", content="   "), Turn(role="assistant", content="b")]
    assert last_user_question(history) == "first"
    assert last_user_question([Turn(role="assistant", content="hi")]) is None
    assert last_user_question([]) is None


@pytest.mark.parametrize("question", [
    "what about if she's an RN?",  # "what about"
    "and an RN?",  # starts with a conjunction
    "does that include midwives?",  # "does that"
    "what about her?",
])
def test_questions_that_lean_on_the_earlier_one_are_follow_ups(question):
    assert is_follow_up(question, HISTORY)
    assert retrieval_query(question, HISTORY) == f"{EARLIER} {question}"


@pytest.mark.parametrize("question", [
    "Who can prescribe a breast pump for a member?",
    "How long does a pump rental last?",
])
def test_self_contained_questions_are_left_alone(question):
    assert not is_follow_up(question, HISTORY)
    assert retrieval_query(question, HISTORY) == question


def test_a_short_question_with_a_pronoun_is_a_follow_up_a_long_one_is_not():
    assert is_follow_up("RN with her?", HISTORY)
    assert not is_follow_up("Which registered nurses can bill lactation visits for her?", HISTORY)


def test_without_history_nothing_is_a_follow_up():
    assert not is_follow_up("what about an RN?", [])
    resolved = resolve("what about an RN?", [])
    assert resolved == Resolved("what about an RN?")
    assert resolved.text == resolved.search == "what about an RN?"
    assert resolved.other_searches == []


def test_a_follow_up_searches_with_its_context_and_also_alone():
    resolved = resolve("and an RN?", HISTORY)
    assert (resolved.context, resolved.follow_up) == (EARLIER, True)
    assert resolved.search == f"{EARLIER} and an RN?"
    assert resolved.other_searches == ["and an RN?"]
    assert resolved.text == f"and an RN? (in the context of: {EARLIER})"


def test_a_new_topic_searches_alone_and_also_with_the_context():
    question = "How long does a pump rental last?"
    resolved = resolve(question, HISTORY)
    assert (resolved.context, resolved.follow_up) == (EARLIER, False)
    assert resolved.search == question
    assert resolved.other_searches == [f"{EARLIER} {question}"]

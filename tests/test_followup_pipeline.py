"""A follow-up read with its conversation, end to end: the real model, Chroma and BM25 over the
whole test manual (conversations written for these tests over the eval's dev pages)."""

from __future__ import annotations

from core.types import Turn

INTERPRETER = "cultural-and-linguistic-services/interpreter-provider-obligations"


def test_the_earlier_question_asked_about_someone_else_stays_on_its_page(manual_assistant):
    history = [Turn(role="user", content="member declined the plan's interpreter and her grown-up "
                                          "friend came along to translate, is that fine?"),
               Turn(role="assistant", content="Yes, if the refusal is documented.")]
    answer = manual_assistant.ask("what if it's her 11 year old nephew instead", history)
    assert not answer.abstained
    assert answer.resolved_question and "interpreter" in answer.resolved_question
    # alone, "her 11 year old nephew" is about ages (the screening tools' table)
    assert answer.contexts[0].doc_id == INTERPRETER


def test_a_self_contained_question_after_a_conversation_is_answered_on_its_own_page(
        manual_assistant):
    history = [Turn(role="user", content="member declined the plan's interpreter, is that ok?"),
               Turn(role="assistant", content="Yes, if the refusal is documented.")]
    answer = manual_assistant.ask(
        "which depression screening tool is recommended for a 14 year old", history)
    assert not answer.abstained
    assert answer.contexts[0].doc_id == "behavioral-health/behavioral-health-screening"

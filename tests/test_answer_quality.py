"""What an answer must do, on a whole manual (the shipped page + evals/corpus test pages).

Multi-part questions, the kind of fact asked for, whole units (numbered lists, table rows with
their header), no sentences from pages that do not answer, partial and full refusals, follow-ups.
Real model, real Chroma, the extractive answerer; no rules (answers only).
"""

from __future__ import annotations

import re

import pytest

from core.types import Turn

CLAIMS = "claims/claims-submission/"


def ask(assistant, question, *history):
    turns = [Turn(role="user", content=h) for h in history]
    return assistant.ask(question, turns)


def test_every_part_of_a_multi_part_question_is_answered(manual_assistant):
    a = ask(manual_assistant,
            "whats the timely filing limit for a corrected claim and where do I mail it")
    assert not a.abstained
    assert "120 calendar days" in a.answer  # the corrected-claim limit, not the initial one
    assert "P.O. Box 9041" in a.answer  # the corrected-claims address: the kind asked for
    assert all(c.doc_id.startswith(CLAIMS) for c in a.citations)


def test_a_question_after_a_duration_gets_one(manual_assistant):
    a = ask(manual_assistant, "deadline to file a first level provider dispute")
    assert "365 calendar days" in a.answer


def test_a_numbered_list_is_quoted_with_its_numbers(manual_assistant):
    a = ask(manual_assistant, "what needs to be on the CMS-1500")
    quotes = "\n".join(c.quote for c in a.citations)
    assert re.search(r"^1\. Box 1a", quotes, re.M) and re.search(r"^2\. Box 2", quotes, re.M)
    assert "• Box" not in a.answer


def test_a_table_row_comes_with_its_header(manual_assistant):
    a = ask(manual_assistant, "what are the acknowledgment timeframes for a provider dispute")
    lines = a.answer.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Stage | Timeframe"))
    assert any("Acknowledgment" in line and "working days" in line for line in lines[header:])


def test_no_sentence_from_a_page_that_does_not_answer(manual_assistant):
    a = ask(manual_assistant, "is getting the PA on us, and how do we send it in?")
    assert a.citations
    assert not any("lactation" in c.doc_id for c in a.citations)
    assert all(c.doc_id.startswith("authorizations/") for c in a.citations)


def test_a_part_the_manual_does_not_answer_is_said_plainly(manual_assistant):
    a = ask(manual_assistant, "deadline to file a first level provider dispute and what's the "
                              "reimbursement rate for 99213")
    assert not a.abstained and "365 calendar days" in a.answer
    assert re.search(r"The manual does not say: what's the reimbursement rate for 99213", a.answer)


def test_a_question_the_manual_does_not_answer_is_refused_with_what_is_near(manual_assistant):
    a = ask(manual_assistant, "what's the reimbursement rate for 99213")
    assert a.abstained and a.abstain_reason == "no_passage" and not a.citations
    assert "closest the manual comes" in a.answer


def test_a_short_follow_up_is_read_with_its_conversation(manual_assistant):
    a = ask(manual_assistant, "does that include midwives?", "who can write the rx for lactation DME")
    assert not a.abstained
    assert "certified nurse midwife" in a.answer
    assert a.resolved_question and "lactation DME" in a.resolved_question


def test_a_follow_up_that_moves_to_another_page_finds_it(manual_assistant):
    a = ask(manual_assistant, "the member wants to appeal the denial, whats the deadline",
            "who gets the PA for an outpatient MRI")
    assert a.contexts[0].doc_id == "appeals-and-grievances/member-appeals/member-appeals"
    assert "60 calendar days" in a.answer


def test_a_question_without_history_has_no_resolved_question(manual_assistant):
    assert ask(manual_assistant, "deadline to file a first level provider dispute") \
        .resolved_question is None


@pytest.mark.parametrize("text, unsafe", [
    ("Program details are on the DHCS site at https://www.dhcs.ca.gov/services/ccs.", False),
    ("Submit those requests through https://medi-calrx.dhcs.ca.gov.", False),
    ("See https://www.cms.gov/medicare for Medicare rules.", False),
    ("Book rides at rides-partner.example.org today.", True),
])
def test_government_links_are_normal_content(text, unsafe):
    from assistant.safety import unsafe_text

    assert unsafe_text(text) is unsafe


def test_the_link_allow_list_is_a_setting():
    from assistant.safety import unsafe_text
    from core import flags
    from core.settings import TRUSTED_LINK_DOMAINS

    text = "Program details are on https://www.dhcs.ca.gov/services/ccs."
    try:
        flags.configure_trusted_domains(["healthnet.com", "healthnetcalifornia.com"])
        assert unsafe_text(text)
    finally:
        flags.configure_trusted_domains(TRUSTED_LINK_DOMAINS)
    assert not unsafe_text(text)

"""Member-specific questions are routed (refused with where to verify); general questions that
carry identifiers are answered from the manual, searched without the identifiers."""

from __future__ import annotations

import pytest

from assistant.routing import member_check, mostly_member_data
from core.messages import MEMBER_LOOKUP, MEMBER_NOTICE


@pytest.mark.parametrize("question", [
    "is the member with mbr id R0041873302 still active?",
    "is member 91234567A eligible for a breast pump",
    "CIN 91234567A DOB 01/02/1990 Maria Lopez",
    "pt Maria DOB 01/02/1990 - does she qualify for lactation support?",
    "mbr Rosa Herrera, CIN 91234567A, is she still enrolled?",
    "can u check eligibility for CIN 98765432B",
    "claim status for claim # 24031500123",
])
def test_questions_about_one_member_are_member_specific(question):
    check = member_check(question)
    assert check.only_member_specific, (question, check.clean_question)
    assert check.message and "portal" in check.message


@pytest.mark.parametrize("question, kept", [
    ("pt Maria Lopez DOB 3/14/88 CIN 91234567A - who can write the prescription for a pump?",
     "who can write the prescription for a pump?"),
    ("mbr id R0041873302: does E0603 need a PA if it is the first pump in 12 months",
     "does E0603 need a PA if it is the first pump in 12 months"),
])
def test_general_questions_with_identifiers_are_answered_without_them(question, kept):
    check = member_check(question)
    assert check.has_identifiers and not check.only_member_specific
    assert kept in check.clean_question
    assert "91234567A" not in check.clean_question and "R0041873302" not in check.clean_question
    assert check.notice


@pytest.mark.parametrize("question", [
    "is the member eligible for a hospital-grade pump?",
    "unmet share of cost - is she enrolled for the month?",
    "Can an IBCLC bill Medi-Cal directly?",
])
def test_general_questions_without_identifiers_are_not_routed(question):
    check = member_check(question)
    assert not check.has_identifiers and not check.only_member_specific
    assert check.clean_question == question


def test_mostly_member_data_counts_words_left_after_redaction():
    assert mostly_member_data("pt [NAME] dob [DOB] cin [CIN]")
    assert not mostly_member_data("pt [NAME]: who can write the prescription for a pump?")
    assert not mostly_member_data("who can write the prescription for a pump?")


@pytest.mark.parametrize("question", [
    "what is the claim status for my lactation claim?",
    "was my claim for the pump denied?",
    "how do I check the member's eligibility?",
])
def test_claim_status_and_eligibility_lookups_are_member_specific_without_identifiers(question):
    check = member_check(question)
    assert not check.has_identifiers and check.only_member_specific
    assert check.message == MEMBER_LOOKUP and check.notice == ""


@pytest.mark.parametrize("question", [
    "does she qualify for a pump?",
    "is the patient eligible for a pump?",
])
def test_a_question_about_her_is_about_one_member_only_with_her_identifiers(question):
    assert not member_check(question).only_member_specific
    with_ids = member_check(f"{question} CIN 91234567A DOB 01/02/1990")
    assert with_ids.has_identifiers and with_ids.only_member_specific
    assert "91234567A" not in with_ids.clean_question


def test_the_notice_goes_only_with_identifiers_in_a_general_question():
    check = member_check("Who can bill for lactation support? call me at 555-123-4567")
    assert check.has_identifiers and not check.only_member_specific
    assert check.notice == MEMBER_NOTICE and "555-123-4567" not in check.clean_question
    assert member_check("Who can bill for lactation support?").notice == ""

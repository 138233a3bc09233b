"""assistant/question.py: the parts of a question and the kind of fact each asks for (pure)."""

from __future__ import annotations

import pytest

from assistant.question import answer_kind, focus_query, gives_kind, has_kind, parts_of, strict


@pytest.mark.parametrize("question, kinds", [
    ("whats the timely filing limit for a corrected claim and where do I mail it",
     ["duration", "address"]),
    ("how long do we have to file, and where do we send it?", ["duration", "contact"]),
    ("is getting the PA on us? how do we send it in", [None, "contact"]),
    ("fax # for an urgent auth", ["contact"]),
    ("who is responsible for getting the auth", ["who"]),
    ("what CPT code do we bill for a lactation visit", ["code"]),
    ("what does HN pay for a 99213", ["amount"]),
    ("how many doula visits are covered", ["number"]),
    ("does a hospital grade pump need prior auth", [None]),
    ("what should we tell pts so their readings are accurate", [None]),  # "tell" is no "tel"
])
def test_parts_and_their_kinds(question, kinds):
    assert [p.kind for p in parts_of(question)] == kinds


def test_a_stated_situation_goes_with_the_question_after_it():
    parts = parts_of("new member is 9 months old, what's the deadline for the IHA?")
    assert len(parts) == 1 and parts[0].kind == "duration"
    assert "iha" in parts[0].tokens and "month" in parts[0].situation
    assert "month" not in parts[0].tokens  # the situation counts less than what is asked


def test_a_situation_stated_after_the_question_goes_with_it():
    for question in ("fax # for an urgent auth, pt needs an MRI asap",
                     "fax # for an urgent auth - pt needs an MRI asap"):
        parts = parts_of(question)
        assert len(parts) == 1 and parts[0].kind == "contact"
        assert {"fax", "urgent"} <= parts[0].tokens
        assert "mri" in parts[0].situation and "mri" not in parts[0].tokens


def test_a_question_after_a_comma_stays_a_question():
    parts = parts_of("pt is 3 weeks postpartum, can we bill the lactation visit")
    assert len(parts) == 1 and "postpar" in parts[0].situation and "lactat" in parts[0].tokens
    parts = parts_of("what is the fax for urgent auths, she is asking where to mail an appeal?")
    assert len(parts) == 2


def test_a_piece_without_words_of_its_own_stays_with_the_part_before():
    parts = parts_of("where do we mail a 2nd level dispute and what has to go with it")
    assert len(parts) == 1


@pytest.mark.parametrize("question", [
    "ok and if she just wants to complain about the pharmacy where does that go",
    "hi - where do we fax the PCS form",
])
def test_an_opening_with_nothing_to_ask_is_not_a_part_of_its_own(question):
    parts = parts_of(question)
    assert len(parts) == 1 and parts[0].kind == "contact"
    assert parts_of("ok")[0].text == "ok"  # alone, it is still the question


def test_how_words_are_not_what_the_question_is_about():
    assert "mani" not in parts_of("how many doula visits are covered")[0].tokens


def test_focus_query_carries_the_subject_of_the_other_parts():
    parts = parts_of("whats the timely filing limit for a corrected claim and where do I mail it")
    q = focus_query(parts[1], parts)
    assert q.startswith("where do I mail it") and "corrected" in q and "claim" in q
    assert "limit" not in q.split()  # kind words of the other part are left out


@pytest.mark.parametrize("kind, text, holds", [
    ("duration", "Claims must be received within 180 calendar days of the date of service.", True),
    ("duration", "Submit the form with the clinical notes.", False),
    ("duration", "The request is decided within thirty (30) days.", True),
    ("address", "Mail it to P.O. Box 9041, Farmington, MO 63640-9041.", True),
    ("address", "Fax it to 1-800-555-0199.", False),
    ("contact", "Fax it to 1-800-555-0199.", True),
    ("contact", "Submit requests through the provider portal.", True),
    ("contact", "Prior authorization is required for rentals.", False),
    ("amount", "The rate is $45.12 per visit.", True),
    ("code", "Bill T1032 with modifier U1.", True),
    ("code", "Bill the visit on the claim form.", False),
    ("number", "Up to eight additional visits are covered.", True),
])
def test_has_kind(kind, text, holds):
    assert has_kind(text, kind) is holds


def test_strict_kinds_are_the_ones_a_unit_must_hold():
    assert strict("duration") and strict("address") and strict("code")
    assert not strict("who") and not strict(None)
    assert answer_kind("does it need PA") is None


@pytest.mark.parametrize("text, gives", [
    ("Fax the request to Medical Management at 1-800-555-0142.", True),
    ("Submit requests through the provider portal.", True),
    ("Mail it to PO Box 9103, Van Nuys, CA 91409.", True),
    ("Send it through the Behavioral Health fax line listed on the other page.", False),
    ("Requests are faxed to the Medical Management Department.", False),
])
def test_a_contact_is_given_only_with_the_contact_itself(text, gives):
    assert has_kind(text, "contact")  # it still counts as about sending, for strictness
    assert gives_kind(text, "contact") is gives
    assert gives_kind("within 5 business days", "duration")

"""The scenario reader: generic (driven by the pack), negation-aware, follow-up turns, and it never
raises. Tested on a small pack written for the tests and on the shipped packs."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.rules import RuleBook
from core.types import Turn
from tests.rules_support import widget_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "corpus" / "rules"


@pytest.fixture(scope="module")
def widgets(tmp_path_factory):
    return RuleBook.load(widget_rules(tmp_path_factory.mktemp("widgets"))).pack("widgets")


@functools.cache
def shipped() -> RuleBook:
    return RuleBook.load(RULES_DIR)


def facts(pack, question: str, *history: str) -> dict:
    return pack.read(question, [Turn(role="user", content=h) for h in history]).scenario.facts


# -- the generic reader on a pack written for the tests --------------------------------------------

@pytest.mark.parametrize("question,expected", [
    ("our RN is widget certified", {"role": "RN", "certified": True}),
    ("our RN is not widget certified", {"role": "RN", "certified": False}),
    ("the MA isn't certified", {"role": "MA", "certified": False}),
    ("a registered nurse, uncertified", {"role": "RN", "certified": False}),
    ("our physician and our RN", {"role": "RN"}),               # rank: the RN
    ("the widget fitter", {"role": "fitter", "certified": True}),  # implied
    ("our RN is a fitter", {"role": "RN"}),                     # "is a fitter": not who she is
    ("a red widget", {"kind": "red"}),
    ("not a red widget", {"kind": "blue"}),                     # the value negated
    ("prior auth approved", {"prior_auth": True}),
    ("auth hasn't been approved", {"prior_auth": False}),      # words-after-context, negated
    ("auth denied", {"prior_auth": False}),
    ("not sure the prior auth approved", {"prior_auth": "unsure"}),
    ("a 6 month old", {"age": 6.0}),
    ("a two year old", {"age": 24.0}),
    ("3 weeks old", {"age": 0.75}),
    ("12 hours of training", {"hours": 12.0, "trained": True}),
    ("8 hrs training", {"hours": 8.0, "trained": False}),      # derived
])
def test_facts_read_from_the_words_the_pack_lists(widgets, question, expected):
    got = facts(widgets, question)
    assert {k: got.get(k) for k in expected} == expected, got


def test_unknown_words_and_negated_mentions_leave_a_fact_unstated(widgets):
    assert "role" not in facts(widgets, "the widget is blue-ish, says nobody")
    assert "role" not in facts(widgets, "it was not an RN")  # a negated person is nobody
    assert "certified" not in facts(widgets, "our RN does widget visits")


def test_later_messages_override_and_what_belonged_to_a_person_goes_with_them(widgets):
    assert facts(widgets, "she is 13 months old", "a 6 month old, widget?")["age"] == 13.0
    f = facts(widgets, "what about our MA?", "our RN is widget certified")
    assert f["role"] == "MA" and "certified" not in f  # certified belongs to the role
    f = facts(widgets, "the fitter did it", "our RN did the widget visit")
    assert f["role"] == "fitter" and f["certified"] is True  # implied by the new value


def test_scope_terms_exclusions_and_information_questions(widgets):
    assert widgets.read("can we bill a gizmo").in_scope
    out = widgets.read("can we bill a sprocket")
    assert not out.in_scope and "scope terms" in out.reason
    out = widgets.read("can we bill the widget visit with a vaccine")
    assert not out.in_scope and "vaccine" in out.reason
    out = widgets.read("how do i order a widget")
    assert out.in_scope and not out.scenario.asks and "information" in out.reason
    follow = widgets.read("and she is 2 years old",
                          [Turn(role="user", content="can we bill a widget")])
    assert follow.in_scope and follow.scenario.asks  # a follow-up of a billing question


# -- the shipped packs: negations people write -----------------------------------------------------

@pytest.mark.parametrize("pack,question,fact,value", [
    ("lactation", "the usual teaching hasn't worked", "standard_support_failed", True),
    ("lactation", "mom still cant latch after the standard support", "standard_support_failed",
     True),
    ("lactation", "the normal teaching worked", "standard_support_failed", False),
    ("lactation", "she can no longer sustain breastfeeding", "standard_support_failed", True),
    ("lactation", "not sure yet if the regular teaching is enough", "standard_support_failed",
     "unsure"),
    ("lactation", "rental w/o prior auth", "prior_auth", False),
    ("lactation", "our MA doesn't have a lactation cert", "certification", "none"),
    ("lactation", "NP isnt an IBCLC but she is a lactation educator-counselor", "certification",
     "lec"),
    ("lactation", "hes not IBCLC or LEC", "certification", "none"),
    ("lactation", "buy it instead of renting", "acquisition", "buy"),
    ("lactation", "we're not CPSP", "provider_status", "non_cpsp"),
    ("lactation", "no one on staff is certified", "has_certified_staff", False),
    ("lactation", "NP wrote the rx", "prescriber", "NP"),
    ("lactation", "the IBCLC bills under her own NPI", "billing_party", "renderer"),
    ("lactation", "baby is 50 weeks old", "infant_age_months", 11.54),
    ("doula-services", "the doula is no longer enrolled in medi-cal", "enrolled", False),
    ("doula-services", "doula hasnt done the HIPAA training yet", "hipaa", False),
    ("doula-services", "doula doesn't have an NPI", "npi", False),
    ("doula-services", "credentialing isnt done", "credentialed", False),
    ("doula-services", "doula is not contracted yet w hn", "contracted", False),
    ("doula-services", "not sure if her cpr is still current", "cpr", "unsure"),
    ("doula-services", "the doula is 17", "doula_age", 17.0),
    ("doula-services", "only 10 hrs training and 4 births", "training_pathway", False),
    ("doula-services", "~210 days after the date of service", "claim_age_days", 210.0),
    # a second writer's phrasings
    ("lactation", "RN is signed up for the IBCLC exam next month", "certification", "none"),
    ("lactation", "her IBCLC lapsed in 2022 and she hasnt recertified", "certification", "none"),
    ("lactation", "RN has 'some kind of lactation cert', i dont know which", "certification",
     "unsure"),
    ("lactation", "she hasnt had any bf education at all yet", "standard_support_failed", False),
    ("lactation", "not sure if she ever got the standard bf education", "standard_support_failed",
     "unsure"),
    ("lactation", "hasnt told us if she wants to keep breastfeeding", "wants_to_breastfeed",
     "unsure"),
    ("lactation", "kiddo is 14 months", "infant_age_months", 14.0),
    ("lactation", "baby is 1.5 yrs old", "infant_age_months", 18.0),
    ("lactation", "2 y/o still nursing", "infant_age_months", 24.0),
    ("doula-services", "no prior doula experience", "experience_years", 0.0),
    ("doula-services", "she has adult CPR, never took the infant portion", "cpr", False),
    ("doula-services", "doula's CPR might be expired, not sure", "cpr", "unsure"),
    ("doula-services", "member hasn't said yes yet to video", "member_agrees", "unsure"),
    ("doula-services", "member asked for in-person visits", "member_agrees", False),
    ("doula-services", "her medi-cal enrollment was terminated", "enrolled", False),
    ("doula-services", "pregnancy ended over a year ago", "months_since_end", 13.0),
    ("doula-services", "delivered 'about a year ago'", "months_since_end", "unsure"),
    ("doula-services", "PA approved on the 1st, visits started on the 5th", "auth_in_time", True),
    ("doula-services", "auth still pending, the visit already happened yesterday", "auth_in_time",
     False),
    # dates: the span between two of them, in the fact's unit
    ("doula-services", "doula claim, dos was jan 5 2025 and HN received it june 20 2025",
     "claim_age_days", 166.0),
    ("doula-services", "doula saw her 3/1/2025, she delivered 2/10/2024", "months_since_end",
     12.67),
    ("doula-services", "doula claim sent dec 20 2025 for a visit on may 1 2025", "claim_age_days",
     233.0),
    ("doula-services", "member delivered 2/10/2024, doula visit was 3/1/2025", "months_since_end",
     12.67),
    ("doula-services", "doula claim went out 12/1/2025 for a visit on 4/15/2025",
     "claim_age_days", 230.0),
    ("doula-services", "PA approved 5/1 and the first visit was 5/6", "claim_age_days", None),
    # a date in a number fact's pattern ({date}): time order
    ("doula-services", "non-contracted doula, PA approved march 9, her visit was march 4",
     "auth_in_time", False),
    ("doula-services", "PA approved 5/1 and the first visit was 5/6", "auth_in_time", True),
    # a negation reaches past "also"/"even" right after it
    ("lactation", "so she doesnt also have to be a CPHW right", "role", None),
    # an aside in parentheses does not push a person away from the word that tells their part
    ("lactation", "our IBCLC (not a nurse, just the cert) wrote the rx for a pump", "prescriber",
     "IBCLC"),
])
def test_shipped_packs_read_negations_and_numbers(pack, question, fact, value):
    assert facts(shipped().pack(pack), question).get(fact) == value


def test_a_general_word_in_a_follow_up_keeps_the_specific_value_named_before():
    lact = shipped().pack("lactation")
    f = facts(lact, "the pump went out on the 8th", "hospital grade pump rental, need anything")
    assert f["item"] == "hospital_grade_pump" and f["rental_day"] == 8.0
    assert facts(lact, "what about a manual pump", "hospital grade pump rental")["item"] == \
        "manual_pump"                                      # a specific value still replaces it
    assert facts(lact, "the pump went out on the 8th")["item"] == "breast_pump"


def test_a_who_question_clears_the_person_named_before():
    lact = shipped().pack("lactation")
    f = facts(lact, "who can then?", "can an IBCLC prescribe a breast pump")
    assert f.get("prescriber") is None and f["topic"] == "dme"


def test_several_people_the_one_asked_about_and_what_belongs_to_them():
    lact = shipped().pack("lactation")
    f = facts(lact, "our MA has no cert but our RN has her IBCLC - can we bill the RN's visits")
    assert f["role"] == "RN" and f["certification"] == "ibclc"
    f = facts(lact, "our RN w/ IBCLC is billable - same for our LVN who also has her IBCLC?")
    assert f["role"] == "LVN" and f["certification"] == "ibclc"


def test_a_pronoun_names_the_person_before_it_near_a_context_word():
    lact = shipped().pack("lactation")
    f = facts(lact, "our MA has no license - she signed the pump order while the doctor was out")
    assert f["prescriber"] == "MA"
    f = facts(lact, "mom says she wants a pump, the NP wrote the rx")
    assert f["prescriber"] == "NP"  # a named prescriber wins over a pronoun


def test_a_fact_can_make_a_message_a_billing_question():
    doula = shipped().pack("doula-services")
    assert doula.read("does the doula need liability insurance to contract with HN").scenario.asks
    assert not doula.read("whats a doula exactly").scenario.asks


def test_a_scenario_told_in_facts_makes_its_follow_up_a_billing_question():
    doula = shipped().pack("doula-services")
    out = doula.read("oh wait her CPR expired last month", [Turn(role="user", content=(
        "our doula is enrolled, npi, hipaa, 20 hrs training + 3 births, contracted"))])
    assert out.scenario.asks and out.scenario.facts["cpr"] is False


def test_context_carries_over_a_follow_up():
    lact = shipped().pack("lactation")
    f = facts(lact, "what if its an RN though", "can our NP write the breast pump rx")
    assert f["prescriber"] == "RN" and f.get("role") is None


# -- robustness ------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=120), max_size=3))
def test_reading_never_raises(question, history):
    turns = [Turn(role="user", content=h) for h in history]
    outcome = shipped().decide(question, turns)
    assert outcome.decision is None or outcome.decision.verdict in (
        "eligible", "not_eligible", "conditional", "unknown")


_WORDS = ["IBCLC", "RN", "PA", "MA", "NP", "doula", "pump", "rent", "buy", "hospital", "grade",
          "bill", "directly", "own", "npi", "not", "no", "w/o", "hasn't", "never", "sure", "if",
          "PPG", "CPSP", "FFS", "refer", "months", "old", "13", "12", "prior", "auth", "contracted",
          "credentialed", "enrolled", "cpr", "hipaa", "16", "hrs", "training", "births", "letters",
          "?", ",", ".", "lactation", "staff", "can", "we", "she"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=30))
def test_reading_never_raises_on_domain_words(words):
    shipped().decide(" ".join(words))


def test_a_negation_cue_is_a_word_as_written_not_a_plural():
    from assistant.rules.text import words_pattern
    import re

    assert re.search(words_pattern("not", plural=False), "doula notes lack a signature") is None
    assert re.search(words_pattern("not", plural=False), "she is not contracted")
    assert re.search(words_pattern("registered nurse"), "two registered nurses")

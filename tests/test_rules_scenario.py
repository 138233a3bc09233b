"""Scenario extraction: roles and their spellings, word boundaries, ages, rent/buy, statuses,
billing party, prior authorization and follow-up turns. Never raises on any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.rules import Scenario, extract_scenario
from assistant.rules.scenario import parse_age_months
from assistant.types import Turn


def facts(question: str, *history: str) -> Scenario:
    return extract_scenario(question, [Turn(role="user", content=h) for h in history])


@pytest.mark.parametrize("words,role", [
    ("an IBCLC", "IBCLC"), ("a lactation consultant", "IBCLC"), ("an LC", "IBCLC"),
    ("an International Board-Certified Lactation Consultant", "IBCLC"),
    ("an LEC", "LEC"), ("a CLEC", "LEC"), ("a lactation educator-counselor", "LEC"),
    ("a lactation educator counselor", "LEC"), ("a lactation educator", "LEC"),
    ("a certified lactation educator", "LEC"),
    ("a CPHW", "CPHW"), ("a community perinatal health worker", "CPHW"),
    ("an MA", "MA"), ("a medical assistant", "MA"), ("a CMA", "MA"), ("an M.A.", "MA"),
    ("an RN", "RN"), ("a registered nurse", "RN"), ("an R.N.", "RN"),
    ("an LVN", "LVN"), ("a licensed vocational nurse", "LVN"), ("an LPN", "LVN"),
    ("an NP", "NP"), ("a nurse practitioner", "NP"), ("an FNP", "NP"),
    ("a PA", "PA"), ("a PA-C", "PA"), ("a physician assistant", "PA"),
    ("a physician's assistant", "PA"), ("a P.A.", "PA"),
    ("a CNM", "CNM"), ("a certified nurse midwife", "CNM"), ("a certified nurse-midwife", "CNM"),
    ("a nurse-midwife", "CNM"), ("a midwife", "midwife"), ("a licensed midwife", "licensed_midwife"),
    ("an MD", "physician"), ("a DO", "physician"), ("a D.O.", "physician"),
    ("a physician", "physician"), ("a doctor", "physician"), ("an OB", "physician"),
    ("an OB/GYN", "physician"), ("a pediatrician", "physician"),
    ("a pharmacist", "pharmacist"), ("a doula", "doula"), ("a nurse", "nurse"),
    ("a community health worker", "CHW"), ("a WIC peer counselor", "peer_counselor"),
    ("a dietitian", "other"), ("a social worker", "other"), ("a chiropractor", "other"),
])
def test_role_names_and_abbreviations(words, role):
    s = facts(f"Can {words} provide lactation support we bill for?")
    assert s.renderer_role == role
    p = facts(f"Can {words} write the prescription for a breast pump?")
    assert p.prescriber_role == role and p.renderer_role is None
    assert p.topic == "dme_prescription"


@pytest.mark.parametrize("question", [
    "CAN AN IBCLC BILL MEDI-CAL DIRECTLY?", "can an ibclc bill medi-cal directly?",
    "Can an IBCLC bill Medi‑Cal directly??!", "can   an IBCLC   bill medi-cal directly",
])
def test_case_and_punctuation_insensitive(question):
    s = facts(question)
    assert (s.renderer_role, s.billing_party, s.topic) == ("IBCLC", "renderer",
                                                          "lactation_services")


@pytest.mark.parametrize("question,absent", [
    ("Can we PAY the lactation consultant as a subcontractor?", "PA"),
    ("MAY A LACTATION CONSULTANT BILL MEDI-CAL DIRECTLY?", "MA"),
    ("How do we bill for lactation support?", "physician"),
    ("DO WE BILL LACTATION SUPPORT UNDER OUR NUMBER?", "physician"),
    ("Do NPs need anything to bill lactation?", "physician"),
    ("Can we return the pump parts? Paper, payment, mama, input, select, LLC.", "RN"),
    ("Yes ma'am, can we bill lactation?", "MA"),
])
def test_word_boundaries(question, absent):
    s = facts(question)
    assert absent not in (s.renderer_role, s.prescriber_role)


@pytest.mark.parametrize("question,role,cert", [
    ("Our RN is an IBCLC, can we bill?", "RN", "ibclc"),
    ("NP w/ IBCLC - bill under the practice?", "NP", "ibclc"),
    ("MA with lactation educator counselor cert, ok to bill lactation?", "MA", "lec"),
    ("PA-C who is a certified lactation educator counselor, can we bill lactation?", "PA", "lec"),
    ("CPHW with a lactation certification, billable for lactation?", "CPHW", "lactation"),
    ("Our MA has no lactation certification, can we bill lactation?", "MA", "none"),
    ("Our RN is not certified, can we bill her lactation visits?", "RN", "none"),
    ("Can we bill lactation support by our RN?", "RN", "unknown"),
    ("An IBCLC wants to bill lactation directly", "IBCLC", "ibclc"),
    ("Our CLC does lactation visits, can we bill?", "other", "other"),
    ("our lactation educator counselor isn't a nurse or MA, just the LEC - can she bill?",
     "LEC", "lec"),
])
def test_role_and_certification(question, role, cert):
    s = facts(question)
    assert (s.renderer_role, s.renderer_certification) == (role, cert)


@pytest.mark.parametrize("question,party", [
    ("Can an IBCLC bill Medi-Cal directly?", "renderer"),
    ("IBCLC wants to bill under her own NPI", "renderer"),
    ("Can a CLEC get a Medi-Cal provider number for lactation?", "renderer"),
    ("Is an LEC recognized as a Medi-Cal provider?", "renderer"),
    ("Can she bill lactation on her own?", "renderer"),
    ("Can we bill our RN's lactation visits?", "provider"),
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?", "provider"),
    ("Can the clinic bill for lactation by an MA?", "provider"),
    ("Lactation visits billed under the practice number?", "provider"),
    ("Can an RN bill for lactation?", None),
    ("Can I bill Medi-Cal myself? I am an IBCLC.", "renderer"),
    ("I'm an LEC, can I bill medi-cal?", "renderer"),
    ("Can the physician bill for lactation support provided by our IBCLC?", "provider"),
])
def test_billing_party(question, party):
    assert facts(question).billing_party == party


@pytest.mark.parametrize("question,renderer", [
    ("Can the physician bill for lactation support provided by our IBCLC?", "IBCLC"),
    ("Can the doctor bill for lactation support provided by an RN with an LEC?", "RN"),
    ("Our physician is an IBCLC; can we bill her lactation visits?", "physician"),
    ("Is it OK for our pediatrician's office to bill visits done by our IBCLC?", "IBCLC"),
])
def test_who_renders_when_a_physician_is_named(question, renderer):
    assert facts(question).renderer_role == renderer


@pytest.mark.parametrize("question,status", [
    ("We're FFS, can we do lactation?", "ffs_direct"),
    ("We are fee-for-service, lactation ok?", "ffs_direct"),
    ("We contract directly with Health Net; lactation?", "ffs_direct"),
    ("We're in a PPG, lactation?", "ppg"),
    ("We participate through a participating physician group, lactation?", "ppg"),
    ("We're CPSP certified, lactation education?", "cpsp"),
    ("We're non-CPSP, lactation?", "non_cpsp"),
    ("We are not CPSP certified, lactation?", "non_cpsp"),
    ("Non-CPSP FFS clinic, lactation?", "ffs_direct"),
    ("A non-participating lactation consultant?", "non_participating"),
    ("An out of network IBCLC?", "non_participating"),
    ("Lactation consultant without a formal arrangement?", "non_participating"),
    ("Lactation consultant with no agreement with any participating doc or facility?",
     "non_participating"),
    ("Independent IBCLC, can she see our member?", "non_participating"),
    ("IBCLC with a formal arrangement with a participating physician?", "formal_arrangement"),
])
def test_provider_status(question, status):
    assert facts(question).provider_status == status


@pytest.mark.parametrize("question,staffing,certified_staff", [
    ("We have an IBCLC on staff, lactation?", "on_staff", True),
    ("No one on staff is certified, lactation?", None, False),
    ("Nobody in our office has a lactation cert, lactation?", None, False),
    ("We don't have an IBCLC, can we bill lactation?", None, False),
    ("Can we subcontract a lactation consultant?", "subcontract", None),
    ("Can we contract with an IBCLC for lactation?", "subcontract", None),
    ("Our staff RN does lactation visits", "on_staff", None),
])
def test_staffing(question, staffing, certified_staff):
    s = facts(question)
    assert (s.staffing, s.has_certified_staff) == (staffing, certified_staff)


@pytest.mark.parametrize("text,months", [
    ("baby is 6 weeks", 1.38), ("a 6-week-old", 1.38), ("10 months old", 10.0),
    ("infant 11 months", 11.0), ("a 12 month old", 12.0), ("1 year old", 12.0),
    ("baby is 1 year", 12.0), ("a one-year-old", 12.0), ("13 months old", 13.0),
    ("18 mo old", 18.0), ("an 18mo old", 18.0), ("2 yrs old", 24.0), ("a 2 yr old", 24.0),
    ("3 wks old", 0.69), ("10 days old", 0.33), ("a year and a half old", 18.0),
    ("newborn", 0.0), ("the baby is a newborn, 2 weeks old", 0.46), ("age 1", 12.0),
    ("aged 2", 24.0), ("she turned one", 12.0), ("under one", 11.0), ("over a year old", 13.0),
    ("under 1 year old", 11.0), ("older than 1 yr", 13.0), ("over one month old", 1.0),
    ("rent it for 3 months", None), ("the mom is 6 weeks postpartum", None),
    ("a 2 month rental", None), ("no age here", None),
])
def test_infant_age(text, months):
    assert parse_age_months(text) == months


@pytest.mark.parametrize("question,item,acquisition", [
    ("Can she rent a hospital grade pump?", "hospital_grade_pump", "rent"),
    ("Hospital-grade pump rental?", "hospital_grade_pump", "rent"),
    ("Can she lease a multi-user pump?", "hospital_grade_pump", "rent"),
    ("Can the member buy a hospital grade pump?", "hospital_grade_pump", "buy"),
    ("Purchase of a hosp. grade pump?", "hospital_grade_pump", "buy"),
    ("She bought a manual pump", "manual_pump", "buy"),
    ("Buy instead of rent a hospital grade pump?", "hospital_grade_pump", "buy"),
    ("Rent rather than buy the hospital grade pump?", "hospital_grade_pump", "rent"),
    ("Hospital grade pump: rent or buy?", "hospital_grade_pump", None),
    ("Personal use electric pump and kit?", "personal_electric_pump", None),
    ("A double electric breast pump?", "personal_electric_pump", None),
    ("A hand pump?", "manual_pump", None),
    ("Breast shells?", "breast_shells", None),
    ("Nipple shields?", "nipple_shields", None),
    ("A brest pump?", "breast_pump", None),
    ("Pump tubing replacement?", "other", None),
    ("Nursing bras?", "other", None),
])
def test_items_and_rent_or_buy(question, item, acquisition):
    s = facts(question)
    assert (s.topic, s.item, s.acquisition) == ("lactation_dme", item, acquisition)


@pytest.mark.parametrize("question,prior_auth,mentioned", [
    ("Rent a hospital grade pump without prior auth?", "not_obtained", True),
    ("Rent a hospital grade pump w/o prior auth?", "not_obtained", True),
    ("Hospital grade pump rental, PA already approved?", "obtained", True),
    ("Hospital grade pump rental, prior authorization was denied", "not_obtained", True),
    ("Hospital grade pump rental with an approved TAR", "obtained", True),
    ("Hospital grade pump rental need auth?", "unknown", True),
    ("Hospital grade pump rental?", "unknown", False),
])
def test_prior_authorization(question, prior_auth, mentioned):
    s = facts(question)
    assert (s.prior_auth, s.prior_auth_mentioned) == (prior_auth, mentioned)
    assert s.renderer_role is None and s.prescriber_role is None  # "PA" here is not a person


@pytest.mark.parametrize("question,topic", [
    ("Can an NP prescribe a breast pump?", "dme_prescription"),
    ("Who can write the rx for lactation DME?", "dme_prescription"),
    ("Who can write the perscription for a breast pump?", "dme_prescription"),
    ("Is a breast pump covered?", "lactation_dme"),
    ("Can we refer a 6 month old for lactation services?", "referral"),
    ("Can our RN bill for lactation visits?", "lactation_services"),
    ("Is breastfeeding support medically necessary?", "lactation_services"),
    ("Do we need a referral form for the WIC program?", None),
    ("What is the provider services phone number?", None),
])
def test_topic(question, topic):
    assert facts(question).topic == topic


@pytest.mark.parametrize("question,billing", [
    ("Can an IBCLC bill Medi-Cal directly?", True),
    ("Is a manual breast pump covered?", True),
    ("hospital grade pump - ok?", True),
    ("What CPT code do we use for a lactation visit?", False),
    ("How much does Health Net pay for a personal use electric pump?", False),
    ("Why was the claim for a breast pump denied?", False),
    ("Can you tell me about the breastfeeding toolkit?", False),
    ("What is lactation DME?", False),
])
def test_is_billing_question(question, billing):
    assert facts(question).is_billing_question is billing


def test_period_medical_necessity_and_member_wishes():
    s = facts("CPSP clinic, antepartum and postpartum lactation education ok?")
    assert s.period == "both"
    s = facts("Member wants to breastfeed but the standard education didn't work")
    assert (s.wants_to_breastfeed, s.standard_support_failed) == (True, True)
    s = facts("Member does not want to breastfeed, is support medically necessary?")
    assert (s.wants_to_breastfeed, s.asks_medical_necessity) == (False, True)
    s = facts("The routine support worked fine, is more lactation support necessary?")
    assert s.standard_support_failed is False


def test_programs():
    assert facts("Can we bill lactation for a Medicare member?").program == "other"
    assert facts("Can we bill lactation for a Medi-Cal member?").program == "medi-cal"
    assert facts("Can we bill lactation?").program is None


# -- follow-up turns ------------------------------------------------------------------------------

def test_later_turn_changes_the_role_and_keeps_the_topic():
    s = facts("what about if she's an RN?", "Can an IBCLC bill Medi-Cal directly?")
    assert (s.topic, s.renderer_role, s.billing_party) == ("lactation_services", "RN", "renderer")
    assert s.renderer_certification == "ibclc"  # "she" is the same certified person
    assert s.is_billing_question


def test_another_person_does_not_inherit_the_certification():
    s = facts("what about an RN?", "Can an IBCLC bill Medi-Cal directly?")
    assert (s.renderer_role, s.renderer_certification) == ("RN", "unknown")


def test_later_facts_override_earlier_ones():
    s = facts("actually the baby is 14 months", "can we refer a 6 month old for lactation?")
    assert (s.topic, s.infant_age_months) == ("referral", 14.0)
    s = facts("can we bill for it then?", "can an LEC bill medi-cal directly?")
    assert s.billing_party == "provider"


def test_a_new_topic_starts_afresh():
    s = facts("Can an NP prescribe a breast pump?", "Our RN with an IBCLC does lactation visits")
    assert (s.topic, s.prescriber_role, s.renderer_role) == ("dme_prescription", "NP", None)
    assert s.renderer_certification == "unknown"


def test_assistant_turns_are_ignored():
    history = [Turn(role="user", content="Can we bill lactation visits by our MA?"),
               Turn(role="assistant", content="Doulas and LVNs are not listed; a PPG follows its "
                                              "own process. A 2 year old is over one.")]
    s = extract_scenario("she has her IBCLC", history)
    assert (s.renderer_role, s.renderer_certification) == ("MA", "ibclc")
    assert s.provider_status is None and s.infant_age_months is None


def test_who_question_clears_the_earlier_person():
    s = facts("who can then?", "can an IBCLC prescribe a breast pump")
    assert (s.topic, s.prescriber_role) == ("dme_prescription", None)


# -- robustness -----------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400), st.lists(st.tuples(st.sampled_from(["user", "assistant"]),
                                                 st.text(max_size=200)), max_size=4))
def test_extraction_never_raises(question, history):
    turns = [Turn(role=r, content=c) for r, c in history]
    s = extract_scenario(question, turns)
    assert isinstance(s, Scenario)
    Scenario.model_validate(s.model_dump())


_WORDS = ["IBCLC", "RN", "PA", "MA", "NP", "LEC", "CNM", "DO", "pump", "rent", "buy", "hospital",
          "grade", "bill", "directly", "own", "number", "our", "we", "no", "not", "certified",
          "PPG", "CPSP", "FFS", "non-CPSP", "refer", "month", "months", "old", "year", "weeks",
          "13", "12", "1", "prior", "auth", "without", "w/o", "w/", "#", "prescribe", "rx",
          "she's", "also", "who", "can", "?", ",", "-", ".", "lactation", "staff", "contract"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=30), st.lists(st.lists(
    st.sampled_from(_WORDS), max_size=12), max_size=3))
def test_extraction_never_raises_on_domain_words(words, history):
    turns = [Turn(role="user", content=" ".join(h)) for h in history]
    extract_scenario(" ".join(words), turns)

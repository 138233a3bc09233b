"""Every rule of corpus/rules/lactation.yaml, in both directions, from questions in plain words.

Each row: a question that the rule decides, and a minimal change of it that the rule must NOT
decide (with the rule and verdict that take over instead).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.rules import RuleBook, extract_scenario
from assistant.types import Turn

RULES_DIR = Path(__file__).resolve().parent.parent / "corpus" / "rules"


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return RuleBook.load(RULES_DIR)


def decide(book: RuleBook, question: str, history: list[str] | None = None):
    turns = [Turn(role="user", content=h) for h in (history or [])]
    return book.check(extract_scenario(question, turns))


# (rule id, verdict, question that hits it, contrast question, contrast rule id, contrast verdict)
CASES = [
    ("certified_person_direct_billing", "not_eligible",
     "Can an IBCLC bill Medi-Cal directly?",
     "Our RN is an IBCLC; can our practice bill her visits under our Medi-Cal number?",
     "provider_bills_certified_staff", "eligible"),
    ("staff_direct_billing", "not_eligible",
     "Can our medical assistant bill Medi-Cal directly for lactation support?",
     ("Can we bill lactation support under our number when our medical assistant has an IBCLC "
     "certification?"), "provider_bills_certified_staff", "eligible"),
    ("licensed_provider_own_number", "unknown",
     "Can a nurse practitioner bill lactation services under her own Medi-Cal number?",
     "Can the practice bill lactation services by a nurse practitioner with an IBCLC?",
     "provider_bills_certified_staff", "eligible"),
    ("ppg_lactation_services", "conditional",
     "We participate through a PPG; can we bill lactation support by our RN who is an IBCLC?",
     "We can bill lactation support by our RN who is an IBCLC?",
     "provider_bills_certified_staff", "eligible"),
    ("non_participating_after_service", "not_eligible",
     "A lactation consultant with no contract already saw our member; can she bill Health Net?",
     "A lactation consultant with no contract wants to see our member; can she bill Health Net?",
     "non_participating_consultant", "conditional"),
    ("non_participating_contacted", "conditional",
     "An out-of-network IBCLC contacted Health Net before the visit; can she see our member?",
     "An out-of-network IBCLC has not called anyone yet; can she see our member?",
     "non_participating_consultant", "conditional"),
    ("non_participating_consultant", "conditional",
     "Independent IBCLC with no formal arrangement - can she see a Health Net member?",
     "IBCLC with a formal arrangement with a participating physician - can she see a member?",
     "contract_consultant", "conditional"),
    ("cpsp_education_support", "eligible",
     "We're CPSP certified, can we give prenatal breastfeeding education?",
     "We're CPSP certified, can we give preconception breastfeeding education?",
     "cpsp_outside_period", "unknown"),
    ("cpsp_outside_period", "unknown",
     "Can a CPSP provider offer breastfeeding support preconception?",
     "Can a CPSP provider offer breastfeeding support postpartum?",
     "cpsp_education_support", "eligible"),
    ("medical_necessity_not_wanted", "not_eligible",
     "Is lactation support medically necessary for a member who does not want to breastfeed?",
     ("Is lactation support medically necessary for a member who wants to breastfeed when the "
     "standard education didn't work?"), "medical_necessity_met", "eligible"),
    ("medical_necessity_standard_sufficient", "not_eligible",
     ("The standard breastfeeding education worked; is more lactation support medically "
     "necessary?"),
     ("The standard breastfeeding education has not been enough; is more lactation support "
     "medically necessary?"), "medical_necessity_met", "eligible"),
    ("medical_necessity_met", "eligible",
     ("Member wants to breastfeed but the usual education isn't working - is lactation support "
     "covered?"),
     "Member does not want to breastfeed - is lactation support medically necessary?",
     "medical_necessity_not_wanted", "not_eligible"),
    ("medical_necessity_unstated", "conditional",
     "When is lactation support considered medically necessary?",
     "When is lactation support medically necessary if the routine support failed?",
     "medical_necessity_met", "eligible"),
    ("contract_consultant_no_staff", "eligible",
     "Nobody on staff has a lactation certification; can we subcontract an IBCLC?",
     "We already have an IBCLC on staff; can we subcontract another lactation consultant?",
     "contract_consultant_with_staff", "unknown"),
    ("contract_consultant_with_staff", "unknown",
     "We have an LEC on staff, can we still contract with an outside lactation consultant?",
     "Can we contract with an outside lactation consultant?",
     "contract_consultant", "conditional"),
    ("contract_consultant", "conditional",
     "Can we contract with a lactation consultant and pay her as a subcontractor?",
     "No one in our practice is certified; can we contract with a lactation consultant?",
     "contract_consultant_no_staff", "eligible"),
    ("no_certified_staff_contract_option", "conditional",
     "No one in our office is lactation certified; can we bill lactation services?",
     "Our RN in the office is lactation certified; can we bill lactation services?",
     "provider_bills_certified_staff", "eligible"),
    ("referral_within_first_year", "eligible",
     "Can we refer an 11-month-old for lactation services?",
     "Can we refer a 13-month-old for lactation services?",
     "referral_after_first_year", "not_eligible"),
    ("referral_after_first_year", "not_eligible",
     "Can we refer a 2 year old to lactation services?",
     "Can we refer a 10 month old to lactation services?",
     "referral_within_first_year", "eligible"),
    ("referral_age_unstated", "conditional",
     "Can we refer a member to lactation services?",
     "Can we refer a member to lactation services for her 6 week old baby?",
     "referral_within_first_year", "eligible"),
    ("provider_bills_certified_staff", "eligible",
     "CPHW with IBCLC cert - billable under our medi-cal number?",
     "CPHW with no lactation certification - billable under our medi-cal number?",
     "provider_bills_uncertified_staff", "not_eligible"),
    ("provider_bills_uncertified_staff", "not_eligible",
     "Our RN has no lactation certification; can we bill her lactation visits?",
     "Our RN is a certified lactation educator counselor; can we bill her lactation visits?",
     "provider_bills_certified_staff", "eligible"),
    ("provider_bills_staff_certification_unstated", "conditional",
     "Can we bill for lactation support done by our physician assistant?",
     "Can we bill for lactation support done by our physician assistant who has her IBCLC?",
     "provider_bills_certified_staff", "eligible"),
    ("nurse_licence_unstated", "conditional",
     "Can we bill lactation visits done by our nurse?",
     "Can we bill lactation visits done by our registered nurse?",
     "provider_bills_staff_certification_unstated", "conditional"),
    ("ffs_certified_staff", "eligible",
     "We're a fee-for-service provider with an IBCLC on staff; can we provide lactation services?",
     "We're a fee-for-service provider; can we provide lactation services?",
     "ffs_staff_certification_unstated", "conditional"),
    ("ffs_staff_certification_unstated", "conditional",
     "We contract directly with Health Net (FFS), can we offer lactation services?",
     ("We contract directly with Health Net (FFS) and have a lactation educator on staff, can we "
     "offer lactation services?"), "ffs_certified_staff", "eligible"),
    ("non_cpsp_contract_unstated", "conditional",
     "We're not CPSP and have an IBCLC on staff; can we provide lactation services?",
     "We're FFS, not CPSP, and have an IBCLC on staff; can we provide lactation services?",
     "ffs_certified_staff", "eligible"),
    ("non_cpsp_staff_unstated", "conditional",
     "We're a non-CPSP provider; can we provide lactation services?",
     "We're a CPSP provider; can we provide lactation services?",
     "cpsp_education_support", "eligible"),
    ("consultant_on_staff", "conditional",
     "We employ an IBCLC; can we bill for her lactation visits?",
     "We're FFS and employ an IBCLC; can we bill for her lactation visits?",
     "ffs_certified_staff", "eligible"),
    ("consultant_billing_route", "conditional",
     "Can an IBCLC bill for lactation services?",
     "Can an IBCLC bill Medi-Cal directly for lactation services?",
     "certified_person_direct_billing", "not_eligible"),
    ("certified_may_provide", "eligible",
     "Can a lactation educator-counselor provide lactation education to our members?",
     "Can a doula provide lactation education to our members?",
     "outside_rules", "unknown"),
    ("services_billing_route", "conditional",
     "Can we bill for lactation services?",
     "Can we bill for lactation services for a Medicare member?",
     "outside_rules", "unknown"),
    ("hospital_grade_purchase", "not_eligible",
     "Can the member buy a hospital-grade breast pump?",
     "Can the member rent a hospital-grade breast pump?",
     "hospital_grade_rental", "conditional"),
    ("ppg_lactation_dme", "conditional",
     "We're in a PPG; can a member get a manual breast pump?",
     "Can a member get a manual breast pump?",
     "manual_pump", "eligible"),
    ("hospital_grade_without_prior_auth", "not_eligible",
     "Can a member rent a hospital-grade pump without prior authorization?",
     "Can a member rent a hospital-grade pump? Prior authorization was approved.",
     "hospital_grade_rental_authorized", "eligible"),
    ("hospital_grade_rental_authorized", "eligible",
     "Hosp grade pump rental, PA already approved - covered?",
     "Hosp grade pump rental, PA was denied - covered?",
     "hospital_grade_without_prior_auth", "not_eligible"),
    ("hospital_grade_rental", "conditional",
     "Is a hospital grade pump rental covered?",
     "Is a hospital grade pump purchase covered?",
     "hospital_grade_purchase", "not_eligible"),
    ("hospital_grade_unstated", "conditional",
     "Is a hospital-grade breast pump covered?",
     "Is a manual breast pump covered?",
     "manual_pump", "eligible"),
    ("pump_rental_type_unstated", "conditional",
     "Can a member rent a breast pump?",
     "Can a member rent a multi-user breast pump?",
     "hospital_grade_rental", "conditional"),
    ("manual_pump", "eligible",
     "Is a manual breast pump covered for a Medi-Cal member?",
     "Are manual pump replacement parts covered for a Medi-Cal member?",
     "unlisted_dme_item", "unknown"),
    ("personal_electric_pump", "eligible",
     "Can a member get a personal-use electric breast pump and kit?",
     "Can a member get a hospital-grade electric breast pump and kit?",
     "hospital_grade_unstated", "conditional"),
    ("breast_pump_types", "eligible",
     "Can a member get a breast pump?",
     "Can a member get a breast pump to own? She wants to buy a hospital grade one.",
     "hospital_grade_purchase", "not_eligible"),
    ("shells_and_shields", "eligible",
     "Are nipple shields covered lactation DME?",
     "Are nursing pads covered lactation DME?",
     "unlisted_dme_item", "unknown"),
    ("unlisted_dme_item", "unknown",
     "Does Health Net cover breast milk storage bags?",
     "Does Health Net cover breast shells?",
     "shells_and_shields", "eligible"),
    ("lactation_dme_general", "eligible",
     "Is lactation DME covered for members?",
     "Is lactation DME covered for Covered California members?",
     "outside_rules", "unknown"),
    ("prescriber_listed", "eligible",
     "Can a physician assistant prescribe a breast pump?",
     "Can a medical assistant prescribe a breast pump?",
     "prescriber_not_licensed", "not_eligible"),
    ("prescriber_not_licensed", "not_eligible",
     "Can the IBCLC write the prescription for the pump herself?",
     "Can the OB write the prescription for the pump?",
     "prescriber_listed", "eligible"),
    ("prescriber_licensed_not_listed", "unknown",
     "Can an LVN prescribe a breast pump?",
     "Can an NP prescribe a breast pump?",
     "prescriber_listed", "eligible"),
    ("prescriber_midwife_type", "conditional",
     "Can a midwife prescribe a breast pump?",
     "Can a certified nurse midwife prescribe a breast pump?",
     "prescriber_listed", "eligible"),
    ("prescriber_nurse_type", "conditional",
     "Can a nurse write the prescription for a breast pump?",
     "Can a nurse practitioner write the prescription for a breast pump?",
     "prescriber_listed", "eligible"),
    ("prescriber_unstated", "conditional",
     "Who can write a prescription for a breast pump?",
     "Can a pharmacist write a prescription for a breast pump?",
     "prescriber_licensed_not_listed", "unknown"),
]


@pytest.mark.parametrize("rule_id,verdict,question,_q2,_r2,_v2", CASES, ids=[c[0] for c in CASES])
def test_rule_applies(book, rule_id, verdict, question, _q2, _r2, _v2):
    decision = decide(book, question)
    assert decision is not None, question
    assert (decision.rule_id, decision.verdict) == (rule_id, verdict)


@pytest.mark.parametrize("rule_id,_v,_q,contrast,other_rule,other_verdict", CASES,
                         ids=[c[0] for c in CASES])
def test_rule_does_not_apply_to_the_contrast(book, rule_id, _v, _q, contrast, other_rule,
                                            other_verdict):
    decision = decide(book, contrast)
    assert decision is not None, contrast
    assert decision.rule_id != rule_id
    assert (decision.rule_id, decision.verdict) == (other_rule, other_verdict)


def test_every_rule_has_a_row(book):
    assert {c[0] for c in CASES} == set(book.order)


def test_verdict_kinds_match_the_rule_files(book):
    for rule_id, verdict, *_ in CASES:
        assert book.get(rule_id).verdict == verdict


@pytest.mark.parametrize("question,rule_id,ask", [
    ("Can we bill lactation support by our RN?", "provider_bills_staff_certification_unstated",
     "Does the RN hold an IBCLC or lactation educator-counselor certification?"),
    ("Can we bill lactation support by our MA?", "provider_bills_staff_certification_unstated",
     "Does the MA hold an IBCLC or lactation educator-counselor certification?"),
    ("Can we refer for lactation services?", "referral_age_unstated", "How old is the infant?"),
    ("Can a member rent a hospital-grade pump?", "hospital_grade_rental",
     "Has prior authorization been obtained for the hospital-grade pump rental?"),
    ("Who can prescribe a breast pump?", "prescriber_unstated",
     "Who will write the prescription?"),
])
def test_missing_fact_gives_conditional_and_the_question_to_ask(book, question, rule_id, ask):
    decision = decide(book, question)
    assert decision.rule_id == rule_id
    assert decision.verdict == "conditional"
    assert decision.condition
    assert decision.missing_facts == [ask]


@pytest.mark.parametrize("question", [
    "Our doula is an IBCLC; can we bill her sessions as lactation support?",
    "LVN with IBCLC cert, can we bill for her lactation visits?",
    "LPN with CLEC cert - can we bill her lactation visits?",
    "Registered dietitian with CLEC cert - can we bill lactation for her?",
    "Social worker who is an IBCLC, bill lactation under our number?",
    "Our RN is a certified lactation counselor (CLC); can we bill her lactation visits?",
    "Chiropractor wrote the rx for a breast pump - acceptable?",
])
def test_roles_the_manual_does_not_list_are_unknown(book, question):
    decision = decide(book, question)
    assert decision.verdict == "unknown"
    assert decision.rule_id == "outside_rules"
    assert "does not settle" in decision.explanation
    assert "Provider Services" in decision.explanation
    assert decision.citation is None


@pytest.mark.parametrize("age,verdict", [
    ("6 weeks old", "eligible"), ("11 months old", "eligible"), ("12 months old", "eligible"),
    ("1 year old", "eligible"), ("one-year-old", "eligible"), ("13 months old", "not_eligible"),
    ("18 mo old", "not_eligible"), ("2 yrs old", "not_eligible"), ("newborn", "eligible"),
])
def test_referral_age_boundaries(book, age, verdict):
    decision = decide(book, f"Can we refer a {age} baby to lactation services?")
    assert decision.verdict == verdict, decision


@pytest.mark.parametrize("question,verdict", [
    ("Can the member rent a hospital grade pump with prior auth approved?", "eligible"),
    ("Can the member lease a hospital grade pump? The auth is on file.", "eligible"),
    ("Can the member purchase a hospital grade pump? The auth is on file.", "not_eligible"),
    ("Can she buy the hospital grade pump instead of renting it?", "not_eligible"),
    ("Can she rent the hospital grade pump rather than buy it, PA approved?", "eligible"),
    ("Hospital grade pump: rent or buy?", "conditional"),
    ("Can the member buy a manual breast pump?", "eligible"),
])
def test_rent_versus_buy(book, question, verdict):
    assert decide(book, question).verdict == verdict


@pytest.mark.parametrize("history,question,rule_id,verdict", [
    (["can an IBCLC bill medi-cal directly?"], "what about if she's an RN?",
     "certified_person_direct_billing", "not_eligible"),
    (["can a lactation educator counselor bill medi-cal directly"],
     "what if she's an RN on our staff, can we bill for it then?",
     "provider_bills_certified_staff", "eligible"),
    (["can an IBCLC bill medi-cal directly?"], "what about an RN, can we bill for one?",
     "provider_bills_staff_certification_unstated", "conditional"),
    (["our nurse practitioner does breastfeeding visits"],
     "can we bill those under our medi-cal number? she has her IBCLC",
     "provider_bills_certified_staff", "eligible"),
    (["we have an RN doing lactation support"], "she has no certification tho, can we still bill?",
     "provider_bills_uncertified_staff", "not_eligible"),
    (["member needs a hospital grade pump"], "can she buy it instead of renting?",
     "hospital_grade_purchase", "not_eligible"),
    (["can we refer for lactation services"], "and the baby is 14 months",
     "referral_after_first_year", "not_eligible"),
    (["can we refer a 6 month old for lactation services"], "actually the baby is 14 months",
     "referral_after_first_year", "not_eligible"),
    (["member needs a manual breast pump"], "ok and if the rx is from her midwife (CNM)?",
     "prescriber_listed", "eligible"),
    (["our MA has an IBCLC cert and we bill under our number"],
     "what if the one rendering is an LVN", "outside_rules", "unknown"),
    (["can an IBCLC prescribe a breast pump"], "who can then?", "prescriber_unstated",
     "conditional"),
])
def test_follow_up_turns(book, history, question, rule_id, verdict):
    decision = decide(book, question, history)
    assert (decision.rule_id, decision.verdict) == (rule_id, verdict)


@pytest.mark.parametrize("question", [
    "What is in the breastfeeding promotion toolkit?",
    "What does CPSP stand for?",
    "What CPT code do we use for a lactation visit?",
    "How many breast pumps per pregnancy?",
    "Reasons a mom might need a breast pump?",
    "What is the provider services phone number?",
    "Who can provide lactation education and support services?",
    "Is flu vaccine covered for pregnant members?",
])
def test_not_a_billing_eligibility_question(book, question):
    assert decide(book, question) is None

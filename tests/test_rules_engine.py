"""RuleBook: loading and validation, first-match-wins order, stale rules, quotes and verdicts."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import RulesError
from assistant.rules import (
    OUTSIDE_RULES,
    RuleBook,
    Scenario,
    find_span,
    locate_citation,
    to_verdict,
)
from assistant.rules.conditions import PREDICATES
from assistant.rules.model import literal_values
from assistant.types import Chunk, Citation, Verdict

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "corpus" / "rules"
SEED = ROOT / "corpus" / "lactation-education-and-support-services.txt"
DOC = "lactation-education-and-support-services"


@pytest.fixture(scope="module")
def book() -> RuleBook:
    return RuleBook.load(RULES_DIR)


@pytest.fixture(scope="module")
def page() -> str:
    return frontmatter.load(SEED).content


def raw_rules() -> dict:
    return yaml.safe_load((RULES_DIR / "lactation.yaml").read_text(encoding="utf-8"))


# -- the shipped rules --------------------------------------------------------------------------

def test_every_quote_is_an_exact_substring_of_the_seed_page(book, page):
    for rule in book.rules:
        assert rule.citation.doc_id == DOC
        assert rule.citation.quote in page, rule.id


def test_every_quote_is_a_whole_sentence_or_list_item(book, page):
    lines = [ln.strip(" \u2022") for ln in page.splitlines()]
    for rule in book.rules:
        q = rule.citation.quote
        line = next(ln for ln in lines if q in ln)
        start = line.index(q)
        assert start == 0 or line[start - 2:start] in (". ", "? "), rule.id
        assert q.endswith((".", ":")) or q == line, rule.id


def test_nothing_is_stale_against_the_seed_page(book, page):
    assert book.stale({DOC: page}) == []


def test_every_billing_fact_of_the_page_has_a_rule(book, page):
    facts = [
        "can be assigned a Medi-Cal provider number or bill Medi-Cal for services directly",
        "can bill for lactation support services under their Medi-Cal number",
        "reimburse that individual as a subcontracting employee",
        "breastfeeding education, support and referrals in the antepartum and postpartum period",
        "bill using appropriate ICD-10 or CPT codes",
        "for infants up to age one",
        "considered a non-participating provider and must contact Health Net",
        "must follow the PPGs' processes",
        "Manual breast pump", "Personal-use electric breast pump and kit",
        "rentals only (prior authorization required)", "breast shells and nipple shields",
        "must be written by a licensed provider",
        "considered medically necessary for those members who would like to breastfeed",
    ]
    quotes = [r.citation.quote for r in book.rules]
    for fact in facts:
        assert fact in page
        assert any(fact in q for q in quotes), fact


def test_rules_use_only_registered_predicates_and_known_values(book):
    names = {p.name for p in PREDICATES}

    def walk(when):
        for key, want in when.items():
            if key == "test":
                assert set([want] if isinstance(want, str) else want) <= names
            elif key == "any":
                for sub in want:
                    walk(sub)
            else:
                allowed = literal_values(key)
                values = want if isinstance(want, list) else [want]
                if allowed is not None:
                    assert all(v in allowed for v in values if not isinstance(v, dict))

    for rule in book.rules:
        walk(rule.when)


# -- order: first match wins --------------------------------------------------------------------

BASE = {"is_billing_question": True}
OVERLAPS = [
    # (earlier rule, later rule, a scenario both match)
    ("certified_person_direct_billing", "ppg_lactation_services",
     {"topic": "lactation_services", "renderer_role": "IBCLC", "renderer_certification": "ibclc",
      "billing_party": "renderer", "provider_status": "ppg"}),
    ("ppg_lactation_services", "provider_bills_certified_staff",
     {"topic": "lactation_services", "renderer_role": "RN", "renderer_certification": "ibclc",
      "provider_status": "ppg"}),
    ("non_participating_after_service", "non_participating_consultant",
     {"topic": "lactation_services", "renderer_role": "IBCLC", "renderer_certification": "ibclc",
      "provider_status": "non_participating", "contacted_before_service": False}),
    ("cpsp_education_support", "referral_within_first_year",
     {"topic": "referral", "provider_status": "cpsp", "infant_age_months": 3}),
    ("medical_necessity_not_wanted", "medical_necessity_met",
     {"topic": "lactation_services", "wants_to_breastfeed": False,
      "standard_support_failed": True}),
    ("contract_consultant_no_staff", "no_certified_staff_contract_option",
     {"topic": "lactation_services", "staffing": "subcontract", "has_certified_staff": False}),
    ("no_certified_staff_contract_option", "provider_bills_certified_staff",
     {"topic": "lactation_services", "renderer_role": "MA", "renderer_certification": "ibclc",
      "has_certified_staff": False}),
    ("provider_bills_certified_staff", "ffs_certified_staff",
     {"topic": "lactation_services", "renderer_role": "RN", "renderer_certification": "lec",
      "provider_status": "ffs_direct", "has_certified_staff": True}),
    ("consultant_on_staff", "certified_may_provide",
     {"topic": "lactation_services", "renderer_role": "LEC", "renderer_certification": "lec",
      "staffing": "on_staff"}),
    ("hospital_grade_purchase", "ppg_lactation_dme",
     {"topic": "lactation_dme", "item": "hospital_grade_pump", "acquisition": "buy",
      "provider_status": "ppg"}),
    ("hospital_grade_without_prior_auth", "hospital_grade_rental",
     {"topic": "lactation_dme", "item": "hospital_grade_pump", "acquisition": "rent",
      "prior_auth": "not_obtained"}),
    ("hospital_grade_rental_authorized", "hospital_grade_rental",
     {"topic": "lactation_dme", "item": "hospital_grade_pump", "acquisition": "rent",
      "prior_auth": "obtained"}),
    ("hospital_grade_rental", "hospital_grade_unstated",
     {"topic": "lactation_dme", "item": "hospital_grade_pump", "acquisition": "rent"}),
    ("ppg_lactation_dme", "prescriber_listed",
     {"topic": "dme_prescription", "prescriber_role": "NP", "provider_status": "ppg"}),
]


@pytest.mark.parametrize("first,later,facts", OVERLAPS, ids=[f"{a}>{b}" for a, b, _ in OVERLAPS])
def test_first_match_wins(book, first, later, facts):
    scenario = Scenario(**BASE, **facts)
    assert book.get(first).matches(scenario) and book.get(later).matches(scenario)
    assert book.order.index(first) < book.order.index(later)
    assert book.match(scenario).id == first
    reordered = RuleBook([r for r in book.rules if r.id != first] + [book.get(first)])
    assert reordered.match(scenario).id != first


def test_order_is_the_order_written(book):
    written = [r["id"] for r in raw_rules()["rules"]]
    assert book.order == written


def test_files_are_read_in_name_order(tmp_path):
    data = raw_rules()
    (tmp_path / "b.yaml").write_text(yaml.safe_dump({"rules": data["rules"][:1]}))
    (tmp_path / "a.yaml").write_text(yaml.safe_dump({"rules": data["rules"][1:2]}))
    assert RuleBook.load(tmp_path).order == [data["rules"][1]["id"], data["rules"][0]["id"]]


# -- check ----------------------------------------------------------------------------------------

def test_check_returns_none_for_questions_no_rule_is_about(book):
    assert book.check(Scenario()) is None
    assert book.check(Scenario(topic="lactation_services")) is None  # not a billing question
    assert book.check(Scenario(is_billing_question=True)) is None  # no topic
    assert book.check(Scenario(is_billing_question=True, topic="lactation_services")) is None


def test_outside_rules_is_unknown_and_points_to_provider_services(book):
    d = book.check(Scenario(is_billing_question=True, topic="lactation_services",
                            renderer_role="doula", renderer_certification="ibclc",
                            billing_party="provider"))
    assert (d.verdict, d.rule_id, d.citation) == ("unknown", OUTSIDE_RULES, None)
    assert "does not name a doula" in d.explanation
    assert "Provider Services" in d.explanation


def test_other_lines_of_business_are_outside_the_rules(book):
    d = book.check(Scenario(is_billing_question=True, topic="lactation_dme", item="manual_pump",
                            program="other"))
    assert (d.verdict, d.rule_id) == ("unknown", OUTSIDE_RULES)
    assert "Medi-Cal only" in d.explanation


def test_templates_are_filled_from_the_scenario(book):
    d = book.check(Scenario(is_billing_question=True, topic="lactation_services",
                            renderer_role="NP"))
    assert d.condition == "the NP holds an IBCLC or lactation educator-counselor certification"
    assert d.missing_facts == [
        "Does the NP hold an IBCLC or lactation educator-counselor certification?"]
    assert "{" not in d.explanation
    d = book.check(Scenario(is_billing_question=True, topic="referral", infant_age_months=1.38))
    assert "(6 weeks)" in d.explanation


_SCENARIO_VALUES = {name: st.sampled_from(list(literal_values(name)))
                    for name in Scenario.model_fields if literal_values(name) is not None}
scenarios = st.builds(
    Scenario, **_SCENARIO_VALUES,
    infant_age_months=st.one_of(st.none(), st.floats(min_value=0, max_value=60)))


@functools.cache
def shipped_book() -> RuleBook:
    return RuleBook.load(RULES_DIR)


@settings(max_examples=400, deadline=None)
@given(scenarios)
def test_check_never_raises_and_always_explains(scenario):
    book = shipped_book()
    d = book.check(scenario)
    if d is None:
        return
    assert d.rule_id in [*book.order, OUTSIDE_RULES]
    assert d.explanation and "{" not in d.explanation
    if d.verdict == "conditional":
        assert d.condition
    if d.rule_id != OUTSIDE_RULES:
        assert d.citation is not None


# -- stale rules ----------------------------------------------------------------------------------

def test_removing_a_sentence_makes_its_rules_stale(book, page):
    sentence = "Providers may refer a member to lactation services for infants up to age one."
    edited = page.replace(sentence, "")
    assert book.stale({DOC: edited}) == [
        "referral_within_first_year", "referral_after_first_year", "referral_age_unstated"]


def test_editing_a_sentence_makes_its_rules_stale(book, page):
    edited = page.replace("rentals only (prior authorization required)", "rentals or purchase")
    assert set(book.stale({DOC: edited})) == {
        r.id for r in book.rules if "rentals only" in r.citation.quote}


def test_whitespace_changes_are_not_stale(book, page):
    rewrapped = page.replace(" ", "\n  ").replace("\n\n", "\n")
    assert book.stale({DOC: rewrapped}) == []


def test_missing_page_makes_every_rule_stale(book):
    assert book.stale({}) == book.order
    assert book.stale({"another-page": "text"}) == book.order


def test_a_stale_rule_is_never_applied_silently(book, page):
    stale = book.stale({DOC: page.replace("for infants up to age one", "for infants")})
    scenario = Scenario(is_billing_question=True, topic="referral", infant_age_months=18)
    d = book.check(scenario, stale=stale)
    assert (d.verdict, d.rule_id, d.stale) == ("unknown", "referral_after_first_year", True)
    assert "no longer in the indexed manual" in d.explanation
    assert book.check(scenario).verdict == "not_eligible"


# -- quotes, citations, verdicts ------------------------------------------------------------------

@pytest.mark.parametrize("text,quote,span", [
    ("a b c", "b c", (2, 5)), ("a  b\n c d", "b c", (3, 7)), ("abc", "x", None),
    ("abc", "   ", None), ("x\u00a0 y", "x y", (0, 4)),
])
def test_find_span(text, quote, span):
    assert find_span(text, quote) == span


def _chunk(text: str, doc_id: str = DOC, n: int = 0) -> Chunk:
    return Chunk(chunk_id=f"{doc_id}::s::{n}", doc_id=doc_id, title="Lactation", section="S",
                 text=text, start=0, end=len(text), ordinal=n, content_hash="h")


def test_locate_citation_quotes_the_chunk_text_exactly(book):
    d = book.check(Scenario(is_billing_question=True, topic="referral", infant_age_months=3))
    wrapped = ("Intro.\nProviders may refer a member to lactation services\nfor infants up to "
               "age one. More.")
    chunks = [_chunk("unrelated", n=0), _chunk(wrapped, doc_id="other-doc", n=1),
              _chunk(wrapped, n=2)]
    c = locate_citation(d, chunks, n=1)
    assert c.chunk_id == f"{DOC}::s::2"
    assert c.quote in wrapped and "\n" in c.quote
    assert locate_citation(d, [_chunk("nothing here")]) is None
    assert locate_citation(None, chunks) is None


def test_to_verdict_leads_with_the_condition(book):
    d = book.check(Scenario(is_billing_question=True, topic="lactation_services",
                            renderer_role="RN"))
    cite = Citation(n=1, chunk_id="c", doc_id=DOC, title="t", section="s", quote="q")
    v = to_verdict(d, cite)
    assert isinstance(v, Verdict)
    assert v.verdict == "conditional" and v.rule_id == d.rule_id
    assert v.explanation.startswith("Eligible only if the RN holds an IBCLC")
    assert v.missing_facts == d.missing_facts and v.citation == cite
    assert v.scenario["renderer_role"] == "RN"
    assert to_verdict(None) is None


# -- malformed rule files -------------------------------------------------------------------------

def _write(tmp_path: Path, data, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def _one_rule(**changes) -> dict:
    rule = copy.deepcopy(raw_rules()["rules"][0])
    for key, value in changes.items():
        if value is None:
            rule.pop(key, None)
        else:
            rule[key] = value
    return {"rules": [rule]}


@pytest.mark.parametrize("data,message", [
    ("rules: [\n  - id: x\n", "not valid YAML"),
    ("- just\n- a list\n", "'rules:' list"),
    ({"rulez": []}, "'rules:' list"),
    ({"rules": [], "extra": 1}, "unknown top-level keys"),
    ({"rules": ["text"]}, "a rule must be a mapping"),
    (_one_rule(id="Bad Id"), "'id' must be lower_snake_case"),
    (_one_rule(id=OUTSIDE_RULES), "reserved"),
    (_one_rule(verdict="maybe"), "'verdict' must be one of"),
    (_one_rule(explanation=" "), "'explanation' must be non-empty"),
    (_one_rule(verdict="conditional"), "must state its 'condition'"),
    (_one_rule(condition="when it rains"), "only a conditional rule"),
    (_one_rule(citation=None), "'citation' must have exactly doc_id and quote"),
    (_one_rule(citation={"doc_id": DOC}), "'citation' must have exactly doc_id and quote"),
    (_one_rule(when=None), "'when' must be a non-empty mapping"),
    (_one_rule(when={"colour": "red"}), "unknown scenario field 'colour'"),
    (_one_rule(when={"renderer_role": "IBLC"}), "'IBLC' is not one of"),
    (_one_rule(when={"renderer_role": {"not": ["RN", "Nurse"]}}), "'Nurse' is not one of"),
    (_one_rule(when={"infant_age_months": {"lte": "twelve"}}), "needs a number"),
    (_one_rule(when={"item": {"gt": 3}}), "only applies to infant_age_months"),
    (_one_rule(when={"item": {"near": "pump"}}), "unknown operator"),
    (_one_rule(when={"test": "is_tuesday"}), "unknown predicate 'is_tuesday'"),
    (_one_rule(when={"any": []}), "'any' must be a non-empty list"),
    (_one_rule(when={"any": [{"topic": "bananas"}]}), "'bananas' is not one of"),
    (_one_rule(explanation="Ask the {colour}."), "unknown placeholder {colour}"),
    (_one_rule(ask="Is it {"), "bad placeholder"),
    (_one_rule(colour="red"), "unknown key 'colour'"),
])
def test_malformed_rules_raise_rules_error_naming_file_and_problem(tmp_path, data, message):
    path = _write(tmp_path, data)
    with pytest.raises(RulesError) as err:
        RuleBook.load(tmp_path)
    assert message in str(err.value)
    assert str(path) in str(err.value)


def test_duplicate_ids_across_files(tmp_path):
    _write(tmp_path, _one_rule(), "a.yaml")
    _write(tmp_path, _one_rule(), "b.yaml")
    with pytest.raises(RulesError, match="Duplicate rule ids"):
        RuleBook.load(tmp_path)


def test_missing_or_empty_rules_folder(tmp_path):
    with pytest.raises(RulesError, match="does not exist"):
        RuleBook.load(tmp_path / "nope")
    with pytest.raises(RulesError, match="No rules found"):
        RuleBook.load(tmp_path)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    bad = _one_rule(verdict="maybe")
    bad["rules"].append(_one_rule(id="second", when={"colour": 1})["rules"][0])
    _write(tmp_path, bad)
    with pytest.raises(RulesError) as err:
        RuleBook.load(tmp_path)
    assert "'verdict' must be one of" in str(err.value)
    assert "(second): unknown scenario field 'colour'" in str(err.value)

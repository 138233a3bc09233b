"""The one rule guard: the verdict has the last word and no answer contradicts it.

Which sentences contradict a verdict (a table, on the shipped packs), the guard's properties, and
the guard as the pipeline applies it to a scripted answerer's draft."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.rules import (
    GuardVocab,
    RuleBook,
    contradicting_sentences,
    contradicts,
    guard,
    sentences,
    to_verdict,
    verdict_statement,
)
from core.types import Citation, Verdict

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "corpus" / "rules"


@functools.cache
def book() -> RuleBook:
    return RuleBook.load(RULES_DIR)


@functools.cache
def vocab_of(pack: str) -> GuardVocab:
    return GuardVocab.of(book().pack(pack))


@functools.cache
def verdict_for(question: str) -> tuple[Verdict, GuardVocab]:
    decision = book().check(question)
    assert decision is not None, question
    return to_verdict(decision), vocab_of(decision.pack)


# (question that sets the verdict, answer sentence, contradicts?)
CASES = [
    # not_eligible: an IBCLC billing directly
    ("Can an IBCLC bill Medi-Cal directly?", "Yes, IBCLCs may bill Medi-Cal directly.", True),
    ("Can an IBCLC bill Medi-Cal directly?", "IBCLCs can bill Medi-Cal directly [1].", True),
    ("Can an IBCLC bill Medi-Cal directly?", "Yes.", True),
    ("Can an IBCLC bill Medi-Cal directly?",
     "The IBCLC can enroll as a Medi-Cal provider and bill on her own.", True),
    ("Can an IBCLC bill Medi-Cal directly?", "An IBCLC can bill only through a Medi-Cal provider.",
     False),
    ("Can an IBCLC bill Medi-Cal directly?",
     "No. IBCLCs cannot be assigned a Medi-Cal provider number [1].", False),
    ("Can an IBCLC bill Medi-Cal directly?",
     "A Medi-Cal provider can bill under its own number when a certified RN renders it.", False),
    ("CAN AN IBCLC BILL MEDI-CAL DIRECTLY?", "YES, AN IBCLC CAN BILL MEDI-CAL DIRECTLY.", True),
    # eligible: provider bills for a certified RN
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
     "No, you cannot bill for this.", True),
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
     "Your practice can't bill for the RN's lactation visits.", True),
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
     "Lactation visits by your RN are not billable.", True),
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
     "The RN cannot bill Medi-Cal directly; your practice bills under its number.", False),
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
     ("Persons with lactation educator-counselor or IBCLC certifications are not recognized by "
     "the state of California as designated professionals who can be assigned a Medi-Cal "
     "provider number or bill Medi-Cal for services directly."), False),
    ("Our RN is an IBCLC, can we bill lactation support under our medi-cal #?",
     "Yes, you can bill under your Medi-Cal number [1].", False),
    # not_eligible: buying a hospital-grade pump
    ("Can the member buy a hospital grade pump?", "Yes, members can buy a hospital-grade pump.",
     True),
    ("Can the member buy a hospital grade pump?",
     "The member may purchase a hospital-grade electric breast pump.", True),
    ("Can the member buy a hospital grade pump?",
     "Members can rent a hospital-grade pump with prior authorization.", False),
    ("Can the member buy a hospital grade pump?", "Hospital-grade pumps are rentals only.", False),
    # eligible: renting with prior authorization
    ("Hosp grade pump rental, PA already approved - covered?",
     "The rental is not covered.", True),
    ("Hosp grade pump rental, PA already approved - covered?",
     "A hospital-grade pump cannot be rented without prior authorization.", False),
    # unknown: a role the manual does not list
    ("Our doula is an IBCLC, can we bill her sessions as lactation support?",
     "Yes, you can bill for the doula's sessions.", True),
    ("Our doula is an IBCLC, can we bill her sessions as lactation support?",
     "Doulas cannot bill for lactation support.", True),
    ("Our doula is an IBCLC, can we bill her sessions as lactation support?",
     "The manual does not list doulas among the staff whose services can be billed.", False),
    ("Our doula is an IBCLC, can we bill her sessions as lactation support?",
     "Contact Health Net Provider Services to confirm whether you can bill.", False),
    # conditional: certification not stated
    ("Can RN bill for lactation??", "Yes, RNs can bill for lactation services.", True),
    ("Can RN bill for lactation??", "RNs cannot bill for lactation.", True),
    ("Can RN bill for lactation??",
     ("A Medi-Cal provider can bill for lactation support services under their Medi-Cal number "
     "if the services are rendered by a registered nurse (RN) who has one of these "
     "certifications."), False),
    ("Can RN bill for lactation??",
     "The RN can provide lactation support if she holds an IBCLC certification.", False),
    ("Can RN bill for lactation??", "Does the RN hold an IBCLC certification?", False),
    # eligible FFS: the manual's own relative clause "who are not CPSP certified"
    ("FFS non-CPSP clinic, our staff is IBCLC, can we bill?",
     ("Health Net directly contracting (fee-for-service (FFS)) Medi-Cal participating providers "
     "who are not CPSP certified can provide lactation services if a staff member is a "
     "lactation educator-counselor or IBCLC and bill using appropriate ICD-10 or CPT codes."),
     False),
    ("FFS non-CPSP clinic, our staff is IBCLC, can we bill?",
     "You cannot bill for these services.", True),
    # referral age
    ("Can we refer a 13 month old for lactation services?", "Yes, you can refer a 13-month-old.",
     True),
    ("Can we refer a 13 month old for lactation services?", "You can refer infants of any age.",
     True),
    ("Can we refer a 13 month old for lactation services?",
     "Providers may refer a member to lactation services for infants up to age one.", False),
    ("Can we refer a 6 month old for lactation services?",
     "You may not refer this infant.", True),
    # prescribers
    ("RN wrote the breast pump prescription, is that ok?",
     "Yes, an RN can write the prescription.", True),
    ("RN wrote the breast pump prescription, is that ok?",
     "An RN cannot prescribe lactation DME.", True),
    ("RN wrote the breast pump prescription, is that ok?",
     "The manual lists physicians, PAs, NPs and CNMs.", False),
    ("Can a CNM write the rx for a breast pump?", "A CNM is not allowed to prescribe it.", True),
    ("Can the IBCLC write the prescription for the pump herself?",
     "Yes, the IBCLC can write it.", True),
    # sentences about another case than the verdict's never contradict
    ("Can RN bill for lactation??",
     "CPSP-certified providers can provide breastfeeding education, support and referrals.",
     False),
    ("We're a CPSP provider; can we provide lactation services?",
     "CPSP providers cannot provide breastfeeding education.", True),
    ("Can RN bill for lactation??", "Doulas cannot bill for lactation support.", False),
    ("Can RN bill for lactation??", "Providers may request a toolkit from Provider Services.",
     False),
    ("Can the member buy a hospital grade pump?",
     "Health Net Medi-Cal members may obtain the following types of breast pumps:", False),
    ("Can the member buy a hospital grade pump?", "Members can buy a manual pump.", False),
    ("Can a member buy a manual breast pump?", "Members cannot buy a hospital-grade pump.",
     False),
    ("Can a member buy a manual breast pump?", "Members cannot buy a manual pump.", True),
    ("Can we bill lactation support by our RN with an IBCLC? We're in a PPG.",
     "CPSP providers can provide breastfeeding education.", False),
    ("Can an IBCLC bill Medi-Cal directly?", "The toolkit includes a poster.", False),
    ("Can an IBCLC bill Medi-Cal directly?", "", False),
    # doula services
    ("Can a doula bill HN for placenta encapsulation?",
     "Yes, doulas can bill for placenta encapsulation.", True),
    ("Can a doula bill HN for placenta encapsulation?",
     "Doulas bill Health Net directly under their own NPI.", False),
    ("doula is 17, can she bill hn", "The doula can bill Health Net.", True),
    ("doula is 17, can she bill hn", "A doula must be at least 18 years of age.", False),
]


@pytest.mark.parametrize("question,sentence,expected", CASES)
def test_contradiction_table(question, sentence, expected):
    verdict, vocab = verdict_for(question)
    assert contradicts(sentence, verdict, vocab) is expected


CATALOG_QUESTIONS = [
    "Can an IBCLC bill Medi-Cal directly?", "Can our MA bill Medi-Cal directly for lactation?",
    "Can a nurse practitioner bill lactation services under her own Medi-Cal number?",
    "We participate through a PPG; can we bill lactation support by our RN who is an IBCLC?",
    "A lactation consultant with no contract already saw our member; can she bill Health Net?",
    "Independent IBCLC with no formal arrangement - can she see a Health Net member?",
    "We're CPSP certified, can we give prenatal breastfeeding education?",
    "Can a CPSP provider offer breastfeeding support preconception?",
    "Is lactation support medically necessary for a member who does not want to breastfeed?",
    "Member wants to breastfeed but the usual education isn't working - is support covered?",
    "When is lactation support considered medically necessary?",
    "Nobody on staff has a lactation certification; can we subcontract an IBCLC?",
    "We have an LEC on staff, can we still contract with an outside lactation consultant?",
    "No one in our office is lactation certified; can we bill lactation services?",
    "Can we refer an 11-month-old for lactation services?",
    "Can we refer a 2 year old to lactation services?", "Can we refer a member to lactation?",
    "CPHW with IBCLC cert - billable under our medi-cal number?",
    "Our RN has no lactation certification; can we bill her lactation visits?",
    "Can we bill lactation visits done by our nurse?",
    "We're a fee-for-service provider with an IBCLC on staff; can we provide lactation services?",
    "We're a fee-for-service provider; can we provide lactation services?",
    "We're a non-CPSP provider; can we provide lactation services?",
    "We employ an IBCLC; can we bill for her lactation visits?",
    "Can an IBCLC bill for lactation services?",
    "Can a lactation educator-counselor provide lactation education to our members?",
    "Can a doula provide lactation education to our members?",
    "Can we bill for lactation services?", "Can the member buy a hospital-grade breast pump?",
    "We're in a PPG; can a member get a manual breast pump?",
    "Can a member rent a hospital-grade pump without prior authorization?",
    "Hosp grade pump rental, PA already approved - covered?",
    "Is a hospital grade pump rental covered?", "Is a hospital-grade breast pump covered?",
    "Can a member rent a breast pump?", "Is a manual breast pump covered?",
    "Can a member get a personal-use electric breast pump and kit?",
    "Can a member get a breast pump?", "Are nipple shields covered lactation DME?",
    "Does Health Net cover breast milk storage bags?", "Is lactation DME covered for members?",
    "Can a physician assistant prescribe a breast pump?",
    "Can a medical assistant prescribe a breast pump?", "Can an LVN prescribe a breast pump?",
    "Can a midwife prescribe a breast pump?", "Can a nurse write the prescription for a pump?",
    "Who can write a prescription for a breast pump?",
]


@pytest.mark.parametrize("question", CATALOG_QUESTIONS)
def test_the_manual_page_never_contradicts_a_verdict(question):
    """The manual is the ground truth: none of its sentences may be dropped as contradicting."""
    import frontmatter

    page = frontmatter.load(ROOT / "corpus" / "lactation-education-and-support-services.txt")
    verdict, vocab = verdict_for(question)
    assert contradicting_sentences(page.content, verdict, vocab) == []


def _cite(n: int, quote: str) -> Citation:
    return Citation(n=n, chunk_id=f"c{n}", doc_id="d", title="t", section="s", quote=quote)


def test_apply_puts_the_verdict_first_and_drops_only_contradicting_lines():
    verdict, vocab = verdict_for("Can an IBCLC bill Medi-Cal directly?")
    verdict = verdict.model_copy(update={"citation": _cite(9, "the rule's sentence")})
    text = ("IBCLCs can bill Medi-Cal directly [1]\n"
            "A Medi-Cal provider can bill under its own number when a certified RN renders it [2]\n"
            "See the toolkit [3]")
    cites = [_cite(1, "q1"), _cite(2, "q2"), _cite(3, "q3")]
    out, cited, corrected = guard.apply(text, cites, verdict, vocab)
    assert corrected
    assert out.startswith(verdict_statement(verdict) + " [1]")
    assert "IBCLCs can bill Medi-Cal directly" not in out
    assert "certified RN renders it [2]" in out and "See the toolkit [3]" in out
    assert [(c.n, c.quote) for c in cited] == [(1, "the rule's sentence"), (2, "q2"), (3, "q3")]
    assert not contradicts(out, verdict, vocab)


def test_apply_drops_a_line_that_only_repeats_the_rule_sentence_and_keeps_a_consistent_answer():
    verdict, vocab = verdict_for("Our RN is an IBCLC, can we bill lactation support under our "
                                 "medi-cal #?")
    verdict = verdict.model_copy(update={"citation": _cite(5, "same quote")})
    out, cited, corrected = guard.apply("Yes, your practice can bill for it [1]\nAlso this [2]",
                                        [_cite(1, "same quote"), _cite(2, "other")], verdict,
                                        vocab)
    assert not corrected
    assert out == verdict_statement(verdict) + " [1]\n\nAlso this [2]"
    assert [c.quote for c in cited] == ["same quote", "other"]


def test_statement_labels_and_asks():
    assert verdict_statement(verdict_for("Can an IBCLC bill Medi-Cal directly?")[0]).startswith(
        "Not eligible: A lactation educator-counselor or IBCLC certification")
    conditional = verdict_statement(verdict_for("Can RN bill for lactation??")[0])
    assert conditional.startswith("Conditional: Eligible only if the RN holds")
    assert conditional.endswith("To settle it: Does the RN hold an IBCLC or lactation "
                                "educator-counselor certification?")
    unknown = verdict_statement(verdict_for("Can a doula provide lactation support?")[0])
    assert unknown.startswith("Not settled by the manual: ")
    assert verdict_statement(verdict_for("Is a manual breast pump covered?")[0]).startswith(
        "Eligible: ")


def test_trusted_sentences_are_the_verdict_explanation_and_quote():
    verdict, vocab = verdict_for("Can RN bill for lactation??")
    quoted = verdict.model_copy(update={"citation": _cite(1, "RNs cannot bill for lactation.")})
    assert contradicts("RNs cannot bill for lactation.", verdict, vocab)
    assert not contradicts("RNs cannot bill for lactation.", quoted, vocab)


def test_sentences_split_on_end_marks_and_lines():
    assert sentences('One. Two? "Three." Four\nFive') == ["One.", "Two?", '"Three."', "Four",
                                                          "Five"]


# -- properties -----------------------------------------------------------------------------------

_FRAGMENTS = [
    "Yes", "No", "Yes,", "No,", "IBCLCs", "an RN", "the NP", "a doula", "you", "your practice",
    "the member", "members", "a hospital-grade pump", "a manual pump", "nipple shields",
    "can", "cannot", "can't", "may", "may not", "is not", "are", "eligible", "not eligible",
    "covered", "bill", "bill Medi-Cal directly", "under your own number", "rent", "buy",
    "purchase", "prescribe", "write the prescription", "refer", "a 13-month-old", "provide",
    "lactation services", "if", "only", "with prior authorization", "without", "but", "however",
    "[1]", ".", ".", "?", "!", ";", ",", "\n", "\n\n", "-", ":", '"', ")",
]
texts = st.one_of(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=40).map("".join),
    st.text(max_size=300),
)


_QUESTIONS = [q for q, _, _ in CASES] + CATALOG_QUESTIONS


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_QUESTIONS), texts, st.booleans())
def test_the_guarded_answer_never_contradicts_the_verdict(question, text, cited):
    verdict, vocab = verdict_for(question)
    if cited:
        verdict = verdict.model_copy(update={"citation": _cite(1, "the rule's sentence")})
    out, _, _corrected = guard.apply(text, [_cite(1, "x"), _cite(2, "y")], verdict, vocab)
    assert not contradicts(out, verdict, vocab), (out, verdict)
    assert out.startswith(verdict_statement(verdict))
    _again, _, corrected_again = guard.apply(out, [], verdict, vocab)
    assert not corrected_again


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.lists(st.sampled_from(_FRAGMENTS), max_size=25).map(" ".join))
def test_any_question_any_answer_never_contradicts(question, answer):
    decision = book().check(question)
    if decision is None:
        return
    verdict, vocab = to_verdict(decision), vocab_of(decision.pack)
    out, _, _ = guard.apply(answer, [], verdict, vocab)
    assert not contradicts(out, verdict, vocab)


# -- the guard as the pipeline applies it (a scripted answerer, the real index of the page) --------

class ScriptedAnswerer:
    """Drafts the answer it is given: each line is a sentence of a retrieved passage (cited by
    that passage's number), optionally after a "Yes."/"No." of its own."""

    name = "scripted"

    def __init__(self, lines: list[tuple[str, str]]):
        self.lines = lines
        self.calls = 0

    def draft(self, question, passages, history=None, **_):
        self.calls += 1
        out = []
        for lead, sentence in self.lines:
            n = next(i + 1 for i, p in enumerate(passages) if sentence in p.chunk.text)
            out.append(f"{lead}{sentence} [{n}]")
        return "\n".join(out)


def _assistant(seed_index, lines):
    from assistant.pipeline import Assistant

    answerer = ScriptedAnswerer(lines)
    return Assistant.from_settings(seed_index, answerer=answerer,
                                   audit=None), answerer


TOOLKIT = "Providers may request a toolkit by contacting Health Net Provider Services (Medi-Cal)."
LEAD_IN = "Lactation education and support services may be provided by the following:"


def test_pipeline_drops_the_contradicting_line_and_leads_with_the_verdict(seed_index):
    assistant, answerer = _assistant(seed_index, [("Yes. ", LEAD_IN), ("", TOOLKIT)])
    answer = assistant.ask("Can an IBCLC bill Medi-Cal directly for lactation visits?")
    assert answerer.calls == 1 and answer.answerer == "scripted"
    v = answer.verdict
    assert (v.verdict, v.rule_id) == ("not_eligible", "certified_person_direct_billing")
    assert answer.corrected_by_rule is True and assistant.corrections == 1
    assert answer.answer.startswith(verdict_statement(v) + " [1]")
    assert LEAD_IN not in answer.answer and TOOLKIT in answer.answer
    assert answer.citations[0].quote == v.citation.quote and answer.citations[0].n == 1
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert not assistant.rules.contradicts(answer.answer, v)


def test_pipeline_keeps_an_answer_that_agrees_with_the_verdict(seed_index):
    assistant, _ = _assistant(seed_index, [("", TOOLKIT)])
    answer = assistant.ask("Our RN is an IBCLC, can we bill lactation support under our "
                           "medi-cal #?")
    assert answer.verdict.verdict == "eligible"
    assert answer.corrected_by_rule is False and assistant.corrections == 0
    assert answer.answer.startswith("Eligible: ") and TOOLKIT in answer.answer


def test_pipeline_gives_no_verdict_outside_every_pack(seed_index):
    assistant, _ = _assistant(seed_index, [("", TOOLKIT)])
    answer = assistant.ask("Can we bill HN for a home blood pressure cuff for our postpartum pt?")
    assert answer.verdict is None and not answer.corrected_by_rule

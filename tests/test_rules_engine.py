"""The rule book: scope, first match wins, several packs, stale rules, quotes and verdicts."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.rules import RuleBook, Scenario, find_span, locate_citation, to_verdict
from assistant.rules.schema import UNSURE
from core.types import Chunk, Citation, Turn, Verdict
from tests.rules_support import PAGE, widget_rules

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "corpus" / "rules"
DOC = "benefits/widgets"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> RuleBook:
    return RuleBook.load(widget_rules(tmp_path_factory.mktemp("widgets")))


@functools.cache
def shipped() -> RuleBook:
    return RuleBook.load(RULES_DIR)


# -- first match wins -----------------------------------------------------------------------------

def test_the_first_rule_that_holds_decides(book):
    pack = book.pack("widgets")
    both = Scenario(pack="widgets", facts={"age": 13.0, "kind": "red"}, asks=True)
    assert pack.check(both).rule_id == "widget_too_old"
    assert pack.check(Scenario(pack="widgets", facts={"kind": "red"})).rule_id == "widget_red"
    assert pack.check(Scenario(pack="widgets", facts={})) is None


def test_templates_are_filled_from_the_scenario(book):
    d = book.check("can our MA bill for a widget")
    assert (d.rule_id, d.verdict) == ("widget_role_uncertified", "conditional")
    assert d.condition == "the MA is widget certified"
    assert d.missing_facts == ["Is the MA widget certified?"]
    assert d.full_explanation().startswith("Eligible only if the MA is widget certified.")
    d = book.check("the widget fitter, can we bill the widget")
    assert d.explanation == "a fitter who is widget certified may fit widgets."
    d = book.check("can we bill a widget for a 13 months old")
    assert "(13 months)" in d.explanation


# -- scope: no verdict outside a pack -------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "can we bill HN for a home blood pressure cuff for our postpartum pt",
    "member wants to appeal a pharmacy denial, can we file it for her",
    "is a wheelchair rental covered after a c-section",
    "can we bill a flu shot for a breastfeeding mom",
    "is a car seat covered for the newborn",
    "how do i request the breastfeeding promotion toolkit",
    "whats a doula exactly",
    "whats the difference between an IBCLC and a CLEC",
    "can our CPSP provider bill the initial CPSP assessment if our CPHW does it",
    "What is the weather today?",
    "",
])
def test_questions_outside_every_pack_get_no_verdict(question):
    outcome = shipped().decide(question)
    assert outcome.decision is None, outcome.decision
    assert all(r.reason for r in outcome.results)


def test_the_pack_the_question_names_most_decides():
    d = shipped().check("our doula is an IBCLC, can we bill her sessions as lactation support")
    assert (d.pack, d.verdict) == ("lactation", "unknown")
    d = shipped().check("can our doula bill HN for postpartum doula visits")
    assert d.pack == "doula-services"


def test_other_lines_of_business_are_not_settled():
    d = shipped().check("Is lactation DME covered for Covered California members?")
    assert (d.verdict, d.rule_id, d.citation) == ("unknown", "lactation_other_line_of_business",
                                                 None)


# -- stale rules ----------------------------------------------------------------------------------

def test_a_missing_or_edited_quote_makes_its_rules_stale(book):
    assert book.stale({DOC: PAGE}) == []
    assert book.stale({DOC: PAGE.replace("  ", " ").replace(" ", "\n  ")}) == []  # whitespace
    assert book.stale({DOC: PAGE.replace("Red widgets are not covered.", "")}) == ["widget_red"]
    assert book.stale({}) == [r.id for r in book.rules if r.citation]  # page not indexed
    assert "widget_physician" not in book.stale({})  # a rule without a quote is never stale


def test_a_stale_rule_is_reported_and_never_applied(book):
    d = book.check("is a red widget covered", stale=["widget_red"])
    assert (d.verdict, d.rule_id, d.stale) == ("unknown", "widget_red", True)
    assert "no longer in the indexed manual" in d.explanation
    assert book.check("is a red widget covered").verdict == "not_eligible"


def test_the_shipped_quotes_are_in_their_pages():
    """Every quote of every shipped pack is in the text its page gets in the index."""
    from core.settings import ChunkingSettings
    from ingest.chunk import chunk_document
    from ingest.load import load_document

    texts = {}
    for path in (ROOT / "corpus" / "lactation-education-and-support-services.txt",
                 ROOT / "evals" / "corpus" / "benefits" / "maternity" / "doula-services.html"):
        doc = load_document(path)
        _, chunks = chunk_document(doc, ChunkingSettings())
        texts[doc.doc_id] = "\n\n".join(c.text for c in chunks)
    assert set(texts) == {p for pack in shipped().packs for p in pack.pages}
    assert shipped().stale(texts) == []


# -- quotes, citations, verdicts ------------------------------------------------------------------

@pytest.mark.parametrize("text,quote,span", [
    ("a b c", "b c", (2, 5)), ("a  b\n c d", "b c", (3, 7)), ("abc", "x", None),
    ("abc", "   ", None), ("x\u00a0 y", "x y", (0, 4)),
])
def test_find_span(text, quote, span):
    assert find_span(text, quote) == span


def _chunk(text: str, doc_id: str = DOC, n: int = 0) -> Chunk:
    return Chunk(chunk_id=f"{doc_id}::s::{n}", doc_id=doc_id, title="Widgets", section="S",
                 text=text, start=0, end=len(text), ordinal=n, content_hash="h")


def test_locate_citation_quotes_the_chunk_text_exactly(book):
    d = book.check("is a red widget covered")
    wrapped = "Intro.\nRed widgets are\nnot covered. More."
    chunks = [_chunk("unrelated", n=0), _chunk(wrapped, doc_id="other-doc", n=1),
              _chunk(wrapped, n=2)]
    c = locate_citation(d, chunks, n=1)
    assert c.chunk_id == f"{DOC}::s::2" and c.quote in wrapped and "\n" in c.quote
    assert locate_citation(d, [_chunk("nothing here")]) is None
    assert locate_citation(None, chunks) is None


def test_to_verdict_leads_with_the_condition(book):
    d = book.check("can our RN bill for a widget")
    cite = Citation(n=1, chunk_id="c", doc_id=DOC, title="t", section="s", quote="q")
    v = to_verdict(d, cite)
    assert isinstance(v, Verdict) and v.verdict == "conditional" and v.rule_id == d.rule_id
    assert v.explanation.startswith("Eligible only if the RN is widget certified")
    assert v.scenario == {"pack": "widgets", "role": "RN"}
    assert to_verdict(None) is None


def test_follow_up_turns_through_the_book(book):
    history = [Turn(role="user", content="can our RN bill for a widget"),
               Turn(role="assistant", content="Only if she is certified.")]
    assert book.check("she is widget certified", history).verdict == "eligible"


# -- properties -----------------------------------------------------------------------------------

def _values(fact):
    from assistant.rules.schema import ChoiceFact, FlagFact, NumberFact

    if isinstance(fact, ChoiceFact):
        return st.sampled_from([*fact.values, None, UNSURE])
    if isinstance(fact, FlagFact):
        return st.sampled_from([True, False, None, UNSURE])
    if isinstance(fact, NumberFact):
        return st.one_of(st.none(), st.floats(min_value=0, max_value=400))
    return st.none()


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_check_never_raises_and_always_explains(data):
    for pack in shipped().packs:
        facts = {n: data.draw(_values(f)) for n, f in pack.facts.items()}
        facts = pack.reader.with_derived({k: v for k, v in facts.items() if v is not None})
        d = pack.check(Scenario(pack=pack.id, facts=facts, asks=True))
        if d is None:
            continue
        assert d.explanation and "{" not in d.explanation
        assert d.verdict != "conditional" or d.condition
        assert d.citation is not None or d.verdict == "unknown"

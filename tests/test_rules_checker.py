"""RuleChecker over the real chunks of the shipped page (ingest's loader and chunker, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.rules import RuleChecker
from core.settings import ChunkingSettings
from core.types import Chunk, Turn

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "corpus" / "rules"
SEED = ROOT / "corpus" / "lactation-education-and-support-services.txt"
DOC = "benefits/maternity/lactation-education-and-support-services"


class PageIndex:
    """A stand-in for LoadedIndex: chunks, page_chunks(), page_texts() and a generation name."""

    def __init__(self, chunks: list[Chunk], generation: str = "g1"):
        self.chunks = chunks
        self.generation = generation

    def page_chunks(self, doc_id: str) -> list[Chunk]:
        return sorted((c for c in self.chunks if c.doc_id == doc_id), key=lambda c: c.ordinal)

    def page_texts(self) -> dict[str, str]:
        return {d: "\n\n".join(c.text for c in self.page_chunks(d))
                for d in {c.doc_id for c in self.chunks}}


@pytest.fixture(scope="module")
def seed_chunks() -> list[Chunk]:
    from ingest.chunk import chunk_document
    from ingest.load import load_document

    _, chunks = chunk_document(load_document(SEED), ChunkingSettings())
    return chunks


def test_verdict_cites_the_indexed_chunk_exactly(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    # the doula page is not in this index: its pack applies to nothing; no lactation rule stale
    assert checker.absent_pages == ["benefits/maternity/doula-services"]
    assert all(checker.book.get(r).pack == "doula-services" for r in checker.stale_ids)
    out = checker.decide("can our doula bill HN for her postpartum visits")
    assert out.decision is None
    assert "its page is not in the index" in next(
        r.reason for r in out.results if r.pack == "doula-services")
    v = checker.verdict("Can an IBCLC bill Medi-Cal directly?")
    assert (v.verdict, v.rule_id) == ("not_eligible", "certified_person_direct_billing")
    chunk = next(c for c in seed_chunks if c.chunk_id == v.citation.chunk_id)
    assert v.citation.quote in chunk.text
    assert v.citation.quote.startswith("Persons with lactation educator-counselor")
    assert v.citation.section == chunk.section and v.citation.n == 1
    assert v.scenario["pack"] == "lactation" and v.scenario["role"] == "IBCLC"


def test_follow_up_through_the_checker(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    history = [Turn(role="user", content="our nurse practitioner does breastfeeding visits"),
               Turn(role="assistant", content="Lactation education may be provided by an IBCLC.")]
    v = checker.verdict("can we bill those under our medi-cal number? she has her IBCLC", history)
    assert (v.verdict, v.rule_id) == ("eligible", "provider_bills_certified_staff")
    assert v.scenario["role"] == "NP"


def test_a_page_edit_makes_rules_stale_and_they_are_not_applied(seed_chunks):
    sentence = "Providers may refer a member to lactation services for infants up to age one."
    edited = [c.model_copy(update={"text": c.text.replace(sentence, "Referral rules changed.")})
              for c in seed_chunks]
    checker = RuleChecker.load(RULES_DIR, PageIndex(edited))
    lactation_stale = [r for r in checker.stale_ids if checker.book.get(r).pack == "lactation"]
    assert lactation_stale == ["referral_after_first_year", "referral_age_unstated",
                               "referral_within_first_year"]
    v = checker.verdict("Can we refer a 6 month old for lactation services?")
    assert (v.verdict, v.rule_id) == ("unknown", "referral_within_first_year")
    assert v.citation is None
    assert "no longer in the indexed manual" in v.explanation
    assert checker.verdict("Can an IBCLC bill Medi-Cal directly?").verdict == "not_eligible"


def test_stale_rules_follow_the_index_generation(seed_chunks):
    index = PageIndex(seed_chunks)
    checker = RuleChecker.load(RULES_DIR, index)
    assert checker.verdict("Is a manual breast pump covered?").verdict == "eligible"
    index.chunks = [c.model_copy(update={"text": c.text.replace("Manual breast pump", "")})
                    for c in seed_chunks]
    assert checker.verdict("Is a manual breast pump covered?").verdict == "eligible"  # same gen
    index.generation = "g2"
    assert checker.verdict("Is a manual breast pump covered?").verdict == "unknown"
    assert "manual_pump" in checker.stale_ids


def test_without_an_index_there_is_no_citation_and_no_stale_check():
    checker = RuleChecker.load(RULES_DIR)
    v = checker.verdict("Can the member buy a hospital grade pump?")
    assert (v.verdict, v.citation) == ("not_eligible", None)
    assert checker.check("Can the member buy a hospital grade pump?")["stale_rules"] is None
    assert checker.verdict("What is in the breastfeeding toolkit?") is None


def test_check_says_which_pack_applied(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    result = checker.check("can RN bill for lactation??")
    assert json.loads(json.dumps(result)) == result
    assert result["pack"] == "lactation"
    assert result["decision"]["verdict"] == "conditional"
    assert result["scenario"]["role"] == "RN"
    text = checker.format(result)
    assert text.startswith("Pack: lactation")
    assert "role: RN" in text
    assert "Verdict: CONDITIONAL   (rule provider_bills_staff_certification_unstated)" in text
    assert "Ask: Does the RN hold an IBCLC or lactation educator-counselor certification?" in text
    assert f"Source: {DOC}" in text
    assert '"A Medi-Cal provider, however, can bill' in text


@pytest.mark.parametrize("question,why", [
    ("can we bill HN for a home blood pressure cuff", "none of its scope terms"),
    ("What does CPSP stand for in the lactation page?", "asks for information"),
    ("can we bill a flu shot at the lactation visit", "names something outside it ('flu')"),
])
def test_check_says_why_no_pack_applied(question, why):
    checker = RuleChecker.load(RULES_DIR)
    result = checker.check(question)
    assert result["pack"] is None and result["decision"] is None
    text = checker.format(result)
    assert text.startswith("No verdict: no rule pack applies.")
    assert "lactation: " in text and "doula-services: " in text and why in text

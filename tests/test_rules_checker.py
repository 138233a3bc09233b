"""RuleChecker over the real chunks of the seed page (ingest's loader and chunker, no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.rules import RuleChecker, Scenario, contradicts, format_check
from assistant.settings import ChunkingSettings
from assistant.types import Chunk, Turn

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "corpus" / "rules"
SEED = ROOT / "corpus" / "lactation-education-and-support-services.txt"


class PageIndex:
    """A stand-in for LoadedIndex: chunks, page_texts() and a generation name."""

    def __init__(self, chunks: list[Chunk], generation: str = "g1"):
        self.chunks = chunks
        self.generation = generation

    def page_texts(self) -> dict[str, str]:
        pages: dict[str, list[Chunk]] = {}
        for c in self.chunks:
            pages.setdefault(c.doc_id, []).append(c)
        return {d: "\n\n".join(c.text for c in sorted(cs, key=lambda c: c.ordinal))
                for d, cs in pages.items()}


@pytest.fixture(scope="module")
def seed_chunks() -> list[Chunk]:
    from ingest.chunk import chunk_document
    from ingest.load import load_document

    _, chunks = chunk_document(load_document(SEED), ChunkingSettings())
    return chunks


def test_verdict_cites_the_indexed_chunk_exactly(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    assert checker.stale_ids == []
    v = checker.verdict("Can an IBCLC bill Medi-Cal directly?")
    assert (v.verdict, v.rule_id) == ("not_eligible", "certified_person_direct_billing")
    chunk = next(c for c in seed_chunks if c.chunk_id == v.citation.chunk_id)
    assert v.citation.quote in chunk.text
    assert v.citation.quote.startswith("Persons with lactation educator-counselor")
    assert v.citation.section == chunk.section and v.citation.n == 1


def test_follow_up_through_the_checker(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    history = [Turn(role="user", content="our nurse practitioner does breastfeeding visits"),
               Turn(role="assistant", content="Lactation education may be provided by an IBCLC.")]
    v = checker.verdict("can we bill those under our medi-cal number? she has her IBCLC", history)
    assert (v.verdict, v.rule_id) == ("eligible", "provider_bills_certified_staff")
    assert v.scenario["renderer_role"] == "NP"


def test_a_page_edit_makes_rules_stale_and_they_are_not_applied(seed_chunks):
    sentence = "Providers may refer a member to lactation services for infants up to age one."
    edited = [c.model_copy(update={"text": c.text.replace(sentence, "Referral rules changed.")})
              for c in seed_chunks]
    assert any(sentence in c.text for c in seed_chunks)
    checker = RuleChecker.load(RULES_DIR, PageIndex(edited))
    assert checker.stale_ids == ["referral_within_first_year", "referral_after_first_year",
                                 "referral_age_unstated"]
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
    assert checker.stale_ids == ["manual_pump"]


def test_without_an_index_there_is_no_citation_and_no_stale_check():
    checker = RuleChecker.load(RULES_DIR)
    v = checker.verdict("Can the member buy a hospital grade pump?")
    assert (v.verdict, v.citation) == ("not_eligible", None)
    assert checker.check("Can the member buy a hospital grade pump?")["stale_rules"] is None
    assert checker.verdict("What is in the breastfeeding toolkit?") is None


def test_enforce_and_statement_for_the_pipeline(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    v = checker.verdict("Can the member buy a hospital grade pump?")
    text, corrected = checker.enforce("Yes, the member can buy one [1]. Rentals need prior "
                                      "authorization [2].", v)
    assert corrected and text == "Rentals need prior authorization [2]."
    head = checker.statement(v)
    assert head.startswith("Not eligible: Hospital-grade electric breast pumps")
    assert not contradicts(head + " [1]\n\n" + text, v)


def test_check_result_is_json_and_formats_for_people(seed_chunks):
    checker = RuleChecker.load(RULES_DIR, PageIndex(seed_chunks))
    result = checker.check("can RN bill for lactation??")
    assert json.loads(json.dumps(result)) == result
    assert result["decision"]["verdict"] == "conditional"
    assert result["stated"]["renderer_role"] == "RN"
    assert result["stale_rules"] == []
    text = checker.format(result)
    assert "renderer role: RN" in text
    assert "Verdict: CONDITIONAL   (rule provider_bills_staff_certification_unstated)" in text
    assert "Ask: Does the RN hold an IBCLC or lactation educator-counselor certification?" in text
    assert "Source: lactation-education-and-support-services" in text
    assert '"A Medi-Cal provider, however, can bill' in text


def test_format_for_a_question_no_rule_decides():
    text = format_check(Scenario(topic="lactation_services"), None)
    assert "Not a billing-eligibility question" in text
    assert "topic: lactation_services" in text
    checker = RuleChecker.load(RULES_DIR)
    assert "Not a billing-eligibility question" in checker.format(
        checker.check("What does CPSP stand for?"))

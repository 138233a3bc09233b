"""Each metric: a case that must score 0, one that must score 1, and one in between."""

from __future__ import annotations

import pytest

from evals import metrics as m

DOC = "benefits/maternity/lactation-education-and-support-services"
DME = "Lactation Durable Medical Equipment"
BILL = "Billing for Lactation Education and Support Services"


def ctx(section: str, doc: str = DOC) -> dict:
    return {"doc_id": doc, "section": section, "chunk_id": f"{doc}:{section}", "score": 1.0}


TARGET = {"doc_id": DOC, "section": DME}


# -- key facts ----------------------------------------------------------------------------------

def test_fact_present_alternatives_case_hyphen_and_word_boundaries():
    assert m.fact_present("Rentals only (prior authorization required)", "PRIOR AUTH|prior authorization")
    assert m.fact_present("a lactation educator counselor", "lactation educator-counselor")
    assert m.fact_present("follow the PPG's processes", "PPGs' processes|PPGs processes")
    assert not m.fact_present("a mammogram", "MA")  # no match inside a word
    assert m.fact_present("a medical assistant (MA)", "MA")


def test_key_fact_coverage_zero_one_between():
    facts = ["prior authorization", "rentals only|rental"]
    assert m.key_fact_coverage("Members may obtain a manual breast pump.", facts) == 0.0
    assert m.key_fact_coverage("Hospital-grade pumps: rentals only, prior authorization required.",
                               facts) == 1.0
    assert m.key_fact_coverage("A rental pump is available.", facts) == 0.5
    assert m.key_fact_coverage("anything", []) == 0.0


# -- retrieval ----------------------------------------------------------------------------------

def test_recall_at_k_section_zero_one_between():
    miss = [ctx(BILL), ctx("Breastfeeding Promotion Toolkit")]
    hit_first = [ctx(DME), ctx(BILL)]
    hit_second = [ctx(BILL), ctx(DME)]
    assert m.recall_at_k([miss, miss], [TARGET, TARGET], k=5, level="section") == 0.0
    assert m.recall_at_k([hit_first, hit_second], [TARGET, TARGET], k=2, level="section") == 1.0
    assert m.recall_at_k([hit_first, hit_second], [TARGET, TARGET], k=1, level="section") == 0.5


def test_recall_at_k_doc_level_ignores_section_but_not_document():
    other_doc = [ctx(DME, doc="some-other-page")]
    same_doc = [ctx(BILL)]
    assert m.recall_at_k([other_doc], [TARGET], k=3, level="doc") == 0.0
    assert m.recall_at_k([same_doc], [TARGET], k=3, level="doc") == 1.0
    assert m.recall_at_k([other_doc, same_doc], [TARGET, TARGET], k=3, level="doc") == 0.5


def test_section_path_and_alternative_sections_match():
    path = [ctx(f"Lactation Education and Support Services > {DME}")]
    assert m.recall_at_k([path], [TARGET], k=1, level="section") == 1.0
    either = {"doc_id": DOC, "section": [BILL, DME]}
    assert m.recall_at_k([[ctx(DME)]], [either], k=1, level="section") == 1.0


def test_mrr_zero_one_between():
    miss, first, third = [ctx(BILL)], [ctx(DME)], [ctx(BILL), ctx(BILL), ctx(DME)]
    assert m.mrr([miss], [TARGET], level="section") == 0.0
    assert m.mrr([first, first], [TARGET, TARGET], level="section") == 1.0
    assert m.mrr([first, third], [TARGET, TARGET], level="section") == pytest.approx((1 + 1 / 3) / 2)


def test_retrieval_metrics_reject_mismatched_lengths():
    with pytest.raises(ValueError):
        m.recall_at_k([[ctx(DME)]], [TARGET, TARGET], k=1)


# -- citations ----------------------------------------------------------------------------------

CHUNKS = {
    "c1": "Hospital-grade electric breast pump and kit - rentals only (prior authorization required)",
    "c2": "Lactation durable medical equipment (DME) includes breast pumps, breast shells and nipple shields.",
}
FACTS = ["prior authorization"]


def cite(chunk_id: str, quote: str) -> dict:
    return {"n": 1, "chunk_id": chunk_id, "quote": quote}


def test_citation_validity_zero_one_between():
    paraphrased = {"citations": [cite("c1", "rental pumps need prior authorization")]}
    assert m.citation_validity(paraphrased, CHUNKS, FACTS) == 0.0
    exact = {"citations": [cite("c1", "rentals only (prior authorization required)")]}
    assert m.citation_validity(exact, CHUNKS, FACTS) == 1.0
    exact_but_off_fact = {"citations": [
        cite("c1", "rentals only (prior authorization required)"),
        cite("c2", "breast shells and nipple shields"),
    ]}
    assert m.citation_validity(exact_but_off_fact, CHUNKS, FACTS) == 0.5


def test_citation_validity_wrong_chunk_and_no_citations_score_zero():
    wrong_chunk = {"citations": [cite("c2", "rentals only (prior authorization required)")]}
    assert m.citation_validity(wrong_chunk, CHUNKS, FACTS) == 0.0
    unknown_chunk = {"citations": [cite("zz", "rentals only")]}
    assert m.citation_validity(unknown_chunk, CHUNKS) == 0.0
    assert m.citation_validity({"citations": []}, CHUNKS, FACTS) == 0.0


def test_quote_exactness_zero_one_between():
    assert m.quote_exactness({"citations": [cite("c1", "not in the text")]}, CHUNKS) == 0.0
    assert m.quote_exactness({"citations": [cite("c2", "breast shells")]}, CHUNKS) == 1.0
    mixed = {"citations": [cite("c2", "breast shells"), cite("c2", "breast cups")]}
    assert m.quote_exactness(mixed, CHUNKS) == 0.5


def test_citation_validity_reads_attribute_objects():
    class Cit:
        chunk_id, quote = "c2", "nipple shields"

    class Ans:
        def __init__(self):
            self.citations = [Cit()]

    assert m.citation_validity(Ans(), CHUNKS, ["nipple shields"]) == 1.0


# -- refusals -----------------------------------------------------------------------------------

SHOULD = [True, True, False, False]


def test_refusal_precision_zero_one_between():
    assert m.refusal_precision([False, False, True, True], SHOULD) == 0.0
    assert m.refusal_precision([True, False, False, False], SHOULD) == 1.0
    assert m.refusal_precision([True, True, True, False], SHOULD) == pytest.approx(2 / 3)
    assert m.refusal_precision([False] * 4, SHOULD) == 0.0  # nothing refused


def test_refusal_recall_zero_one_between():
    assert m.refusal_recall([False, False, True, True], SHOULD) == 0.0
    assert m.refusal_recall([True, True, True, True], SHOULD) == 1.0
    assert m.refusal_recall([True, False, False, False], SHOULD) == 0.5


# -- verdicts -----------------------------------------------------------------------------------

def test_verdict_accuracy_zero_one_between():
    expected = ["eligible", ["not_eligible", "unknown"], "conditional"]
    assert m.verdict_accuracy(["not_eligible", "eligible", None], expected) == 0.0
    assert m.verdict_accuracy(["eligible", "unknown", "conditional"], expected) == 1.0
    assert m.verdict_accuracy(["eligible", "not_eligible", "eligible"], expected) == pytest.approx(2 / 3)


def test_answer_polarity():
    assert m.answer_polarity("No. Persons with IBCLC certifications cannot bill [1].") == "no"
    assert m.answer_polarity("**Not eligible** - hospital-grade pumps are rentals only.") == "no"
    assert m.answer_polarity("Yes [1]. A Medi-Cal provider can bill under their number.") == "yes"
    assert m.answer_polarity("Eligible: a CNM may write the prescription.") == "yes"
    assert m.answer_polarity("Conditional: only if the RN holds a certification.") is None
    assert m.answer_polarity("The toolkit contains growth charts.") is None
    # negations in the body of a sentence that is a list lead-in or a condition take no stance
    assert m.answer_polarity("Members may obtain these pumps:\n- Hospital-grade - rentals only") is None
    assert m.answer_polarity("Providers who are not CPSP certified can bill if staff are IBCLCs.") is None
    assert m.answer_polarity("Persons with LEC certifications are not recognized as providers.") == "no"
    assert m.answer_polarity("Hospital-grade pumps are rentals only [1].") == "no"
    assert m.answer_polarity("A provider can bill under their number [1].") == "yes"


def test_contradictions_zero_one_between():
    texts = ["Yes, the provider can bill [1].", "No, it cannot be bought [1]."]
    assert m.contradictions(texts, ["eligible", "not_eligible"]) == 0
    assert m.contradictions(["No, she cannot bill directly."], ["eligible"]) == 1
    flipped = texts + ["Conditional: depends on certification."]
    assert m.contradictions(flipped, ["not_eligible", "not_eligible", "eligible"]) == 1
    # conditional / unknown / missing verdicts never count as contradicted
    assert m.contradictions(["No."] * 3, ["conditional", "unknown", None]) == 0


# -- latency ------------------------------------------------------------------------------------

def test_percentiles_zero_one_between():
    assert m.latency_percentiles([0.0] * 10) == {"p50": 0.0, "p95": 0.0}
    assert m.latency_percentiles([1.0] * 7) == {"p50": 1.0, "p95": 1.0}
    spread = m.latency_percentiles(list(range(1, 101)))
    assert spread["p50"] == pytest.approx(50.5)
    assert spread["p95"] == pytest.approx(95.05)
    assert m.percentile([], 50) == 0.0
    with pytest.raises(ValueError):
        m.percentile([1.0], 101)


def test_mean():
    assert m.mean([]) == 0.0
    assert m.mean([0.0, 1.0]) == 0.5

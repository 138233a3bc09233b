"""The assistant end to end on the real index of the shipped page (real model, real Chroma)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant.retrieve import Filters
from core.store import IndexStore
from core.types import Turn
from tests.conftest import ROOT, SEED_DOC

SECTION_QUESTIONS = {
    "Lactation Education and Support Services":
        "Who may provide lactation education and support services?",
    "Billing for Lactation Education and Support Services":
        "Under whose Medi-Cal number are lactation services billed when an RN with IBCLC "
        "certification renders them?",
    "Referral for Lactation Education and Support Services through CPSP Providers":
        "What can CPSP-certified providers offer in the antepartum and postpartum period?",
    "Referral for Lactation Education and Support Services by Non-CPSP Providers":
        "What codes do non-CPSP fee-for-service providers bill lactation services with?",
    "Lactation Durable Medical Equipment": "What types of breast pumps can members obtain?",
    "Breastfeeding Promotion Toolkit": "How can a provider request the breastfeeding toolkit?",
}


@pytest.fixture(scope="module")
def chunk_texts(seed_index):
    store = IndexStore(seed_index)
    return {c.chunk_id: c.text for c in store.chunks(store.current().name)}


@pytest.mark.parametrize("section,question", SECTION_QUESTIONS.items())
def test_each_section_question_cites_its_section_with_exact_quotes(
        seed_assistant, chunk_texts, section, question):
    answer = seed_assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert answer.citations
    assert section in {c.section for c in answer.citations}
    for c in answer.citations:
        assert c.quote in chunk_texts[c.chunk_id], (c.chunk_id, c.quote)
        assert c.doc_id == SEED_DOC and c.last_updated == "2024-12-04" and c.url
        assert f"[{c.n}]" in answer.answer


def test_list_answer_keeps_its_lead_in(seed_assistant):
    answer = seed_assistant.ask("what kinds of breast pumps can medi-cal members get")
    assert "may obtain the following types of breast pumps:\n• Manual breast pump" in answer.answer


@pytest.mark.parametrize("question", [
    "What is the weather in Sacramento today?",
    "what's the fax number for the Medi-Cal Rx help desk",
    "timely filing limit for lactation claims?",
])
def test_unanswerable_questions_are_refused_without_citations(seed_assistant, question):
    answer = seed_assistant.ask(question)
    assert answer.abstained and answer.abstain_reason in ("no_passage", "no_supported_sentence")
    assert "does not answer" in answer.answer and "Provider Services" in answer.answer
    assert not answer.citations


def test_member_specific_question_is_routed_and_identifier_not_logged(
        seed_assistant, caplog, tmp_path):
    from assistant.audit import AuditLog

    seed_assistant.audit = AuditLog(tmp_path / "audit.jsonl")
    try:
        with caplog.at_level("DEBUG"):
            answer = seed_assistant.ask("is member 91234567A eligible for a breast pump?")
    finally:
        seed_assistant.audit = None
    assert answer.abstained and answer.abstain_reason == "member_specific"
    assert "eligibility" in answer.answer and "provider portal" in answer.answer
    assert "91234567A" not in caplog.text
    assert "91234567A" not in (tmp_path / "audit.jsonl").read_text()


def test_follow_up_uses_the_earlier_turn(seed_assistant):
    history = [Turn(role="user", content="Can an IBCLC bill Medi-Cal directly?"),
               Turn(role="assistant", content="No.")]
    answer = seed_assistant.ask("what about if she's an RN?", history)
    assert not answer.abstained
    assert "Billing for Lactation Education and Support Services" in {
        c.section for c in answer.citations}


def test_too_long_question_gets_a_message_and_no_retrieval(seed_assistant):
    answer = seed_assistant.ask("pump " * 1000)
    assert answer.abstained and answer.abstain_reason == "too_long"
    assert "too long" in answer.answer and "retrieve" not in answer.timings_ms


def test_document_filter_restricts_retrieval(seed_assistant):
    question = "How can a provider request the breastfeeding toolkit?"
    answer = seed_assistant.ask(question, filters=Filters(doc_ids=["some-other-page"]))
    assert answer.abstained and not answer.contexts
    ok = seed_assistant.ask(question, filters=Filters(provider_type="Hospitals"))
    assert not ok.abstained


def test_what_no_passage_answers_and_the_rules_cannot_settle_is_refused_in_the_verdicts_words(
        seed_assistant):
    answer = seed_assistant.ask("what's the medi-cal rate for a lactation consult visit")
    assert answer.abstained and answer.abstain_reason == "no_passage"
    assert answer.verdict and answer.verdict.verdict == "unknown"
    assert answer.answer.startswith("Not settled by the manual")
    assert "does not state rates" in answer.answer


def test_billing_question_gets_verdict_first_with_citation(seed_assistant, chunk_texts):
    answer = seed_assistant.ask("Can an IBCLC bill Medi-Cal directly for lactation visits?")
    assert answer.verdict and answer.verdict.verdict == "not_eligible"
    assert answer.answer.startswith("Not eligible")
    cite = answer.verdict.citation
    assert cite and cite.quote in chunk_texts[cite.chunk_id]
    assert answer.citations[0].quote == cite.quote


def test_answer_json_has_the_documented_shape(seed_assistant):
    data = seed_assistant.ask("Who can prescribe lactation DME?").to_json_dict()
    assert {"id", "question", "answer", "abstained", "citations", "verdict", "contexts",
            "timings_ms"} <= set(data)
    assert {"n", "chunk_id", "doc_id", "title", "section", "url", "last_updated",
            "quote"} <= set(data["citations"][0])
    assert {"chunk_id", "doc_id", "url", "title", "section", "score"} <= set(data["contexts"][0])
    json.dumps(data)


def test_cli_batch_writes_one_json_answer_per_line(seed_index, tmp_path):
    batch = tmp_path / "q.jsonl"
    batch.write_text("\n".join(json.dumps(x) for x in [
        {"id": "a", "question": "Who can prescribe lactation DME?"},
        {"id": "b", "question": "what about a CNM?",
         "history": [{"role": "user", "content": "Who can prescribe lactation DME?"}]},
        {"id": "c", "question": "What is the weather today?"},
    ]) + "\nnot json\n")
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--batch", str(batch),
         "--index", str(seed_index.index_dir)], cwd=ROOT, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    assert [x.get("id") for x in lines] == ["a", "b", "c", None]
    assert lines[0]["citations"] and lines[2]["abstained"] and "error" in lines[3]


def test_cli_ask_prints_answer_and_sources(seed_index):
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "Who can prescribe lactation DME?",
         "--index", str(seed_index.index_dir)], cwd=ROOT, capture_output=True, text=True,
        timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Sources:" in proc.stdout and "certified nurse midwife" in proc.stdout
    assert "lactation-education-and-support-services.html" in proc.stdout


def test_page_edit_that_removes_a_rules_sentence_makes_it_stale(tmp_path, embedder):
    from assistant.pipeline import Assistant
    from ingest.build import ingest
    from tests.conftest import SEED, make_settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "Providers may refer a member to lactation services for infants up to age one."
    text = SEED.read_text()
    assert sentence in text
    (corpus / SEED.name).write_text(text.replace(sentence, ""))
    settings = make_settings(tmp_path, corpus=[corpus])
    ingest([corpus], settings, progress=False, embedder=embedder)
    assistant = Assistant.from_settings(settings, audit=None)
    assert any("referral" in r for r in assistant.rules.stale_ids)
    answer = assistant.ask("can we refer a 14 month old baby for lactation services?")
    v = answer.verdict  # the stale rule is reported, not applied
    assert (v.verdict, v.rule_id, v.citation) == ("unknown", "referral_after_first_year", None)
    assert "no longer in the indexed manual" in v.explanation
    assert answer.answer.startswith("Not settled by the manual: ")


def test_cli_check_prints_scenario_and_verdict(seed_index):
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "check",
         "our RN is an IBCLC, can we bill lactation support under our medi-cal #?", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["pack"] == "lactation" and data["scenario"]["role"] == "RN"
    assert data["decision"]["verdict"] == "eligible"
    human = subprocess.run(
        [sys.executable, "-m", "assistant", "check", "Can an IBCLC bill Medi-Cal directly?"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert human.returncode == 0 and "Pack: lactation" in human.stdout
    assert "Verdict: NOT ELIGIBLE" in human.stdout
    none = subprocess.run(
        [sys.executable, "-m", "assistant", "check", "can we bill a home blood pressure cuff?"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert none.returncode == 0 and none.stdout.startswith("No verdict: no rule pack applies.")
    assert "lactation: none of its scope terms" in none.stdout

"""The LLM answerer through the whole pipeline, against a real llama.cpp server (SmolLM2-135M)."""

from __future__ import annotations

import pytest

from assistant.pipeline import Assistant
from core.store import IndexStore
from core.types import Turn

pytestmark = pytest.mark.llm


@pytest.fixture(scope="module")
def llm_assistant(seed_index, llm_server):
    settings = seed_index.model_copy(update={
        "answerer": "openai",
        "llm": seed_index.llm.model_copy(update={
            "base_url": llm_server, "model": "smollm2", "timeout_s": 60, "max_retries": 0,
            "max_tokens": 120}),
    })
    return Assistant.from_settings(settings, audit=None)


@pytest.fixture(scope="module")
def chunk_texts(seed_index):
    store = IndexStore(seed_index)
    return {c.chunk_id: c.text for c in store.chunks(store.current().name)}


QUESTIONS = [
    "What types of breast pumps can Health Net Medi-Cal members obtain?",
    "Who can write prescriptions for lactation DME?",
    "How can providers request the breastfeeding toolkit?",
    "What can CPSP-certified providers provide to members?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_llm_answers_are_cited_and_verified(llm_assistant, chunk_texts, question):
    answer = llm_assistant.ask(question)
    assert not answer.abstained, answer.answer
    assert answer.citations
    for c in answer.citations:
        assert c.quote in chunk_texts[c.chunk_id]
        assert f"[{c.n}]" in answer.answer
    assert answer.answerer in ("openai", "extractive")


def test_some_answer_really_comes_from_the_model(llm_assistant):
    used = {llm_assistant.ask(q).answerer for q in QUESTIONS}
    assert "openai" in used, "every answer fell back to the extractive answerer"


def test_billing_verdict_overrules_the_model(llm_assistant):
    answer = llm_assistant.ask("Can an IBCLC bill Medi-Cal directly?")
    assert answer.verdict and answer.verdict.verdict == "not_eligible"
    assert answer.answer.startswith("Not eligible")
    lowered = answer.answer.lower()
    assert "yes, an ibclc can bill" not in lowered and "can bill medi-cal directly" not in lowered


def test_invented_sentences_never_reach_the_user(llm_assistant):
    """Each sentence the model wrote that verification rejects (no cited passage backs it) is
    not a sentence of the final answer."""
    from assistant.llm_answer import clean_answer
    from assistant.sentences import split_sentences
    from assistant.verify import claims, verify

    rejected_total = 0
    for q in QUESTIONS + ["Can an IBCLC bill Medi-Cal directly?", "How long is a pump rental?"]:
        answer = llm_assistant.ask(q)
        if answer.answerer != "openai":
            continue  # the model gave nothing usable; the extractive answer was used
        passages = llm_assistant.retriever.passages(q)
        raw = clean_answer(llm_assistant.answerer.last_raw or "", passages)
        kept = {s.strip() for text, _ in claims(verify(raw, passages).text)
                for s in split_sentences(text)}
        rejected = {s.strip() for text, _ in claims(raw) for s in split_sentences(text)} - kept
        final = {s.strip() for text, _ in claims(answer.answer) for s in split_sentences(text)}
        rejected_total += len(rejected)
        assert not (rejected & final) - kept, rejected & final
    print(f"model sentences rejected by verification: {rejected_total}")


def test_follow_up_reaches_the_model_with_history(llm_assistant):
    history = [Turn(role="user", content="What breast pumps can members get?"),
               Turn(role="assistant", content="Manual and electric pumps. [1]")]
    answer = llm_assistant.ask("does the hospital grade one need prior authorization?", history)
    assert not answer.abstained
    assert "Lactation Durable Medical Equipment" in {c.section for c in answer.citations}


def _billing_cases(n=12):
    import json as _json

    from tests.conftest import ROOT

    rows = [_json.loads(x) for x in (ROOT / "evals/datasets/seed/billing.jsonl").open() if x.strip()]
    return rows[:: max(1, len(rows) // n)][:n]


@pytest.mark.parametrize("case", _billing_cases(), ids=lambda c: c["id"])
def test_no_final_llm_answer_contradicts_its_verdict(llm_assistant, case):
    from assistant.rules import contradicts

    history = [Turn(**t) for t in case.get("history", [])]
    answer = llm_assistant.ask(case["question"], history)
    assert answer.verdict is not None
    assert answer.verdict.verdict in [case["verdict"], *case.get("accept", [])]
    body = answer.answer.split("\n\n", 1)[1] if "\n\n" in answer.answer else ""
    assert not contradicts(body, answer.verdict), answer.answer

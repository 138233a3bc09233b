"""Limits where a request enters: question length, conversation length (turns and message size)
and upload size. Over the limit: a clear message, and no model call (counted: a counting
answerer and a counting embedder wrapped around the real ones)."""

from __future__ import annotations

import shutil
import time

import pytest

from assistant.answer import ExtractiveAnswerer, IdfTable
from assistant.index import LoadedIndex
from assistant.pipeline import Assistant
from assistant.rules import RuleChecker
from core.settings import Settings
from core.types import Turn
from ingest.build import ingest
from tests.conftest import SEED, SEED_DOC, make_settings
from tests.support import CountingEmbedder

QUESTION = "Who can prescribe lactation DME?"


class CountingAnswerer:
    """The extractive answerer, counting calls and keeping what it was given."""

    name = "counting"

    def __init__(self, inner: ExtractiveAnswerer):
        self.inner = inner
        self.calls: list[tuple[str, list[Turn]]] = []

    def draft(self, question, passages, history):
        self.calls.append((question, list(history)))
        return self.inner.draft(question, passages, history)


def with_limits(settings: Settings, **limits) -> Settings:
    data = settings.model_dump()
    data["limits"] = {**data["limits"], **limits}
    return Settings(**data)


@pytest.fixture
def make_assistant(seed_index, embedder):
    def make(**limits):
        settings = with_limits(seed_index, **limits)
        counting = CountingEmbedder(embedder)
        index = LoadedIndex(settings, embedder=counting)
        lex = index.lexical
        answerer = CountingAnswerer(ExtractiveAnswerer(IdfTable(lex.doc_freq, len(lex.chunks))))
        rules = RuleChecker.load(settings.rules_dir, index)
        return Assistant(settings, index, answerer=answerer, rules=rules), answerer, counting

    return make


# ---- question length -----------------------------------------------------------------------
def test_question_over_the_limit_gets_a_clear_message_and_no_model_call(make_assistant):
    assistant, answerer, embedder = make_assistant(max_question_chars=200)
    question = (QUESTION + " ") * 20  # 660 characters
    answer = assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == "too_long"
    assert "too long" in answer.answer and "200" in answer.answer and "shorten" in answer.answer
    assert not answer.citations and answer.verdict is None
    assert answerer.calls == [] and embedder.queries == [] and embedder.documents == 0


def test_question_at_the_limit_is_answered(make_assistant):
    assistant, answerer, embedder = make_assistant(max_question_chars=len(QUESTION))
    answer = assistant.ask(QUESTION)
    assert not answer.abstained, answer.answer
    assert len(answerer.calls) == 1 and len(embedder.queries) == 1


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_gets_a_message_and_no_model_call(make_assistant, question):
    assistant, answerer, embedder = make_assistant()
    answer = assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == "empty" and "question" in answer.answer
    assert answerer.calls == [] and embedder.queries == []


# ---- conversation length -------------------------------------------------------------------
def conversation(exchanges: int) -> list[Turn]:
    turns = []
    for i in range(exchanges):
        turns += [Turn(role="user", content=f"Old question number {i} about breast pumps?"),
                  Turn(role="assistant", content=f"Old answer number {i}. [1]")]
    return turns


def test_history_over_the_limit_is_trimmed_to_the_last_turns(make_assistant):
    assistant, answerer, _ = make_assistant(max_history_turns=3)
    history = conversation(50)
    answer = assistant.ask("And who can prescribe them?", history)
    assert not answer.abstained, answer.answer
    [(query, seen)] = answerer.calls
    assert seen == history[-6:]
    assert query == "And who can prescribe them?"
    assert "Old question number 49" in answer.resolved_question  # read with the latest question


def test_no_history_kept_when_the_limit_is_zero(make_assistant):
    assistant, answerer, _ = make_assistant(max_history_turns=0)
    assistant.ask(QUESTION, conversation(5))
    assert answerer.calls[0][1] == []


@pytest.mark.parametrize("role", ["user", "assistant"])
def test_a_huge_history_message_is_cut_not_a_crash(make_assistant, role):
    assistant, answerer, embedder = make_assistant(max_question_chars=500)
    huge = "Can our registered nurse bill for lactation support visits? " * 20_000  # 1.2 MB
    history = [Turn(role="user", content="Can an IBCLC bill Medi-Cal?"),
               Turn(role=role, content=huge)]
    started = time.perf_counter()
    answer = assistant.ask("what about if she's an MA?", history)
    assert time.perf_counter() - started < 30
    assert not answer.abstained, answer.answer
    assert answer.verdict is not None  # the follow-up still reads the conversation
    [(_query, seen)] = answerer.calls
    assert all(len(t.content) <= 500 for t in seen)
    assert all(len(q) <= 2 * 500 + 100 for q in embedder.queries)


# ---- upload size ---------------------------------------------------------------------------
def test_a_page_over_the_upload_limit_is_reported_and_skipped(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    big = corpus / "huge-page.txt"
    big.write_text("Huge Page\n\n" + "Providers must keep visit notes for every service. " * 24_000)
    assert big.stat().st_size > 1_200_000 > SEED.stat().st_size
    settings = make_settings(tmp_path, corpus=[corpus], limits={"max_upload_bytes": 1_000_000})
    counting = CountingEmbedder(embedder)
    report = ingest([corpus], settings, progress=False, embedder=counting)
    size = big.stat().st_size
    assert [(p.rsplit("/", 1)[-1], r) for p, r in report.failures] == [
        ("huge-page.txt", f"is {size:,} bytes, over the 1,000,000-byte limit "
         "(PMA_LIMITS__MAX_UPLOAD_BYTES); split the page or raise the limit")]
    assert "FAILED" in report.summary() and "huge-page.txt" in report.summary()
    assert report.documents == 1 and report.added == report.chunks
    assert counting.documents == report.added + report.units_embedded  # chunks and their units
    docs = {c.doc_id for c in LoadedIndex(settings, embedder=embedder).chunks}
    assert docs == {SEED_DOC}

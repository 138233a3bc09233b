"""assistant/answer.py without a model: which units a part takes and how they are drafted.

Chunks carry sentence spans from ingest's own segmenter (ingest/chunk.sentence_spans); the
extractive answerer runs on words alone (no embedder), over an idf table of these passages.
"""

from __future__ import annotations

from assistant.answer import ExtractiveAnswerer, IdfTable
from core.textnorm import tokens
from core.types import Chunk, Passage
from ingest.chunk import sentence_spans

DOC = "claims/claims-submission/example-limits"


def passage(i: int, text: str, section: str = "Limits", doc_id: str = DOC) -> Passage:
    chunk = Chunk(chunk_id=f"c{i}", doc_id=doc_id, title="Example Limits", section=section,
                  text=text, start=0, end=len(text), ordinal=i, content_hash=f"h{i}",
                  sentences=sentence_spans(text))
    return Passage(chunk=chunk, score=1.0 / (i + 1))


def answerer(passages: list[Passage]) -> ExtractiveAnswerer:
    doc_freq: dict[str, int] = {}
    for p in passages:
        for t in set(tokens(p.chunk.text, expand=True)):
            doc_freq[t] = doc_freq.get(t, 0) + 1
    return ExtractiveAnswerer(IdfTable(doc_freq, len(passages)))


def test_a_second_fact_of_the_kind_asked_is_kept_without_new_words():
    text = ("Corrected claims must be received within 120 calendar days of the remittance "
            "advice.\n\nA corrected claim sent late is denied; replacement claims must be "
            "received within 90 calendar days of the denial.")
    ps = [passage(0, text), passage(1, "Provider Services answers questions about forms.",
                                    section="Questions")]
    plan = answerer(ps).plan("how long do we have to send a corrected claim", ps)
    quoted = " ".join(u.text for _, u in plan.units())
    assert "120 calendar days" in quoted and "90 calendar days" in quoted


def test_rows_of_one_table_share_one_header_line():
    header = "Type of Submission | Filing Limit | Starting Date"
    rows = [f"Claim type {n} for the example service line | {n * 10} calendar days | "
            f"Date of service for the example service line number {n}" for n in range(1, 11)]
    ps = [passage(0, "\n".join([header, *rows]))]
    ex = answerer(ps)
    draft = ex.draft("filing limit for claim type 3 and claim type 4", ps, [])
    assert draft.count(header) == 1
    assert "30 calendar days" in draft and "40 calendar days" in draft


def test_a_short_runner_up_from_the_same_page_joins_the_best_unit():
    # Both paragraphs hold every word of the question, so the runner-up adds no new word;
    # being short, it is quoted with the best one all the same (and only because it is short).
    first = ("A member whose specialist leaves the network may keep seeing the specialist for "
             "a course of treatment already under way, when the member asks for it.")
    second = "The member may keep seeing a specialist who leaves the network for up to 12 months."
    ps = [passage(0, f"{first}\n\n{second}"),
          passage(1, "Provider Services answers questions about forms.", section="Questions")]
    question = "can the member keep seeing the specialist who leaves the network"
    ex = answerer(ps)
    quoted = " ".join(u.text for _, u in ex.plan(question, ps).units())
    assert "12 months" in quoted and "course of treatment" in quoted
    ex.short_extra_chars = 0
    alone = " ".join(u.text for _, u in ex.plan(question, ps).units())
    assert ("12 months" in alone) != ("course of treatment" in alone)

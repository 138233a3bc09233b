"""Rank fusion and neighbour merging (assistant/retrieve.py), on hand-made ranked lists."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document as LCDocument

from assistant.retrieve import Filters, merge_neighbours, reciprocal_rank_fusion
from core.types import Chunk, Passage


def chunk(name: str, *, doc="page", section="S", ordinal=0, start=0, text=None,
          provider_types=()) -> Chunk:
    text = text or f"Text of {name}."
    return Chunk(chunk_id=f"{doc}::{section.lower()}::{name}", doc_id=doc, title="T",
                 section=section, text=text, start=start, end=start + len(text),
                 ordinal=ordinal, content_hash=name, provider_types=list(provider_types))


def hits(kind: str, *chunks: Chunk) -> list[LCDocument]:
    """Ranked LangChain documents as the dense or lexical half returns them."""
    return [LCDocument(page_content=c.text, id=c.chunk_id,
                       metadata={"chunk": c, "score": 1.0 - i / 10, "kind": kind})
            for i, c in enumerate(chunks)]


A, B, C, D = (chunk(x) for x in "abcd")


def test_fused_score_is_the_sum_of_reciprocal_ranks():
    fused = reciprocal_rank_fusion({"dense": hits("dense", A, B), "lexical": hits("lexical", B)},
                                   rrf_k=60)
    assert [p.chunk.chunk_id for p in fused] == [B.chunk_id, A.chunk_id]
    by_id = {p.chunk.chunk_id: p for p in fused}
    assert by_id[B.chunk_id].score == pytest.approx(1 / 62 + 1 / 61)
    assert by_id[A.chunk_id].score == pytest.approx(1 / 61)


def test_each_half_keeps_its_own_score_and_a_missing_half_stays_none():
    fused = reciprocal_rank_fusion({"dense": hits("dense", A), "lexical": hits("lexical", B, A)},
                                   rrf_k=60)
    by_id = {p.chunk.chunk_id: p for p in fused}
    assert (by_id[A.chunk_id].dense_score, by_id[A.chunk_id].lexical_score) == (1.0, 0.9)
    assert (by_id[B.chunk_id].dense_score, by_id[B.chunk_id].lexical_score) == (None, 1.0)


def test_agreement_beats_one_first_place():
    # C is second in both lists; A and D are each first in one list only
    fused = reciprocal_rank_fusion({"dense": hits("dense", A, C), "lexical": hits("lexical", D, C)},
                                   rrf_k=60)
    assert fused[0].chunk.chunk_id == C.chunk_id


def test_ties_are_broken_by_chunk_id_so_the_order_is_stable():
    fused = reciprocal_rank_fusion({"dense": hits("dense", B), "lexical": hits("lexical", A)},
                                   rrf_k=60)
    assert [p.chunk.chunk_id for p in fused] == sorted([A.chunk_id, B.chunk_id])
    assert fused[0].score == fused[1].score


def test_a_small_k_makes_a_first_place_count_more_than_agreement_lower_down():
    # A is first in the dense list only; E is fifth in both
    e = chunk("e")
    fillers = [chunk(f"f{i}") for i in range(6)]
    lists = {"dense": hits("dense", A, *fillers[:3], e),
             "lexical": hits("lexical", *fillers[3:], B, e)}
    assert reciprocal_rank_fusion(lists, rrf_k=1)[0].chunk.chunk_id == A.chunk_id  # 1/2 > 2/6
    assert reciprocal_rank_fusion(lists, rrf_k=60)[0].chunk.chunk_id == e.chunk_id  # 2/65 > 1/61
    assert reciprocal_rank_fusion({}, rrf_k=60) == []


def test_adjacent_chunks_of_one_section_merge_and_remember_their_parts():
    first = chunk("0", ordinal=0, start=0, text="First part.")
    second = chunk("1", ordinal=1, start=12, text="Second part.")
    other = chunk("2", section="Other", ordinal=2, start=30, text="Elsewhere.")
    merged = merge_neighbours([Passage(chunk=second, score=0.5), Passage(chunk=other, score=0.4),
                               Passage(chunk=first, score=0.3)])
    assert len(merged) == 2
    joined = merged[0]
    assert joined.score == 0.5  # the better of the two
    assert joined.chunk.text == "First part. Second part."
    assert joined.chunk.chunk_id == f"{first.chunk_id}+1"
    assert joined.parts == [(first.chunk_id, 0, 11), (second.chunk_id, 12, 24)]
    assert joined.source_of(13)[0] == second.chunk_id
    assert merged[1].chunk.chunk_id == other.chunk_id


def test_a_joined_pair_is_not_joined_again_so_every_quote_keeps_its_own_chunk():
    # Seen on a CPSP page: chunks 1 and 2 joined, then chunk 0 joined to the pair; the quote
    # from chunk 1 was cited as "1+2", a chunk that does not exist, and the same table came
    # back twice (once alone, once inside "0+1+2", which the passage de-duplication missed).
    c0 = chunk("0", ordinal=0, start=0, text="Lead-in.")
    c1 = chunk("1", ordinal=1, start=9, text="Table row.")
    c2 = chunk("2", ordinal=2, start=20, text="Note.")
    merged = merge_neighbours([Passage(chunk=c1, score=0.9), Passage(chunk=c2, score=0.8),
                               Passage(chunk=c0, score=0.7)])
    assert [m.chunk.chunk_id for m in merged] == [f"{c1.chunk_id}+2", c0.chunk_id]
    assert all("+" not in cid for m in merged for cid in m.chunk_id_parts())
    assert merged[0].source_of(0)[0] == c1.chunk_id


def test_chunks_that_are_not_neighbours_stay_apart():
    far = chunk("5", ordinal=5, start=100)
    other_doc = chunk("1", doc="other", ordinal=1, start=12)
    passages = [Passage(chunk=A, score=1.0), Passage(chunk=far, score=0.9),
                Passage(chunk=other_doc, score=0.8)]
    assert merge_neighbours(passages) == passages


def test_filters_admit_and_build_the_store_query():
    c = chunk("x", doc="lactation", provider_types=["Physician"])
    assert Filters().where() is None and Filters().admits(c)
    assert Filters(doc_ids=["lactation"]).where() == {"doc_id": {"$in": ["lactation"]}}
    both = Filters(doc_ids=["lactation"], provider_type="Physician")
    assert both.admits(c) and set(both.where()) == {"$and"}
    assert not Filters(provider_type="Nurse").admits(c)
    assert not Filters(doc_ids=["other"]).admits(c)

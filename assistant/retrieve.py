"""question -> ranked passages: dense (Chroma) and lexical (BM25) fused by reciprocal rank.

Both halves are LangChain retrievers and the fusion is a LangChain runnable, so the chain plugs
into the LangChain ecosystem; ``HybridRetriever.passages`` is the typed entry point the
pipeline uses. Neighbouring chunks of one section are merged into one passage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda
from pydantic import ConfigDict

from core.lexical import LexicalIndex  # noqa: F401  (re-exported: it lives in lexical.py)
from core.settings import RetrievalSettings
from core.types import Chunk, Passage


@dataclass
class Filters:
    """Metadata filters: restrict answers to some pages, provider types or line of business."""

    doc_ids: list[str] = field(default_factory=list)
    provider_type: str | None = None
    line_of_business: str | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.doc_ids:
            clauses.append({"doc_id": {"$in": list(self.doc_ids)}})
        if self.provider_type:
            clauses.append({"provider_types": {"$contains": self.provider_type}})
        if self.line_of_business:
            clauses.append({"lob": self.line_of_business})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def admits(self, chunk: Chunk) -> bool:
        return (
            (not self.doc_ids or chunk.doc_id in self.doc_ids)
            and (not self.provider_type or self.provider_type in chunk.provider_types)
            and (not self.line_of_business or chunk.line_of_business == self.line_of_business)
        )


class _ChunkRetriever(BaseRetriever):
    """Shared shape of the two halves: LangChain documents carrying our Chunk and a score."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    k: int = 20
    filters: Any = None

    @staticmethod
    def _docs(hits: list[tuple[Chunk, float]], kind: str) -> list[LCDocument]:
        return [LCDocument(page_content=c.text, id=c.chunk_id,
                           metadata={"chunk": c, "score": s, "kind": kind}) for c, s in hits]


class DenseRetriever(_ChunkRetriever):
    index: Any  # assistant.index.LoadedIndex

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        where = self.filters.where() if self.filters else None
        return self._docs(self.index.dense_search(query, self.k, where), "dense")


class LexicalRetriever(_ChunkRetriever):
    lexical: Any  # LexicalIndex

    def _get_relevant_documents(self, query: str, *,
                                run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits = self.lexical.search(query, self.k * 3 if self.filters else self.k)
        if self.filters:
            hits = [h for h in hits if self.filters.admits(h[0])][: self.k]
        return self._docs(hits, "lexical")


def reciprocal_rank_fusion(results: dict[str, list[LCDocument]], rrf_k: int) -> list[Passage]:
    fused: dict[str, dict[str, Any]] = {}
    for kind, docs in results.items():
        for rank, doc in enumerate(docs):
            chunk: Chunk = doc.metadata["chunk"]
            entry = fused.setdefault(chunk.chunk_id, {"chunk": chunk, "score": 0.0})
            entry["score"] += 1.0 / (rrf_k + rank + 1)
            entry[f"{kind}_score"] = doc.metadata["score"]
    ranked = sorted(fused.values(), key=lambda e: (-e["score"], e["chunk"].chunk_id))
    return [Passage(**e) for e in ranked]


def merge_neighbours(passages: list[Passage]) -> list[Passage]:
    """Join passages that are adjacent chunks of one section into one passage (best score).

    Two chunks at most: a joined pair is not joined again, on either side (its ``parts``
    would lose the chunk a quote comes from, and the pair would slip past the de-duplication
    of passages by their chunks)."""
    out: list[Passage] = []
    for p in passages:
        for i, q in enumerate(out):
            a, b = sorted((q.chunk, p.chunk), key=lambda c: c.ordinal)
            if a.doc_id == b.doc_id and a.section == b.section and b.ordinal == a.ordinal + 1 \
                    and not q.parts and not p.parts:
                out[i] = q.model_copy(update={
                    "chunk": _join(a, b),
                    "parts": [(a.chunk_id, 0, len(a.text)),
                              (b.chunk_id, len(_join(a, b).text) - len(b.text),
                               len(_join(a, b).text))]})
                break
        else:
            out.append(p)
    return out


def _join(a: Chunk, b: Chunk) -> Chunk:
    gap = b.start - a.end
    sep = " " if gap == 1 else "\n" * max(gap, 1)
    shift = len(a.text) + len(sep)
    return a.model_copy(update={
        "chunk_id": f"{a.chunk_id}+{b.chunk_id.rsplit('::', 1)[-1]}",
        "text": a.text + sep + b.text, "end": b.end,
        "sentences": list(a.sentences) + [(s + shift, e + shift) for s, e in b.sentences],
    })


class HybridRetriever:
    """Dense + lexical, fused (RRF), merged; a LangChain runnable underneath."""

    def __init__(self, index, settings: RetrievalSettings):
        self.index = index
        self.settings = settings

    def chain(self, filters: Filters | None = None):
        dense = DenseRetriever(index=self.index, k=self.settings.dense_k, filters=filters)
        lexical = LexicalRetriever(lexical=self.index.lexical, k=self.settings.lexical_k,
                                   filters=filters)
        fuse = RunnableLambda(lambda r: reciprocal_rank_fusion(r, self.settings.rrf_k))
        # Sequential on purpose: a thread pool per question costs more than BM25 itself.
        both = RunnableLambda(lambda q: {"dense": dense.invoke(q), "lexical": lexical.invoke(q)})
        return both | fuse

    def passages(self, query: str, filters: Filters | None = None,
                 k: int | None = None, extra_queries: Sequence[str] = (),
                 extra_k: int = 2) -> list[Passage]:
        """The top passages for ``query``, then for each of ``extra_queries`` (the parts of a
        multi-part question) its best ``extra_k`` passages not already there."""
        k = k or self.settings.top_k
        fused = self.chain(filters).invoke(query)
        out = merge_neighbours(fused[: k + 2])[:k]
        for extra in extra_queries:
            have = {cid for p in out for cid in p.chunk_id_parts()}
            more = [p for p in merge_neighbours(self.chain(filters).invoke(extra)[: extra_k + 2])
                    if not set(p.chunk_id_parts()) & have]
            out += more[:extra_k]
        return out

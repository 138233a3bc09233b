"""The data that flows through the product, one way:

Document (ingest/load) -> Chunk (ingest/chunk) -> Passage (retrieve) -> Answer (pipeline).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

BlockKind = Literal["heading", "paragraph", "list_item", "table_row"]
VerdictKind = Literal["eligible", "not_eligible", "conditional", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Block(_Model):
    """One structural piece of a cleaned page, in reading order."""

    kind: BlockKind
    text: str
    level: int = Field(1, description="Heading level (1 = top section); list nesting for items.")
    marker: str | None = Field(
        None, description="A numbered list item's own number ('1.', '2)', 'a.'), kept in the "
        "page text; 'header' for a table's header row; None for bullets and the rest.")


class Document(_Model):
    """A manual page, cleaned of site chrome, with its provenance."""

    doc_id: str
    source: str = Field(description="Path of the file it was loaded from.")
    format: Literal["text", "html", "markdown", "pdf"]
    title: str
    url: str | None = None
    last_updated: str | None = Field(None, description="ISO date (YYYY-MM-DD).")
    line_of_business: str | None = None
    provider_types: list[str] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list, description="Body, without title/meta.")
    flags: list[str] = Field(
        default_factory=list, description="Suspicious content found at load (hidden text, ...)."
    )


class Chunk(_Model):
    """A piece of one section of one page: the unit that is embedded, retrieved and cited."""

    chunk_id: str
    doc_id: str
    title: str
    section: str = Field(description="Section path, headings joined by ' > '.")
    text: str = Field(description="The manual's own text; citations quote it exactly.")
    url: str | None = None
    last_updated: str | None = None
    provider_types: list[str] = Field(default_factory=list)
    line_of_business: str | None = None
    start: int = Field(description="Offset of text in the cleaned page text.")
    end: int
    ordinal: int = Field(description="Position of the chunk in its page.")
    content_hash: str
    sentences: list[tuple[int, int]] = Field(
        default_factory=list, description="Sentence spans (offsets into text)."
    )
    flags: list[str] = Field(default_factory=list)

    def embed_text(self, with_prefix: bool = True) -> str:
        if not with_prefix:
            return self.text
        head = self.title if self.section in ("", self.title) else f"{self.title} > {self.section}"
        return f"{head}\n{self.text}"

    def sentence_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in self.sentences] or [self.text]


class Passage(_Model):
    """A retrieved chunk with its scores."""

    chunk: Chunk
    score: float = Field(description="Fused score (higher is better).")
    dense_score: float | None = Field(None, description="Cosine similarity, when retrieved dense.")
    lexical_score: float | None = Field(None, description="BM25 score, when retrieved lexically.")
    parts: list[tuple[str, int, int]] = Field(
        default_factory=list,
        description="When neighbouring chunks were merged: (chunk_id, start, end) in chunk.text.",
    )

    def source_of(self, start: int) -> tuple[str, int, int]:
        """The stored chunk holding offset ``start`` of this passage's text, and its span."""
        for chunk_id, a, b in self.parts:
            if a <= start < b:
                return chunk_id, a, b
        return self.chunk.chunk_id, 0, len(self.chunk.text)

    def chunk_id_parts(self) -> list[str]:
        """The stored chunks this passage is made of (one, or the merged neighbours)."""
        return [cid for cid, _, _ in self.parts] or [self.chunk.chunk_id]


class Citation(_Model):
    n: int
    chunk_id: str
    doc_id: str
    title: str
    section: str
    url: str | None = None
    last_updated: str | None = None
    quote: str = Field(description="Exact substring of the cited chunk's stored text.")


class Verdict(_Model):
    verdict: VerdictKind
    rule_id: str
    explanation: str
    citation: Citation | None = None
    missing_facts: list[str] = Field(
        default_factory=list, description="Facts that would settle a conditional verdict."
    )
    scenario: dict[str, Any] = Field(default_factory=dict)


class Context(_Model):
    chunk_id: str
    doc_id: str
    url: str | None
    title: str
    section: str
    score: float


class Turn(_Model):
    role: Literal["user", "assistant"]
    content: str


class Answer(_Model):
    """The one result object every interface renders."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    question: str
    answer: str
    resolved_question: str | None = Field(
        None, description="How a follow-up was read: the question with the conversation's "
        "topic (None when there was no conversation before it).")
    abstained: bool = False
    abstain_reason: str | None = Field(
        None, description="'no_passage', 'member_specific', 'too_long', 'unavailable', ..."
    )
    citations: list[Citation] = Field(default_factory=list)
    verdict: Verdict | None = None
    contexts: list[Context] = Field(default_factory=list)
    answerer: str = "extractive"
    removed_sentences: int = Field(0, description="Answer sentences dropped as unsupported.")
    corrected_by_rule: bool = Field(False, description="The rule guard overrode generated text.")
    timings_ms: dict[str, float] = Field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

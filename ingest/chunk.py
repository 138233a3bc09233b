"""Pure: Document -> Chunks along the page's own sections.

The page text is the document's blocks rendered in reading order (headings on their own line,
list items as "• item"). A chunk is a contiguous span of that text, so its offsets point into the
cleaned page and its text is the manual's own words. A list is never separated from the sentence
that introduces it; only over-long sections are split, at block and then sentence boundaries.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from core.settings import ChunkingSettings
from core.types import Block, Chunk, Document

BULLET = "• "
SECTION_SEP = " > "


@dataclass(frozen=True)
class _Span:
    """A rendered block: its place in the page text and the section it belongs to."""

    block: Block
    start: int
    end: int
    section: str


def render(doc: Document) -> tuple[str, list[_Span]]:
    """Render blocks to the cleaned page text; return text and each block's span and section."""
    parts: list[str] = []
    spans: list[_Span] = []
    pos = 0
    headings: list[tuple[int, str]] = []
    prev: Block | None = None
    for block in doc.blocks:
        if block.kind == "heading":
            headings = [h for h in headings if h[0] < block.level] + [(block.level, block.text)]
        section = SECTION_SEP.join(h[1] for h in headings) or doc.title
        text = _rendered(block)
        if prev is not None:
            tight = ((block.kind == "list_item" and prev.kind in ("list_item", "paragraph")
                      and (prev.kind == "list_item" or _introduces(prev)))
                     or (block.kind == "table_row" and prev.kind == "table_row"))
            sep = "\n" if tight else "\n\n"
            parts.append(sep)
            pos += len(sep)
        parts.append(text)
        spans.append(_Span(block, pos, pos + len(text), section))
        pos += len(text)
        prev = block
    return "".join(parts), spans


def _rendered(block: Block) -> str:
    """A block as it stands in the page text: bullets as "• item", numbered items keep their
    own number ("2. item"), table rows as "cell | cell"."""
    if block.kind == "list_item":
        return f"{block.marker} {block.text}" if block.marker else BULLET + block.text
    return block.text


def _introduces(block: Block) -> bool:
    return block.kind == "paragraph" and block.text.rstrip().endswith(":")


def _units(spans: list[_Span]) -> list[list[_Span]]:
    """Group body spans into atomic units: a lead-in paragraph stays with its list."""
    units: list[list[_Span]] = []
    for span in spans:
        joins_list = units and (
            (span.block.kind == "list_item"
             and units[-1][-1].block.kind in ("list_item", "paragraph")
             and (units[-1][-1].block.kind == "list_item" or _introduces(units[-1][-1].block)))
            or (span.block.kind == "table_row"
                and (units[-1][-1].block.kind == "table_row" or _introduces(units[-1][-1].block)))
        )
        if joins_list:
            units[-1].append(span)
        else:
            units.append([span])
    return units


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (offsets into it), trailing whitespace excluded."""
    spans = []
    for piece in _segmenter().segment(text):
        start, end = piece.start, piece.end
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans or [(0, len(text))]


def _split_long(unit: list[_Span], max_chars: int) -> list[list[tuple[int, int]]]:
    """A unit as pieces of page offsets; a lone long paragraph splits at sentences."""
    start, end = unit[0].start, unit[-1].end
    if end - start <= max_chars or len(unit) > 1 or unit[0].block.kind != "paragraph":
        return [[(start, end)]]
    pieces: list[list[tuple[int, int]]] = [[]]
    size = 0
    for a, b in sentence_spans(unit[0].block.text):
        if size and size + (b - a) > max_chars:
            pieces.append([])
            size = 0
        pieces[-1].append((start + a, start + b))
        size += b - a
    return pieces


def _sections(spans: list[_Span]) -> list[tuple[str, list[_Span]]]:
    out: list[tuple[str, list[_Span]]] = []
    for span in spans:
        if span.block.kind == "heading":
            out.append((span.section, []))
            continue
        if not out or out[-1][0] != span.section:
            out.append((span.section, []))
        out[-1][1].append(span)
    return [(name, body) for name, body in out if body]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "section"


def chunk_document(doc: Document, settings: ChunkingSettings) -> tuple[str, list[Chunk]]:
    """Split a document into chunks; return the page text too (offsets point into it)."""
    page, spans = render(doc)
    chunks: list[Chunk] = []
    for section, body in _sections(spans):
        ranges: list[tuple[int, int]] = []
        for unit in _units(body):
            for piece in _split_long(unit, settings.max_chars):
                a, b = piece[0][0], piece[-1][1]
                if ranges and b - ranges[-1][0] <= settings.max_chars:
                    ranges[-1] = (ranges[-1][0], b)
                elif ranges and (b - a < settings.min_chars) and (
                    b - ranges[-1][0] <= 2 * settings.max_chars
                ):
                    ranges[-1] = (ranges[-1][0], b)
                else:
                    ranges.append((a, b))
        for i, (a, b) in enumerate(ranges):
            chunks.append(_make_chunk(doc, page, section, i, a, b, spans, len(chunks)))
    return page, chunks


def _make_chunk(doc, page, section, index, a, b, spans, ordinal) -> Chunk:
    text = page[a:b]
    sentences: list[tuple[int, int]] = []
    for span in spans:
        if span.block.kind == "heading" or span.end <= a or span.start >= b:
            continue
        if span.block.kind in ("list_item", "table_row"):
            sentences.append((span.start - a, span.end - a))
            continue
        for s, e in sentence_spans(span.block.text):
            lo, hi = span.start + s, span.start + e
            if lo >= a and hi <= b:
                sentences.append((lo - a, hi - a))
    meta = {
        "title": doc.title, "section": section, "url": doc.url,
        "last_updated": doc.last_updated, "provider_types": doc.provider_types,
        "lob": doc.line_of_business, "text": text,
    }
    content_hash = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()
    return Chunk(
        chunk_id=f"{doc.doc_id}::{_slug(section)}::{index}",
        doc_id=doc.doc_id,
        title=doc.title,
        section=section,
        text=text,
        url=doc.url,
        last_updated=doc.last_updated,
        provider_types=list(doc.provider_types),
        line_of_business=doc.line_of_business,
        start=a,
        end=b,
        ordinal=ordinal,
        content_hash=content_hash,
        sentences=sentences,
        flags=list(doc.flags),
    )

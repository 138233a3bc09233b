"""Sentences of answer text: one splitter for the LLM answerer's clean-up and for verification.

A sentence ends at '.', '!' or '?' followed by space and what starts a sentence (a capital, a
digit, a quote, '(' or a '[n]' marker), and at a line break, except before a '•' list item
(a list stays with its lead-in). Markers right after a sentence's end stay with that sentence:
"A. [1] B. [2]" -> "A. [1]", "B. [2]".

Page text is split differently, once, at ingest (ingest/chunk.py ``sentence_spans``, pysbd):
it knows abbreviations and gives offsets; answer text is short, written by this code or a
model, and must split the same way in every step that reads it.
"""

from __future__ import annotations

import re

_END = re.compile(r"(?<=[.!?])((?:\s*\[\d+\])*)\s+(?=[\[A-Z0-9\"(])|\n+(?!•)")
_WORD = re.compile(r"\w")


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped; pieces without a word character (stray punctuation
    left after a marker, "[1].") are not sentences."""
    pieces, pos = [], 0
    for m in _END.finditer(text):
        pieces.append(text[pos:m.start()] + (m.group(1) or ""))
        pos = m.end()
    pieces.append(text[pos:])
    return [p.strip() for p in pieces if _WORD.search(p)]

"""The quotable units of a chunk: a sentence (and, when it leans on the one before it, the two
together), a lead-in with its whole list, a table (or, in a long table, its header row and each
row). They depend only on the chunk, so the ingest embeds them once and stores their vectors with
the lexical segment (core/lexical.py), and the answerer reads the same units at query time."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.types import Chunk

UnitSpan = tuple[int, int, "tuple[int, int] | None", bool]  # start, end, header row, is header

ITEM_START = re.compile(r"(?:• |\d{1,3}[.)] |[a-zA-Z][.)] )")
DEPENDENT = re.compile(
    r"(?:This|These|That|Those|It|They|Such|Otherwise|However|In\s+this\s+case|In\s+that\s+case"
    r"|If\s+so|If\s+not|Instead|In\s+addition|Additionally|Also)\b")
TABLE_MAX_CHARS = 700


def _is_item(text: str, a: int) -> bool:
    return bool(ITEM_START.match(text, a))


def _is_row(text: str, a: int, b: int) -> bool:
    return " | " in text[a:b] and "\n" not in text[a:b]


def unit_spans(text: str, sentences: Sequence[tuple[int, int]]) -> list[UnitSpan]:
    """(start, end, header row, is header) of every unit of ``text``, in reading order."""
    spans = list(sentences) or [(0, len(text))]
    out: list[UnitSpan] = []
    i = 0
    while i < len(spans):
        a, b = spans[i]
        if _is_row(text, a, b):  # a table: rows up to the next non-row
            j = i
            while j + 1 < len(spans) and _is_row(text, *spans[j + 1]):
                j += 1
            rows = spans[i:j + 1]
            if rows[-1][1] - a <= TABLE_MAX_CHARS or len(rows) == 1:
                out.append((a, rows[-1][1], None, False))
            else:
                header = (rows[0][0], rows[0][1])
                out.append((*header, None, True))
                out += [(ra, rb, header, False) for ra, rb in rows[1:]]
            i = j + 1
            continue
        j = i
        if _is_item(text, a):  # a list with no lead-in: the run of items is one unit
            while j + 1 < len(spans) and _is_item(text, spans[j + 1][0]):
                j += 1
            out.append((a, spans[j][1], None, False))
            i = j + 1
            continue
        if text[a:b].rstrip().endswith(":"):
            while j + 1 < len(spans) and (_is_item(text, spans[j + 1][0])
                                          or _is_row(text, *spans[j + 1])):
                j += 1
        if j == i and out and DEPENDENT.match(text, a) and "\n" not in text[out[-1][0]:a] \
                and out[-1][2] is None:
            out.append((out[-1][0], b, None, False))
        out.append((a, spans[j][1], None, False))
        i = j + 1
    return out


def unit_texts(chunk: Chunk) -> list[str]:
    """The texts the answerer scores by meaning (every unit but a long table's header row)."""
    return [chunk.text[a:b] for a, b, _, is_header in unit_spans(chunk.text, chunk.sentences)
            if not is_header]

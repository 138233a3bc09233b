"""Every answer sentence checked against the passages it cites.

A sentence is kept only when a cited passage supports it: it is the manual's own text, or nearly
all of its content words, every number in it and its polarity (negation) are in one sentence of a
cited passage. Kept sentences get renumbered [n] markers and a Citation whose quote is an exact
substring of the stored chunk. Unsupported sentences are dropped and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import Unit, quotable_units
from assistant.citations import marker, split_claims
from assistant.negation import negated
from assistant.safety import unsafe_text
from assistant.sentences import split_sentences
from core.textnorm import tokens
from core.types import Citation, Passage

NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
CONNECTOR = re.compile(r"^\s*(yes|no)\b[.,!]?\s*", re.I)
MIN_SUPPORT = 0.75


@dataclass
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    removed: int = 0
    kept: int = 0


def claims(answer: str) -> list[tuple[str, list[int]]]:
    """Split into (text, cited passage numbers); trailing text without markers has []."""
    return split_claims(answer)


def support(sentence: str, passage: Passage, index: int) -> Unit | None:
    """The unit of ``passage`` that supports ``sentence``, or None."""
    body = CONNECTOR.sub("", sentence).strip().rstrip(" .")
    if not body or unsafe_text(body):  # an injected instruction or a foreign link is no claim
        return None
    text = passage.chunk.text
    units = quotable_units(passage, index)  # never an injected instruction or foreign link
    pos = text.find(body)
    if pos >= 0:
        for u in units:
            if u.start <= pos < u.end:
                return u
    words = set(tokens(body))
    nums = set(NUMBER.findall(body))
    neg = negated(body)
    best, best_score = None, 0.0
    for u in units:
        have = set(tokens(u.text, expand=True))
        score = len(words & have) / len(words) if words else 0.0
        if nums - set(NUMBER.findall(u.text)):
            continue
        if neg != negated(u.text):
            continue
        if score > best_score:
            best, best_score = u, score
    return best if best_score >= MIN_SUPPORT else None


def verify(answer: str, passages: list[Passage]) -> Verified:
    result = Verified(text="")
    numbering: dict[tuple[int, int], int] = {}
    pieces: list[str] = []
    pending_connector = ""
    for claim, nums in claims(answer):
        whole = claim.strip()
        body = CONNECTOR.sub("", whole).strip()
        exact = body and any(1 <= n <= len(passages) and body in passages[n - 1].chunk.text
                             for n in nums)
        # the manual's own words, quoted whole (a list, a table row, an address with "P.O."),
        # are one claim; anything else is checked sentence by sentence
        for sentence in ([whole] if exact else split_sentences(claim)):
            if CONNECTOR.fullmatch(sentence + " ") or re.fullmatch(r"(?i)(yes|no)[.,!]?", sentence):
                pending_connector = sentence.strip()
                continue
            found = None
            for n in nums:
                if 1 <= n <= len(passages):
                    unit = support(sentence, passages[n - 1], n - 1)
                    if unit is not None:
                        found = (passages[n - 1], unit)
                        break
            if found is None:
                result.removed += 1
                continue
            passage, unit = found
            key = (unit.passage, unit.start)
            if key not in numbering:
                numbering[key] = len(numbering) + 1
                result.citations.append(_citation(numbering[key], passage, unit))
            lead = f"{pending_connector} " if pending_connector else ""
            pending_connector = ""
            pieces.append(f"{lead}{sentence.rstrip()} {marker(numbering[key])}")
            result.kept += 1
    result.text = "\n".join(pieces)
    return result


def _citation(n: int, passage: Passage, unit: Unit) -> Citation:
    chunk_id, a, b = passage.source_of(unit.start)
    quote = passage.chunk.text[unit.start:unit.end]
    return Citation(
        n=n, chunk_id=chunk_id, doc_id=passage.chunk.doc_id, title=passage.chunk.title,
        section=passage.chunk.section, url=passage.chunk.url,
        last_updated=passage.chunk.last_updated, quote=quote,
    )

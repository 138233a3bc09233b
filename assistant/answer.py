"""passages -> cited answer text. The offline extractive answerer lives here; the LLM one in
assistant/llm_answer.py. Both return text whose sentences end with [n] markers (1-based indexes
into the passages they were given); verification and citation building happen afterwards."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol

from assistant.textnorm import content_tokens, tokens
from assistant.types import Passage, Turn

CANNOT_ANSWER = (
    "The provider manual does not answer this question; please contact Health Net Provider "
    "Services (Medi-Cal) for help."
)
YES_NO_START = re.compile(
    r"^\s*(can|could|may|does|do|is|are|should|must|will|would|has|have|am|was|were)\b", re.I)
NEGATION = re.compile(r"\b(not|cannot|can't|no|never|without)\b", re.I)
DENIAL = re.compile(
    r"\b(cannot|can't|may not|must not|does not|do not|is not|are not|not (recognized|covered|"
    r"allowed|eligible|required|permitted|reimbursed|billable))\b", re.I)


class Answerer(Protocol):
    name: str

    def draft(self, question: str, passages: list[Passage], history: list[Turn]) -> str:
        """Answer text in which every sentence ends with [n] markers (1-based passage index)."""


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: one sentence, or a lead-in with its whole list."""

    passage: int  # index into passages
    start: int
    end: int
    text: str


def units_of(passage: Passage, index: int) -> list[Unit]:
    text = passage.chunk.text
    spans = list(passage.chunk.sentences) or [(0, len(text))]
    out: list[Unit] = []
    i = 0
    while i < len(spans):
        a, b = spans[i]
        j = i
        if text[a:b].rstrip().endswith(":"):
            while j + 1 < len(spans) and text[spans[j + 1][0]:].startswith("• "):
                j += 1
        out.append(Unit(index, a, spans[j][1], text[a:spans[j][1]]))
        i = j + 1
    return out


def quotable_units(passage: Passage, index: int) -> list[Unit]:
    """The units that may be quoted: none that is (or sits in a paragraph that is) instruction-
    like, a role marker or a link off Health Net's domains (assistant/safety.py)."""
    from assistant.safety import quotable

    text = passage.chunk.text
    return [u for u in units_of(passage, index) if quotable(text, u.start, u.end)]


class IdfTable:
    """Inverse document frequencies over the indexed chunks (unknown words count as rare)."""

    def __init__(self, doc_freq: dict[str, int], n_docs: int):
        self.doc_freq = doc_freq
        self.n = max(n_docs, 1)

    def __call__(self, token: str) -> float:
        df = self.doc_freq.get(token, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))


def overlap(question_tokens: set[str], text: str, idf: IdfTable) -> float:
    """Share of the question's (idf-weighted) content found in ``text``."""
    if not question_tokens:
        return 0.0
    have = set(tokens(text, expand=True))
    total = sum(idf(t) for t in question_tokens)
    return sum(idf(t) for t in question_tokens if t in have) / total if total else 0.0


class ExtractiveAnswerer:
    """Deterministic: the manual's own sentences that answer the question, in reading order."""

    name = "extractive"

    def __init__(self, idf: IdfTable, max_units: int = 3, min_overlap: float = 0.2,
                 keep_ratio: float = 0.85, min_gain: float = 0.1):
        self.idf = idf
        self.min_gain = min_gain
        self.max_units = max_units
        self.min_overlap = min_overlap
        self.keep_ratio = keep_ratio

    def select(self, question: str, passages: list[Passage]) -> list[tuple[float, Unit]]:
        """Best-scoring unit first, then units that cover question words it left out."""
        q = content_tokens(question)
        scored: list[tuple[float, Unit]] = []
        for i, p in enumerate(passages):
            rank_bonus = 0.05 / (i + 1)
            section = 0.25 * overlap(q, p.chunk.section, self.idf)
            for u in quotable_units(p, i):
                have = set(tokens(u.text, expand=True))
                density = 0.1 * len(q & have) / max(len(have), 1)  # prefer the focused unit
                scored.append((overlap(q, u.text, self.idf) + section + rank_bonus + density, u))
        if not scored:
            return []
        scored.sort(key=lambda x: -x[0])
        best = scored[0][0]
        if best < self.min_overlap:
            return []
        total = sum(self.idf(t) for t in q) or 1.0
        chosen = [scored[0]]
        covered = q & set(tokens(scored[0][1].text, expand=True))
        for score, unit in scored[1:]:
            if len(chosen) >= self.max_units or score < best * self.keep_ratio:
                break
            new = (q & set(tokens(unit.text, expand=True))) - covered
            if sum(self.idf(t) for t in new) / total >= self.min_gain:
                chosen.append((score, unit))
                covered |= new
        return sorted(chosen, key=lambda x: (x[1].passage, x[1].start))

    def draft(self, question: str, passages: list[Passage], history: list[Turn]) -> str:
        chosen = self.select(question, passages)
        if not chosen:
            return ""
        parts = [f"{u.text} [{u.passage + 1}]" for _, u in chosen]
        lead = yes_no_lead(question, [u.text for _, u in chosen])
        return (lead + " " if lead else "") + "\n".join(parts)


def yes_no_lead(question: str, evidence: list[str]) -> str:
    """'Yes.'/'No.' when a yes/no question is settled by the first piece of evidence."""
    if not YES_NO_START.match(question) or not evidence:
        return ""
    top = evidence[0]
    q_neg = bool(NEGATION.search(question))
    e_neg = bool(DENIAL.search(top))
    q = content_tokens(question)
    have = set(tokens(top, expand=True))
    if not q or len(q & have) / len(q) < 0.6:
        return ""
    return "No." if e_neg != q_neg else "Yes."

"""passages -> cited answer text. The offline extractive answerer lives here; the LLM one in
assistant/llm_answer.py. Both return text whose sentences end with [n] markers (1-based indexes
into the passages they were given); verification and citation building happen afterwards."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.citations import marker
from assistant.negation import denies, negative_question
from assistant.question import Part, focus_query, gives_kind, has_kind, parts_of, strict
from assistant.unit_vectors import UnitVectors
from core.textnorm import content_tokens, tokens
from core.types import Passage, Turn
from core.units import ITEM_START, unit_spans

YES_NO_START = re.compile(
    r"^\s*(can|could|may|does|do|is|are|should|must|will|would|has|have|am|was|were)\b", re.I)


class Answerer(Protocol):
    name: str

    def draft(self, question: str, passages: list[Passage], history: list[Turn]) -> str:
        """Answer text in which every sentence ends with [n] markers (1-based passage index)."""


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: a sentence (with the sentence it depends on), a lead-in
    with its whole list, or a table (or, in a long table, one row with the table's header)."""

    passage: int  # index into passages
    start: int
    end: int
    text: str
    header: tuple[int, int] | None = None  # a table row's header row (offsets), quoted before it
    is_header: bool = False  # a long table's header row: quotable with a row, never alone


# A sentence that only points elsewhere ("Timeframes are listed on the X page", "See X").
POINTER = re.compile(
    r"\b(?:(?:are|is)\s+(?:listed|described|explained|covered|found)\s+(?:on|in|under)\b"
    r"[^.]{0,80}\b(?:page|section|website|manual)\b|^\s*(?:see|refer\s+to)\b)", re.I)


def units_of(passage: Passage, index: int) -> list[Unit]:
    """The passage's quotable units, in reading order (a sentence that leans on the one before
    it is also offered together with it): core/units.py finds them, once per chunk."""
    text = passage.chunk.text
    return [Unit(index, a, b, text[a:b], header=header, is_header=is_header)
            for a, b, header, is_header in unit_spans(text, passage.chunk.sentences)]


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

    def known(self, token: str) -> bool:
        """Is the word anywhere in the manual?"""
        return token in self.doc_freq


def overlap(question_tokens: set[str], text: str, idf: IdfTable) -> float:
    """Share of the question's (idf-weighted) content found in ``text``."""
    if not question_tokens:
        return 0.0
    have = set(tokens(text, expand=True))
    total = sum(idf(t) for t in question_tokens)
    return sum(idf(t) for t in question_tokens if t in have) / total if total else 0.0


@dataclass
class PartPlan:
    """How one part of the question is answered: the units chosen for it (best first), or
    none when the manual does not answer it."""

    part: Part
    units: list[tuple[float, Unit]]
    confident: bool = True  # close enough in meaning to count against a refusal

    @property
    def answered(self) -> bool:
        return bool(self.units)


@dataclass
class Plan:
    """What the extractive answerer would say: one PartPlan per part of the question."""

    parts: list[PartPlan]

    @property
    def answered(self) -> list[PartPlan]:
        return [p for p in self.parts if p.answered]

    @property
    def unanswered(self) -> list[PartPlan]:
        return [p for p in self.parts if not p.answered]

    @property
    def confident(self) -> list[PartPlan]:
        """The answered parts sure enough that the question is not refused."""
        return [p for p in self.parts if p.answered and p.confident]

    def units(self) -> list[tuple[float, Unit]]:
        """Every chosen unit once, in reading order."""
        seen, out = set(), []
        for pp in self.parts:
            for score, u in pp.units:
                if (u.passage, u.start, u.end) not in seen:
                    seen.add((u.passage, u.start, u.end))
                    out.append((score, u))
        # drop a unit that another chosen unit contains
        out = [(sc, u) for sc, u in out if not any(
            v is not u and v.passage == u.passage and v.start <= u.start and u.end <= v.end
            for _, v in out)]
        return sorted(out, key=lambda x: (x[1].passage, x[1].start))


class ExtractiveAnswerer:
    """Deterministic: for each part of the question, the manual's own units that answer it,
    preferring the unit that holds the kind of fact asked for (a duration, a contact...),
    from the page the question is about; in reading order. Units are scored on the question's
    words they hold (idf-weighted) and, when an embedder is given, on their meaning."""

    name = "extractive"

    def __init__(self, idf: IdfTable, max_units: int = 2, min_overlap: float = 0.1,
                 keep_ratio: float = 0.85, min_gain: float = 0.05, kind_bonus: float = 0.2,
                 page_bonus: float = 0.15, context_weight: float = 0.35,
                 vectors: UnitVectors | None = None, dense_weight: float = 2.0,
                 paragraph_chars: int = 700,
                 min_typed_overlap: float = 0.4, min_typed_similarity: float = 0.3,
                 unknown_weight: float = 0.3, min_similarity: float = 0.25,
                 min_confident_similarity: float = 0.4, short_extra_chars: int = 200):
        self.short_extra_chars = short_extra_chars
        self.min_similarity = min_similarity
        self.min_confident_similarity = min_confident_similarity
        self.unknown_weight = unknown_weight
        self.idf = idf
        self.min_typed_overlap = min_typed_overlap
        self.min_typed_similarity = min_typed_similarity
        self.paragraph_chars = paragraph_chars
        self.vectors = vectors
        self.dense_weight = dense_weight
        self.max_units = max_units  # per part
        self.min_overlap = min_overlap
        self.keep_ratio = keep_ratio
        self.min_gain = min_gain
        self.kind_bonus = kind_bonus
        self.page_bonus = page_bonus
        self.context_weight = context_weight

    # -- scoring ------------------------------------------------------------------------------
    def _weighted(self, weights: dict[str, float], text: str) -> float:
        """Share of the question's own words (weight 1) that ``text`` holds; words of the
        situation, the other parts and the conversation (lower weights) add to it but never
        dilute it, so a follow-up that moves to a new topic is not held back by the old one."""
        have = set(tokens(text, expand=True))
        # a word the manual lacks counts for less: a typo or a chatty word should not sink a
        # question, but "dialysis" asked of a manual that never says it should weigh
        scaled = {t: (w if self.idf.known(t) else w * self.unknown_weight)
                  for t, w in weights.items()}
        core = sum(self.idf(t) * scaled[t] for t, w in weights.items() if w >= 1.0)
        total = core or sum(self.idf(t) * w for t, w in scaled.items())
        got = sum(self.idf(t) * w for t, w in scaled.items() if t in have)
        return min(1.0, got / total) if total else 0.0

    def candidates(self, passages: list[Passage]) -> list[tuple[Unit, Passage]]:
        return [(u, p) for i, p in enumerate(passages) for u in quotable_units(p, i)
                if not u.is_header]

    def plan(self, question: str, passages: list[Passage], context: str = "") -> Plan:
        """Choose units for every part of ``question``; ``context`` (what the conversation was
        about) lends its words at a lower weight, so a short follow-up is read in its light."""
        plans = []
        for part, weights, cands, sims in self._parts(question, passages, context):
            chosen, confident = self._choose(part, weights, cands, passages[0].chunk.doc_id,
                                             sims) if cands else ([], False)
            plans.append(PartPlan(part, [(s, self._widen(u, passages)) for s, u in chosen],
                                  confident))
        return Plan(plans)

    def features(self, question: str, passages: list[Passage],
                 context: str = "") -> list[dict[str, Any]]:
        """What the refusal decision of each part rests on (for calibration, evals/calibrate):
        whether its kind is strict, the best unit's word overlap, the best similarity, and
        (overlap, similarity) of every unit holding the kind of fact asked for."""
        out = []
        for part, weights, cands, sims in self._parts(question, passages, context):
            scored = self._score(part, weights, cands, passages[0].chunk.doc_id, sims) \
                if cands else []
            out.append({
                "strict": strict(part.kind),
                "base": scored[0][1] if scored else 0.0,
                "sim": max(sims, default=0.0),
                "typed": [(round(b, 4), round(x, 4)) for _, b, u, _, x in scored
                          if has_kind(u.text, part.kind)] if strict(part.kind) else [],
            })
        return out

    def _parts(self, question: str, passages: list[Passage], context: str):
        """(part, word weights, candidate units, similarity to each) for every part."""
        parts = parts_of(question)
        cands = self.candidates(passages)
        if not cands:
            return [(p, {}, [], []) for p in parts]
        history = frozenset(content_tokens(context)) if context else frozenset()
        all_tokens = frozenset().union(*(p.tokens | p.situation for p in parts)) | history
        texts = [f"{context} {p.text}" if context and len(p.tokens) <= 3
                 else focus_query(p, parts) if len(parts) > 1 else p.text for p in parts]
        sims = (self.vectors.similarities(texts, [u.text for u, _ in cands])
                if self.vectors is not None else [[0.0] * len(cands) for _ in parts])
        out = []
        for part, part_sims in zip(parts, sims):
            # what the part asks about: its own words, else the situation it came with
            # ("pt wants to appeal, how long does she have"), else the rest of the question;
            # a short part ("and where do I mail it") leans on the rest more
            own = part.tokens or part.situation or (all_tokens - history) or all_tokens
            lean = self.context_weight if len(own) > 2 else 2 * self.context_weight
            weights = {t: lean for t in all_tokens - own}
            weights.update({t: 0.5 for t in part.situation - own})
            weights.update({t: 1.0 for t in own})
            out.append((part, weights, cands, part_sims))
        return out

    def _widen(self, unit: Unit, passages: list[Passage]) -> Unit:
        """A sentence with the rest of its short paragraph: the facts a question asks for sit
        next to the sentence that shares its words ("The toolkit ... Providers may request
        it by contacting ..."). Lists, tables and long paragraphs stay as chosen."""
        if unit.header is not None or ITEM_START.match(unit.text) or "\n" in unit.text:
            return unit
        from assistant.safety import paragraph_span, quotable

        text = passages[unit.passage].chunk.text
        a, b = paragraph_span(text, unit.start, unit.end)
        while b > a and text[b - 1].isspace():
            b -= 1
        if (a, b) == (unit.start, unit.end) or b - a > self.paragraph_chars \
                or "\n" in text[a:b] or not quotable(text, a, b):
            return unit
        return Unit(unit.passage, a, b, text[a:b])

    def _choose(self, part: Part, weights: dict[str, float], cands: list[tuple[Unit, Passage]],
                top_doc: str, sims: list[float]) -> tuple[list[tuple[float, Unit]], bool]:
        """(the units answering the part, best first; whether a unit is close enough in
        meaning that the question should not be refused on this part's account). A part
        after a kind of fact is quoted from ``min_typed_similarity`` on but counts against a
        refusal only from ``min_confident_similarity`` on (calibrated on dev)."""
        need_sim = self.vectors is not None
        scored = self._score(part, weights, cands, top_doc, sims)
        if not scored:
            return [], False
        confident = True
        if strict(part.kind):  # only a unit holding that kind of fact, close enough, answers
            scored = [x for x in scored if has_kind(x[2].text, part.kind)
                      and x[1] >= self.min_typed_overlap
                      and (not need_sim or x[4] >= self.min_typed_similarity)]
            if not scored:
                return [], False
            confident = not need_sim or any(x[4] >= self.min_confident_similarity
                                            for x in scored)
        best_score, best_base, best_unit, best_doc, _ = scored[0]
        if best_base < self.min_overlap or (need_sim and max(sims, default=0.0)
                                            < self.min_similarity):
            return [], False
        chosen = [(best_score, best_unit)]
        covered = set(weights) & set(tokens(best_unit.text, expand=True))
        total = sum(self.idf(t) * w for t, w in weights.items()) or 1.0
        for score, _base, unit, doc, _sim in scored[1:]:
            if len(chosen) >= self.max_units or score < best_score * self.keep_ratio:
                break
            if doc != best_doc:  # never a sentence from another page as an extra
                continue
            new = (set(weights) & set(tokens(unit.text, expand=True))) - covered
            # an extra unit earns its place with words of the question the others lack, with
            # another fact of the kind asked for (the second of two deadlines), or by being
            # short: a close runner-up of a sentence or two often holds the fact the first
            # one only leads up to (chosen on dev: key facts 0.667 -> 0.686, median answer
            # 543 -> 562 chars)
            if sum(self.idf(t) * weights[t] for t in new) / total >= self.min_gain \
                    or (strict(part.kind) and has_kind(unit.text, part.kind)) \
                    or len(unit.text) <= self.short_extra_chars:
                chosen.append((score, unit))
                covered |= new
        return chosen, confident

    def _score(self, part: Part, weights: dict[str, float], cands: list[tuple[Unit, Passage]],
               top_doc: str, sims: list[float]) -> list[tuple[float, float, Unit, str, float]]:
        """(score, word overlap, unit, page, meaning similarity) per candidate, best first."""
        scored = []
        for (u, p), sim in zip(cands, sims):
            heading = p.chunk.section.split(" > ")[-1] if p.chunk.section else ""
            base = self._weighted(weights, f"{heading}\n{u.text}")  # a unit says its heading too
            context = self._weighted(weights, f"{p.chunk.title} {p.chunk.section}")
            have = set(tokens(u.text, expand=True))
            density = 0.1 * len(set(weights) & have) / max(len(have), 1)
            score = base + 0.25 * context + density + 0.03 / (u.passage + 1)
            score += self.dense_weight * sim
            score += self.page_bonus if p.chunk.doc_id == top_doc else 0.0
            if part.kind and gives_kind(u.text, part.kind):
                score += self.kind_bonus
            if POINTER.search(u.text):  # "... are listed on the X page": no fact of its own
                score -= self.kind_bonus
            scored.append((score, base, u, p.chunk.doc_id, sim))
        scored.sort(key=lambda x: -x[0])
        return scored

    def select(self, question: str, passages: list[Passage]) -> list[tuple[float, Unit]]:
        """Every unit the plan chose, in reading order."""
        return self.plan(question, passages).units()

    def draft(self, question: str, passages: list[Passage], history: list[Turn],
              plan: Plan | None = None) -> str:
        plan = plan or self.plan(question, passages)
        chosen = plan.units()
        if not chosen:
            return ""
        pieces = []
        last_header: tuple[int, tuple[int, int]] | None = None
        for _, u in chosen:
            body = passages[u.passage].chunk.text
            # a table row comes with its header, once for rows of the same table in a row
            if u.header is not None and (u.passage, u.header) != last_header:
                pieces.append(f"{body[u.header[0]:u.header[1]]} {marker(u.passage + 1)}")
            last_header = (u.passage, u.header) if u.header is not None else None
            pieces.append(f"{u.text} {marker(u.passage + 1)}")
        lead = yes_no_lead(question, [u.text for _, u in chosen]) if len(plan.parts) == 1 else ""
        return (lead + " " if lead else "") + "\n".join(pieces)


def unanswered_note(plan: Plan) -> str:
    """One plain sentence per part the manual does not answer (when some other part is)."""
    if not plan.answered:
        return ""
    return "\n".join(f"The manual does not say: {pp.part.text.strip().rstrip('?.')}."
                     for pp in plan.unanswered)


def yes_no_lead(question: str, evidence: list[str]) -> str:
    """'Yes.'/'No.' when a yes/no question is settled by the first piece of evidence."""
    if not YES_NO_START.match(question) or not evidence:
        return ""
    top = evidence[0]
    q_neg = negative_question(question)
    e_neg = denies(top)
    q = content_tokens(question)
    have = set(tokens(top, expand=True))
    if not q or len(q & have) / len(q) < 0.6:
        return ""
    return "No." if e_neg != q_neg else "Yes."

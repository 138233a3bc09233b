"""Answer-quality metrics: pure functions over plain data (no model, no index, no I/O).

Conventions shared by every function:
- A *context* is a mapping with at least ``doc_id`` and ``section`` (a ranked retrieval hit).
- A *target* is a mapping with ``doc_id`` and ``section``; ``section`` may be a string or a list
  of acceptable sections. A section path "A > B" matches the heading "B" (its last part).
- A *key fact* is a phrase; alternatives are separated by ``|``. It matches an answer when one
  alternative occurs case-insensitively on word boundaries, with hyphens, dashes and apostrophes
  ignored and whitespace collapsed ("IBCLC|International Board-Certified Lactation Consultant").
- Rates are in [0, 1]; a rate over nothing (0/0) is 0.0, so an empty run never looks perfect.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from assistant.citations import strip_markers
from assistant.negation import DENIALS, NEGATED_CONTRACTIONS, words_pattern

Level = Literal["doc", "section"]

_DASHES = re.compile(r"[\-\u2010-\u2015\u2212]")
_APOS = re.compile(r"['\u2018\u2019`]")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lowercase; hyphens/dashes -> space; apostrophes dropped; whitespace collapsed."""
    text = _APOS.sub("", _DASHES.sub(" ", text.lower()))
    return _SPACE.sub(" ", text).strip()


def fact_present(text: str, fact: str) -> bool:
    """True when one ``|``-alternative of ``fact`` occurs in ``text`` (see module doc)."""
    hay = normalize(text)
    for alt in fact.split("|"):
        needle = normalize(alt)
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", hay):
            return True
    return False


def key_fact_coverage(answer_text: str, key_facts: Sequence[str]) -> float:
    """Share of ``key_facts`` stated in ``answer_text``; 0.0 when there are no facts."""
    if not key_facts:
        return 0.0
    return sum(fact_present(answer_text, f) for f in key_facts) / len(key_facts)


_UNANSWERED = re.compile(
    r"\b(manual|page|it)\s+(does\s+not|doesn't|do\s+not)\s+(say|state|give|list|cover|"
    r"address|answer|specify|mention)", re.IGNORECASE)


def says_unanswered(text: str) -> bool:
    """The answer says plainly that the manual does not answer something."""
    return bool(_UNANSWERED.search(text or ""))


def part_handled(answer_text: str, part: Mapping[str, Any]) -> bool:
    """A part of a multi-part question is handled when the answer states one of its key facts
    or, for a part the manual does not answer (``answerable: false``), says so."""
    if not part.get("answerable", True):
        return says_unanswered(answer_text)
    return any(fact_present(answer_text, f) for f in part.get("key_facts") or [])


# -- retrieval ----------------------------------------------------------------------------------

def _sections(target: Mapping[str, Any]) -> list[str]:
    sec = target.get("section")
    if sec is None:
        return []
    return [sec] if isinstance(sec, str) else list(sec)


def _section_matches(found: str | None, wanted: str) -> bool:
    if not found:
        return False
    f, w = normalize(found), normalize(wanted)
    return f == w or f.split(" > ")[-1] == w.split(" > ")[-1]


def context_matches(context: Mapping[str, Any], target: Mapping[str, Any], level: Level) -> bool:
    """Does one retrieved context answer the target at ``level`` ('doc' or 'section')?"""
    if context.get("doc_id") != target.get("doc_id"):
        return False
    if level == "doc":
        return True
    return any(_section_matches(context.get("section"), s) for s in _sections(target))


def first_hit_rank(contexts: Sequence[Mapping[str, Any]], target: Mapping[str, Any],
                   level: Level) -> int | None:
    """1-based rank of the first matching context, or None."""
    for rank, ctx in enumerate(contexts, 1):
        if context_matches(ctx, target, level):
            return rank
    return None


def recall_at_k(rankings: Sequence[Sequence[Mapping[str, Any]]],
                targets: Sequence[Mapping[str, Any]], k: int, level: Level = "doc") -> float:
    """Share of questions whose top ``k`` contexts hold a match (one target per question)."""
    _same_length(rankings, targets)
    if not targets:
        return 0.0
    hits = 0
    for contexts, target in zip(rankings, targets):
        rank = first_hit_rank(contexts, target, level)
        hits += rank is not None and rank <= k
    return hits / len(targets)


def mrr(rankings: Sequence[Sequence[Mapping[str, Any]]],
        targets: Sequence[Mapping[str, Any]], level: Level = "doc") -> float:
    """Mean reciprocal rank of the first match (0 for a question with no match)."""
    _same_length(rankings, targets)
    if not targets:
        return 0.0
    total = 0.0
    for contexts, target in zip(rankings, targets):
        rank = first_hit_rank(contexts, target, level)
        total += 1.0 / rank if rank else 0.0
    return total / len(targets)


# -- citations ----------------------------------------------------------------------------------

def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def citation_checks(answer: Any, chunk_texts: Mapping[str, str],
                    key_facts: Sequence[str] | None = None) -> list[dict[str, bool]]:
    """Per citation: ``exact`` (quote is a non-empty substring of its chunk's stored text) and
    ``holds_fact`` (the quote states one of ``key_facts``; True when no facts are given)."""
    out = []
    for cit in _get(answer, "citations", None) or []:
        quote = _get(cit, "quote", "") or ""
        chunk = chunk_texts.get(_get(cit, "chunk_id", ""))
        exact = bool(quote) and chunk is not None and quote in chunk
        holds = True if not key_facts else any(fact_present(quote, f) for f in key_facts)
        out.append({"exact": exact, "holds_fact": holds})
    return out


def citation_validity(answer: Any, chunk_texts: Mapping[str, str],
                      key_facts: Sequence[str] | None = None) -> float:
    """Share of an answer's citations whose quote is exact and holds a key fact.

    ``answer`` is an Answer or its JSON dict (``citations`` with ``chunk_id`` and ``quote``);
    ``chunk_texts`` maps chunk_id -> stored chunk text. An answer without citations scores 0.
    """
    checks = citation_checks(answer, chunk_texts, key_facts)
    if not checks:
        return 0.0
    return sum(c["exact"] and c["holds_fact"] for c in checks) / len(checks)


def quote_exactness(answer: Any, chunk_texts: Mapping[str, str]) -> float:
    """Share of an answer's citations whose quote is an exact substring of its chunk."""
    checks = citation_checks(answer, chunk_texts)
    return sum(c["exact"] for c in checks) / len(checks) if checks else 0.0


# -- refusals and verdicts ----------------------------------------------------------------------

def refusal_precision(refused: Sequence[bool], should_refuse: Sequence[bool]) -> float:
    """Of the answers that refused, the share that should have (0.0 when none refused)."""
    _same_length(refused, should_refuse)
    predicted = sum(bool(r) for r in refused)
    hits = sum(bool(r) and bool(s) for r, s in zip(refused, should_refuse))
    return hits / predicted if predicted else 0.0


def refusal_recall(refused: Sequence[bool], should_refuse: Sequence[bool]) -> float:
    """Of the questions that should be refused, the share that were (0.0 when there are none)."""
    _same_length(refused, should_refuse)
    wanted = sum(bool(s) for s in should_refuse)
    hits = sum(bool(r) and bool(s) for r, s in zip(refused, should_refuse))
    return hits / wanted if wanted else 0.0


def _accepted(expected: str | Iterable[str]) -> set[str]:
    return {expected} if isinstance(expected, str) else set(expected)


def verdict_accuracy(predicted: Sequence[str | None],
                     expected: Sequence[str | Sequence[str]]) -> float:
    """Share of scenarios whose predicted verdict kind is accepted (``expected`` items are a kind
    or a list of acceptable kinds; a missing verdict is wrong)."""
    _same_length(predicted, expected)
    if not expected:
        return 0.0
    return sum(p is not None and p in _accepted(e) for p, e in zip(predicted, expected)) / len(
        expected
    )


_NEG = words_pattern(DENIALS + NEGATED_CONTRACTIONS + (
    "can not", "will not", "never", "ineligible", "not eligible", "not covered", "not allowed",
    "rentals? only", "only rentals?"), flags=0)
_POS = re.compile(r"\b(eligible|covered|can|may|allowed|is able|are able)\b")
_CONDITIONAL = re.compile(r"\b(if|unless|provided that|only when|as long as|depending on)\b")


def answer_polarity(text: str) -> Literal["yes", "no"] | None:
    """The yes/no stance of an answer's first sentence, or None when it takes none.

    A lead "Yes"/"No" or a verdict label ("Eligible", "Not eligible"; "Conditional" -> None)
    decides. Otherwise a list lead-in (ends with ":") or a conditional sentence ("if",
    "unless", ...) takes no stance; a modal negation ("cannot", "are not", "rentals only")
    reads as "no" and a permissive word ("can", "may", "covered") as "yes".
    """
    body = strip_markers(text or "").strip().lower()
    first = re.split(r"(?<=[.!?])\s+|\n", body, maxsplit=1)[0].strip(" *_#-")
    if re.match(r"(conditional|unknown|it depends|depends)\b", first):
        return None
    if re.match(r"(no|not eligible|ineligible)\b", first):
        return "no"
    if re.match(r"(yes|eligible)\b", first):
        return "yes"
    if first.endswith(":") or _CONDITIONAL.search(first):
        return None
    if _NEG.search(first):
        return "no"
    if _POS.search(first):
        return "yes"
    return None


def contradicts(answer_text: str, verdict: str | None) -> bool:
    """True when the answer's stance opposes a settled verdict (eligible vs not_eligible)."""
    stance = answer_polarity(answer_text)
    return (verdict == "eligible" and stance == "no") or (
        verdict == "not_eligible" and stance == "yes"
    )


def contradictions(answer_texts: Sequence[str], verdicts: Sequence[str | None]) -> int:
    """How many answers contradict their verdict (conditional/unknown/None never count)."""
    _same_length(answer_texts, verdicts)
    return sum(contradicts(a, v) for a, v in zip(answer_texts, verdicts))


# -- latency ------------------------------------------------------------------------------------

def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) with linear interpolation; 0.0 for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be in [0, 100], got {q}")
    xs = sorted(float(v) for v in values)
    if not xs:
        return 0.0
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of ``values`` (milliseconds)."""
    return {"p50": percentile(values, 50), "p95": percentile(values, 95)}


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values."""
    xs = list(values)
    return sum(xs) / len(xs) if xs else 0.0


def _same_length(a: Sequence[Any], b: Sequence[Any]) -> None:
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} vs {len(b)}")

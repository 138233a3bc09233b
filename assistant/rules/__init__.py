"""Billing-eligibility rules as data: one pack per manual page (corpus/rules/<page>.yaml).

Generic code only; what a page says (scope, facts and the words for them, rules, examples)
lives in the packs. See docs/rules.md.

    schema.py      the pack file's shape (pydantic), read with file and line for every error
    text.py        phrases -> patterns, clauses, negation and "not sure" around a match
    dates.py       dates in a message and the time between two, in a number fact's unit
    reader.py      a conversation -> the facts one pack reads
    conditions.py  the ``when`` language
    engine.py      the rule book: scope, first match wins, stale rules, citations
    guard.py       the one guard: the verdict first, no sentence contradicting it
    checker.py     RuleChecker: what the pipeline and the CLI call
    report.py      ``python -m assistant check`` output
    tools.py       ``python -m assistant rules test`` / ``rules lint``
"""

from assistant.rules.checker import RuleChecker
from assistant.rules.engine import (
                                    Outcome,
                                    Pack,
                                    PackResult,
                                    Rule,
                                    RuleBook,
                                    find_span,
                                    locate_citation,
                                    to_verdict,
)
from assistant.rules.guard import (
                                    LABELS,
                                    GuardVocab,
                                    contradicting_sentences,
                                    contradicts,
                                    sentences,
                                    verdict_statement,
)
from assistant.rules.model import Decision, RuleCitation, Scenario
from assistant.rules.report import check_payload, format_check

__all__ = [
    "LABELS", "Decision", "GuardVocab", "Outcome", "Pack", "PackResult", "Rule", "RuleBook",
    "RuleChecker", "RuleCitation", "Scenario", "check_payload", "contradicting_sentences",
    "contradicts", "find_span", "format_check", "locate_citation", "sentences", "to_verdict",
    "verdict_statement",
]

"""Negation and denial in English: the words, in one place.

Three readings use them, each with the words it needs:

- ``negated(text)``: the polarity of a statement. Verification accepts a sentence only when the
  passage sentence that supports it has the same polarity (assistant/verify.py).
- ``negative_question(text)`` and ``denies(text)``: the extractive answer's lead "Yes."/"No."
  compares a yes/no question asked in the negative ("... without a TAR?") with evidence that
  denies ("cannot", "is not", "not covered"; assistant/answer.py).
- ``DENIALS`` and ``NEGATED_CONTRACTIONS`` also build the evals' reading of an answer's "no"
  stance (evals/metrics.py).

The rule guard reads clauses with its own grammar (assistant/rules/guard.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NEGATIONS = ("not", "cannot", "can't", "never", "no")
NEGATED_CONTRACTIONS = ("isn't", "aren't", "doesn't", "don't", "won't")
DENIALS = ("cannot", "can't", "may not", "must not", "does not", "do not", "is not", "are not")
NEGATED_STATUS = (r"not (recognized|covered|allowed|eligible|required|permitted|reimbursed|"
                  r"billable)")


def words_pattern(words: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern:
    """A pattern finding any of ``words`` (regex fragments) as whole words."""
    return re.compile(r"\b(" + "|".join(words) + r")\b", flags)


NEGATION = words_pattern(NEGATIONS + NEGATED_CONTRACTIONS)
NEGATIVE_QUESTION = words_pattern(NEGATIONS + ("without",))
DENIAL = words_pattern(DENIALS + (NEGATED_STATUS,))


def negated(text: str) -> bool:
    """The statement holds a negation ("not", "never", "isn't" ...)."""
    return bool(NEGATION.search(text))


def negative_question(text: str) -> bool:
    """The question asks in the negative ("can a LEC not bill", "... without a TAR")."""
    return bool(NEGATIVE_QUESTION.search(text))


def denies(text: str) -> bool:
    """The sentence denies something ("cannot", "is not", "not covered" ...)."""
    return bool(DENIAL.search(text))

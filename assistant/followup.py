"""Follow-up questions: fold the earlier turn into the retrieval query, deterministically.

"what about if she's an RN?" after "Can an IBCLC bill Medi-Cal?" is searched as both together,
so the passages about the earlier topic come back; a self-contained question is left alone.
"""

from __future__ import annotations

import re

from assistant.textnorm import content_tokens
from assistant.types import Turn

FOLLOW_UP_START = re.compile(
    r"^\s*(what|how)\s+about\b|^\s*(and|but|also|or|so)\b|^\s*what\s+if\b|^\s*(same|ok|okay)\b"
    r"|^\s*if\s+(she|he|they|it)\b|^\s*(does|do|is|are|can|could)\s+(that|this|it|they|she|he)\b",
    re.I,
)
PRONOUNS = re.compile(r"\b(she|he|they|it|that|this|those|them|her|him|one)\b", re.I)


def last_user_question(history: list[Turn]) -> str | None:
    for turn in reversed(history):
        if turn.role == "user" and turn.content.strip():
            return turn.content.strip()
    return None


def is_follow_up(question: str, history: list[Turn]) -> bool:
    if not last_user_question(history):
        return False
    if FOLLOW_UP_START.search(question):
        return True
    few_words = len(content_tokens(question)) <= 3
    return few_words and bool(PRONOUNS.search(question))


def retrieval_query(question: str, history: list[Turn]) -> str:
    """The text to search with: the question, plus the earlier question for a follow-up."""
    if is_follow_up(question, history):
        return f"{last_user_question(history)} {question}"
    return question

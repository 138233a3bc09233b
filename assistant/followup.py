"""Follow-up questions: fold the earlier turn into the retrieval query, deterministically.

"what about if she's an RN?" after "Can an IBCLC bill Medi-Cal?" is searched as both together,
so the passages about the earlier topic come back; a self-contained question is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.textnorm import content_tokens
from core.types import Turn

FOLLOW_UP_START = re.compile(
    r"^\s*(what|how)\s+about\b|^\s*(and|but|also|or|so)\b|^\s*what\s+if\b|^\s*(same|ok|okay)\b"
    r"|^\s*if\s+(she|he|they|it)\b|^\s*(does|do|is|are|can|could)\s+(that|this|it|they|she|he)\b",
    re.IGNORECASE,
)
PRONOUNS = re.compile(r"\b(she|he|they|it|that|this|those|them|her|him|one)\b", re.IGNORECASE)
# Words that point back at something said earlier, whatever the question's length: "it",
# "that one", "the same", "instead", "either", "there" ("where do I send it", "what if it's
# her son instead"). A person ("she", "the pt") is usually the member the question itself
# describes, so people alone do not make a follow-up.
BACK_REFERENCE = re.compile(
    r"\b(it|its|it's|that|this|those|these|them|the same|same|instead|either|there|then|after that)"
    r"\b(?!\s+(?:is|are)\s+(?:a|an|the)\b)", re.IGNORECASE)
THAT_CONJUNCTION = re.compile(r"\b(so|such|now|and|but|say|says|said|means?|sure|know|think)\s+that\b",
                              re.IGNORECASE)


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
    if BACK_REFERENCE.search(THAT_CONJUNCTION.sub(" ", question)):
        return True
    few_words = len(content_tokens(question)) <= 3
    return few_words and bool(PRONOUNS.search(question))


def retrieval_query(question: str, history: list[Turn]) -> str:
    """The text to search with: the question, plus the earlier question for a follow-up."""
    if is_follow_up(question, history):
        return f"{last_user_question(history)} {question}"
    return question


@dataclass(frozen=True)
class Resolved:
    """A question read in the light of its conversation.

    ``question`` is what was asked now; ``context`` what the conversation was about (the
    earlier user question), empty without history; ``follow_up`` says the question leans on
    it ("does that include midwives?"). ``text`` is how it was read, shown to the rep."""

    question: str
    context: str = ""
    follow_up: bool = False

    @property
    def text(self) -> str:
        if not self.context:
            return self.question
        return f"{self.question} (in the context of: {self.context})"

    @property
    def search(self) -> str:
        """The main search: with the context for a follow-up, the question alone otherwise."""
        return f"{self.context} {self.question}" if self.follow_up else self.question

    @property
    def other_searches(self) -> list[str]:
        """The other reading, searched too: a question that moves to a new topic ("it got
        denied, how long to appeal") still finds its page, and one that stays finds the
        earlier topic's page."""
        if not self.context:
            return []
        return [self.question] if self.follow_up else [f"{self.context} {self.question}"]


def resolve(question: str, history: list[Turn]) -> Resolved:
    earlier = last_user_question(history)
    if not earlier:
        return Resolved(question)
    return Resolved(question, earlier, is_follow_up(question, history))

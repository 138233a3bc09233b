"""Questions about a specific member or claim: the manual cannot answer those.

A question that only asks about one member's eligibility or a claim's status gets a refusal that
says where to verify, and so does a message that is mostly member data ("is the member with mbr id
... still active?", "CIN ... DOB ... Maria Lopez"); a general question that happens to carry a
member's identifiers is answered from the manual with a notice, and the identifiers are removed
from what is searched and logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.messages import MEMBER_LOOKUP, MEMBER_NOTICE
from core.redact import redact

MEMBER_ONLY = re.compile(
    r"\b(is|was|are)\s+(?:(?:my|this|our)\s+(?:patient|member|pt|baby|mom|mother|client)"
    r"|(?:member|patient|pt)\s+\S*\d\S*)\b[^?]{0,60}\b(eligible|covered|active|enrolled)\b"
    r"|\bclaim\s*(status|#|number|no\.?)|\bstatus\s+of\s+(my|the|this|a|our)?\s*claim"
    r"|\b(was|were|has|is)\s+(my|the|this|our)\s+claims?\b[^?]{0,40}\b(paid|denied|processed)"
    r"|\b(check|verify|look\s*up)\s+(the\s+|this\s+|my\s+)?(member'?s?|patient'?s?)?\s*"
    r"(eligibility|coverage)\b",
    re.I,
)

ABOUT_THIS_MEMBER = re.compile(
    r"\b(does|is|will|can|would)\s+(she|he|they|this\s+member|the\s+member|my\s+patient|"
    r"the\s+patient|this\s+patient|the\s+baby)\s+(qualify|eligible|covered|get|have)\b", re.I)


# "is she still active" names a member only when the message carries her identifiers; without
# them it is a general question told as a situation ("unmet share of cost - is she enrolled").
SHE_IS = re.compile(r"\b(is|was)\s+(she|he)\b[^?]{0,60}\b(eligible|covered|active|enrolled)\b", re.I)


# With identifiers in the message, "is the member (with mbr id ...) still active" asks about that
# member; without them it is a general question ("is the member eligible for a pump").
THE_MEMBER_IS = re.compile(
    r"\b(is|was|are)\s+(?:the|this|that|my|our)?\s*(?:member|mbr|patient|pt|baby|mom|mother|child"
    r"|kid|son|daughter)\b[^?]{0,80}\b(eligible|covered|active|enrolled|termed|terminated)\b", re.I)
# What is left of a message once its identifiers are gone: labels and small words do not count.
_NOT_CONTENT = frozenset(
    "a an the and or of for to in on at is was are be with w this that my our her his their pt "
    "patient mbr member name dob cin bic id ssn ss acct mrn chart sub subscriber phone ph cell "
    "email addr address mom baby hi hello hey pls please thanks thx re no number #".split())
_WORD = re.compile(r"\[[A-Z_]+\]|[A-Za-z][A-Za-z'-]*")


def mostly_member_data(clean_question: str) -> bool:
    """The redacted message holds identifiers and at most two words of its own."""
    words = _WORD.findall(clean_question)
    placeholders = sum(w.startswith("[") for w in words)
    content = [w for w in words if not w.startswith("[") and w.lower() not in _NOT_CONTENT]
    return placeholders > 0 and len(content) <= 2


@dataclass
class MemberCheck:
    has_identifiers: bool
    only_member_specific: bool
    clean_question: str
    message: str = MEMBER_LOOKUP

    @property
    def notice(self) -> str:
        return MEMBER_NOTICE if self.has_identifiers and not self.only_member_specific else ""


def member_check(question: str) -> MemberCheck:
    clean = redact(question)
    has_ids = clean != question
    only = bool(MEMBER_ONLY.search(question)) or (has_ids and bool(
        ABOUT_THIS_MEMBER.search(question) or SHE_IS.search(question)
        or THE_MEMBER_IS.search(question) or mostly_member_data(clean)))
    return MemberCheck(has_identifiers=has_ids, only_member_specific=only, clean_question=clean)

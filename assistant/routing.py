"""Questions about a specific member or claim: the manual cannot answer those.

A question that only asks about one member's eligibility or a claim's status gets a refusal that
says where to verify; a general question that happens to carry a member's identifiers is answered
from the manual with a notice, and the identifiers are removed from what is searched and logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.redact import redact

VERIFY_WHERE = (
    "I answer from the Health Net Medi-Cal provider manual only and cannot look up a member or "
    "a claim. Verify a member's eligibility through the Medi-Cal eligibility verification system "
    "or the Health Net provider portal, and check claim status on the provider portal or with "
    "Health Net Provider Services (Medi-Cal)."
)
NOTICE = (
    "Note: I answer from the provider manual only; verify this member's eligibility and any "
    "claim status on the Health Net provider portal or with Provider Services."
)
MEMBER_ONLY = re.compile(
    r"\b(is|was|are)\s+(?:(?:my|this|the|our)\s+(?:patient|member|pt|baby|mom|mother|client)"
    r"|she|he|(?:member|patient|pt)\s+\S*\d\S*)\b[^?]{0,60}\b(eligible|covered|active|enrolled)\b"
    r"|\bclaim\s*(status|#|number|no\.?)|\bstatus\s+of\s+(my|the|this|a|our)?\s*claim"
    r"|\b(was|were|has|is)\s+(my|the|this|our)\s+claims?\b[^?]{0,40}\b(paid|denied|processed)"
    r"|\b(check|verify|look\s*up)\s+(the\s+|this\s+|my\s+)?(member'?s?|patient'?s?)?\s*"
    r"(eligibility|coverage)\b",
    re.I,
)

ABOUT_THIS_MEMBER = re.compile(
    r"\b(does|is|will|can|would)\s+(she|he|they|this\s+member|the\s+member|my\s+patient|"
    r"the\s+patient|this\s+patient|the\s+baby)\s+(qualify|eligible|covered|get|have)\b", re.I)


@dataclass
class MemberCheck:
    has_identifiers: bool
    only_member_specific: bool
    clean_question: str
    message: str = VERIFY_WHERE

    @property
    def notice(self) -> str:
        return NOTICE if self.has_identifiers and not self.only_member_specific else ""


def member_check(question: str) -> MemberCheck:
    clean = redact(question)
    has_ids = clean != question
    only = bool(MEMBER_ONLY.search(question)) or (has_ids and bool(ABOUT_THIS_MEMBER.search(
        question)))
    return MemberCheck(has_identifiers=has_ids, only_member_specific=only, clean_question=clean)

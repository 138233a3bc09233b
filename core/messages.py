"""What the assistant says to people, defined once: verdict words, refusals, notices.

The pipeline, the chat page, the Slack bot and the CLI all read them from here, so one verdict
or one refusal reads the same on every interface. Other error messages live with their errors
(core/errors.py; ``InputTooLongError`` says ``too_long`` below). The LLM's fixed refusal
sentence is part of its prompt (assistant/prompts.py). Plain strings only: no markup, each
interface escapes and styles them.
"""

from __future__ import annotations

VERDICT_LABELS: dict[str, str] = {
    "eligible": "Eligible",
    "not_eligible": "Not eligible",
    "conditional": "Conditional",
    "unknown": "Not settled by the manual",
}
"""The billing verdict's words (docs/rules.md); the rule guard opens an answer with them."""

CANNOT_ANSWER = (
    "The provider manual does not answer this question; please contact Health Net Provider "
    "Services (Medi-Cal) for help."
)
"""The refusal when no passage answers (no model is called)."""

EMPTY_QUESTION = "Please type a question about the provider manual."

INTERNAL_ERROR = (
    "The assistant hit an internal error answering this question. Please try again; if it keeps "
    "happening, tell the team that runs this page."
)
"""The chat page's reply when answering failed unexpectedly (the log has the traceback)."""
BOT_ERROR = ("Something went wrong while answering. Please try again in a minute; if it keeps "
             "happening, tell the team that runs this bot.")
"""The Slack bot's reply when answering failed unexpectedly."""

MEMBER_LOOKUP = (
    "I answer from the Health Net Medi-Cal provider manual only and cannot look up a member or "
    "a claim. Verify a member's eligibility through the Medi-Cal eligibility verification system "
    "or the Health Net provider portal, and check claim status on the provider portal or with "
    "Health Net Provider Services (Medi-Cal)."
)
"""The answer to a question about one member or claim."""

MEMBER_NOTICE = (
    "Note: I answer from the provider manual only; verify this member's eligibility and any "
    "claim status on the Health Net provider portal or with Provider Services."
)
"""Put before an answer to a general question that carried a member's identifiers."""

NO_MEMBER_DETAILS = ("Leave out member details: I answer from the manual and cannot look up "
                     "members.")

WHERE_TO_GO = (
    "For anything the manual does not cover, or about a specific member or claim, contact "
    "Health Net Provider Services (Medi-Cal) or use the Health Net provider portal."
)


def too_long(what: str, size: int, limit: int) -> str:
    """The message for a question, history or message over its length limit."""
    return (f"The {what} is too long ({size:,} characters; the limit is {limit:,}). "
            "Please shorten it to the question itself.")


def conversation_full(turns: int) -> str:
    return (f"This conversation has reached {turns} questions. Press 'New conversation' to "
            "start again.")


def verdict_label(verdict: str) -> str:
    """The verdict's words; a verdict kind this version does not know is shown as it is."""
    return VERDICT_LABELS.get(verdict, verdict)

"""The rule checker's results: the Scenario read for a pack, and the Decision a rule gives.

Pure pydantic models; no pack, fact or value is named here. No I/O.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.types import VerdictKind


class Scenario(BaseModel):
    """The facts one pack read from a conversation (facts not stated are left out)."""

    model_config = ConfigDict(extra="forbid")

    pack: str | None = Field(None, description="The pack that read it.")
    facts: dict[str, Any] = Field(default_factory=dict, description="Fact -> value as read.")
    asks: bool = Field(False, description="A billing-eligibility question.")

    def as_dict(self) -> dict[str, Any]:
        return {"pack": self.pack, **self.facts}


class RuleCitation(BaseModel):
    """Where a rule comes from: a page and an exact sentence of it."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    quote: str


class Decision(BaseModel):
    """What a pack's rules say about one Scenario."""

    model_config = ConfigDict(extra="forbid")

    verdict: VerdictKind
    rule_id: str
    pack: str
    explanation: str
    condition: str | None = Field(None, description="For 'conditional': eligible only if ...")
    citation: RuleCitation | None = None
    missing_facts: list[str] = Field(default_factory=list, description="Questions to ask.")
    stale: bool = Field(False, description="The rule's manual sentence is gone; not applied.")
    scenario: Scenario

    def full_explanation(self) -> str:
        """The explanation, led by the condition for a conditional verdict."""
        if self.verdict == "conditional" and self.condition:
            return f"Eligible only if {self.condition}. {self.explanation}"
        return self.explanation

    def scenario_dict(self) -> dict[str, Any]:
        return self.scenario.as_dict()


def with_article(name: str) -> str:
    """'an RN', 'a PA', 'an IBCLC', 'a doula' (an acronym by its first letter's sound)."""
    first = name.split()[0] if name else ""
    if first.isupper():
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        vowel_sound = first[:1].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {name}"

"""Human and JSON renderings of a check (used by ``python -m assistant check``)."""

from __future__ import annotations

from typing import Any

from assistant.rules.guard import LABELS, verdict_statement
from assistant.rules.model import Decision, Scenario

NOT_A_BILLING_QUESTION = (
    "Not a billing-eligibility question the rules decide; no verdict. "
    "Ask it with `python -m assistant ask` for a cited answer from the manual."
)


def stated_facts(scenario: Scenario) -> dict[str, Any]:
    """The scenario fields the question actually stated."""
    defaults = Scenario()
    return {k: v for k, v in scenario.model_dump(mode="json").items()
            if v != getattr(defaults, k) and v is not None}


def check_payload(scenario: Scenario, decision: Decision | None,
                  stale_rules: list[str] | None = None) -> dict[str, Any]:
    """A JSON-ready dict: the scenario, the decision (or None) and the verdict statement."""
    return {
        "scenario": scenario.model_dump(mode="json"),
        "stated": stated_facts(scenario),
        "decision": decision.model_dump(mode="json", exclude={"scenario"}) if decision else None,
        "statement": verdict_statement(decision) if decision else None,
        "stale_rules": list(stale_rules) if stale_rules is not None else None,
    }


def format_check(scenario: Scenario, decision: Decision | None,
                 stale_rules: list[str] | None = None) -> str:
    """Plain text: what was understood, then the verdict, its rule, what to ask and the source."""
    lines = ["Scenario (as understood):"]
    facts = stated_facts(scenario)
    lines += [f"  {k.replace('_', ' ')}: {v}" for k, v in facts.items()] or ["  (nothing stated)"]
    lines.append("")
    if decision is None:
        lines.append(NOT_A_BILLING_QUESTION)
    else:
        lines.append(f"Verdict: {LABELS[decision.verdict].upper()}   (rule {decision.rule_id}"
                     f"{', STALE - not applied' if decision.stale else ''})")
        lines.append(f"  {decision.full_explanation()}")
        for ask in decision.missing_facts:
            lines.append(f"  Ask: {ask}")
        if decision.citation:
            lines.append(f"  Source: {decision.citation.doc_id}")
            lines.append(f"    \"{decision.citation.quote}\"")
    if stale_rules:
        lines += ["", f"Stale rules (their manual sentence is gone): {', '.join(stale_rules)}"]
    return "\n".join(lines)

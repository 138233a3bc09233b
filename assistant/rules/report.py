"""Human and JSON renderings of a check (``python -m assistant check``): which pack applied and
its verdict, or that none did and why."""

from __future__ import annotations

from typing import Any

from assistant.rules.engine import Outcome
from assistant.rules.guard import LABELS, verdict_statement

NO_VERDICT = ("No verdict: no rule pack applies. Ask it with `python -m assistant ask` for a cited "
              "answer from the manual.")


def check_payload(outcome: Outcome, stale_rules: list[str] | None = None) -> dict[str, Any]:
    """A JSON-ready dict: the pack that applied (or null), its scenario and decision, what every
    pack made of the question, and the stale rules (null without an index)."""
    d = outcome.decision
    return {
        "pack": d.pack if d else None,
        "scenario": outcome.scenario.as_dict(),
        "decision": d.model_dump(mode="json", exclude={"scenario"}) if d else None,
        "statement": verdict_statement(d) if d else None,
        "packs": [{"pack": r.pack, "in_scope": r.in_scope, "applied": d is not None and
                   r.decision is d, "rule_id": r.decision.rule_id if r.decision else None,
                   "reason": r.reason, "facts": r.scenario.facts if r.in_scope else {}}
                  for r in outcome.results],
        "stale_rules": list(stale_rules) if stale_rules is not None else None,
    }


def format_check(result: dict[str, Any]) -> str:
    """Plain text: the pack, what was understood, the verdict, its rule, what to ask, the source;
    or why no pack applied."""
    lines: list[str] = []
    decision = result.get("decision")
    if decision is None:
        lines.append(NO_VERDICT)
        for p in result["packs"]:
            lines.append(f"  {p['pack']}: {p['reason'] or 'no verdict'}")
            if p["in_scope"] and p["facts"]:
                lines += [f"    {k.replace('_', ' ')}: {_show(v)}" for k, v in p["facts"].items()]
    else:
        lines.append(f"Pack: {result['pack']}")
        others = [p for p in result["packs"] if p["pack"] != result["pack"] and p["rule_id"]]
        for p in others:
            lines.append(f"  (pack {p['pack']} also decided, with rule {p['rule_id']}; the "
                         "question names this one's terms more)")
        lines.append("Scenario (as understood):")
        facts = {k: v for k, v in result["scenario"].items() if k != "pack"}
        lines += [f"  {k.replace('_', ' ')}: {_show(v)}" for k, v in facts.items()] or [
            "  (nothing stated)"]
        lines.append("")
        stale = ", STALE - not applied" if decision["stale"] else ""
        lines.append(f"Verdict: {LABELS[decision['verdict']].upper()}   (rule "
                     f"{decision['rule_id']}{stale})")
        lines.append(f"  {_explanation(decision)}")
        for ask in decision["missing_facts"]:
            lines.append(f"  Ask: {ask}")
        if decision.get("citation"):
            lines.append(f"  Source: {decision['citation']['doc_id']}")
            lines.append(f"    \"{decision['citation']['quote']}\"")
    stale = result.get("stale_rules")
    if stale:
        lines += ["", f"Stale rules (their manual sentence is gone): {', '.join(stale)}"]
    return "\n".join(lines)


def _explanation(d: dict[str, Any]) -> str:
    if d["verdict"] == "conditional" and d.get("condition"):
        return f"Eligible only if {d['condition']}. {d['explanation']}"
    return d["explanation"]


def _show(v: Any) -> str:
    if v is True:
        return "yes"
    if v is False:
        return "no"
    return str(v)

"""The rule book: rules/*.yaml loaded and validated, checked first-match-wins against a Scenario.

Rules apply in file order (files sorted by name, rules in the order written): the first rule
whose ``when`` holds decides. A rule whose cited sentence is gone from the indexed manual is
stale and is never applied silently: ``check`` reports it as such with an ``unknown`` verdict.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import RulesError
from assistant.rules import conditions
from assistant.rules.model import Decision, RuleCitation, Scenario
from assistant.types import Chunk, Citation, Verdict

VERDICTS = ("eligible", "not_eligible", "conditional", "unknown")
RULE_KEYS = {"id", "description", "when", "verdict", "condition", "explanation", "ask",
             "citation"}
OUTSIDE_RULES = "outside_rules"
PROVIDER_SERVICES = "Contact Health Net Provider Services (Medi-Cal) before relying on an answer."
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TEMPLATE_NAMES = set(Scenario.model_fields) | {"infant_age", "a_renderer_role",
                                                 "a_prescriber_role"}


@dataclass(frozen=True)
class Rule:
    id: str
    when: dict[str, Any]
    verdict: str
    explanation: str
    citation: RuleCitation
    condition: str | None = None
    ask: str | None = None
    description: str = ""
    source: str = field(default="", compare=False)

    def matches(self, scenario: Scenario) -> bool:
        return conditions.matches(self.when, scenario)

    def decide(self, scenario: Scenario) -> Decision:
        words = scenario.display()
        fill = (lambda t: t.format_map(words) if t else None)
        return Decision(
            verdict=self.verdict, rule_id=self.id, explanation=fill(self.explanation),
            condition=fill(self.condition), citation=self.citation,
            missing_facts=[fill(self.ask)] if self.ask else [], scenario=scenario)


class RuleBook:
    """An ordered, validated list of rules."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: tuple[Rule, ...] = tuple(rules)
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise RulesError(f"Duplicate rule ids {dupes}: give every rule its own id.")

    # -- loading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, rules_dir: str | Path) -> RuleBook:
        """Read every *.yaml / *.yml file of ``rules_dir`` (sorted by name)."""
        import yaml

        folder = Path(rules_dir)
        if not folder.is_dir():
            raise RulesError(f"Rules folder {folder} does not exist: point rules_dir at the "
                             "folder holding the rules/*.yaml files.")
        files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        rules: list[Rule] = []
        for path in files:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as exc:
                raise RulesError(f"{path}: not valid YAML ({exc}). Fix the file and reload.") \
                    from exc
            rules += parse_rules(data, str(path))
        if not rules:
            raise RulesError(f"No rules found in {folder}: add a rules/*.yaml file with a "
                             "'rules:' list.")
        return cls(rules)

    @classmethod
    def from_data(cls, data: Any, source: str = "<data>") -> RuleBook:
        """Build from already-parsed YAML (a mapping with a 'rules' list)."""
        return cls(parse_rules(data, source))

    # -- use -----------------------------------------------------------------------------------
    @property
    def order(self) -> list[str]:
        """Rule ids in the order they are tried."""
        return [r.id for r in self.rules]

    def get(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def match(self, scenario: Scenario) -> Rule | None:
        """The first rule whose conditions hold, or None."""
        return next((r for r in self.rules if r.matches(scenario)), None)

    def check(self, scenario: Scenario, stale: Collection[str] = ()) -> Decision | None:
        """The decision for a billing-eligibility scenario; None for any other question.

        ``stale`` holds ids of rules whose cited sentence is gone (see ``stale()``): such a rule
        still matches, but yields an ``unknown`` decision saying it was not applied.
        """
        if not scenario.is_billing_question or scenario.topic is None:
            return None
        if scenario.program == "other":
            return outside_rules(scenario, "This manual page covers Health Net Medi-Cal only; "
                                 "it does not settle other lines of business.")
        rule = self.match(scenario)
        if rule is None:
            return outside_rules(scenario) if scenario.has_specifics() else None
        if rule.id in stale:
            return Decision(
                verdict="unknown", rule_id=rule.id, stale=True, citation=rule.citation,
                scenario=scenario,
                explanation="The manual sentence this rule was written from is no longer in the "
                "indexed manual, so the rule was not applied. Check the current manual page. "
                + PROVIDER_SERVICES)
        return rule.decide(scenario)

    def stale(self, page_texts: dict[str, str]) -> list[str]:
        """Ids of rules whose quote (whitespace-normalised) is missing from its page's text."""
        out = []
        for r in self.rules:
            text = page_texts.get(r.citation.doc_id)
            if text is None or find_span(text, r.citation.quote) is None:
                out.append(r.id)
        return out


def outside_rules(scenario: Scenario, reason: str | None = None) -> Decision:
    """The 'unknown' decision for a case no rule covers."""
    if reason is None:
        reason = "The manual does not settle this case"
        who = scenario.prescriber_role or scenario.renderer_role
        if who:
            name = scenario.display()["a_prescriber_role" if scenario.prescriber_role else
                                      "a_renderer_role"]
            reason += f": it does not name {name} for this" if who != "other" else \
                ": it does not name this role for this"
        reason += "."
    return Decision(verdict="unknown", rule_id=OUTSIDE_RULES, scenario=scenario,
                    explanation=f"{reason} {PROVIDER_SERVICES}")


# -- parsing and validation --------------------------------------------------------------------

def parse_rules(data: Any, source: str) -> list[Rule]:
    """Validate parsed YAML and build its rules; RulesError names the file and the problem."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise RulesError(f"{source}: expected a mapping with a 'rules:' list at the top.")
    unknown_top = set(data) - {"rules", "version", "description"}
    if unknown_top:
        raise RulesError(f"{source}: unknown top-level keys {sorted(unknown_top)}.")
    rules, problems = [], []
    for i, raw in enumerate(data["rules"]):
        where = f"{source}: rule #{i + 1}"
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            where += f" ({raw['id']})"
        found = _problems(raw, where)
        if found:
            problems += found
            continue
        cite = raw["citation"]
        rules.append(Rule(
            id=raw["id"], when=raw["when"], verdict=raw["verdict"],
            explanation=" ".join(raw["explanation"].split()),
            condition=" ".join(raw["condition"].split()) if raw.get("condition") else None,
            ask=" ".join(raw["ask"].split()) if raw.get("ask") else None,
            description=raw.get("description") or "",
            citation=RuleCitation(doc_id=cite["doc_id"], quote=cite["quote"]),
            source=source))
    if problems:
        raise RulesError("Malformed rules; fix these and reload:\n  " + "\n  ".join(problems))
    return rules


def _problems(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, dict):
        return [f"{where}: a rule must be a mapping"]
    out = [f"{where}: unknown key {k!r} (allowed: {sorted(RULE_KEYS)})"
           for k in raw if k not in RULE_KEYS]
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        out.append(f"{where}: 'id' must be lower_snake_case text")
    elif rid == OUTSIDE_RULES:
        out.append(f"{where}: the id {OUTSIDE_RULES!r} is reserved")
    if raw.get("verdict") not in VERDICTS:
        out.append(f"{where}: 'verdict' must be one of {list(VERDICTS)}")
    for key in ("explanation",):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            out.append(f"{where}: '{key}' must be non-empty text")
    if raw.get("verdict") == "conditional" and not (
            isinstance(raw.get("condition"), str) and raw["condition"].strip()):
        out.append(f"{where}: a conditional rule must state its 'condition'")
    if raw.get("verdict") != "conditional" and raw.get("condition"):
        out.append(f"{where}: only a conditional rule has a 'condition'")
    for key in ("condition", "ask", "description"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            out.append(f"{where}: '{key}' must be text")
    for key in ("explanation", "condition", "ask"):
        if isinstance(raw.get(key), str):
            out += _template_problems(raw[key], f"{where}: {key}")
    cite = raw.get("citation")
    if not isinstance(cite, dict) or set(cite) != {"doc_id", "quote"} or not all(
            isinstance(cite[k], str) and cite[k].strip() for k in ("doc_id", "quote")):
        out.append(f"{where}: 'citation' must have exactly doc_id and quote, both non-empty text")
    out += conditions.validate(raw.get("when"), where)
    return out


def _template_problems(text: str, where: str) -> list[str]:
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        return [f"{where}: bad placeholder ({exc}); write literal braces as {{{{ }}}}"]
    return [f"{where}: unknown placeholder {{{n}}} (use scenario field names, infant_age, a_renderer_role or a_prescriber_role)"
            for n in names if n not in _TEMPLATE_NAMES]


# -- quotes, citations, verdicts ---------------------------------------------------------------

def _squash(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed to one space, and each kept char's original offset."""
    out, where, in_space = [], [], False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space and out:
                out.append(" ")
                where.append(i)
            in_space = True
        else:
            out.append(ch)
            where.append(i)
            in_space = False
    return "".join(out), where


def find_span(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text``, ignoring differences in whitespace; None if absent."""
    q = " ".join(quote.split())
    if not q:
        return None
    flat, where = _squash(text)
    i = flat.find(q)
    if i < 0:
        return None
    return where[i], where[i + len(q) - 1] + 1


def locate_citation(decision: Decision | None, chunks: Iterable[Chunk],
                    n: int = 1) -> Citation | None:
    """The Citation of the indexed chunk holding the decision's quote (exact chunk text)."""
    if decision is None or decision.citation is None:
        return None
    for c in chunks:
        if c.doc_id != decision.citation.doc_id:
            continue
        span = find_span(c.text, decision.citation.quote)
        if span:
            return Citation(n=n, chunk_id=c.chunk_id, doc_id=c.doc_id, title=c.title,
                            section=c.section, url=c.url, last_updated=c.last_updated,
                            quote=c.text[span[0]:span[1]])
    return None


def to_verdict(decision: Decision | None, citation: Citation | None = None) -> Verdict | None:
    """The pipeline's Verdict for a Decision (the condition leads a conditional explanation)."""
    if decision is None:
        return None
    return Verdict(verdict=decision.verdict, rule_id=decision.rule_id,
                   explanation=decision.full_explanation(), citation=citation,
                   missing_facts=list(decision.missing_facts),
                   scenario=decision.scenario_dict())

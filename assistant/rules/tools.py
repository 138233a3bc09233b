"""``python -m assistant rules test`` and ``rules lint``: a pack's own tests and checks.

``run_examples`` asks every example of a pack (through the whole rule book, as the assistant
would) and compares verdict and rule. ``lint`` finds what would go wrong later: quotes missing
from the indexed page, facts no rule reads, rules no scenario can reach, and rules that decide
the same scenario differently (first match wins; listed so the order is a choice, not an
accident).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.rules import conditions
from assistant.rules.engine import Pack, Rule, RuleBook, find_span
from assistant.rules.schema import UNSURE, ChoiceFact, DerivedFact, FlagFact, NumberFact
from core.types import Turn

# -- rules test ------------------------------------------------------------------------------------


@dataclass
class ExampleResult:
    pack: str
    number: int
    where: str
    question: str
    history: list[Turn]
    expected: str
    expected_rule: str | None
    got: str
    got_rule: str | None
    got_pack: str | None
    facts: dict[str, Any]
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.got == self.expected and (self.expected_rule is None
                                              or self.expected_rule == self.got_rule)


def run_examples(book: RuleBook, packs: Iterable[str] | None = None) -> list[ExampleResult]:
    """Every example of the named packs (all packs by default), decided by the whole book."""
    wanted = set(packs or [])
    out: list[ExampleResult] = []
    for pack in book.packs:
        if wanted and pack.id not in wanted and pack.source.stem not in wanted:
            continue
        for i, ex in enumerate(pack.spec.examples):
            history = [Turn(role="user", content=h) if isinstance(h, str) else
                       Turn(role=h.role, content=h.content) for h in ex.history]
            outcome = book.decide(ex.question, history)
            d = outcome.decision
            own = next(r for r in outcome.results if r.pack == pack.id)
            out.append(ExampleResult(
                pack=pack.id, number=i + 1, where=f"{pack.source}:{pack.doc.line(('examples', i))}",
                question=ex.question, history=history, expected=ex.verdict,
                expected_rule=ex.rule, got=d.verdict if d else "none",
                got_rule=d.rule_id if d else None, got_pack=d.pack if d else None,
                facts=(d.scenario.facts if d else own.scenario.facts),
                reasons=[] if d else [f"{r.pack}: {r.reason}" for r in outcome.results]))
    return out


def format_examples(results: Sequence[ExampleResult], verbose: bool = False) -> str:
    lines: list[str] = []
    for r in results:
        if r.ok and not verbose:
            continue
        mark = "ok  " if r.ok else "FAIL"
        lines.append(f"{mark} {r.where}: example {r.number} of {r.pack}")
        if not r.ok or verbose:
            for h in r.history:
                lines.append(f"       earlier {h.role}: {h.content}")
            lines.append(f"       question: {r.question}")
            want = r.expected + (f" (rule {r.expected_rule})" if r.expected_rule else "")
            got = r.got + (f" (rule {r.got_rule} of pack {r.got_pack})" if r.got_rule else "")
            lines.append(f"       expected: {want}")
            lines.append(f"       got:      {got}")
            facts = ", ".join(f"{k}={v}" for k, v in r.facts.items()) or "nothing"
            lines.append(f"       scenario read: {facts}")
            for reason in r.reasons:
                lines.append(f"       why no verdict - {reason}")
    failed = sum(not r.ok for r in results)
    packs = sorted({r.pack for r in results})
    lines.append(f"{len(results)} examples of {len(packs)} pack(s) ({', '.join(packs)}): "
                 f"{len(results) - failed} passed, {failed} failed.")
    return "\n".join(lines)


# -- rules lint ------------------------------------------------------------------------------------

@dataclass
class LintReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def format(self) -> str:
        lines = []
        for title, items in (("Errors", self.errors), ("Warnings", self.warnings),
                             ("Overlaps (the first rule wins)", self.notes)):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {i}" for i in items]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s).")
        return "\n".join(lines)


def lint(book: RuleBook, page_texts: Mapping[str, str] | None, packs: Iterable[str] | None = None,
         index_problem: str | None = None, node_budget: int = 200_000) -> LintReport:
    """Check the named packs (all by default). ``page_texts``: doc id -> indexed text (None when
    no index could be opened; ``index_problem`` says why)."""
    report = LintReport()
    wanted = set(packs or [])
    for pack in book.packs:
        if wanted and pack.id not in wanted and pack.source.stem not in wanted:
            continue
        _lint_quotes(pack, page_texts, index_problem, report)
        _lint_facts(pack, report)
        _lint_reach(pack, report, node_budget)
        covered = {ex.rule for ex in pack.spec.examples}
        for r in pack.rules:
            if r.id not in covered:
                report.warnings.append(f"{r.source}: rule {r.id} has no example")
    return report


def _lint_quotes(pack: Pack, page_texts: Mapping[str, str] | None, problem: str | None,
                 report: LintReport) -> None:
    if page_texts is None:
        report.errors.append(f"{pack.source}: quotes not checked: {problem or 'no index'}")
        return
    missing_pages = set()
    for r in pack.rules:
        if r.citation is None:
            continue
        text = page_texts.get(r.citation.doc_id)
        if text is None:
            if r.citation.doc_id not in missing_pages:
                missing_pages.add(r.citation.doc_id)
                report.errors.append(
                    f"{r.source}: the page {r.citation.doc_id!r} is not in the index, so no "
                    f"quote of it can be checked: ingest the page (python -m ingest <file>) or "
                    "point --index at an index that holds it")
            continue
        if find_span(text, r.citation.quote) is None:
            report.errors.append(f"{r.source}: rule {r.id}: the quote is not in the indexed page "
                                 f"{r.citation.doc_id!r} (it would be stale): "
                                 f"\"{_short(r.citation.quote)}\"")


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 3] + "..."


def _lint_facts(pack: Pack, report: LintReport) -> None:
    used: set[str] = set()
    for r in pack.rules:
        used |= conditions.facts_used(r.when)
    for name, fact in pack.facts.items():
        if isinstance(fact, DerivedFact):
            for cond in (fact.true, fact.false, fact.unsure):
                if cond:
                    used |= conditions.facts_used(cond)
    import string

    for r in pack.rules:
        for text in (r.explanation, r.condition, r.ask):
            for _, f, _, _ in string.Formatter().parse(text or ""):
                if f:
                    used.add(f.removeprefix("a_"))
    resets = {n for n, f in pack.facts.items() if getattr(f, "resets", False)}
    for name in pack.facts:
        if name not in used and name not in resets:
            line = pack.doc.line(("facts", name))
            report.warnings.append(f"{pack.source}:{line}: fact {name!r} is read but no rule "
                                   "uses it")


# -- reachability: a scenario search ---------------------------------------------------------------

def _domain(pack: Pack, name: str) -> list[Any]:
    fact = pack.facts[name]
    if isinstance(fact, ChoiceFact):
        return [*fact.values, None, UNSURE]
    if isinstance(fact, FlagFact):
        return [True, False, None, UNSURE]
    if isinstance(fact, NumberFact):
        points: set[float] = set()
        for r in pack.rules:
            points |= conditions.thresholds(r.when, name)
        for f in pack.facts.values():
            if isinstance(f, DerivedFact):
                for cond in (f.true, f.false, f.unsure):
                    if cond:
                        points |= conditions.thresholds(cond, name)
        values: set[float] = {1.0, 2.0}  # for comparisons of two number facts (time order)
        for p in points:
            values |= {p - 0.5, p, p + 0.5}
        return [None, UNSURE, *sorted(values)]
    return []


def _deps(pack: Pack, name: str, seen: set[str] | None = None) -> set[str]:
    """The base (read) facts a fact depends on (itself for a read fact)."""
    seen = seen or set()
    fact = pack.facts.get(name)
    if not isinstance(fact, DerivedFact):
        return {name}
    if name in seen:
        return set()
    seen.add(name)
    out: set[str] = set()
    for cond in (fact.true, fact.false, fact.unsure):
        if cond:
            for f in conditions.facts_used(cond):
                out |= _deps(pack, f, seen)
    return out


def _derived_value(fact: DerivedFact, facts: dict[str, Any]) -> Any:
    """A derived fact's value from partly assigned facts (UNSET: cannot tell yet), as the reader
    computes it: true if its ``true`` holds, else false if ``false`` holds, else unsure if
    ``unsure`` holds, else not stated."""
    for cond, value in ((fact.true, True), (fact.false, False), (fact.unsure, UNSURE)):
        if cond is None:
            continue
        r = conditions.evaluate(cond, facts)
        if r is None:
            return conditions.UNSET
        if r:
            return value
    return None


def find_scenario(pack: Pack, must: Sequence[Rule], must_not: Sequence[Rule],
                  budget: int = 200_000) -> tuple[dict[str, Any] | None, bool]:
    """A scenario every rule of ``must`` matches and no rule of ``must_not`` does.
    Returns (scenario or None, complete): ``complete`` is False when the budget ran out."""
    used: list[str] = []
    for r in [*must, *must_not]:
        for f in sorted(conditions.facts_used(r.when)):
            for base in sorted(_deps(pack, f)):
                if base not in used:
                    used.append(base)
    first = set()
    for r in must:
        for f in conditions.facts_used(r.when):
            first |= _deps(pack, f)
    order = [f for f in used if f in first] + [f for f in used if f not in first]
    domains = {f: _domain(pack, f) for f in order}
    for f in order:  # a fact only the other rules read: "not stated" first (it rarely matches)
        if f not in first and None in domains[f]:
            domains[f] = [None, *(v for v in domains[f] if v is not None)]
    derived = [n for n, f in pack.facts.items() if isinstance(f, DerivedFact)]
    nodes = 0

    def facts_of(assigned: dict[str, Any]) -> dict[str, Any]:
        facts = {n: None for n in pack.facts}
        for f in order:
            facts[f] = assigned.get(f, conditions.UNSET)
        for name in derived:  # in the order written, three-valued: decided as soon as it can be
            facts[name] = _derived_value(pack.facts[name], facts)
        return facts

    def search(i: int, assigned: dict[str, Any]) -> dict[str, Any] | None:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            return None
        facts = facts_of(assigned)
        for r in must:
            if conditions.evaluate(r.when, facts) is False:
                return None
        for r in must_not:
            if conditions.evaluate(r.when, facts) is True:
                return None
        if i == len(order):
            return {k: v for k, v in facts.items() if v is not None}
        for value in domains[order[i]]:
            found = search(i + 1, {**assigned, order[i]: value})
            if found is not None:
                return found
            if nodes > budget:
                return None
        return None

    found = search(0, {})
    return found, nodes <= budget


def _lint_reach(pack: Pack, report: LintReport, budget: int) -> None:
    rules = list(pack.rules)
    for i, rule in enumerate(rules):
        found, complete = find_scenario(pack, [rule], rules[:i], budget)
        if found is None and complete:
            report.errors.append(f"{rule.source}: rule {rule.id} is unreachable: every scenario "
                                 "it matches is decided by an earlier rule")
        elif found is None:
            report.warnings.append(f"{rule.source}: rule {rule.id}: reachability not settled "
                                   "(too many combinations to search)")
        overlaps = []
        for earlier in rules[:i]:
            if earlier.verdict == rule.verdict:
                continue
            both, _ = find_scenario(pack, [earlier, rule], [], budget // 20)
            if both is not None:
                overlaps.append(f"{earlier.id} ({earlier.verdict})")
        if overlaps:
            report.notes.append(f"{rule.source}: {rule.id} ({rule.verdict}) gives way where "
                                f"they overlap to: {', '.join(overlaps)}")

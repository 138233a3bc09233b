"""The rule book: every pack of the rules folder, loaded, checked and applied to a conversation.

A pack applies only inside its scope (one of its terms in the question or the conversation, none
of its ``exclude`` words in the question) and only to a billing-eligibility question. Its rules
are tried in the order written; the first whose ``when`` holds decides. When several packs
decide, the one whose terms the question names most wins. A rule whose quote is gone from the
indexed page is stale: it is reported with an ``unknown`` decision and never applied.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.rules import conditions
from assistant.rules.model import Decision, RuleCitation, Scenario, with_article
from assistant.rules.reader import ScenarioReader, Vocabulary
from assistant.rules.schema import (
    UNSURE,
    ChoiceFact,
    DerivedFact,
    FlagFact,
    Located,
    NumberFact,
    PackSpec,
    load_file,
    read_yaml,
)
from core.errors import RulesError
from core.types import Chunk, Citation, Turn, Verdict

PROVIDER_SERVICES = "Contact Health Net Provider Services (Medi-Cal) before relying on an answer."


@dataclass(frozen=True)
class Rule:
    id: str
    pack: str
    when: dict[str, Any]
    verdict: str
    explanation: str
    citation: RuleCitation | None
    condition: str | None = None
    ask: str | None = None
    description: str = ""
    source: str = field(default="", compare=False)  # file:line

    def matches(self, facts: Mapping[str, Any]) -> bool:
        return conditions.matches(self.when, facts)


@dataclass
class PackResult:
    """One pack's reading of a conversation: in scope or not, and its decision or why none."""

    pack: str
    in_scope: bool
    scenario: Scenario
    decision: Decision | None = None
    reason: str = ""
    hits: tuple[int, int] = (0, 0)


@dataclass
class Outcome:
    """The book's answer for a conversation: the decision that applies (or None) and what every
    pack made of it."""

    decision: Decision | None
    results: list[PackResult]

    @property
    def scenario(self) -> Scenario:
        if self.decision is not None:
            return self.decision.scenario
        inside = [r for r in self.results if r.in_scope]
        return inside[0].scenario if inside else Scenario()


class Pack:
    """One validated pack, ready to read conversations and decide."""

    def __init__(self, spec: PackSpec, shared: Sequence[PackSpec], source: Path, doc: Located):
        self.spec, self.id, self.source, self.doc = spec, spec.id or source.stem, source, doc
        self.vocab = Vocabulary([*shared, spec])
        self.reader = ScenarioReader(spec, self.vocab)
        self.shared = list(shared)
        self.rules = tuple(Rule(
            id=r.id, pack=self.id, when=r.when, verdict=r.verdict,
            explanation=" ".join(r.explanation.split()),
            citation=RuleCitation(doc_id=r.citation.doc_id, quote=r.citation.quote)
            if r.citation else None,
            condition=" ".join(r.condition.split()) if r.condition else None,
            ask=" ".join(r.ask.split()) if r.ask else None, description=r.description,
            source=f"{source}:{doc.line(('rules', i))}") for i, r in enumerate(spec.rules))

    @property
    def facts(self) -> dict[str, Any]:
        return self.spec.facts

    @property
    def pages(self) -> list[str]:
        return list(self.spec.scope.pages) if self.spec.scope else []

    # -- reading and deciding --------------------------------------------------------------------
    def read(self, question: str, history: Sequence[Turn] | None = None) -> PackResult:
        texts = [t.content for t in (history or []) if t.role == "user"] + [question or ""]
        messages = []
        for t in texts:
            messages.append(self.reader.read_message(t, [m.text for m in messages]))
        last = messages[-1]
        facts = self.reader.merge(messages)
        # A billing-eligibility question: eligibility words, or a scenario told in two facts or
        # more ("contracted doula, member wants a 9th visit"), or a follow-up to such a question;
        # never a question after information only.
        asks = not last.information and (
            last.asks or len(last.facts) >= 2
            or any((m.asks or len(m.facts) >= 2) and not m.information for m in messages[:-1]))
        scenario = Scenario(pack=self.id, facts=facts, asks=asks)
        hits = (last.scope_hits, sum(m.scope_hits for m in messages))
        result = PackResult(self.id, False, scenario, hits=hits)
        if not hits[1]:
            result.reason = "none of its scope terms is in the question or the conversation"
        elif last.excluded:
            m = self.reader.exclude.search(last.text)
            result.reason = (f"the question names something outside it "
                             f"({m.text if m else 'an excluded term'!r})")
        else:
            result.in_scope = True
            if not asks:
                result.reason = ("in scope, but not a billing-eligibility question (it asks for "
                                 "information)" if last.information else
                                 "in scope, but not a billing-eligibility question")
        return result

    def mentioned(self, question: str, history: Sequence[Turn] | None = None) -> bool:
        """Whether one of the pack's scope terms is in the question or an earlier user message
        (without reading the scenario: asked of every question, so kept cheap)."""
        texts = [t.content for t in (history or []) if t.role == "user"] + [question or ""]
        return any(self.reader.terms.search(self.reader.vocab.normalise(t)) is not None
                   for t in texts)

    def decide(self, question: str, history: Sequence[Turn] | None = None,
               stale: Collection[str] = (), absent: Collection[str] = ()) -> PackResult:
        """``absent``: doc ids not in the index; a pack none of whose pages is indexed applies
        to nothing (its rules would all be stale)."""
        if not self.mentioned(question, history):  # the cheap check first: most questions
            result = PackResult(self.id, False, Scenario(pack=self.id, facts={}, asks=False))
            result.reason = "none of its scope terms is in the question or the conversation"
            return result
        result = self.read(question, history)
        if self.pages and all(p in absent for p in self.pages):
            if result.in_scope:
                result.in_scope = False
                result.reason = (f"its page is not in the index ({', '.join(self.pages)}): "
                                 "ingest it to use this pack")
            return result
        if not result.in_scope or not result.scenario.asks:
            return result
        result.decision = self.check(result.scenario, stale)
        if result.decision is None:
            result.reason = "in scope, but no rule of the pack matches the scenario"
        return result

    def check(self, scenario: Scenario, stale: Collection[str] = ()) -> Decision | None:
        """The first rule that holds for the scenario's facts, as a Decision (None: no rule)."""
        facts = {**{n: None for n in self.facts}, **scenario.facts}
        rule = next((r for r in self.rules if r.matches(facts)), None)
        if rule is None:
            return None
        if rule.id in stale:
            return Decision(
                verdict="unknown", rule_id=rule.id, pack=self.id, stale=True,
                citation=rule.citation, scenario=scenario,
                explanation="The manual sentence this rule was written from is no longer in the "
                "indexed manual, so the rule was not applied. Check the current manual page. "
                + PROVIDER_SERVICES)
        words = self.display(scenario.facts)
        fill = (lambda t: t.format_map(words) if t else None)
        return Decision(
            verdict=rule.verdict, rule_id=rule.id, pack=self.id,
            explanation=fill(rule.explanation), condition=fill(rule.condition),
            citation=rule.citation, missing_facts=[fill(rule.ask)] if rule.ask else [],
            scenario=scenario)

    def display(self, facts: Mapping[str, Any]) -> dict[str, str]:
        """Every fact as it reads in a sentence, and ``a_<fact>`` with its article."""
        out: dict[str, str] = {}
        for name, spec in self.facts.items():
            value = facts.get(name)
            if value is None:
                text = "not stated"
            elif value == UNSURE:
                text = "not known"
            elif isinstance(spec, ChoiceFact) and value in spec.values:
                text = spec.values[value].name or str(value).replace("_", " ")
            elif isinstance(spec, NumberFact) and not isinstance(value, bool):
                unit = spec.unit or ""
                text = f"{value:g}" + (f" {unit}{'' if value == 1 else 's'}" if unit else "")
            else:
                text = str(value).replace("_", " ")
            out[name] = text
            out[f"a_{name}"] = with_article(text)
        return out

    def template_names(self) -> set[str]:
        return set(self.facts) | {f"a_{n}" for n in self.facts}


class RuleBook:
    """Every pack of a rules folder (shared packs are vocabulary only)."""

    def __init__(self, packs: Iterable[Pack]):
        self.packs: tuple[Pack, ...] = tuple(packs)
        self.rules: tuple[Rule, ...] = tuple(r for p in self.packs for r in p.rules)
        ids = [r.id for r in self.rules]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise RulesError(f"Duplicate rule ids {dupes}: give every rule its own id (rule ids "
                             "are unique across packs).")
        self._by_id = {r.id: r for r in self.rules}
        self._pack = {p.id: p for p in self.packs}

    # -- loading ----------------------------------------------------------------------------------
    @classmethod
    def load(cls, rules_dir: str | Path, only: Collection[str] | None = None) -> RuleBook:
        """Read every *.yaml / *.yml file of ``rules_dir`` (packs in file-name order).

        ``only``: pack ids (or file names) to keep; the shared packs they import are read too."""
        folder = Path(rules_dir)
        if not folder.is_dir():
            raise RulesError(f"Rules folder {folder} does not exist: point rules_dir at the "
                             "folder holding the rule packs (*.yaml).")
        files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        docs = {path: read_yaml(path) for path in files}
        shared_docs: dict[str, Located] = {}
        shared_specs: dict[str, PackSpec] = {}
        problems: list[str] = []
        for path, doc in docs.items():
            if isinstance(doc.data, dict) and doc.data.get("shared") is True:
                try:
                    spec, _ = load_file(path)
                except RulesError as exc:
                    problems.append(str(exc))
                    continue
                shared_docs[spec.id or path.stem] = doc
                shared_specs[spec.id or path.stem] = spec
        packs: list[Pack] = []
        for path, doc in docs.items():
            if isinstance(doc.data, dict) and doc.data.get("shared") is True:
                continue
            if only and path.stem not in only and path.name not in only and (
                    not isinstance(doc.data, dict) or doc.data.get("id") not in only):
                continue
            try:
                spec, doc = load_file(path, shared_docs)
            except RulesError as exc:
                problems.append(str(exc))
                continue
            missing = [i for i in spec.imports if i not in shared_specs]
            if missing:
                problems.append(f"{path}:{doc.line(('imports',))}: imports {missing}: no shared "
                                f"pack by that id in {folder} (shared packs: "
                                f"{sorted(shared_specs)})")
                continue
            pack = Pack(spec, [shared_specs[i] for i in spec.imports], path, doc)
            problems += check_pack(pack)
            packs.append(pack)
        if only:
            unknown = set(only) - {p.id for p in packs} - {p.source.stem for p in packs} - {
                p.source.name for p in packs}
            if unknown and not problems:
                raise RulesError(f"No pack named {sorted(unknown)} in {folder} (packs: "
                                 f"{', '.join(p.stem for p in files)}).")
        if problems:
            raise RulesError("Malformed rules; fix these and reload:\n  " + "\n  ".join(
                p.replace("\n", "\n  ") for p in problems))
        if not packs:
            raise RulesError(f"No rule packs found in {folder}: add a <page>.yaml pack with "
                             "scope, facts and rules.")
        ids = [p.id for p in packs]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise RulesError(f"Duplicate pack ids {dupes}: give every pack its own id.")
        return cls(packs)

    # -- use --------------------------------------------------------------------------------------
    @property
    def order(self) -> list[str]:
        """Rule ids in the order they are tried (pack by pack)."""
        return [r.id for r in self.rules]

    def get(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def pack(self, pack_id: str) -> Pack:
        return self._pack[pack_id]

    def pack_of(self, rule_id: str) -> Pack | None:
        rule = self._by_id.get(rule_id)
        return self._pack[rule.pack] if rule else None

    def decide(self, question: str, history: Sequence[Turn] | None = None,
               stale: Collection[str] = (), absent: Collection[str] = ()) -> Outcome:
        """Every pack's reading, and the decision of the pack the question names most (then:
        the pack that read more facts of it, then the first in file order). ``absent``: doc
        ids not in the index (their packs apply to nothing)."""
        results = [p.decide(question, history, stale, absent) for p in self.packs]
        deciding = [(r.hits, len(r.scenario.facts), -i, r) for i, r in enumerate(results)
                    if r.decision is not None]
        if not deciding:
            return Outcome(None, results)
        best = max(deciding, key=lambda t: t[:3])[3]
        return Outcome(best.decision, results)

    def check(self, question: str, history: Sequence[Turn] | None = None,
              stale: Collection[str] = (), absent: Collection[str] = ()) -> Decision | None:
        """The decision for a conversation; None when no pack applies."""
        return self.decide(question, history, stale, absent).decision

    def stale(self, page_texts: Mapping[str, str]) -> list[str]:
        """Ids of rules whose quote (whitespace-normalised) is missing from its page's text."""
        out = []
        for r in self.rules:
            if r.citation is None:
                continue
            text = page_texts.get(r.citation.doc_id)
            if text is None or find_span(text, r.citation.quote) is None:
                out.append(r.id)
        return out


# -- checks made when a pack loads -----------------------------------------------------------------

def check_pack(pack: Pack) -> list[str]:
    """Problems no schema can see: conditions against the pack's facts, values implied, quotes'
    pages in scope, placeholders, examples naming rules. Each with file and line."""
    spec, doc, path = pack.spec, pack.doc, pack.source
    out: list[str] = []

    def at(*loc) -> str:
        return f"{path}:{doc.line(loc)}"

    for name, fact in spec.facts.items():
        if isinstance(fact, DerivedFact):
            for key in ("true", "false", "unsure"):
                cond = getattr(fact, key)
                if cond is not None:
                    out += conditions.validate(cond, spec.facts, f"{at('facts', name, key)}: "
                                               f"facts > {name} > {key}")
        implied = []
        if isinstance(fact, ChoiceFact):
            implied = [(("facts", name, "values", v, "implies"), val.implies)
                       for v, val in fact.values.items()]
            for v, val in fact.values.items():
                if val.negated is not None and val.negated not in fact.values:
                    out.append(f"{at('facts', name, 'values', v, 'negated')}: facts > {name} > "
                               f"{v}: negated {val.negated!r} is not one of its values")
                if not val.words:
                    out.append(f"{at('facts', name, 'values', v)}: facts > {name} > {v}: give "
                               "the words people use for it")
            if fact.negated is not None and fact.negated not in fact.values:
                out.append(f"{at('facts', name, 'negated')}: facts > {name}: negated "
                           f"{fact.negated!r} is not one of its values")
        elif isinstance(fact, FlagFact):
            implied = [(("facts", name, "implies"), fact.implies)]
            if not fact.yes and not fact.no:
                out.append(f"{at('facts', name)}: facts > {name}: a yes/no fact needs 'yes' or "
                           "'no' words")
        for loc, mapping in implied:
            for key, value in mapping.items():
                out += conditions.validate({key: value}, spec.facts, f"{at(*loc)}: "
                                           f"{' > '.join(map(str, loc))}")
    for i, r in enumerate(spec.rules):
        out += conditions.validate(r.when, spec.facts, f"{at('rules', i, 'when')}: "
                                   f"rules > {r.id} > when")
        if r.citation and spec.scope and r.citation.doc_id not in spec.scope.pages:
            out.append(f"{at('rules', i, 'citation', 'doc_id')}: rules > {r.id}: citation "
                       f"doc_id {r.citation.doc_id!r} is not one of the pack's scope pages "
                       f"{spec.scope.pages}")
        for key in ("explanation", "condition", "ask"):
            text = getattr(r, key)
            if text:
                out += _template_problems(text, pack.template_names(),
                                          f"{at('rules', i, key)}: rules > {r.id} > {key}")
    rule_ids = {r.id for r in spec.rules}
    for i, ex in enumerate(spec.examples):
        if ex.rule is not None and ex.rule not in rule_ids:
            out.append(f"{at('examples', i, 'rule')}: examples > {i + 1}: rule {ex.rule!r} is "
                       "not a rule of this pack")
        if ex.verdict == "none" and ex.rule:
            out.append(f"{at('examples', i, 'rule')}: examples > {i + 1}: a 'none' example "
                       "names no rule")
    return out


def _template_problems(text: str, names: set[str], where: str) -> list[str]:
    try:
        used = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        return [f"{where}: bad placeholder ({exc}); write literal braces as {{{{ }}}}"]
    return [f"{where}: unknown placeholder {{{n}}} (use a fact name, or a_<fact> for it with "
            "'a'/'an')" for n in used if n not in names]


# -- quotes, citations, verdicts -------------------------------------------------------------------

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


__all__ = ["Outcome", "Pack", "PackResult", "Rule", "RuleBook", "check_pack", "find_span",
           "locate_citation", "to_verdict"]

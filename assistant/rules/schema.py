"""The shape of a rule pack file (``corpus/rules/<page>.yaml``), as pydantic models.

A pack is data a provider-relations analyst writes: the page(s) it comes from and the words that
put a question in its ``scope``, the ``facts`` it reads from a question (each with the words people
use), the ``rules`` (first match wins) and the ``examples`` that test them. A shared pack
(``shared.yaml``, ``shared: true``) holds vocabulary that other packs ``import``: text rewrites,
negation and question words, number words, and facts such as roles and provider statuses.

``load_file`` reads a file and validates it; every problem is reported with its file and line.
See docs/rules.md for how to write a pack.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from core.errors import RulesError

VERDICTS = ("eligible", "not_eligible", "conditional", "unknown")
UNSURE = "unsure"  # a fact the question says it is not sure about
ID = re.compile(r"^[a-z][a-z0-9_]*$")
PACK_ID = re.compile(r"^[a-z][a-z0-9_-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# -- phrases: the words people use -----------------------------------------------------------------

class PhraseSpec(_Strict):
    """One way of saying something: a regular expression (``re``), or ``words`` that count only
    when one of ``after`` came up to ``within`` words before them (in the same clause)."""

    re: str | None = Field(None, description="A regular expression (case-insensitive).")
    words: list[str] = Field(default_factory=list, description="Plain phrases.")
    after: list[str] = Field(default_factory=list,
                             description="Phrases one of which must come shortly before.")
    within: int = Field(6, ge=1, le=30, description="How many words before (for 'after').")

    @model_validator(mode="after")
    def _one_way(self) -> PhraseSpec:
        if bool(self.re) == bool(self.words):
            raise ValueError("a phrase has either 're' (a pattern) or 'words' (plain phrases)")
        if self.re:
            _check_regex(self.re)
        return self


Phrase = str | PhraseSpec


def _check_regex(pattern: str) -> None:
    try:
        re.compile(pattern.replace("{num}", "1").replace("{unit}", "x").replace("{date}", "1"))
    except re.error as exc:
        raise ValueError(f"not a valid regular expression {pattern!r}: {exc}") from exc


# -- facts: the scenario slots a pack reads --------------------------------------------------------

class ChoiceValue(_Strict):
    """One value of a choice fact and the words for it."""

    name: str | None = Field(None, description="How the value reads in a sentence.")
    words: list[Phrase] = Field(default_factory=list)
    rank: int = Field(0, description="When several values are named, the highest rank wins.")
    implies: dict[str, Any] = Field(default_factory=dict,
                                    description="Other facts this value sets (unless stated).")
    negated: str | None = Field(None, description="The value meant when this one is negated "
                                "('not CPSP' -> non_cpsp).")
    ignore_after: list[Phrase] = Field(
        default_factory=list, description="A mention of this value right after one of these is "
        "not read ('is an IBCLC': a credential, not who the person is).")
    ignore_before: list[Phrase] = Field(
        default_factory=list, description="A mention right before one of these is not read.")
    general: bool = Field(False, description="A general word for the fact ('the pump'): said in a "
                          "later message, it keeps a more specific value named earlier "
                          "('hospital-grade pump').")


class _FactBase(_Strict):
    description: str = ""
    like: str | None = Field(None, description="Start from a shared fact: '<pack>.<fact>'.")
    resets: bool = Field(False, description="A new value starts the conversation afresh.")
    belongs_to: str | None = Field(
        None, description="The fact this one describes (a certification belongs to the role): "
        "when a later message names another value of that fact, this one is forgotten unless "
        "restated.")
    unsure: list[Phrase] = Field(default_factory=list,
                                 description="Words that say the fact is not known yet.")
    asks: bool = Field(False, description="A message that states this fact is a billing-"
                       "eligibility question ('does the doula need liability insurance').")


class ChoiceFact(_FactBase):
    kind: Literal["choice"] = "choice"
    values: dict[str, ChoiceValue] = Field(default_factory=dict)
    only: list[str] | None = Field(None, description="Keep only these values of the 'like' fact.")
    pick: Literal["rank", "first", "last"] = "rank"
    negated: str | None = Field(
        None, description="The value when a named value is negated ('not certified' -> none); "
        "without it a negated mention is ignored.")
    mask: list[Phrase] = Field(default_factory=list,
                               description="Phrases whose words never count for this fact.")
    ignore_after: list[Phrase] = Field(
        default_factory=list, description="A mention right after one of these is not read.")
    ignore_before: list[Phrase] = Field(
        default_factory=list, description="A mention right before one of these is not read.")
    context: list[Phrase] = Field(
        default_factory=list, description="A mention counts only near one of these.")
    not_context: list[Phrase] = Field(
        default_factory=list, description="A mention near one of these does not count.")
    window: int = Field(6, ge=1, le=30, description="Words either side for (not_)context.")
    clear: list[Phrase] = Field(
        default_factory=list, description="Words of a later message that clear an earlier value "
        "when it names none ('who can then?').")
    focus: list[Phrase] = Field(
        default_factory=list, description="Words that put a value in focus: when a message names "
        "several values, one named right after these ('same for our LVN?', 'what about the MA') "
        "wins over the others.")
    refer: list[Phrase] = Field(
        default_factory=list, description="Words that refer back to a value named earlier in the "
        "message ('she' in 'our MA ... she signed the order'): with 'context', such a word near a "
        "context word counts as a mention of the value named last before it.")

    @field_validator("values")
    @classmethod
    def _value_ids(cls, values: dict[str, ChoiceValue]) -> dict[str, ChoiceValue]:
        for key in values:
            if not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", str(key)):
                raise ValueError(f"value {key!r}: use letters, digits and _")
        return values


class FlagFact(_FactBase):
    kind: Literal["flag"] = "flag"
    yes: list[Phrase] = Field(default_factory=list, description="Words that say yes.")
    no: list[Phrase] = Field(default_factory=list, description="Words that say no.")
    negatable: bool = Field(True, description="A negated 'yes' means no and a negated 'no' yes.")
    implies: dict[str, Any] = Field(default_factory=dict, description="Facts set by a yes.")


class NumberValue(_Strict):
    value: float
    words: list[Phrase]


class NumberFact(_FactBase):
    kind: Literal["number"] = "number"
    unit: str | None = Field(None, description="What the number counts (shown in sentences).")
    patterns: list[str] = Field(default_factory=list, description="Patterns with {num} and "
                                "optionally {unit}, or with {date} (a day: '3/1', 'march 1').")
    units: dict[str, float] = Field(default_factory=dict,
                                    description="Unit word -> multiplier to this fact's unit.")
    default_unit: float = Field(1.0, description="Multiplier when a pattern's {unit} (or "
                                "(?P<unit>)) matched no word: 'toddler is 2' -> years.")
    values: list[NumberValue] = Field(default_factory=list,
                                      description="Phrases that mean a fixed number.")
    pick: Literal["first", "last"] = "first"
    since: list[Phrase] = Field(
        default_factory=list, description="Months between dates: a month (and year) named after "
        "one of these ('delivered june 2024') and the last month named after it in the "
        "conversation ('a visit in april 2025') give the number (10), when none is stated.")

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            if "{num}" not in p and "(?P<num>" not in p and "{date}" not in p:
                raise ValueError(f"pattern {p!r} must contain {{num}} (where the number is) "
                                 "or {date}")
            _check_regex(p)
        return patterns


class DerivedFact(_Strict):
    kind: Literal["derived"] = "derived"
    description: str = ""
    true: dict[str, Any] | None = Field(None, description="When this holds the fact is true.")
    false: dict[str, Any] | None = Field(None, description="When this holds the fact is false.")
    unsure: dict[str, Any] | None = Field(None, description="When this holds it is unsure.")


def _fact_kind(data: Any) -> Any:
    """The kind of a fact written without 'kind:' (from the keys it has)."""
    if not isinstance(data, dict) or data.get("kind"):
        return data.get("kind") if isinstance(data, dict) else None
    if "yes" in data or "no" in data or "implies" in data:
        return "flag"
    if "patterns" in data or "units" in data:
        return "number"
    if "true" in data or "false" in data:
        return "derived"
    return "choice"


Fact = Annotated[ChoiceFact | FlagFact | NumberFact | DerivedFact,
                 Field(discriminator="kind")]


# -- scope, question words, rules, examples --------------------------------------------------------

class Scope(_Strict):
    pages: list[str] = Field(min_length=1, description="Doc ids of the page(s) the pack is from.")
    terms: list[Phrase] = Field(min_length=1, description="At least one must be in the question "
                                "or the conversation for the pack to apply at all.")
    exclude: list[Phrase] = Field(default_factory=list, description="Words in the question that "
                                  "put it outside the pack (another service) even with a term.")


class QuestionWords(_Strict):
    asks: list[Phrase] = Field(default_factory=list,
                               description="Words of a billing-eligibility question.")
    information: list[Phrase] = Field(
        default_factory=list, description="Words of a question after information only (how-to, "
        "definitions, where to find a form): no verdict.")


class Negation(_Strict):
    before: list[Phrase] = Field(default_factory=list, description="Negation before a phrase.")
    after: list[Phrase] = Field(default_factory=list, description="Negation after a phrase.")
    uncertain: list[Phrase] = Field(default_factory=list,
                                    description="'not sure if ...': what follows is unsure.")
    answers_no: list[Phrase] = Field(
        default_factory=list, description="Short answers after a label that say no ('CPR: no', "
        "'NPI - none', 'HIPAA: not yet'): the label is negated.")
    window: int = Field(4, ge=1, le=12, description="Words before a phrase a negation reaches.")
    after_window: int = Field(5, ge=1, le=12, description="Words after a phrase.")


class Rewrite(_Strict):
    re: str
    to: str
    when: str | None = Field(None, description="Only in a message matching this pattern.")

    @field_validator("re", "when")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v:
            _check_regex(v)
        return v


class GuardWords(_Strict):
    subjects: list[Phrase] = Field(default_factory=list,
                                   description="Who or what an answer sentence may be about.")
    actions: list[Phrase] = Field(default_factory=list,
                                  description="What it may say they can or cannot do.")
    ignore: list[Phrase] = Field(default_factory=list, description="Phrases that name no one "
                                 "('provider number'): blanked before subjects are looked for.")


class Citation(_Strict):
    doc_id: str
    quote: str = Field(min_length=1)


class RuleSpec(_Strict):
    id: str
    description: str = ""
    when: dict[str, Any] = Field(min_length=1)
    verdict: Literal["eligible", "not_eligible", "conditional", "unknown"]
    condition: str | None = None
    explanation: str = Field(min_length=1)
    ask: str | None = None
    citation: Citation | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ID.match(v):
            raise ValueError("'id' must be lower_snake_case text")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> RuleSpec:
        if self.verdict == "conditional" and not (self.condition or "").strip():
            raise ValueError("a conditional rule must state its 'condition'")
        if self.verdict != "conditional" and self.condition:
            raise ValueError("only a conditional rule has a 'condition'")
        if self.citation is None and self.verdict != "unknown":
            raise ValueError("a rule needs a 'citation' (doc_id and the exact quote); only an "
                             "'unknown' rule may go without")
        if not self.explanation.strip():
            raise ValueError("'explanation' must be non-empty text")
        return self


class Turn(_Strict):
    role: Literal["user", "assistant"]
    content: str


class Example(_Strict):
    question: str = Field(min_length=1)
    history: list[Turn | str] = Field(default_factory=list,
                                      description="Earlier turns (a plain string is a user turn).")
    verdict: Literal["eligible", "not_eligible", "conditional", "unknown", "none"]
    rule: str | None = Field(None, description="The rule that must decide it.")
    note: str = ""


class PackSpec(_Strict):
    id: str | None = Field(None, description="Defaults to the file name.")
    title: str = ""
    description: str = ""
    version: int = 1
    shared: bool = Field(False, description="A shared pack: vocabulary only, imported by others.")
    imports: list[str] = Field(default_factory=list)
    scope: Scope | None = None
    normalise: list[Rewrite] = Field(default_factory=list)
    negation: Negation | None = None
    question: QuestionWords | None = None
    numbers: dict[str, float] = Field(default_factory=dict, description="Number words.")
    guard: GuardWords | None = None
    facts: dict[str, Fact] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)

    @field_validator("facts", mode="before")
    @classmethod
    def _kinds(cls, facts: Any) -> Any:
        if isinstance(facts, dict):
            return {k: ({**v, "kind": _fact_kind(v)} if isinstance(v, dict) else v)
                    for k, v in facts.items()}
        return facts

    @field_validator("facts")
    @classmethod
    def _fact_ids(cls, facts: dict[str, Any]) -> dict[str, Any]:
        for key in facts:
            if not ID.match(key) or key in ("pack", "any", "all", "none", "not"):
                raise ValueError(f"fact name {key!r}: use lower_snake_case (not a reserved word)")
        return facts

    @model_validator(mode="after")
    def _shape(self) -> PackSpec:
        if self.shared:
            if self.scope or self.rules or self.examples:
                raise ValueError("a shared pack holds vocabulary only: no scope, rules or "
                                 "examples")
        else:
            if self.scope is None:
                raise ValueError("a pack needs a 'scope' (pages and terms)")
            if not self.rules:
                raise ValueError("a pack needs at least one rule")
        return self


# -- loading with line numbers ---------------------------------------------------------------------

class Located:
    """A parsed YAML document and the line of every value in it (by path)."""

    def __init__(self, data: Any, lines: dict[tuple, int]):
        self.data, self.lines = data, lines

    def line(self, path: tuple) -> int:
        """The line of ``path`` or of its nearest parent that has one."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def read_yaml(path: Path) -> Located:
    """Parse ``path`` keeping the line of every mapping value and list item."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise RulesError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc}). "
                         "Fix the file and reload.") from exc
    lines: dict[tuple, int] = {}
    constructor = yaml.SafeLoader(text)  # only used to turn scalars into Python values

    def walk(n, p: tuple) -> Any:
        lines[p] = n.start_mark.line + 1
        if isinstance(n, yaml.MappingNode):
            constructor.flatten_mapping(n)  # YAML merge keys (<<: *anchor)
            out = {}
            for k, v in n.value:
                key = constructor.construct_object(k, deep=True)
                if isinstance(key, bool):  # YAML 1.1 reads yes:/no:/true: keys as booleans
                    key = str(k.value).lower()
                out[key] = walk(v, p + (key,))
                lines[p + (key,)] = k.start_mark.line + 1
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, p + (i,)) for i, v in enumerate(n.value)]
        return constructor.construct_object(n, deep=True)

    data = walk(node, ()) if node is not None else None
    constructor.dispose()
    return Located(data, lines)


def load_file(path: Path, shared: dict[str, Located] | None = None
              ) -> tuple[PackSpec, Located]:
    """The validated pack of ``path``; RulesError listing every problem with file and line.

    ``shared`` holds the parsed shared packs by id: facts written ``like: <pack>.<fact>`` start
    from that fact (its values merged with the ones written here, ``only`` keeps some)."""
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise RulesError(f"{path}:1: a rule pack is a mapping (id, scope, facts, rules, "
                         "examples) at the top.")
    data = dict(doc.data)
    errors = _resolve_likes(data, shared or {}, doc, path)
    if errors:
        raise RulesError(f"Malformed rule pack {path}; fix these and reload:\n  "
                         + "\n  ".join(errors))
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise RulesError(f"Malformed rule pack {path}; fix these and reload:\n  " + "\n  ".join(
            problems(exc, doc, path))) from None
    if spec.id is None:
        spec.id = path.stem
    if not PACK_ID.match(spec.id):
        raise RulesError(f"{path}:{doc.line(('id',))}: pack id {spec.id!r}: use lower case, "
                         "digits, - and _")
    return spec, doc


EXTENDED = ("mask", "ignore_after", "ignore_before", "context", "not_context", "unsure", "yes",
            "no", "patterns", "clear", "focus", "refer")


def _resolve_likes(data: dict, shared: dict[str, Located], doc: Located, path: Path
                   ) -> list[str]:
    facts = data.get("facts")
    if not isinstance(facts, dict):
        return []
    errors, out = [], {}
    for name, raw in facts.items():
        if not isinstance(raw, dict) or not raw.get("like"):
            out[name] = raw
            continue
        like = str(raw["like"])
        pack, _, fact = like.partition(".")
        base = ((shared.get(pack).data or {}).get("facts") or {}).get(fact or name) \
            if pack in shared else None
        if pack not in (data.get("imports") or []) or not isinstance(base, dict):
            errors.append(f"{path}:{doc.line(('facts', name, 'like'))}: facts > {name}: like "
                          f"{like!r}: no such fact in an imported shared pack (imports: "
                          f"{data.get('imports') or []}; shared packs: {sorted(shared)})")
            continue
        merged = dict(base)
        for k, v in raw.items():
            if k in ("like", "values"):
                continue
            if isinstance(v, list) and isinstance(base.get(k), list) and k in EXTENDED:
                merged[k] = [*base[k], *v]  # a list of words: the shared ones and these
            else:
                merged[k] = v
        if isinstance(base.get("values"), dict) or isinstance(raw.get("values"), dict):
            values = dict(base.get("values") or {})
            if raw.get("only"):  # keep only these of the shared values; the pack's own stay
                values = {k: v for k, v in values.items() if k in raw["only"]}
            values.update(raw.get("values") or {})
            merged["values"] = values
        merged.pop("only", None)
        out[name] = merged
    data["facts"] = out
    return errors


def problems(exc: ValidationError, doc: Located, path: Path) -> list[str]:
    """One 'file:line: where: message' per pydantic error (union noise folded)."""
    seen, out = set(), []
    for err in exc.errors():
        loc = _clean_loc(err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        elif err["type"] == "missing":
            msg = f"'{loc[-1]}' is missing"
        key = (loc, msg)
        if key in seen:
            continue
        seen.add(key)
        where = " > ".join(_name(doc.data, loc[:i + 1]) for i in range(len(loc))) or "top"
        out.append(f"{path}:{doc.line(loc)}: {where}: {msg}")
    return out


def _name(data: Any, path: tuple) -> str:
    """A location step as a person reads it: a rule by its id, an example by its number."""
    step = path[-1]
    if isinstance(step, int) and len(path) == 2 and path[0] == "rules":
        rules = data.get("rules") if isinstance(data, dict) else None
        if isinstance(rules, list) and step < len(rules) and isinstance(rules[step], dict) \
                and isinstance(rules[step].get("id"), str):
            return rules[step]["id"]
        return f"rule {step + 1}"
    if isinstance(step, int):
        return f"{path[-2] if len(path) > 1 else 'item'} {step + 1}".replace("examples", "example")
    return str(step)


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union / discriminator tags from an error location."""
    tags = {"choice", "flag", "number", "derived", "str", "PhraseSpec", "Turn",
            "function-after[_one_way(), PhraseSpec]", "function-after[_consistent(), RuleSpec]"}
    return tuple(p for p in loc if not (isinstance(p, str) and (p in tags or p.startswith(
        ("function-", "tagged-union", "union[")))))

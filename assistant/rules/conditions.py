"""The small condition language of a rule's ``when`` (and of derived facts).

Every entry of the mapping must hold:

    fact: value            the fact has this value (null = not stated, unsure = said unsure)
    fact: [a, b, null]     the fact is one of these
    fact: {not: [a, b]}    the fact is none of these
    fact: {gte: 16}        a number compared (lt, lte, gt, gte); an unstated number never matches
    fact: {before: other}  a number smaller than another number fact (after: larger): time order,
                           "the authorization (day 5) before the rental (day 6)"
    any: [{...}, {...}]    at least one of these conditions holds
    all: [{...}, {...}]    all of them hold
    none: [{...}, {...}]   none of them holds

``evaluate`` is the same with three values (True, False, None = cannot tell yet), which
``rules lint`` uses to search for scenarios.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistant.rules.schema import UNSURE, ChoiceFact, DerivedFact, FlagFact, NumberFact

NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}
ORDER_OPS: dict[str, Callable[[float, float], bool]] = {
    "before": lambda a, b: a < b, "after": lambda a, b: a > b,
}
GROUPS = ("any", "all", "none")
UNSET = object()  # lint: a fact not assigned yet


def matches(when: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """True when every entry of ``when`` holds for ``facts`` (a missing fact is null)."""
    return evaluate(when, {k: v for k, v in facts.items()}, default=None) is True


def evaluate(when: Mapping[str, Any], facts: Mapping[str, Any], default: Any = UNSET
             ) -> bool | None:
    """True / False, or None when a fact it needs is still UNSET."""
    result: bool | None = True
    for key, want in when.items():
        if key in GROUPS:
            subs = [evaluate(sub, facts, default) for sub in want]
            if key == "any":
                r = True if True in subs else (None if None in subs else False)
            elif key == "all":
                r = False if False in subs else (None if None in subs else True)
            else:
                r = False if True in subs else (None if None in subs else True)
        elif isinstance(want, dict) and len(want) == 1 and next(iter(want)) in ORDER_OPS:
            (op, other), = want.items()
            a, b = facts.get(key, default), facts.get(other, default)
            r = None if UNSET in (a, b) else (
                _is_number(a) and _is_number(b) and ORDER_OPS[op](a, b))
        else:
            value = facts.get(key, default)
            r = None if value is UNSET else field_matches(value, want)
        if r is False:
            return False
        if r is None:
            result = None
    return result


def field_matches(value: Any, want: Any) -> bool:
    if isinstance(want, list):
        return any(_equal(value, w) for w in want)
    if isinstance(want, dict):
        (op, arg), = want.items()
        if op == "not":
            return not any(_equal(value, w) for w in (arg if isinstance(arg, list) else [arg]))
        return _is_number(value) and NUMERIC_OPS[op](value, arg)
    return _equal(value, want)


def _equal(value: Any, want: Any) -> bool:
    if isinstance(value, bool) or isinstance(want, bool) or value is None or want is None:
        return value is want
    return value == want


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def facts_used(when: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for key, want in when.items():
        if key in GROUPS:
            for sub in want:
                out |= facts_used(sub)
        else:
            out.add(key)
            if isinstance(want, dict) and len(want) == 1 and next(iter(want)) in ORDER_OPS:
                out.add(next(iter(want.values())))
    return out


def thresholds(when: Mapping[str, Any], fact: str) -> set[float]:
    """The numbers ``fact`` is compared with in ``when``."""
    out: set[float] = set()
    for key, want in when.items():
        if key in GROUPS:
            for sub in want:
                out |= thresholds(sub, fact)
        elif key == fact:
            wants = want if isinstance(want, list) else [want]
            for w in wants:
                if isinstance(w, dict) and next(iter(w)) in NUMERIC_OPS:
                    out.add(float(next(iter(w.values()))))
                elif _is_number(w):
                    out.add(float(w))
    return out


# -- validation -----------------------------------------------------------------------------------

def validate(when: Any, facts: Mapping[str, Any], where: str) -> list[str]:
    """Problems with a ``when`` mapping against the pack's facts (empty when it is valid)."""
    if not isinstance(when, dict) or not when:
        return [f"{where}: 'when' must be a non-empty mapping of facts to values"]
    problems: list[str] = []
    for key, want in when.items():
        if key in GROUPS:
            if not isinstance(want, list) or not want:
                problems.append(f"{where}: '{key}' must be a non-empty list of conditions")
                continue
            for i, sub in enumerate(want):
                problems += validate(sub, facts, f"{where} > {key}[{i}]")
        elif key not in facts:
            problems.append(f"{where}: unknown fact {key!r} (this pack's facts: "
                            f"{', '.join(facts) or 'none'})")
        elif isinstance(want, dict) and len(want) == 1 and next(iter(want)) in ORDER_OPS:
            other = next(iter(want.values()))
            if not isinstance(facts[key], NumberFact) or not isinstance(
                    facts.get(other), NumberFact):
                problems.append(f"{where}: {key}: '{next(iter(want))}' compares two number facts "
                                f"({other!r} is not one)")
        else:
            problems += _validate_value(key, facts[key], want, where)
    return problems


def allowed_values(fact: Any) -> tuple[Any, ...] | None:
    """The values a fact can take (None: any number)."""
    if isinstance(fact, ChoiceFact):
        return (*fact.values, None, UNSURE)
    if isinstance(fact, (FlagFact, DerivedFact)):
        return (True, False, None, UNSURE)
    return None


def _validate_value(name: str, fact: Any, want: Any, where: str) -> list[str]:
    if isinstance(want, dict):
        if len(want) != 1:
            return [f"{where}: {name}: an operator mapping has exactly one key"]
        (op, arg), = want.items()
        if op == "not":
            values = arg if isinstance(arg, list) else [arg]
        elif op in NUMERIC_OPS:
            if not isinstance(fact, NumberFact):
                return [f"{where}: {name}: '{op}' only applies to number facts"]
            if not _is_number(arg):
                return [f"{where}: {name}: '{op}' needs a number, got {arg!r}"]
            return []
        else:
            return [(f"{where}: {name}: unknown operator {op!r} (use not, lt, lte, gt, gte, "
                    "before, after)")]
    else:
        values = want if isinstance(want, list) else [want]
    allowed = allowed_values(fact)
    if allowed is None:
        return [f"{where}: {name}: {v!r} is not a number" for v in values
                if v is not None and v != UNSURE and not _is_number(v)]
    return [f"{where}: {name}: {v!r} is not one of {list(allowed)}" for v in values
            if not any(_equal(v, a) for a in allowed)]

"""The small condition language of rules/*.yaml, and the named predicates rules may call.

A rule's ``when`` is a mapping; every entry must hold:

    field: value          the Scenario field equals value (null = not stated)
    field: [a, b, null]   the field is one of these
    field: {not: [a, b]}  the field is none of these
    field: {lte: 12}      numeric comparison (lt, lte, gt, gte); an unstated value never matches
    test: name | [names]  registered predicates (PREDICATES below) that must all hold
    any: [{...}, {...}]   at least one of these sub-conditions holds
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.rules.model import Scenario, literal_values

CERTIFIED = ("ibclc", "lec", "lactation")
NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}
NUMERIC_FIELDS = ("infant_age_months",)


@dataclass(frozen=True)
class Predicate:
    name: str
    description: str
    fn: Callable[[Scenario], bool]


def _certified_person(s: Scenario) -> bool:
    """Someone whose lactation credential is the point: an LEC/IBCLC, or staff holding one."""
    if s.renderer_role in ("IBCLC", "LEC") or s.renderer_role is None:
        return True
    return s.renderer_certification in CERTIFIED and s.renderer_role in (
        "CPHW", "MA", "RN", "LVN", "nurse")


def _certified_staff_known(s: Scenario) -> bool:
    """A staff member is known to be an LEC or IBCLC."""
    return (s.renderer_role in ("IBCLC", "LEC") or s.has_certified_staff is True
            or (s.renderer_role is None and s.renderer_certification in CERTIFIED))


def _certified_staff_unstated(s: Scenario) -> bool:
    """Nothing is said about who renders the service or their certification."""
    return (s.renderer_role is None and s.has_certified_staff is None
            and s.renderer_certification == "unknown")


#: Every predicate a rule may name, in one list.
PREDICATES: tuple[Predicate, ...] = (
    Predicate("certified_person", _certified_person.__doc__ or "", _certified_person),
    Predicate("certified_staff_known", _certified_staff_known.__doc__ or "",
              _certified_staff_known),
    Predicate("certified_staff_unstated", _certified_staff_unstated.__doc__ or "",
              _certified_staff_unstated),
)
_BY_NAME = {p.name: p for p in PREDICATES}


def matches(when: dict[str, Any], s: Scenario) -> bool:
    """True when every entry of ``when`` holds for the scenario."""
    for key, want in when.items():
        if key == "test":
            names = [want] if isinstance(want, str) else want
            if not all(_BY_NAME[n].fn(s) for n in names):
                return False
        elif key == "any":
            if not any(matches(sub, s) for sub in want):
                return False
        elif not _field_matches(getattr(s, key), want):
            return False
    return True


def _field_matches(value: Any, want: Any) -> bool:
    if isinstance(want, list):
        return value in want
    if isinstance(want, dict):
        (op, arg), = want.items()
        if op == "not":
            return value not in (arg if isinstance(arg, list) else [arg])
        return value is not None and NUMERIC_OPS[op](value, arg)
    return value == want


def validate(when: Any, where: str) -> list[str]:
    """Problems with a ``when`` mapping, as messages (empty when it is valid)."""
    if not isinstance(when, dict) or not when:
        return [f"{where}: 'when' must be a non-empty mapping of scenario fields to values"]
    problems: list[str] = []
    for key, want in when.items():
        if key == "test":
            names = [want] if isinstance(want, str) else want
            if not isinstance(names, list) or not names:
                problems.append(f"{where}: 'test' must name a predicate or a list of them")
                continue
            problems += [f"{where}: unknown predicate {n!r} (known: {', '.join(_BY_NAME)})"
                         for n in names if n not in _BY_NAME]
        elif key == "any":
            if not isinstance(want, list) or not want:
                problems.append(f"{where}: 'any' must be a non-empty list of conditions")
                continue
            for i, sub in enumerate(want):
                problems += validate(sub, f"{where} any[{i}]")
        elif key not in Scenario.model_fields:
            problems.append(f"{where}: unknown scenario field {key!r}")
        else:
            problems += _validate_value(key, want, where)
    return problems


def _validate_value(field: str, want: Any, where: str) -> list[str]:
    allowed = literal_values(field)
    if isinstance(want, dict):
        if len(want) != 1:
            return [f"{where}: {field}: an operator mapping has exactly one key"]
        (op, arg), = want.items()
        if op == "not":
            values = arg if isinstance(arg, list) else [arg]
        elif op in NUMERIC_OPS:
            if field not in NUMERIC_FIELDS:
                return [f"{where}: {field}: '{op}' only applies to {', '.join(NUMERIC_FIELDS)}"]
            if isinstance(arg, bool) or not isinstance(arg, (int, float)):
                return [f"{where}: {field}: '{op}' needs a number, got {arg!r}"]
            return []
        else:
            return [f"{where}: {field}: unknown operator {op!r} (use not, lt, lte, gt, gte)"]
    else:
        values = want if isinstance(want, list) else [want]
    if allowed is None:
        if field in NUMERIC_FIELDS:
            bad = [v for v in values if v is not None and (
                isinstance(v, bool) or not isinstance(v, (int, float)))]
            return [f"{where}: {field}: {v!r} is not a number" for v in bad]
        return []
    return [f"{where}: {field}: {v!r} is not one of {list(allowed)}"
            for v in values if v not in allowed]

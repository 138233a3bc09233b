"""Question (+ earlier user turns) -> Scenario, deterministically, with the lexicon's patterns.

Each user turn is read on its own; later turns override earlier facts. A turn on another topic
starts afresh; a turn without a topic ("what about if she's an RN?") keeps the earlier one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.rules import lexicon as lx
from assistant.rules.model import Scenario
from assistant.types import Turn

LICENSED_FIRST = ("CNM", "NP", "PA", "RN", "LVN", "licensed_midwife")
_ROLE_FIELDS = ("renderer_role", "prescriber_role")


@dataclass
class RoleMention:
    role: str
    cert: str | None
    kind: str  # "role" | "cert"
    start: int
    attribute: bool = False  # credential named as a property ("has her IBCLC")
    by: bool = False  # "provided by an RN"


@dataclass
class TurnFacts:
    """What one turn says; only keys in ``facts`` were stated."""

    facts: dict[str, Any] = field(default_factory=dict)
    role: str | None = None
    role_cert: str | None = None  # certification implied by naming the person (IBCLC -> ibclc)
    cert: str | None = None  # certification stated as a property, or negated
    info_only: bool = False
    eligibility_cue: bool = False
    who_question: bool = False
    same_person: bool = False
    weak_topic: bool = False  # "referral" without any lactation word: only as a follow-up


def extract_scenario(question: str, history: Sequence[Turn] | None = None) -> Scenario:
    """The scenario of ``question``, read together with the earlier user turns of ``history``."""
    texts = [t.content for t in (history or []) if t.role == "user"] + [question or ""]
    state: dict[str, Any] = {}
    for text in texts:
        state = _merge(state, read_turn(text))
    return Scenario(**{k: v for k, v in state.items() if k in Scenario.model_fields})


def _merge(state: dict[str, Any], turn: TurnFacts) -> dict[str, Any]:
    topic = turn.facts.get("topic")
    if turn.weak_topic:
        if state.get("topic") in ("lactation_services", "referral"):
            turn.facts["topic"] = topic = "referral"
        else:
            turn.facts.pop("topic", None)
            topic = None
    if topic and state.get("topic") and topic != state["topic"]:
        state = {}
    state = dict(state)
    carried_billing = bool(state.get("is_billing_question"))
    if turn.who_question and turn.role is None:
        for key in (*_ROLE_FIELDS, "renderer_certification", "asks_medical_necessity"):
            state.pop(key, None)
    state.update(turn.facts)
    topic = state.get("topic")
    if turn.role is not None:
        slot = "prescriber_role" if topic == "dme_prescription" else "renderer_role"
        changed = state.get(slot) != turn.role
        state[slot] = turn.role
        if slot == "renderer_role":
            if turn.cert is not None:
                state["renderer_certification"] = turn.cert
            elif turn.role_cert is not None:
                state["renderer_certification"] = turn.role_cert
            elif changed and not turn.same_person:
                state["renderer_certification"] = "unknown"
    elif turn.cert is not None and topic != "dme_prescription":
        state["renderer_certification"] = turn.cert
    if turn.info_only:
        state["is_billing_question"] = False
    else:
        state["is_billing_question"] = turn.eligibility_cue or (
            carried_billing and "topic" not in turn.facts) or (
            carried_billing and topic == turn.facts.get("topic"))
    if state.get("renderer_certification") is None:
        state.pop("renderer_certification", None)
    return state


def read_turn(text: str) -> TurnFacts:
    """The facts one message states (nothing carried over)."""
    raw = text or ""
    t = lx.normalise(raw)
    if lx.DME.search(t) or lx.RENT.search(t):
        t = lx.PA_AS_AUTH.sub("prior authorization", t)
    out = TurnFacts()
    f = out.facts
    mentions = _role_mentions(t, raw)
    topic = _topic(t, mentions)
    if topic:
        f["topic"] = topic
        out.weak_topic = topic == "referral" and not lx.LACTATION_CONTEXT.search(t)
    out.who_question = bool(lx.WHO_QUESTION.search(t))
    out.same_person = bool(lx.PRONOUN_SAME_PERSON.search(t) or lx.ALSO.search(t))
    _roles(out, mentions, t)
    _billing(f, t)
    if f.get("has_certified_staff") is False and out.role is None:
        out.cert = None  # "nobody on staff is certified" is about the staff, not one person
    _status(f, t)
    _dme(f, t)
    _member(f, t)
    age = parse_age_months(t)
    if age is not None:
        f["infant_age_months"] = age
    if lx.OTHER_PROGRAM.search(t):
        f["program"] = "other"
    elif lx.MEDI_CAL.search(t):
        f["program"] = "medi-cal"
    billing = bool(lx.BILLING_WORDS.search(t))
    if billing:
        f["mentions_billing"] = True
    cue = billing or bool(lx.ELIGIBILITY_WORDS.search(lx.POLITE.sub(" ", t)))
    out.info_only = bool(lx.INFORMATION_ONLY.search(t)) and not (
        lx.RENDERER_BILLS.search(t) or lx.PROVIDER_BILLS.search(t))
    out.eligibility_cue = cue and not out.info_only
    return out


# -- topic and roles ------------------------------------------------------------------------------

def _topic(t: str, mentions: list[RoleMention]) -> str | None:
    dme = bool(lx.DME.search(t) or lx.ITEM_OTHER.search(t))
    if lx.PRESCRIPTION.search(t):
        return "dme_prescription"
    if dme:
        return "lactation_dme"
    if lx.REFERRAL.search(t):
        return "referral"
    if lx.SERVICES.search(t) or lx.MED_NECESSITY.search(t) or any(
            m.role in ("IBCLC", "LEC") for m in mentions):
        return "lactation_services"
    return None


def _role_mentions(t: str, raw: str) -> list[RoleMention]:
    masked = lx.NOT_A_PERSON.sub(lambda m: " " * len(m.group()), t)
    taken = [False] * len(masked)
    found: list[RoleMention] = []
    for pattern, role, cert, kind in lx.ROLE_TERMS:
        for m in pattern.finditer(masked):
            a, b = m.span()
            if any(taken[a:b]):
                continue
            taken[a:b] = [True] * (b - a)
            before = masked[max(0, a - 45):a]
            if lx.NEGATED_BEFORE.search(before):
                continue
            attribute = kind == "cert" and bool(
                lx.ATTRIBUTE_BEFORE.search(before) or lx.ATTRIBUTE_AFTER.search(masked[b:b + 16]))
            found.append(RoleMention(role, cert, kind, a, attribute,
                                     bool(lx.BY_BEFORE.search(before))))
    if not raw.isupper():
        for m in lx.DO_UPPER.finditer(raw):
            found.append(RoleMention("physician", None, "role", m.start()))
    return sorted(found, key=lambda m: m.start)


def _roles(out: TurnFacts, mentions: list[RoleMention], t: str) -> None:
    people = [m for m in mentions if m.kind == "role"]
    creds = [m for m in mentions if m.kind == "cert"]
    names = {m.role for m in people}
    if "CNM" in names or "licensed_midwife" in names:
        people = [m for m in people if m.role != "midwife"]
    if names & {"NP", "RN", "LVN", "CNM"}:
        people = [m for m in people if m.role != "nurse"]
    if len({m.role for m in people}) > 1 and any(m.role == "physician" for m in people):
        others = [m for m in people if m.role != "physician"]
        if others:
            people = others
            out.facts.setdefault("billing_party", "provider")
    consultant = next((m for m in creds if not m.attribute), None)
    if consultant and people and all(m.role == "physician" for m in people):
        people = []  # "the physician bills for our IBCLC": the consultant renders
        out.facts.setdefault("billing_party", "provider")
    chosen = next((m for m in people if m.by), people[0] if people else None)
    if chosen is None:
        chosen = next((m for m in creds if not m.attribute), None)
        if chosen is not None:
            out.role_cert = chosen.cert
    if chosen is not None:
        out.role = chosen.role
    stated = [m.cert for m in creds if m is not chosen and m.cert]
    if stated:
        out.cert = stated[0]
    elif lx.CERT_GENERIC.search(t):
        out.cert = "lactation"
    if lx.CERT_NONE.search(t) and not stated:
        out.cert = "none"


def _billing(f: dict[str, Any], t: str) -> None:
    own = lx.RENDERER_BILLS.search(t)
    firm = lx.PROVIDER_BILLS.search(t)
    if (own and (not firm or own.start() <= firm.start())) or (
            lx.SELF_CONSULTANT.search(t) and lx.SELF_BILLS.search(t)):
        f["billing_party"] = "renderer"
    elif firm:
        f["billing_party"] = "provider"
    nobody = bool(lx.STAFF_NONE.search(t))
    if lx.SUBCONTRACT.search(t):
        f["staffing"] = "subcontract"
    elif lx.ON_STAFF.search(t) and not nobody:
        f["staffing"] = "on_staff"
    if nobody:
        f["has_certified_staff"] = False
    elif lx.STAFF_SOME.search(t):
        f["has_certified_staff"] = True


def _status(f: dict[str, Any], t: str) -> None:
    checks = (("ppg", lx.PPG), ("non_participating", lx.NON_PARTICIPATING), ("cpsp", None),
              ("ffs_direct", lx.FFS), ("non_cpsp", lx.NON_CPSP),
              ("formal_arrangement", lx.FORMAL_ARRANGEMENT))
    non_cpsp = bool(lx.NON_CPSP.search(t))
    for status, pattern in checks:
        hit = (lx.CPSP.search(t) and not non_cpsp) if status == "cpsp" else pattern.search(t)
        if hit:
            f["provider_status"] = status
            break
    if f.get("provider_status") == "formal_arrangement":
        f["staffing"] = "subcontract"
    if f.get("provider_status") == "non_participating":
        if f.get("staffing") == "subcontract" and not lx.SUBCONTRACT.search(t):
            del f["staffing"]
        if lx.CONTACT_NO.search(t):
            f["contacted_before_service"] = False
        elif lx.CONTACT_YES.search(t):
            f["contacted_before_service"] = True


def _dme(f: dict[str, Any], t: str) -> None:
    if lx.ITEM_OTHER.search(t):
        f["item"] = "other"
    else:
        for pattern, item in lx.ITEMS:
            if pattern.search(t):
                f["item"] = item
                break
    rent, buy = bool(lx.RENT.search(t)), bool(lx.BUY.search(t))
    if rent and buy:
        if lx.BUY_NOT_RENT.search(t):
            f["acquisition"] = "buy"
        elif lx.RENT_NOT_BUY.search(t):
            f["acquisition"] = "rent"
        elif lx.ASKED_BUY.search(t) and not lx.ASKED_RENT.search(t):
            f["acquisition"] = "buy"
        elif lx.ASKED_RENT.search(t) and not lx.ASKED_BUY.search(t):
            f["acquisition"] = "rent"
    elif rent:
        f["acquisition"] = "rent"
    elif buy:
        f["acquisition"] = "buy"
    if lx.AUTH_MENTION.search(t):
        f["prior_auth_mentioned"] = True
        if lx.AUTH_MISSING.search(t):
            f["prior_auth"] = "not_obtained"
        elif lx.AUTH_OBTAINED.search(t):
            f["prior_auth"] = "obtained"


def _member(f: dict[str, Any], t: str) -> None:
    ante, post = bool(lx.PERIOD_ANTE.search(t)), bool(lx.PERIOD_POST.search(t))
    if lx.PERIOD_OTHER.search(t):
        f["period"] = "other"
    elif ante or post:
        f["period"] = "both" if ante and post else ("antepartum" if ante else "postpartum")
    if lx.MED_NECESSITY.search(t):
        f["asks_medical_necessity"] = True
    if lx.STD_WORKED.search(t):
        f["standard_support_failed"] = False
    elif lx.STD_FAILED.search(t):
        f["standard_support_failed"] = True
    if lx.WANTS_NO.search(t):
        f["wants_to_breastfeed"] = False
    elif lx.WANTS_YES.search(t):
        f["wants_to_breastfeed"] = True


# -- ages -----------------------------------------------------------------------------------------
_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "twenty-four": 24, "twenty four": 24,
}
_NUM = r"(\d+(?:\.\d+)?|twenty[- ]four|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + ")"
_UNIT = r"(weeks?|wks?|months?|mos?|mths?|mons?|years?|yrs?|y/?o|days?)"
_AGE = re.compile(
    rf"\b{_NUM}(\s+and\s+a\s+half)?[\s-]*{_UNIT}\b(\s+and\s+a\s+half)?([\s-]*(?:old|of age)\b)?"
    r"(?![\s-]*(?:post[- ]?partum|pregnan\w*|gestation\w*|ago|later|from now|after\b))")
_AGE_CONTEXT = re.compile(r"\b(baby|babies|infant|child|son|daughter|newborn|kid|toddler|twins|"
                          r"preemie|age|aged|she's|he's|turned|turns)\b[^.?!]{0,25}$")
_AGE_WORD = re.compile(r"\b(?:age|aged)\s+(\d+|one|two|three)\b")
_TURNED = re.compile(r"\bturn(?:ed|s)?\s+(one|1|two|2)\b|\bfirst birthday\b")
_ONE = (r"(?:(?:one|1)(?:[\s-]*(?:years?|yrs?))?(?![\s-]*(?:months?|mos?|weeks?|wks?|days?)\b)"
        r"|a year|12 months)\b")
_UNDER_ONE = re.compile(r"\b(?:under|younger than|less than)\s+(?:age\s+)?" + _ONE)
_OVER_ONE = re.compile(r"\b(?:over|older than|more than)\s+(?:age\s+)?" + _ONE)
_NEWBORN = re.compile(r"\bnew-?born\b|\bneonat\w*|\bjust born\b|\bnewly born\b")
_PER_MONTH = {"w": 12 / 52, "m": 1.0, "y": 12.0, "d": 12 / 365.25}


def parse_age_months(t: str) -> float | None:
    """The infant's age in months, from "6 weeks", "10 mo old", "1 year", "2 yrs", "newborn"..."""
    t = t.lower()
    if _UNDER_ONE.search(t):
        return 11.0
    if _OVER_ONE.search(t):
        return 13.0
    for m in _AGE.finditer(t):
        number, half1, unit, half2, old = m.groups()
        if not old and not _AGE_CONTEXT.search(t[max(0, m.start() - 40):m.start()]):
            continue
        value = float(_WORDS[number]) if number in _WORDS else float(number)
        if half1 or half2:
            value += 0.5
        kind = "y" if unit.startswith("y") else unit[0]
        return round(value * _PER_MONTH[kind], 2)
    if m := _AGE_WORD.search(t):
        word = m.group(1)
        return float(_WORDS.get(word, 0) or int(word)) * 12
    if m := _TURNED.search(t):
        return 24.0 if m.group(1) in ("two", "2") else 12.0
    if _NEWBORN.search(t):
        return 0.0
    return None

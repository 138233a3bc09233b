"""The rule guard: no answer sentence may contradict the verdict. Pure and deterministic.

A sentence contradicts when one of its clauses makes a claim (yes/no, a modal such as "can" or
"cannot") about the verdict's subject (the role, provider, item or prescriber of the scenario)
doing the verdict's action (bill, provide, rent, buy, prescribe, refer ...), and the claim's
polarity opposes the verdict: a "no" against ``eligible``, a "yes" against ``not_eligible``, and
any unqualified "yes" or "no" against ``conditional`` or ``unknown``. Claims limited by "if",
"only", "unless", "with prior authorization" ... are qualified and only settled verdicts care
about them the other way round. Sentences of the verdict's own statement, explanation and cited
quote are trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.rules.model import Decision
from assistant.types import Verdict

LABELS = {"eligible": "Eligible", "not_eligible": "Not eligible", "conditional": "Conditional",
          "unknown": "Not settled by the manual"}

_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'\u201d\u2019)\]])\s+|\s*\n\s*")
_TERMINATED = re.compile(r"[.!?][\"'\u201d\u2019)\]]?$")
_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_CLAUSES = re.compile(r",?\s+but\s+|;\s*|,\s*however,?\s*|\s+however,\s+|\s+whereas\s+|"
                      r",\s*while\s+|,\s*although\s+|,\s*though\s+|\s+-\s+|:\s+|\s+and\s+(?=(?:"
                      r"you|they|she|he|we|it|the|a|an|members?|providers?)\s+(?:can|may|cannot|"
                      r"can't|may not|must|will|won't)\b)")
_LEAD_SUB = re.compile(r"^\s*(?:if|when|unless|once|because|since|although|while|as long as|"
                       r"provided(?: that)?)\b[^,]*,\s*")
_TRAIL_SUB = re.compile(r"\s+(?:only\s+)?(?:if|unless|when|once|as long as|provided(?: that)?|"
                        r"so long as)\b.*$")
_REL_NEG = re.compile(r"\b(?:who|that|which)\s+(?:are|is|do|does|were|was)\s*(?:not|n't)\s+"
                      r"[\w-]+(?:\s+certified)?|\bnon-[\w-]+|\bnot only\b")
_NUMBERS = re.compile(r"\b(?:medi-?cal\s+)?provider\s+(?:number|id)s?\b|\bmedi-?cal\s+numbers?\b|"
                      r"\bnpi\b")

_YES = re.compile(r"^\W*(?:yes|yeah|yep|correct|absolutely|sure|eligible)\b")
_NO = re.compile(r"^\W*(?:no|nope|not eligible|ineligible)\b(?!\s+(?:one|longer|more|later|"
                 r"need|prior|formal))")
_HEDGE = re.compile(
    r"^\W*(?:conditional|not settled|unknown|it depends|depends)\b|"
    r"\b(?:does not|doesn't|do not|don't|did not)\s+(?:say|settle|address|mention|list|specify|"
    r"state|name|describe|cover whether|tell)\b|\bnot (?:settled|specified|mentioned|listed|"
    r"clear|addressed|described|named|stated)\b|\bunclear\b|\bno information\b|\bnot sure\b|"
    r"\buncertain\b|\bunknown\b|\bcontact (?:health net )?provider services\b|\bcheck with\b|"
    r"\bconfirm with\b|\bit depends\b|\bdepends on\b"
)
_NEG = re.compile(r"\b(?:cannot|can ?not|can't|cant|may not|must not|mustn't|not|isn't|aren't|"
                  r"won't|wouldn't|doesn't|don't|didn't|never|no longer|unable|ineligible|"
                  r"prohibited|disallowed|excluded|neither|nor)\b")
_POS = re.compile(r"\b(?:can|may|could|able|allowed|permitted|eligible|covered|qualif\w*|ok|"
                  r"okay|fine|yes|billable|reimbursable|will be (?:paid|covered|reimbursed)|"
                  r"go ahead|should bill|is included|are included|includes?)\b")
_QUAL = re.compile(r"\b(?:if|only|unless|when|once|as long as|provided that|provided|except|"
                   r"after|before|up to|until|under age|subject to|depend\w*|condition\w*|"
                   r"requires?|required|must|"
                   r"with(?:out)? (?:an? |the )?(?:approved )?(?:prior )?auth\w*|instead|"
                   r"rather than|through|via|on behalf)\b")
_DIRECT = re.compile(r"\bdirectly\b|\bown (?:medi-?cal |provider )*(?:number|npi|id)\b|"
                     r"\bindependently\b|\bon (?:her|his|their|its) own\b|\benroll\w*\b|"
                     r"\bassigned\b")

_PRONOUNS = r"you|your|they|them|he|she|i|we|us|our"
_PROVIDER = (r"providers?|practices?|clinics?|offices?|groups?|physicians?|doctors?|hospitals?|"
             r"facilit(?:y|ies)|cpsp|ppgs?|fqhcs?")
_ROLE_WORDS = {
    "IBCLC": r"ibclcs?|lactation consultants?|consultants?|lcs?",
    "LEC": r"c?lecs?|lactation educators?|educator[- ]counsel(?:l)?ors?|counsel(?:l)?ors?",
    "RN": r"rns?|registered nurses?|nurses?", "LVN": r"lvns?|lpns?|vocational nurses?|nurses?",
    "NP": r"nps?|nurse practitioners?", "PA": r"pas?|pa-c|physician assistants?",
    "MA": r"mas?|medical assistants?", "CPHW": r"cphws?|perinatal health workers?",
    "CNM": r"cnms?|nurse[- ]midwi(?:fe|ves)|midwi(?:fe|ves)", "physician": r"physicians?|doctors?|mds?",
    "pharmacist": r"pharmacists?", "doula": r"doulas?", "midwife": r"midwi(?:fe|ves)",
    "licensed_midwife": r"midwi(?:fe|ves)", "nurse": r"nurses?",
    "CHW": r"community health workers?|chws?", "peer_counselor": r"peer counsel(?:l)?ors?",
}
_ITEM_WORDS = {
    "hospital_grade_pump": r"hospital[- ]grade|pumps?", "manual_pump": r"manual|pumps?",
    "personal_electric_pump": r"personal[- ]use|electric|pumps?", "breast_pump": r"pumps?",
    "breast_shells": r"shells?", "nipple_shields": r"shields?",
}
_MEMBER = (r"members?|mothers?|moms?|mums?|patients?|it|one|they|them|dme|equipment|items?|"
           r"rentals?|purchases?")
_RENTAL = re.compile(r"\b(?:rent\w*|leas\w*)\b")
_BASE_ACTIONS = r"cover\w*|eligible|allowed|permitted|qualif\w*|ok|okay|fine|approved"
_ACTIONS = {
    "lactation_services": r"bill\w*|reimburs\w*|paid|pay|claim\w*|provide[sd]?|providing|render\w*|"
                          r"offer\w*|"
                          r"deliver\w*|contract\w*|see|necessary|assigned|enroll\w*|get",
    "referral": r"refer\w*",
    "dme_prescription": r"prescri\w*|write|writes|wrote|written|order\w*|sign\w*|authori[sz]ed",
}
_DME_ANY = (r"obtain\w*|get|gets|got|receive\w*|have|dispens\w*|provide[sd]?|providing|available|"
            r"included")
_RENT = r"rent\w*|leas\w*"
_BUY = r"buy\w*|bought|purchas\w*|own|keep"


_CPSP = re.compile(r"\bcpsp\b|comprehensive perinatal")
_NON_CPSP = re.compile(r"\bnon-?cpsp\b|\bnot (?:\w+ )?cpsp\b")
_PPG = re.compile(r"\bppgs?\b|participating physician groups?")
_NON_PAR = re.compile(r"\bnon-?participating\b|without a formal arrangement|out[- ]of[- ]network")
_PERIODS = re.compile(r"\b(?:ante|post)-?partum\b|\bpre-?natal\b|\bpregnan\w*")
_HOSPITAL_GRADE = re.compile(r"\bhospital[- ]grade\b")
_OTHER_PUMPS = re.compile(r"\bmanual\b|\bpersonal[- ]use\b")
_NOT_ROLES = re.compile(r"participating physicians?(?: groups?| or facilit(?:y|ies))?|"
                        r"physician groups?|physician'?s? assistants?")
_ROLE_MENTIONS = {k: re.compile(v) for k, v in {
    "IBCLC": r"\bibclcs?\b|lactation consultants?", "LEC": r"\bc?lecs?\b|lactation educator",
    "RN": r"\brns?\b|registered nurses?", "LVN": r"\blvns?\b|\blpns?\b|vocational nurses?",
    "NP": r"\bnps?\b|nurse practitioners?", "PA": r"\bpas\b|\bpa-c\b|physician'?s? assistants?",
    "MA": r"\bmas?\b|medical assistants?", "CPHW": r"\bcphws?\b|perinatal health workers?",
    "CNM": r"\bcnms?\b|nurse[- ]midwi", "physician": r"\bphysicians?\b|\bdoctors?\b|\bmds?\b",
    "pharmacist": r"\bpharmacists?\b", "doula": r"\bdoulas?\b", "midwife": r"\bmidwi(?:fe|ves)\b",
    "CHW": r"community health workers?|\bchws?\b", "peer_counselor": r"peer counsel",
}.items()}
_SAME_ROLE = {"nurse": {"RN", "LVN", "NP"}, "midwife": {"midwife", "CNM"},
              "licensed_midwife": {"midwife"}, "CNM": {"CNM", "midwife"},
              "IBCLC": {"IBCLC", "LEC"}, "LEC": {"IBCLC", "LEC"}}


@dataclass(frozen=True)
class _View:
    kind: str
    scenario: dict[str, Any]
    statement: str
    trusted: frozenset[str]


def verdict_statement(verdict: Verdict | Decision) -> str:
    """The verdict as the answer's opening: "Not eligible: <explanation> <question to ask>"."""
    if isinstance(verdict, Decision):
        kind, text, asks = verdict.verdict, verdict.full_explanation(), verdict.missing_facts
    else:
        kind, text, asks = verdict.verdict, verdict.explanation, verdict.missing_facts
    text = _terminate(" ".join(f"{LABELS[kind]}: {text}".split()))
    if asks:
        text += " To settle it: " + " ".join(_terminate(a.strip(), "?") for a in asks if a.strip())
    return text


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (split after . ! ? and at line breaks)."""
    return [s.strip() for s in _SPLIT.split(text or "") if s and s.strip()]


def contradicting_sentences(answer_text: str, verdict: Verdict | Decision) -> list[str]:
    """The sentences of ``answer_text`` that contradict the verdict."""
    view = _view(verdict)
    return [s for s in sentences(answer_text)
            if _key(s) not in view.trusted and _contradicts(s, view)]


def contradicts(answer_text: str, verdict: Verdict | Decision) -> bool:
    """True when some sentence of ``answer_text`` contradicts the verdict."""
    return bool(contradicting_sentences(answer_text, verdict))


def enforce(answer_text: str, verdict: Verdict | Decision, *,
            lead: bool = True) -> tuple[str, bool]:
    """(text, corrected): contradicting sentences dropped; with ``lead`` the text opens with the
    verdict statement. ``corrected`` is True when a sentence was dropped."""
    view = _view(verdict)
    parts = sentences(answer_text)
    kept = [s for s in parts if _key(s) in view.trusted or not _contradicts(s, view)]
    corrected = len(kept) < len(parts)
    body = " ".join(_terminate(s) for s in kept) if corrected else (answer_text or "").strip()
    if not lead:
        return body, corrected
    if _key(body).startswith(_key(view.statement)):
        return body, corrected
    return (view.statement + ("\n\n" + body if body else "")), corrected


# -- internals ------------------------------------------------------------------------------------

def _terminate(s: str, mark: str = ".") -> str:
    return s if _TERMINATED.search(s) else s + mark


def _key(s: str) -> str:
    s = _MARKER.sub(" ", s).lower()
    return " ".join(s.split()).strip(" .!?:;,-\"'")


def _view(verdict: Verdict | Decision) -> _View:
    if isinstance(verdict, Decision):
        scenario = verdict.scenario_dict()
        explanation = verdict.full_explanation()
        quote = verdict.citation.quote if verdict.citation else ""
    else:
        scenario = dict(verdict.scenario)
        explanation = verdict.explanation
        quote = verdict.citation.quote if verdict.citation else ""
    statement = verdict_statement(verdict)
    trusted = {_key(s) for t in (statement, explanation, quote, *verdict.missing_facts)
               for s in sentences(t)}
    return _View(verdict.verdict, scenario, statement, frozenset(trusted - {""}))


def _contradicts(sentence: str, view: _View) -> bool:
    s = " ".join(_MARKER.sub(" ", sentence).lower().replace("\u2019", "'").split())
    if not s or s.endswith("?"):
        return False
    if _YES.search(s) or _NO.search(s):
        polarity = "neg" if _NO.search(s) else "pos"
        return _opposes(view.kind, polarity, qualified=bool(_QUAL.search(s)))
    subject, action = _subject(view.scenario), _action(view.scenario)
    for clause in _CLAUSES.split(s):
        claim = _claim(clause, subject, action, view.scenario)
        if claim and _opposes(view.kind, *claim):
            return True
    return False


def _claim(clause: str, subject: re.Pattern[str], action: re.Pattern[str],
           scenario: dict[str, Any]) -> tuple[str, bool] | None:
    """(polarity, qualified) of a relevant claim in the clause, or None."""
    if _HEDGE.search(clause):
        return None
    if clause.rstrip().endswith(":") or _other_case(clause, scenario):
        return None
    qualified = bool(_QUAL.search(clause)) or (
        scenario.get("acquisition") == "buy" and bool(_RENTAL.search(clause)))
    main = _TRAIL_SUB.sub("", _LEAD_SUB.sub("", clause))
    if not main.strip():
        return None
    if not (subject.search(_NUMBERS.sub(" ", main)) and action.search(main)):
        return None
    core = _REL_NEG.sub(" ", main)
    if _NEG.search(core):
        return "neg", qualified
    if _POS.search(core):
        return "pos", qualified
    return None


def _other_case(clause: str, sc: dict[str, Any]) -> bool:
    """True when the clause is explicitly about another case than the verdict's scenario."""
    status, item, topic = sc.get("provider_status"), sc.get("item"), sc.get("topic")
    if _DIRECT.search(clause) and sc.get("billing_party") != "renderer" and \
            topic == "lactation_services":
        return True  # billing directly / own number
    if _CPSP.search(clause) and not _NON_CPSP.search(clause) and status != "cpsp":
        return True
    if _PPG.search(clause) and status != "ppg":
        return True
    if _NON_PAR.search(clause) and status != "non_participating":
        return True
    if sc.get("period") == "other" and _PERIODS.search(clause):
        return True
    if _HOSPITAL_GRADE.search(clause):
        if item not in ("hospital_grade_pump", "breast_pump", None):
            return True
    elif item == "hospital_grade_pump" and _OTHER_PUMPS.search(clause):
        return True
    role = sc.get("prescriber_role") if topic == "dme_prescription" else sc.get("renderer_role")
    if role and role != "other":
        named = {r for r, rx in _ROLE_MENTIONS.items() if rx.search(_NOT_ROLES.sub(" ", clause))}
        if named and not (named & _SAME_ROLE.get(role, {role})):
            return True
    return False


def _opposes(kind: str, polarity: str, qualified: bool) -> bool:
    if kind == "eligible":
        return polarity == "neg" and not qualified
    if kind == "not_eligible":
        return polarity == "pos" and not qualified
    return not qualified  # conditional / unknown: no flat yes or no


def _subject(sc: dict[str, Any]) -> re.Pattern[str]:
    topic = sc.get("topic")
    words = [_PRONOUNS]
    if topic == "dme_prescription":
        words.append(_ROLE_WORDS.get(sc.get("prescriber_role") or "", r"prescribers?|\w+"))
    elif topic == "lactation_dme":
        words += [_ITEM_WORDS.get(sc.get("item") or "", r"pumps?|shells?|shields?"), _MEMBER]
    elif topic == "referral":
        words += [_PROVIDER, r"infants?|bab(?:y|ies)|members?|child(?:ren)?|\d+[- ]month[- ]olds?"]
    else:
        role = sc.get("renderer_role")
        words.append(_ROLE_WORDS.get(role or "", r"ibclcs?|lactation|consultants?|c?lecs?|"
                                     r"educators?|\w+"))
        if sc.get("billing_party") != "renderer" or role is None:
            words.append(_PROVIDER)
        if sc.get("asks_medical_necessity") or sc.get("standard_support_failed") is not None \
                or sc.get("wants_to_breastfeed") is not None:
            words.append(r"lactation|services?|support|education|members?")
    return re.compile(r"\b(?:" + "|".join(words) + r")\b")


def _action(sc: dict[str, Any]) -> re.Pattern[str]:
    topic = sc.get("topic")
    if topic == "lactation_dme":
        acq = sc.get("acquisition")
        words = [_BASE_ACTIONS, _DME_ANY] + ([_RENT] if acq != "buy" else []) + (
            [_BUY] if acq != "rent" else [])
    else:
        words = [_BASE_ACTIONS, _ACTIONS.get(topic or "", _ACTIONS["lactation_services"])]
    return re.compile(r"\b(?:" + "|".join(words) + r")\b")

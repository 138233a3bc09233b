"""Pure: what a question asks. Its parts ("how long do we have, and where do we send it?" is
two) and, for each part, the kind of fact that answers it (a duration, a contact, an amount, a
code, a number, a role) — so the answerer can prefer the passage that holds that kind of fact
over one that merely shares words with the question, and say plainly which part the manual
does not answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.textnorm import content_tokens

AnswerKind = str  # "duration" | "address" | "contact" | "amount" | "code" | "number" | "who"

# Words that open a new question inside a message.
_CUE = (r"(?:how|what|whats|what's|where|wheres|where's|when|who|whom|whose|which|why|is|are|do|"
        r"does|did|can|could|should|must|will|would|if|any|has|have|also)\b")
# Who a statement of the situation is usually about ("..., pt needs an MRI asap").
_SUBJECT = (r"(?:pt|pts|patient|member|mbr|she|he|they|her|his|"
            r"the\s+(?:pt|patient|member|mbr|baby|mom))\b")
_SPLIT = re.compile(
    r"\?+\s*(?=\S)"                                   # "...? ..."
    r"|;\s*"                                          # "...; ..."
    r"|\s+-{1,2}\s+(?=" + _CUE + r")"                   # "... - how ..."
    r"|,?\s+(?:and|&|plus|but|or)\s+(?:also\s+)?(?=" + _CUE + r")"  # "... and where ..."
    r"|,\s+(?=(?:how|what|whats|what's|where|wheres|when|who|which|does|do|is|are|can|could|"
    r"should|will|would|any)\b)"                       # "..., where ...", "..., does ..."
    r"|\.\s+(?=[a-z]*\s*" + _CUE + r")"                # "... . how ..."
    r"|(?:,|\s+-{1,2})\s+(?=" + _SUBJECT + r")",         # "fax # for an urgent auth, pt needs ..."
    re.IGNORECASE)

_KINDS: list[tuple[AnswerKind, re.Pattern[str]]] = [
    ("code", re.compile(
        r"\b(cpt|hcpcs|icd(-?10)?|procedure|diagnosis|dx|revenue|rev|billing|bill\s+type|payer|"
        r"carc|rarc|denial|reason|remark|taxonomy|place\s+of\s+service|pos)\s*(codes?|id)\b"
        r"|\b(what|which)\s+(codes?|cpt|hcpcs|icd(-?10)?|modifiers?|carc|rarc)\b"
        r"|\bcodes?\s+(do|should|to|for)\b|\bmodifier\b", re.I)),
    ("amount", re.compile(
        r"\bhow\s+much\b|\b(reimbursement|payment|pay|fee|contracted|medi-?cal)\s+(rate|amount|"
        r"schedule)s?\b|\brates?\s+(for|of|is|are|do|does)\b|\bwhat\s+(is|s|'s)?\s*the\s+rate\b"
        r"|\bfees?\b|\bcost\b|\bprice\b|\bdollars?\b|\bpaid\s+at\b|\bcapitation\b|\bpmpm\b"
        r"|\bwhat\s+(does|do|will|would)\s+(hn|health\s+net|medi-?cal|they|you)\s+pay\b"
        r"|\bhow\s+(is|are)\s+\w+\s+(paid|priced|reimbursed)\b|\breimbursement\b", re.I)),
    ("duration", re.compile(
        r"\bhow\s+(long|soon|quickly|fast|far\s+(back|ahead|in\s+advance)|many\s+(calendar\s+|"
        r"business\s+|working\s+)?(days|hours|months|weeks|years))\b|\bdeadline|\btime\s*(limit|"
        r"frame|line)|\btimeframe|\bturn\s*-?around|\bturnaround|\bby\s+when\b|\bwhen\s+(is|are)"
        r"\b[^?]*\bdue\b|\bwithin\s+how\b|\btimely\s+filing\b|\bfiling\s+(limit|window)\b"
        r"|\b(what|whats|what's)\s+(is\s+)?the\s+(limit|window)\b|\bwhen\s+(do|does|must|should)"
        r"\b[^?]*\b(by|expire|end|start|begin|effective)\b|\bdays?\s+(do|does|to|for)\b", re.I)),
    ("address", re.compile(
        r"\b(mail|mailing|mailed|snail\s*mail)\b[^?]*$|\b(mailing\s+)?address\b|\bp\.?\s*o\.?\s*box\b"
        r"|\bwhere\b[^?]*\bmail\b", re.I)),
    ("contact", re.compile(
        r"\bwhere\b[^?]*\b(send|mail|fax|submit|file|call|get|find|request|reach|upload|direct|"
        r"route|go|download)\b|\b(fax|phone|telephone|tel)\b\s*(#|number|no\b|line)?|\baddress\b"
        r"|\bportal\b|\bwho\s+(do|should|can)\s+(we|i|they)\s+(call|contact|fax|send|email)\b"
        r"|\bhow\s+(do|can|should|would)?\s*(we|i|you|they|to|the\s+\w+)?\s*(submit|send|fax|mail|"
        r"reach|contact|get\s+a\s+hold|upload)\b|\bnumber\s+to\s+call\b|\bwhat\s+number\b"
        r"|\bwhere\s+(is|are|do|can)\b[^?]*\b(form|link)\b", re.I)),
    ("number", re.compile(
        r"\bhow\s+many\b|\bhow\s+often\b|\bnumber\s+of\b|\bmax(imum)?\s+(number|visits|units)\b"
        r"|\blimit\s+(on|of|for)\s+(visits|units|the\s+number)\b", re.I)),
    ("who", re.compile(
        r"^\s*(who|whom|whose)\b|\bwhich\s+(provider|entity|department|party|plan|team|staff|"
        r"office|county|one|person|org)\b|\bwho\s+(is|are|can|may|should|must|does|do|handles|"
        r"pays|gets|covers|approves|decides|reviews|is\s+responsible)\b|\bresponsible\b", re.I)),
]

_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|"
                 r"fifteen|twenty|thirty|forty|forty-five|sixty|ninety|hundred")
_UNIT_HAS: dict[AnswerKind, re.Pattern[str]] = {
    "duration": re.compile(
        r"\b\d+\s*(?:-\s*)?(?:\(\d+\)\s*)?(?:calendar\s+|business\s+|working\s+)?"
        r"(?:day|hour|month|week|year|minute)s?\b"
        rf"|\b(?:{_NUMBER_WORDS})(?:\s*\(\d+\))?\s+(?:calendar\s+|business\s+|working\s+)?"
        r"(?:day|hour|month|week|year)s?\b"
        r"|\b(?:immediately|same\s+day|next\s+business\s+day|promptly|annually|yearly|"
        r"no\s+later\s+than|within|by\s+the\s+end\s+of)\b",
        re.I),
    "contact": re.compile(
        r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b1-8\d\d-|\bfax(?:ed|ing)?\b|\bportal\b"
        r"|\bp\.?\s*o\.?\s+box\b|\bonline\b|https?://|www\.|\b[\w-]+\.(?:com|gov|org|net)\b"
        r"|\bmail(?:ed|ing)?\s+(?:to|at)\b|\b(?:suite|ste\.?|street|avenue|ave\.?|blvd|boulevard)\b"
        r"|\be-?mail\b|\bsecure\s+messag|\bwebsite\b|\bpayer\s+id\b"
        r"|\b(?:department|unit|team|line)\s+at\b", re.I),
    "address": re.compile(
        r"\bp\.?\s*o\.?\s+box\b|\b\d{2,6}\s+(?:[A-Z][\w.]*\s+){1,3}(?:street|st\.?|avenue|ave\.?|"
        r"boulevard|blvd\.?|road|rd\.?|way|drive|dr\.?|suite|ste\.?)\b|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b",
        re.I),
    "amount": re.compile(r"\$\s?\d|\bpercent\b|%|\bdollars?\b|\brate\s+of\b|\bfee\s+schedule\b",
                         re.I),
    "code": re.compile(r"\b(?:cpt|hcpcs|icd-?10(?:-cm)?|ndc|z-codes?)\b|\b\d{5}\b|\b[A-Z]\d{4}\b|\b[A-TV-Z]\d{2}(?:\.\d{1,4})?\b|\bmodifier\s+\w{2}\b"
                       r"|\b(?:code|codes)\s+[A-Z0-9]{2,}", re.I),
    "number": re.compile(rf"\d|\b(?:{_NUMBER_WORDS}|once|twice|single|unlimited)\b", re.I),
}


@dataclass(frozen=True)
class Part:
    """One question inside a message; ``situation`` holds the tokens of a stated situation
    that came with it ("new member is 9 months old"), which count less than what is asked."""

    text: str
    kind: AnswerKind | None
    tokens: frozenset[str]
    situation: frozenset[str] = frozenset()


def answer_kind(text: str) -> AnswerKind | None:
    """The kind of fact that answers ``text``, or None (yes/no, what/why, lists...)."""
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return None


# The contact itself (a number, an address, a link, the portal), not just the word for a way of
# sending:
# "send it through the Behavioral Health fax line listed on another page" says "fax" but gives
# nothing to fax to.
_CONTACT_ITSELF = re.compile(
    r"\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\b1-8\d\d-|\bp\.?\s*o\.?\s+box\b|https?://|www\."
    r"|\b[\w-]+\.(?:com|gov|org|net)\b|\b(?:suite|ste\.?|street|avenue|ave\.?|blvd|boulevard)\b"
    r"|\bpayer\s+id\b|\bportal\b|\bwebsite\b|\bonline\b|\bsecure\s+messag|\S+@\S+\.\w", re.I)


def gives_kind(text: str, kind: AnswerKind | None) -> bool:
    """Does ``text`` give the fact itself? As ``has_kind``, but a contact must be given, not
    just named: "fax it to Medical Management" names a way of sending and gives nothing to
    send to, so it earns no preference for a where-do-I-send question."""
    if kind == "contact":
        return bool(_CONTACT_ITSELF.search(text))
    return has_kind(text, kind)


def has_kind(text: str, kind: AnswerKind | None) -> bool:
    """Does ``text`` state a fact of ``kind``? (True for no kind and for roles, which any
    sentence about who does what can answer.)"""
    rx = _UNIT_HAS.get(kind or "")
    return True if rx is None else bool(rx.search(text))


def strict(kind: AnswerKind | None) -> bool:
    """A kind whose absence means the manual does not answer the part."""
    return kind in _UNIT_HAS


# How-questions whose words say what kind of fact is asked, not what it is about.
_ASKING = re.compile(r"\bhow\s+(many|much|long|often|soon|quickly|fast)\b", re.I)
_STARTS_WITH_CUE = re.compile(r"^\s*" + _CUE, re.I)


def _tokens(piece: str) -> frozenset[str]:
    return frozenset(content_tokens(_ASKING.sub(" ", piece)))


def parts_of(question: str) -> list[Part]:
    """The question's parts, each with its answer kind and content tokens. A piece with no
    content word of its own ("and when?") stays with the part before it; a statement of the
    situation ("new member is 9 months old, ...") goes with the part after it."""
    pieces = [p.strip(" ,.-") for p in _SPLIT.split(question or "") if p and p.strip(" ,.-?")]
    merged: list[tuple[str, list[str]]] = []  # (piece, situations stated with it)
    pending: list[str] = []
    for piece in pieces:
        if _situation(piece) and (piece is not pieces[-1] or merged):
            pending.append(piece)
        else:
            merged.append((piece, pending))
            pending = []
    if pending and merged:  # a situation stated last belongs to the question before it
        merged[-1] = (merged[-1][0], merged[-1][1] + pending)
    elif pending:
        merged.append((pending[-1], pending[:-1]))
    parts: list[Part] = []
    lead = ""  # an opening with nothing to ask ("ok", "hi", "quick q") goes with what follows
    for n, (piece, situations) in enumerate(merged):
        toks = _tokens(piece)
        kind = answer_kind(piece)
        if not parts and not toks and not kind and not situations and n < len(merged) - 1:
            lead = f"{lead} {piece}".strip()
            continue
        if lead:
            piece, lead = f"{lead} {piece}", ""
        around = frozenset().union(*(_tokens(s) for s in situations)) - toks
        if situations:
            piece = ", ".join([*situations, piece])
        if parts and (not toks or (len(toks) == 1 and not kind)):
            prev = parts[-1]
            merged = f"{prev.text}, {piece}"
            parts[-1] = Part(merged, prev.kind or kind, prev.tokens | toks,
                             prev.situation | around)
            continue
        parts.append(Part(piece, kind, toks, around))
    if not parts and question.strip():
        parts.append(Part(question.strip(), answer_kind(question), _tokens(question)))
    return parts


_KIND_WORDS = frozenset("""how long many much often soon quickly fast when where who whom which what
whats deadline deadlines limit limits timeframe timeframes time frame window due days number fax
phone address mail send submit rate rates fee fees cost code codes is are do does can could should
must will would the a an and or for of to in on it its they them this that we i our us you""".split())


def focus_query(part: Part, parts: list[Part]) -> str:
    """A search query for one part: its own words plus what the rest of the question is about
    (so "where do I mail it" after "limit for a corrected claim" searches for corrected claims)."""
    others = [p.text for p in parts if p is not part]
    about = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", " ".join(others))
             if w.lower() not in _KIND_WORDS]
    return " ".join([part.text, *dict.fromkeys(about)])


def _situation(piece: str) -> bool:
    """A piece that states the situation rather than asks: no question cue at its start, no
    kind of fact asked, no question mark ("new member is 9 months old", "biller here")."""
    return not _STARTS_WITH_CUE.match(piece) and answer_kind(piece) is None \
        and "?" not in piece and len(piece.split()) >= 2

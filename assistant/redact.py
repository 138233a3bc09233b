"""Member identifiers out of what reps paste: find them, replace them with typed placeholders.

``redact(text)`` runs before a rep's message is logged or stored, in every interface. It
replaces Medi-Cal client index numbers ([CIN]), benefits ID card numbers ([BIC]), other member
IDs ([MEMBER_ID]), SSNs ([SSN]), dates of birth ([DOB]) and every other full calendar date
([DATE]), phone numbers ([PHONE]), emails ([EMAIL]), street addresses ([ADDRESS]) and member
names that follow cue words like "patient", "member", "mom", "name:", "for", "Mrs." ([NAME]).

Design: precompiled regexes whose repetitions are bounded or anchored at run starts, and cue
words that open a small fixed-size window read by hand, so the cost is linear in the text.
Placeholders match no detector, so ``redact(redact(x)) == redact(x)``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

Span = tuple[str, int, int]

KINDS = ("CIN", "BIC", "MEMBER_ID", "SSN", "DOB", "DATE", "PHONE", "EMAIL", "ADDRESS", "NAME")
STRUCTURED_KINDS = frozenset({"CIN", "BIC", "MEMBER_ID", "SSN", "DOB", "PHONE", "EMAIL"})


def placeholder(kind: str) -> str:
    return f"[{kind}]"


# ---------------------------------------------------------------- patterns
_SEP = (
    r"[ \t]{0,3}[:#=\-\u2013(]?[ \t]{0,3}"  # between a cue and its value: "CIN: ", "ID# ", "DOB - "
)
_FILLER = re.compile(
    _SEP + r"(?:(?:is|was|of|on|number|no\.?|num|nbr|last[ \t]{1,3}(?:4|four)(?:[ \t]{1,3}digits)?"
    r"|ending[ \t]{1,3}in|=)" + _SEP + r"){0,3}",
    re.IGNORECASE,
)

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6}")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+?1[ \t.-]{0,2})?(?:\(\d{3}\)[ \t.-]{0,2}|\d{3}[ \t.-]{1,2})\d{3}[ \t.-]{1,2}\d{4}"
    r"(?:[ \t]{0,2}(?:ext\.?|x)[ \t]{0,2}\d{1,5})?(?!\w)",
    re.IGNORECASE,
)
SSN_RE = re.compile(r"(?<![\w-])(?:\d{3}([- ])\d{2}\1\d{4}|[xX*#]{3}-?[xX*#]{2}-?\d{4})(?![\w-])")
# Alphanumeric runs; classified in Python (CIN, BIC, member id, long number).
TOKEN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{6,}(?![A-Za-z0-9])")
CIN_SHAPE = re.compile(r"\d{8}[A-Za-z]")
BIC_SHAPE = re.compile(r"\d{8}[A-Za-z]\d{5}|[A-Za-z0-9]{14}")

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
DATE_NUM_RE = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\w|[/.-]\d)")
DATE_ISO_RE = re.compile(r"(?<![\w/.-])((?:19|20)\d{2})([-/.])(\d{1,2})\2(\d{1,2})(?!\w|[/.-]\d)")
DATE_MDY_RE = re.compile(
    r"\b" + _MONTH + r"\.?[ \t]{0,3}(\d{1,2})" + _ORD + r",?[ \t]{0,3}((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
DATE_DMY_RE = re.compile(
    r"\b(\d{1,2})"
    + _ORD
    + r"[ \t]{0,3}(?:of[ \t]{1,3})?"
    + _MONTH
    + r"\.?,?[ \t]{0,3}((?:19|20)\d{2})\b",
    re.IGNORECASE,
)
EIGHT_DIGITS = re.compile(r"(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])((?:19|20)\d{2})")

DOB_CUE_RE = re.compile(
    r"\b(?:d\.?o\.?b\b\.?|date[ \t]{1,3}of[ \t]{1,3}birth|birth[ \t]?date|birthday|born(?:[ \t]{1,3}(?:on|in))?)",
    re.IGNORECASE,
)
# A partial or compact date right after a DOB cue: "DOB 3/14", "born March 2024", "DOB 01051990".
DOB_VALUE_RE = re.compile(
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-](?:\d{4}|\d{2}))?"
    r"|" + _MONTH + r"\.?[ \t]{0,3}\d{1,2}" + _ORD + r"(?:,?[ \t]{0,3}\d{4})?"
    r"|\d{1,2}" + _ORD + r"[ \t]{0,3}(?:of[ \t]{1,3})?" + _MONTH + r"\.?(?:,?[ \t]{0,3}\d{4})?"
    r"|" + _MONTH + r"\.?,?[ \t]{0,3}\d{4}"
    r"|\d{8}|\d{6}|(?:19|20)\d{2})(?![\w/])",
    re.IGNORECASE,
)
SSN_CUE_RE = re.compile(
    r"\b(?:ssn|ss[ \t]?#|social(?:[ \t]{1,3}security)?(?:[ \t]{1,3}(?:number|no\.?|#))?|soc[ \t]?sec)",
    re.IGNORECASE,
)
SSN_VALUE_RE = re.compile(r"(?:\d{3}[- .]?\d{2}[- .]?\d{4}|\d{4})(?![\w-])")
ID_CUE_RE = re.compile(
    r"\b(?:cin|client[ \t]{1,3}index(?:[ \t]{1,3}(?:number|no\.?|#))?|bic"
    r"|benefits?[ \t]{1,3}(?:identification|id)(?:[ \t]{1,3}card)?(?:[ \t]{1,3}(?:number|no\.?|#))?"
    r"|(?:member|mbr|subscriber|medi-?cal|hn|health[ \t]net|plan|policy|insurance|card)"
    r"[ \t]{0,2}(?:id\b|#|number\b|no\b\.?|nbr\b)"
    r"|subscriber|id[ \t]{0,2}#|id[ \t]{0,2}:|id[ \t]{1,3}(?:number|no\b\.?))",
    re.IGNORECASE,
)
ID_VALUE_RE = re.compile(
    r"[A-Za-z0-9]{1,20}(?![A-Za-z0-9])(?:[ -][A-Za-z0-9]{1,20}(?![A-Za-z0-9])){0,4}"
)
# Our own answer ids, hashes and uuids are not member ids (they keep logs traceable).
HEX_ID_RE = re.compile(r"[0-9a-f]{24,}|[0-9A-F]{24,}")
UUID_RE = re.compile(
    r"(?<![\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])"
)
PHONE_CUE_RE = re.compile(r"\b(?:phone|ph|tel|cell|mobile|call|contact|fax|reach)\b", re.IGNORECASE)

ADDRESS_RE = re.compile(
    r"\b\d{1,6}[ \t]{1,3}(?:[NSEW]\.?[ \t]{1,3})?(?:[A-Z0-9][\w'-]{0,30}[ \t]{1,3}){1,4}"
    r"(?:St|Street|Ave|Avenue|Blvd|Boulevard|Rd|Road|Dr|Drive|Ln|Lane|Way|Ct|Court|Pl|Place"
    r"|Pkwy|Parkway|Hwy|Highway|Cir|Circle|Ter|Terrace)\b\.?"
    r"(?:,?[ \t]{0,3}(?:Apt|Apartment|Unit|Ste|Suite|#)\.?[ \t]{0,3}[\w-]{1,8})?"
)
ZIP_RE = re.compile(r"\b(?:CA|Calif\.?|California)[ \t,]{1,3}9\d{4}(?:-\d{4})?\b")

# ---------------------------------------------------------------- names
# Cue strength: "strong" cues name a person outright (lowercase names accepted too); "person"
# cues are words for a member; "weak" cues ("for") need a capitalised, non-vocabulary word.
NAME_CUE_RE = re.compile(
    r"(?P<strong>\b(?:(?:first|last|middle|sur|full|maiden)[ \t]?name|name)"
    r"(?:[ \t]{0,3}(?:is\b|:|-|=))|\bnamed\b)"
    r"|(?P<person>(?-i:\b(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS)\b)\.?"
    r"|\b(?:patient|pt|mbr|member|enrollee|beneficiary|subscriber|client|baby|infant|newborn"
    r"|mother|mom|mum|child|son|daughter|kid|twins?)(?:'s|\u2019s)?\b\.?"
    r"|\bname\b)"
    r"|(?P<weak>\b(?:for|regarding|re:|on[ \t]behalf[ \t]of|(?:calling|call|asking)[ \t]about))",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-](?=[^\W\d_])){0,30}(?![\w'\u2019-])")
_INITIAL = re.compile(r"[A-Z]\.(?![\w'-])|(?![AI])[A-Z](?![\w'.-])")  # "Maria J. Lopez"
_LOWER_INITIAL = re.compile(r"[a-z]\.(?![\w'-])")
_GAP = re.compile(r"[ \t]{1,3}")
_COMMA_GAP = re.compile(r",[ \t]{1,3}")
_CUE_GAP = re.compile(r"[ \t]{0,3}(?:[:,(\-\u2013][ \t]{0,3})?")
_CUE_WORDS = re.compile(r"(?:(?:is|was|named|boy|girl)[ \t]{1,3}){0,2}", re.IGNORECASE)
_PARTICLES = frozenset(
    {"de", "del", "la", "las", "los", "van", "von", "da", "di", "du", "bin", "le"}
)

# Words that never start or continue a name.
_FUNCTION = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did does doing down during each every few for
    from further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me might more most must my myself no nor not now of off on once only
    or other our ours out over own same shall she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yes ok okay
    hi hello hey thanks thank please dear sorry per via vs etc may let lets re regarding
    """.split()
)
# Vocabulary of the manual and of reps' questions: never a name's first word; a later word
# when capitalised ("Linh Do", "Mei Ma" are names).
_VOCAB = frozenset(
    """
    do urgent asap today tomorrow yesterday tonight question questions quick new old everyone
    team someone anyone got get need needs needed want wants asked asking calling called still
    already since eligible eligibility covered coverage benefit benefits authorization auth
    prior referral referrals rental rentals manual pump pumps breast lactation consultant
    consultants services service support education educator counselor health net medi-cal
    medical medicaid medicare cal calaim ibclc cpsp ppg ppgs dme cpt icd icd-10 hcpcs npi id cin
    bic ssn dob provider providers physician physicians hospital hospitals clinic office doctor
    dr nurse midwife rn np pa ma ob obgyn ob-gyn wic nicu er ed pcp hmo ffs ipa cphw member
    members patient patients baby infant infants mother mom child children women visit visits
    claim claims code codes billing bill billed program plan handbook portal policy department
    county state california ca los angeles san diego sacramento fresno kern electric
    hospital-grade personal-use kit kits equipment durable supplies supply community perinatal
    comprehensive international board-certified certified certification registered
    practitioner assistant participating non-participating contracting contracted
    fee-for-service toolkit promoting supporting breastfeeding breastfeed world organization
    group groups ancillary antepartum postpartum maternity pregnancy prenatal newborn section
    january february march april june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday
    sunday am pm est pst pt english spanish interpreter language translation telehealth virtual
    phone fax email number name named called mr mrs ms miss boy girl twins twin son daughter
    kaiser permanente anthem molina care blue cross shield aetna cigna united iehp calviva
    centene wellcare partnership rx dhcs cms covered-california
    """.split()
)
# Content words of the seed manual page (a manual's words are not member names).
_MANUAL_WORDS = frozenset(
    """
    adoptive age anywhere appropriate apps arrangement assigned assistance breastfeeding-friendly
    business certifications characters charts checklist clinical communication condition confirm
    considered contact contacting contains content continuing contract deficit designated
    developed difficult difficulties directly disability due educator-counselor effective
    eliminate employee ensure establish example exclusively experiences facility feedings flat
    follow following formal gain growth help hospitalization however included includes including
    individual information instructions inverted issues items last latch latch-on licensed like
    located material maximum mechanical medically milk minimum necessary neurological nipple
    nipples non-cpsp nursing obtain offices one online outside pain period person persons
    physical placed possible post-operative poster practice premature preparing prescriptions
    prescription processes professionals promotion protocols proven provide provided providing
    reasons receive recognized refer reimburse relactation rendered rendering request required
    requiring resources return school search secure separated shells shields slow smartphones
    specific staff standard subcontracting suck sufficient supports sustain sustained triplets
    tube type types unable units updated use using weight without work worker written
    """.split()
)
_VOCAB = _VOCAB | _MANUAL_WORDS
_STOP = _FUNCTION | _VOCAB
_ACRONYMS = frozenset(
    """
    ID CIN BIC SSN DOB NPI CPT ICD HCPCS DME IBCLC CPSP PPG FFS CPHW RN NP PA MA MD DO OB OBGYN
    WIC NICU ER ED PCP HMO IPA CA USA LA SF DHCS CMS HN FAQ PDF URL ASAP OK EOB ABN TAR PA
    """.split()
)


def _name_token_ok(tok: str, strength: str, first: bool, nxt: str) -> bool:
    """Whether tok is a name word; nxt is the word after it ("" when none)."""
    low = tok.lower()
    if low in _FUNCTION:
        return False
    if low in _VOCAB and (first or not tok[0].isupper()):
        return False
    if tok[0].isupper():
        if len(tok) == 1 and first:
            return False  # "for L.A. Care", "for A pump"
        if tok.isupper() and len(tok) > 1:  # ALL CAPS
            if tok in _ACRONYMS:
                return False
            # after "for"/"regarding" only as part of an all-caps full name ("for MARIA LOPEZ")
            return (
                strength != "weak"
                or not first
                or (
                    nxt.isupper()
                    and len(nxt) > 1
                    and nxt not in _ACRONYMS
                    and nxt.lower() not in _STOP
                )
            )
        return True
    # lowercase: only after "name:"/"named", or a particle inside a name ("de la Cruz")
    return strength == "strong" or (not first and low in _PARTICLES)


def _next_word(text: str, pos: int) -> str:
    gap = _GAP.match(text, pos)
    m = _NAME_TOKEN.match(text, gap.end()) if gap else None
    return m.group() if m else ""


def _name_after(text: str, pos: int, strength: str) -> tuple[int, int] | None:
    """The name (1-3 words plus initials) starting at pos, or None."""
    gap = _CUE_GAP.match(text, pos)
    if gap.end() == pos and strength != "strong":
        return None
    pos = gap.end()
    if strength != "weak":
        pos = _CUE_WORDS.match(text, pos).end()
    start = end = pos
    words = 0
    used_comma = False
    while words < 4:
        m = None
        if words:
            m = _INITIAL.match(text, pos) or (
                _LOWER_INITIAL.match(text, pos) if strength == "strong" else None
            )
        if m is not None:
            end = m.end()
        elif (m := _NAME_TOKEN.match(text, pos)) and _name_token_ok(
            m.group(), strength, words == 0, _next_word(text, m.end())
        ):
            tok = m.group()
            end = m.end() - (2 if tok.endswith(("'s", "\u2019s")) else 0)
            if end < m.end():  # possessive ends the name
                words += 1
                break
        else:
            break
        words += 1
        nxt = _GAP.match(text, end)
        if nxt is None and strength != "weak" and not used_comma and words == 1:
            nxt = _COMMA_GAP.match(text, end)  # "Lopez, Maria"
            used_comma = nxt is not None
        if nxt is None:
            break
        pos = nxt.end()
    if end == start:
        return None
    # a trailing lowercase particle is not part of the name
    while True:
        tail = text[start:end].rsplit(None, 1)
        if len(tail) == 2 and tail[1].lower() in _PARTICLES and tail[1].islower():
            end = start + len(tail[0])
        else:
            break
    return start, end


_BACK_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*|\S")


def _name_before(text: str, cue_start: int) -> tuple[int, int] | None:
    """'Maria Lopez DOB ...' / 'Lopez, Maria CIN ...': 2-4 capitalised words right before a cue."""
    lo = max(0, cue_start - 80)
    toks = list(_BACK_TOKEN.finditer(text, lo, cue_start))
    if toks and toks[-1].group() == "(":
        toks.pop()
    kept: list[re.Match] = []
    comma = just_comma = False
    right = toks[-1].end() if toks else cue_start
    if text[right:cue_start].strip(" \t") or right == cue_start:
        return None  # the cue must follow the name after a space ("Maria LopezDOB" is not it)
    for t in reversed(toks):
        tok = t.group()
        gap = text[t.end() : right]
        if tok == "," and kept and not comma and not gap.strip(" \t"):
            comma, right = True, t.start()
            just_comma = True
            continue
        if (
            len(kept) == 4
            or not tok[0].isupper()
            or tok.lower() in _FUNCTION
            or tok in _ACRONYMS
            or gap.strip(" \t")
            or (kept and not gap and not just_comma)
        ):
            break
        just_comma = False
        kept.append(t)
        right = t.start()
    while kept and kept[-1].group().lower() in _VOCAB:  # a name does not start with "Health"
        kept.pop()
    if len(kept) < 2:
        return None
    return kept[-1].start(), kept[0].end()


# ---------------------------------------------------------------- detectors
def _valid_date(m: int, d: int) -> bool:
    return (1 <= m <= 12 and 1 <= d <= 31) or (1 <= d <= 12 and 1 <= m <= 31)


def _dob_cued(text: str, start: int) -> bool:
    return DOB_CUE_RE.search(text, max(0, start - 30), start) is not None


def _dates(text: str) -> Iterator[Span]:
    for m in DATE_NUM_RE.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
        if m.group(2) == "." and len(y) == 2:
            continue  # "4.3.12" is a section number more often than a date
        if _valid_date(a, b):
            yield m.start(), m.end()
    for m in DATE_ISO_RE.finditer(text):
        if 1 <= int(m.group(3)) <= 12 and 1 <= int(m.group(4)) <= 31:
            yield m.start(), m.end()
    for rx in (DATE_MDY_RE, DATE_DMY_RE):
        for m in rx.finditer(text):
            if 1 <= int(m.group(1)) <= 31:
                yield m.start(), m.end()


def _windows(
    text: str, cue_re: re.Pattern, value_re: re.Pattern, width: int = 60
) -> Iterator[tuple[re.Match, re.Match]]:
    """Each cue and the value right after it (through a short filler), read in a fixed window."""
    for cue in cue_re.finditer(text):
        window = text[cue.end() : cue.end() + width]
        fill = _FILLER.match(window)
        val = value_re.match(window, fill.end())
        if val is not None and val.end() > val.start():
            yield cue, _Shift(val, cue.end())


class _Shift:
    """A match in a window, seen with offsets in the whole text."""

    def __init__(self, m: re.Match, offset: int):
        self.m, self.offset = m, offset

    def start(self) -> int:
        return self.m.start() + self.offset

    def end(self) -> int:
        return self.m.end() + self.offset

    def group(self) -> str:
        return self.m.group()


def _classify_id(compact: str, cue: str = "") -> str:
    cue = cue.lower()
    if CIN_SHAPE.fullmatch(compact):
        return "CIN"
    if (
        len(compact) == 14
        and (BIC_SHAPE.fullmatch(compact))
        and sum(c.isdigit() for c in compact) >= 10
    ):
        return "BIC"
    if cue.startswith(("bic", "benefit")):
        return "BIC"
    if cue.startswith(("cin", "client")):
        return "CIN"
    return "MEMBER_ID"


def _tokens(text: str) -> Iterator[Span]:
    uuids = [(m.start(), m.end()) for m in UUID_RE.finditer(text)]
    u = 0
    for m in TOKEN_RE.finditer(text):
        tok = m.group()
        if HEX_ID_RE.fullmatch(tok) and not tok.isdigit():
            continue
        while u < len(uuids) and uuids[u][1] <= m.start():
            u += 1
        if u < len(uuids) and uuids[u][0] <= m.start():
            continue  # inside a uuid
        digits = sum(c.isdigit() for c in tok)
        s, e = m.start(), m.end()
        if digits == len(tok):
            if len(tok) == 8 and EIGHT_DIGITS.fullmatch(tok):
                yield ("DOB" if _dob_cued(text, s) else "DATE"), s, e
            elif len(tok) >= 9:
                before = text[max(0, s - 30) : s]
                if len(tok) == 9 and SSN_CUE_RE.search(before):
                    yield "SSN", s, e
                elif len(tok) in (10, 11) and PHONE_CUE_RE.search(before):
                    yield "PHONE", s, e
                else:
                    yield _classify_id(tok), s, e
        elif digits >= 6 and len(tok) >= 8:
            yield _classify_id(tok), s, e


def _cued_ids(text: str) -> Iterator[Span]:
    for cue, val in _windows(text, ID_CUE_RE, ID_VALUE_RE):
        groups = val.group().replace("-", " ").split(" ")
        kept, digits = [], 0
        for g in groups:
            if any(c.isdigit() for c in g) or (len(g) == 1 and kept and g.isalpha()):
                kept.append(g)
                digits += sum(c.isdigit() for c in g)
            else:
                break
        if not kept or digits < 4:
            continue
        length = len(" ".join(kept))  # separators are one char each
        yield _classify_id("".join(kept), cue.group()), val.start(), val.start() + length


def _cued_ssn(text: str) -> Iterator[Span]:
    for _cue, val in _windows(text, SSN_CUE_RE, SSN_VALUE_RE, width=50):
        yield "SSN", val.start(), val.end()


def _cued_dob(text: str) -> Iterator[Span]:
    for _cue, val in _windows(text, DOB_CUE_RE, DOB_VALUE_RE, width=50):
        yield "DOB", val.start(), val.end()


def _names(text: str) -> Iterator[Span]:
    for cue in NAME_CUE_RE.finditer(text):
        strength = cue.lastgroup or "weak"
        found = _name_after(text, cue.end(), strength)
        if found:
            yield "NAME", found[0], found[1]


def _names_before_cues(text: str, cue_starts: Iterable[int]) -> Iterator[Span]:
    for s in cue_starts:
        found = _name_before(text, s)
        if found:
            yield "NAME", found[0], found[1]


def find_identifiers(text: str) -> list[Span]:
    """Member identifiers in text as (kind, start, end), sorted, non-overlapping."""
    if not text:
        return []
    spans: list[tuple[int, int, int, str]] = []  # (start, -priority, end, kind)

    def add(kind: str, s: int, e: int, prio: int) -> None:
        if e > s:
            spans.append((s, -prio, e, kind))

    for m in EMAIL_RE.finditer(text):
        add("EMAIL", m.start(), m.end(), 9)
    for m in SSN_RE.finditer(text):
        add("SSN", m.start(), m.end(), 8)
    for kind, s, e in _cued_ssn(text):
        add(kind, s, e, 8)
    for s, e in _dates(text):
        add("DOB" if _dob_cued(text, s) else "DATE", s, e, 7)
    for kind, s, e in _cued_dob(text):
        add(kind, s, e, 7)
    for m in PHONE_RE.finditer(text):
        add("PHONE", m.start(), m.end(), 6)
    for kind, s, e in _cued_ids(text):
        add(kind, s, e, 5)
    for kind, s, e in _tokens(text):
        add(kind, s, e, 5)
    for m in ADDRESS_RE.finditer(text):
        add("ADDRESS", m.start(), m.end(), 4)
    for m in ZIP_RE.finditer(text):
        add("ADDRESS", m.start(), m.end(), 4)
    for kind, s, e in _names(text):
        add(kind, s, e, 3)
    cue_starts = [
        m.start() for rx in (DOB_CUE_RE, SSN_CUE_RE, ID_CUE_RE) for m in rx.finditer(text)
    ]
    for kind, s, e in _names_before_cues(text, cue_starts):
        add(kind, s, e, 2)
    return _merge(spans)


def _merge(spans: list[tuple[int, int, int, str]]) -> list[Span]:
    """Union of overlapping spans; a union keeps the kind of its highest-priority member."""
    spans.sort()
    out: list[list[Any]] = []  # [start, end, kind, prio]
    for s, negp, e, kind in spans:
        if out and s < out[-1][1]:
            last = out[-1]
            last[1] = max(last[1], e)
            if -negp > last[3]:
                last[2], last[3] = kind, -negp
        else:
            out.append([s, e, kind, -negp])
    return [(k, s, e) for s, e, k, _p in out]


def redact(text: str) -> str:
    """text with every member identifier replaced by its typed placeholder."""
    spans = find_identifiers(text)
    if not spans:
        return text
    parts, pos = [], 0
    for kind, s, e in spans:
        parts.append(text[pos:s])
        parts.append(placeholder(kind))
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def has_identifiers(text: str) -> bool:
    return bool(find_identifiers(text))


# Kinds a scan of logs and stored files looks for: a plain date (log timestamps) is not one.
SCAN_KINDS = frozenset(KINDS) - {"DATE"}


def scan_files(
    paths: Iterable[Path | str], kinds: Iterable[str] = SCAN_KINDS
) -> list[dict[str, Any]]:
    """Identifiers found in text files, as {"path", "line", "kind"} (never the value itself).

    Run over log, audit and feedback files after a test run: the expected result is [].
    """
    wanted = frozenset(kinds)
    findings = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, start=1):
                for kind, _s, _e in find_identifiers(line):
                    if kind in wanted:
                        findings.append({"path": str(path), "line": n, "kind": kind})
    return findings


# ---------------------------------------------------------------- measurement
def measure(messages: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Redaction rates on labelled messages.

    Each message is ``{"text": str, "identifiers": [{"kind", "start", "end"}, ...]}`` (or
    ``[kind, start, end]`` triples). An identifier counts as redacted when detected spans cover
    every one of its characters. Messages without identifiers count as clean: they should come
    out unchanged.
    """
    by_kind: dict[str, dict[str, int]] = {}
    kind_right = kind_total = clean = clean_same = idem = n = chars = 0
    t0 = time.perf_counter()
    for msg in messages:
        text = msg["text"]
        truth = [
            (t["kind"], t["start"], t["end"]) if isinstance(t, dict) else tuple(t)
            for t in msg.get("identifiers", [])
        ]
        n += 1
        chars += len(text)
        found = find_identifiers(text)
        out = redact(text)
        idem += redact(out) == out
        if not truth:
            clean += 1
            clean_same += out == text
            continue
        for kind, s, e in truth:
            stats = by_kind.setdefault(kind, {"total": 0, "redacted": 0})
            stats["total"] += 1
            covering = [k for k, a, b in found if a < e and b > s]
            covered = _covered(found, s, e)
            stats["redacted"] += covered
            if covered:
                kind_total += 1
                kind_right += _same_family(kind, covering)
    elapsed = time.perf_counter() - t0

    def rate(kinds: Iterable[str]) -> float | None:
        tot = sum(by_kind[k]["total"] for k in kinds if k in by_kind)
        red = sum(by_kind[k]["redacted"] for k in kinds if k in by_kind)
        return red / tot if tot else None

    for stats in by_kind.values():
        stats["rate"] = stats["redacted"] / stats["total"]
    return {
        "messages": n,
        "identifiers": sum(s["total"] for s in by_kind.values()),
        "by_kind": by_kind,
        "structured_rate": rate(STRUCTURED_KINDS),
        "name_rate": rate(["NAME"]),
        "overall_rate": rate(by_kind),
        "kind_accuracy": kind_right / kind_total if kind_total else None,
        "clean_messages": clean,
        "clean_unchanged_rate": clean_same / clean if clean else None,
        "idempotent_rate": idem / n if n else None,
        "seconds": elapsed,
        "chars_per_second": chars / elapsed if elapsed else None,
    }


def _covered(found: list[Span], s: int, e: int) -> bool:
    pos = s
    for _k, a, b in found:
        if a <= pos < b:
            pos = b
        if pos >= e:
            return True
    return pos >= e


_FAMILIES = ({"CIN", "BIC", "MEMBER_ID"}, {"DOB", "DATE"})


def _same_family(kind: str, found_kinds: list[str]) -> bool:
    for fam in _FAMILIES:
        if kind in fam:
            return any(k in fam for k in found_kinds)
    return kind in found_kinds

"""Structured member identifiers — and the numbers beside them that are not a member's.

A number is read through the label in front of it: "CIN", "mbr id", "sub#", "acct/MRN",
"chart #", "claim", "auth", "ss last 4" make it the member's; "NPI", "TIN", "provider #", "rev
code", "check #", "form" (and a log line's "pid", "port", "worker", ...) make it the provider's,
the manual's or the machine's, and it is kept. A label carries over a list of values of one
shape ("NPIs 1186252767 and 1189555976") and a number written in groups ("mbr # 123 456 789").
Without a label its shape decides (a CIN, a BIC, a letter-prefixed member id, a run of seven or
more digits; not a hash such as "35120030e5"). Dates (English or Spanish: "4 de mayo 1976",
"14-Mar-1988") are a date of birth after "DOB"/"born"/"fecha de nacimiento", kept after
"DOS"/"effective"/"thru"/...; phone numbers are Health Net's (kept) when toll-free, given by the
manual's pages, or said to be the plan's, county's or a line's, and the member's otherwise (and
always when written beside the member's e-mail). Addresses ("1420 Elm St Apt 3", "48-210 Palm
Dr Spc 17", "2200 Calle Sonora", "17 Paseo de los Robles") are the member's unless the words
before them say the clinic's, the office's or Health Net's.

What is never a member's (paths, hashes, Slack and machine ids, amounts, plan names) is found
by ``core.phi.machine`` first; nothing here takes a span inside it.

Each finding is ``sure`` or not: an unsure one (an unlabelled recent date, an unlabelled
hyphenated number) is kept in logs and search but dropped from what an outside LLM gets.
Every pattern is anchored or bounded, so the cost stays linear in the text.
"""

from __future__ import annotations

import datetime as _dt
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from core.phi.spans import Finding, Occupied
from core.phi.words import DATA

# ------------------------------------------------------------------ labels
_MEMBER_LABELS = {
    "CIN": r"cin|client\s+index(?:\s+(?:number|no\b\.?|\#))?",
    "BIC": r"bic|benefits?\s+(?:identification|id)(?:\s+card)?|id\s+card|card",
    "SSN": r"ssn|ss\#?|social(?:\s+security)?(?:\s+(?:number|no\b\.?|\#))?|soc\s*sec"
           r"|seguro\s+social"
           # "last4 0934", "last four digits: 0934" -- not "last 4 of the card"
           r"|(?<![\w-])last[ \t]*(?:4|four)(?:[ \t]+digits)?(?![ \t]*(?:digits[ \t]+)?of\b)",
    "ACCOUNT": r"acct|account|mrn|medical\s+record(?:\s+(?:number|no\b\.?|\#))?|med\s+rec"
               r"|chart|pt\s+id|patient\s+id|pt\s+acct|encounter|enc|fin|har|csn|mr\s*\#"
               r"|hosp(?:ital)?\s+acct|cuenta|expediente"
               r"|visit\s+(?:\#|no\b\.?|number|id)"
               # "record no. 31-660-2", "health record #", "EHR id", "file no."
               r"|(?:(?:health|patient|pt|clinic|office)\s+)?(?:records?|rec|file|e[hm]r)\s*"
               r"(?:\#|no\b\.?|nos?\b\.?|num(?:ber)?\b|nbr\b|id\b)",
    "CLAIM": r"claims?|auth(?:orization)?s?|pa|tar|ref(?:erence)?|case|ticket|confirmation"
             r"|icn|dcn|appeal|grievance|dispute|pdr",
    "MEMBER_ID": r"mbrs?|members?|mem|mid|subscriber|sub|ids?|policy|medi-?cal|mc|mcal"
                 r"|insurance|ins|hicn|mbi|pt|patient|hn|client|recipient|beneficiary|enrollee",
    "PHONE": r"phone|ph|tel|telephone|cell|mobile|home|cb|call\s*back|callback|contact|number"
             r"|cel|celular|tel[e\u00e9]fono|m[o\u00f3]vil",
    "KEEP": r"npis?|tins?|tax\s*ids?|eins?|provider\s*(?:\#|no\b\.?|number|id)|ccs\s*\#?|payer\s*id"
            # whose number a claim is billed under: the provider's ("billed under", "rendering")
            r"|bill(?:ed|ing)?\s+under|rendering|referring|ordering|attending|servicing"
            r"|supervising|individual"
            r"|check|batch|box|loop|page|pg|form|rev(?:enue)?(?:\s+code)?|codes?|cpt|hcpcs"
            r"|icd(?:-?10)?|dx|mod(?:ifier)?s?|pos|tob|reject|aid\s+code|remark|dhcs|apl|pm"
            r"|qty|version|ver|room|rm|suite|ste|zip|licen[cs]e|dea|clia|taxonomy|ndc"
            r"|group\s*(?:\#|no\b\.?|number|id)|grp|ext|carc|rarc|material|pub|x|rate"
            r"|fee|units?|line|opt(?:ion)?|press|pid|port|thread|tid|errno|bytes|offset|size"
            r"|count|took|elapsed|ms|gen(?:eration)?|chunks?|batch(?:es)?|pages?|status|http"
            # words of a log line: the number after them is the machine's
            r"|workers?|process|proc|job|task|uid|gid|fd|seq|lineno|len|length|duration|epoch"
            r"|build|commit|sha|hash|digest|trace|shard|replica|node|conn|attempt|retry|iteration",
}
_LABEL = re.compile(
    r"(?<![\w-])(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _MEMBER_LABELS.items()) + r")(?!\w)",
    re.IGNORECASE,
)
# Quotes a value may be written in: "chart 'CH-7719'", 'mrn "00451234"', "acct `A-99812`".
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"
# What may stand between a label and its value: "mbr id: ", "ss# ending in ", "ID #: ".
_FILL = re.compile(
    r"[\s:#=(/.\-\u2013\u2014" + _QUOTES + r"]*(?:(?:is|was|no\.?|nos?|num|nbr|number|ids?"
    r"|on\s+file"
    r"|end(?:ing|s)?(?:\s+(?:in|with))?|l4"
    r"|last\s*(?:4|four)(?:\s+(?:digits|of))?|[u\u00fa]ltimos\s*(?:4|cuatro)(?:\s+(?:d[i\u00ed]gitos"
    r"|de))?|of|acct|mrn|\#)(?![\w])[\s:#=(/.\-\u2013\u2014" + _QUOTES + r"]*){0,3}",
    re.IGNORECASE,
)
# Labels that take any number of three digits or more; the others ("pt", "claim", "auth",
# "PA") take only what looks like an identifier (so "PA 99213" keeps its CPT code).
_STRONG = re.compile(r"\b(?:cin|bic|acct|account|mrn|chart|records?|rec|file|e[hm]r|sub"
                     r"|subscriber|mbrs?|members?|policy"
                     r"|ss|ssn|tar|medical|med|benefits?|client|social|soc|card|encounter|id|cuenta"
                     r"|expediente)\b",
                     re.IGNORECASE)


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int
    strong: bool


def labels(text: str) -> list[Label]:
    out = []
    for m in _LABEL.finditer(text):
        kind = m.lastgroup or "KEEP"
        out.append(Label(kind, m.start(), m.end(), bool(_STRONG.search(m.group()))))
    return out


def label_before(text: str, labs: list[Label], ends: list[int],
                 pos: int) -> tuple[Label, str] | None:
    """The label whose value starts at pos (only filler between), with that filler; ``ends``
    are the labels' ends (sorted, as ``labels`` returns them)."""
    i = bisect_right(ends, pos) - 1
    if i < 0 or pos - ends[i] > 30:
        return None
    gap = text[ends[i]:pos]
    return (labs[i], gap) if _FILL.fullmatch(gap) else None


# ------------------------------------------------------------------ e-mail, SSN, phone
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6}")
_OWN_DOMAINS = re.compile(r"@(?:[\w-]+\.)*(?:healthnet\.com|healthnetcalifornia\.com|ca\.gov"
                          r"|centene\.com)$", re.IGNORECASE)
SSN_RE = re.compile(r"(?<![\w-])(?:\d{3}-\d{2}-\d{4}|[xX*#]{3}-?[xX*#]{2}-?\d{4})(?![\w-])")
SSN_SPACED = re.compile(r"(?<![\w-])\d{3} \d{2} \d{4}(?![\w-])")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+?1[ \t.-]{0,2})?(?:\(\d{3}\)[ \t.-]{0,2}|\d{3}[ \t.-]{1,2})\d{3}[ \t.-]{1,2}"
    r"\d{4}(?:[ \t]{0,2}(?:ext\.?|x)[ \t]{0,2}\d{1,5})?(?!\w)",
    re.IGNORECASE,
)
TOLL_FREE = frozenset({"800", "833", "844", "855", "866", "877", "888"})
_PLAN_CUE = re.compile(
    r"\b(?:hn|hns|health\s*net|healthnet|dhcs|county|medi-?cal\s+rx|provider\s+(?:services|svcs"
    r"|relations|line|services\s+line)|member\s+services|relations|um|utilization|pharmacy"
    r"|help\s*desk|line|hotline|direct|nemt|dpss|ihss|call\s*center|plan|payer|vendor|fax"
    r"|dial(?:ing)?|transferr?(?:ing|ed)|office|clinic|agency|dept|department|ssa|program"
    r"|customer\s+service|services|svcs)\b", re.IGNORECASE)
_MEMBER_CUE = re.compile(
    r"\b(?:pt|pts|patient|mbrs?|member|mom|moms|dad|mother|father|her|his|their|cell|home"
    r"|mobile|callback|call\s*back|cb|daughter|son|aunt|uncle|guardian|wife|husband|caller"
    r"|family|reach|personal|parent|grandma|grandmother|sister|brother|cel|celular)\b"
    r"(?!\s+services)",
    re.IGNORECASE)


# Between a member word and the number when it names the number ("pt cell 1-800-...", "her # is").
_JUST_BEFORE = re.compile(r"[^\w\ue000]*(?:(?:cell|cel|celular|ph|phone|tel|home|mobile|number|no|is|at|\#)"
                          r"[^\w\ue000]*){0,3}", re.IGNORECASE)  # \ue000: a placeholder, masked


@lru_cache(maxsize=1)
def manual_numbers() -> frozenset[str]:
    path = DATA / "manual_numbers.txt"
    with path.open(encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and line[0] != "#")


_SENTENCE_END = re.compile(r"(?<!\b[A-Za-z])(?<!\bDr|\bdr|\bMr|\bmr|\bMs|\bms|\bSt|\bst|\bJr"
                           r"|\bSr|\bpt|\bPt|\bNo|\bno|\bvs)(?<!\bMrs|\bmrs)[.?!](?=\s)|\n|\|")


def _window(text: str, pos: int, width: int = 70) -> str:
    """The words before pos in the same sentence (at most width characters)."""
    piece = text[max(0, pos - width):pos]
    cut = -1
    for m in _SENTENCE_END.finditer(piece):
        cut = m.end()
    return piece[cut:] if cut >= 0 else piece


def _nearest(rx: re.Pattern, window: str) -> int:
    """End offset of the last match of rx in window, -1 when none."""
    last = -1
    for m in rx.finditer(window):
        last = m.end()
    return last


def phone_is_members(text: str, start: int, digits: str) -> bool:
    """A member's number, unless toll-free, in the manual, or said to be a plan's/line's."""
    ten = digits[-10:]
    win = _window(text, start)
    member_at = _nearest(_MEMBER_CUE, win)
    plan_at = _nearest(_PLAN_CUE, win)
    close = member_at > plan_at and _JUST_BEFORE.fullmatch(win[member_at:]) is not None
    if (ten[:3] in TOLL_FREE or ten in manual_numbers()) and not close:
        return False
    beside = _EMAIL_BEFORE.search(text, max(0, start - 90), start)
    if beside and not _OWN_DOMAINS.search(beside.group(1)):
        return True  # "new is kmensah68@gmail.com / 510-555-0193": the member's contact
    if plan_at < 0:
        return True
    if member_at > plan_at:
        return True
    # "pt fax 951-...": a plan word right after a member word is the member's
    before = win[:plan_at].rstrip()
    m = re.search(r"(\w+)\W*\w+$", before)
    return bool(m and _MEMBER_CUE.fullmatch(m.group(1)))


_EMAIL_BEFORE = re.compile(r"(@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,6})[ \t]*"
                           r"(?:[/,;|&+]|or|and)?"
                           r"[ \t]*(?:(?:cell|ph|phone|tel|mobile|home)[ \t:#]*)?$", re.IGNORECASE)
# Four digits with their label after them: "7720 (last 4)", "0934 last four of ss"; not when the
# label names another number ("5521 last 4 of the card").
SSN_LAST4_BEFORE_LABEL = re.compile(
    r"(?<![\w$.,/-])(\d{4})[ \t]*[(\[]?[ \t]*(?:last|l)[ \t]*(?:4|four)\b"
    r"(?![ \t]*(?:digits[ \t]+)?of[ \t]+(?:the[ \t]+|her[ \t]+|his[ \t]+)?(?!ss|soc)[a-z])",
    re.IGNORECASE)
LOCAL_PHONE_RE = re.compile(r"(?<![\w+-])\d{3}[ .-]\d{4}(?![\w-])")
_PHONE_WORD = re.compile(r"\b(?:ph|phone|tel|cell|mobile|home|cb|call\s*back|callback|call|back"
                         r"|cel|celular|tel[e\u00e9]fono|m[o\u00f3]vil|mob|hm|wk|txt"
                         r"|reach|text|number|\#)\W{0,3}(?:(?:is|at)\W{1,3})?$", re.IGNORECASE)


def emails(text: str) -> Iterator[Finding]:
    for m in EMAIL_RE.finditer(text):
        if not _OWN_DOMAINS.search(m.group()):
            yield Finding("EMAIL", m.start(), m.end())


def phones_and_ssns(text: str, kept: Occupied) -> Iterator[Finding]:
    for rx in (SSN_RE, SSN_SPACED):
        for m in rx.finditer(text):
            yield Finding("SSN", m.start(), m.end())
    for m in SSN_LAST4_BEFORE_LABEL.finditer(text):
        yield Finding("SSN", m.start(1), m.end(1))
    full = Occupied()
    for m in PHONE_RE.finditer(text):
        full.add(*m.span())
        digits = re.sub(r"\D", "", m.group().split("x")[0].split("X")[0].split("ext")[0])
        if phone_is_members(text, m.start(), digits):
            yield Finding("PHONE", m.start(), m.end())
        else:
            kept.add(*m.span())
    for m in LOCAL_PHONE_RE.finditer(text):
        said = _PHONE_WORD.search(text[max(0, m.start() - 20):m.start()])
        if said and not full.overlaps(*m.span()) and phone_is_members(
                text, m.start(), "000" + re.sub(r"\D", "", m.group())):
            yield Finding("PHONE", m.start(), m.end())


# ------------------------------------------------------------------ dates
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
          # Spanish: "4 de mayo de 1976", "12-ene-1990"
          r"|enero|ene|febrero|marzo|abril|abr|mayo|junio|julio|agosto|sept?iembre"
          r"|octubre|noviembre|diciembre|dic"
          # French, Portuguese, Tagalog, German, Italian as members write them on intake forms
          r"|janvier|f[e\u00e9]vrier|mars|avril|mai|juin|juillet|ao[u\u00fb]t|septembre"
          r"|octobre|novembre|d[e\u00e9]cembre|janeiro|fevereiro|mar[c\u00e7]o|maio|junho"
          r"|julho|setembro|outubro|novembro|dezembro|pebrero|marso|hunyo|hulyo|setyembre"
          r"|oktubre|nobyembre|disyembre|januar|februar|m[a\u00e4]rz|juni|juli|oktober|dezember"
          r"|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre)")
_ORD = r"(?:st|nd|rd|th)?"
# A year written with an apostrophe for its century: "Feb 9 '91", "3/14/’88".
_APOS = "['\u2018\u2019]"
_DATE_RES = (
    # 3/14/88, 10 / 03 / 1972, 04.30.2001, 11-11-1936
    ("mdy", re.compile(r"(?<![\w/.$-])(\d{1,2})(?:([/.-])|[ \t]?(/)[ \t]?)(\d{1,2})"
                       r"(?:\2|[ \t]?/[ \t]?)(\d{4}|" + _APOS + r"?\d{2})(?![\w/]|\.\d)")),
    ("ymd", re.compile(r"(?<![\w/.$-])((?:19|20)\d{2})([/.-])(\d{1,2})\2(\d{1,2})(?![\w/]|\.\d)")),
    ("month", re.compile(r"\b" + _MONTH + r"\.?(?:[ \t]{0,3}|[/-])(\d{1,2})" + _ORD
                         + r"(?:,?[ \t]{0,3}|[/-])((?:19|20)\d{2}|" + _APOS + r"\d{2})\b",
                         re.IGNORECASE)),
    ("dmonth", re.compile(r"\b(\d{1,2})" + _ORD + r"[ \t]{0,3}(?:(?:of|de)[ \t]{1,3})?" + _MONTH
                          + r"\.?,?[ \t]{0,3}(?:de(?:l)?[ \t]{1,3})?((?:19|20)\d{2}|" + _APOS
                          + r"\d{2})\b",
                          re.IGNORECASE)),
    # 1990年3月5日, 1990년 3월 5일
    ("ymd", re.compile(r"(?<!\d)((?:19|20)\d{2})[ \t]?([\u5e74\ub144])[ \t]?(\d{1,2})[ \t]?"
                       r"[\u6708\uc6d4][ \t]?(\d{1,2})(?!\d)[ \t]?[\u65e5\uc77c]?")),
    # 14-Mar-1988, 03/MAR/88
    ("dmon", re.compile(r"(?<![\w/.-])(\d{1,2})([/-])" + _MONTH + r"\2(\d{4}|\d{2})(?![\w/]|\.\d)",
                        re.IGNORECASE)),
)
_DOB_LABEL = re.compile(
    r"(?<![\w-])(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birth\s*day|bday|born(?:\s+(?:on|in))?"
    r"|b\.|dob's|fecha\s+de\s+nacimiento|f\.?\s?nac\.?|nacid[oa](?:\s+(?:el|en))?"
    r"|naci[o\u00f3](?:\s+(?:el|en))?|cumplea\u00f1os)(?![\w])[\s:#=(\-\u2013\u2014]*"
    r"(?:is\s+|was\s+|of\s+)?$", re.IGNORECASE)
_POLICY_LABEL = re.compile(
    r"(?<![\w-])(?:d\.?o\.?s\.?|dates?\s+of\s+service|service\s+date|eff(?:ective)?\.?|starting"
    r"|start(?:s|ed|ing)?|since|thru|through|until|till|to|from|expir(?:ed|es|ing|y)|exp\.?"
    r"|dated|date|rev(?:ised)?\.?|termed|term(?:ed|inated)?|admit(?:ted)?|discharged?|on|by|after"
    r"|before|appt|appointment|visit|ordered|done|delivered|submitted|sent|received|recd|rcvd"
    r"|paid|denied|letter|updated|approved|as\s+of|between|valid|good|ending|end(?:ed|s)?|began"
    r"|begin(?:s|ning)?|scheduled|sched|planned|performed|surgery|procedure|admission|filed"
    r"|billed|processed|decision|effective\s+date|dos\s+is|is\s+dated)(?![\w])[\s:#=(\-\u2013]*$",
    re.IGNORECASE)
_BABY_BEFORE = re.compile(r"(?<![\w-])(?:baby|newborn|infant|nb)(?:\s+(?:girl|boy))?[\s,:(\-]*$",
                          re.IGNORECASE)
_CHAIN = re.compile(r"^\s*(?:,|and|or|&|/|-|\u2013|to|thru)\s*$", re.IGNORECASE)
_END = r"(?![\w/])"
_DOB_VALUE = re.compile(
    r"(?:\d{1,2}[/.-]\d{1,2}(?:[/.-](?:\d{4}|" + _APOS + r"?\d{2}))?" + _END + "|" + _MONTH
    + r"\.?,?[ \t]{0,3}"
    r"(?:\d{4}|" + _APOS + r"\d{2})" + _END + "|" + _MONTH + r"\.?[ \t]{0,3}\d{1,2}" + _ORD
    + r"(?:,?[ \t]{0,3}(?:\d{4}|" + _APOS + r"?\d{2}))?"
    + _END + r"|\d{1,2}" + _ORD + r"[ \t]{0,3}(?:(?:of|de)[ \t]{1,3})?" + _MONTH
    + r"\.?(?:,?[ \t]{0,3}(?:\d{4}|" + _APOS + r"?\d{2}))?" + _END + r"|\d{8}" + _END
    + r"|\d{6}" + _END + r"|(?:19|20)\d{2}" + _END + ")",
    re.IGNORECASE)
_DOB_CUE = re.compile(r"(?<![\w-])(?:d\.?o\.?b\b\.?|date\s+of\s+birth|birth\s*date|birth\s*day"
                      r"|bday|born(?:\s+(?:on|in))?|b\.(?=\s*(?:\d|" + _MONTH + r"\b))"
                      r"|fecha\s+de\s+nacimiento"
                      r"|nacid[oa](?:\s+(?:el|en))?)", re.IGNORECASE)


def _year(y: str, today: _dt.date) -> int:
    y = y.lstrip("'\u2018\u2019")
    if len(y) == 4:
        return int(y)
    yy = int(y)
    return 2000 + yy if 2000 + yy <= today.year + 1 else 1900 + yy


def _valid(a: int, b: int) -> bool:
    return (1 <= a <= 12 and 1 <= b <= 31) or (1 <= b <= 12 and 1 <= a <= 31)


def _full_dates(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, year) of every full calendar date."""
    today = _dt.date.today()
    for name, rx in _DATE_RES:
        for m in rx.finditer(text):
            g = m.groups()
            if name == "mdy":
                sep = g[1] or g[2]
                if sep == "." and len(g[4]) == 2 and not (
                        int(g[4]) > today.year % 100 + 1 and _valid(int(g[0]), int(g[3]))
                        and max(int(g[0]), int(g[3])) > 12):
                    continue  # "4.3.12" is a section number more often than a date; "4.22.93"
                    # (a day past 12, a last-century year) is not
                if _valid(int(g[0]), int(g[3])):
                    yield m.start(), m.end(), _year(g[4], today)
            elif name == "ymd":
                if 1 <= int(g[2]) <= 12 and 1 <= int(g[3]) <= 31:
                    yield m.start(), m.end(), int(g[0])
            elif name == "dmon":
                if 1 <= int(g[0]) <= 31:
                    yield m.start(), m.end(), _year(g[2], today)
            elif 1 <= int(g[0]) <= 31:
                yield m.start(), m.end(), _year(g[1], today)


def dates(text: str, kept: Occupied, stamps: Occupied | None = None) -> Iterator[Finding]:
    """Dates of birth (sure), and other dates: kept after a policy label or inside a machine's
    timestamp (``stamps``: "2026-12-02 01:02:28,123"), dropped for the LLM (unsure) when nothing
    says what they are, a date of birth when older than twelve years."""
    stamps = stamps if stamps is not None else Occupied()
    this_year = _dt.date.today().year
    seen = Occupied()
    prev: tuple[int, str] | None = None  # end and verdict of the previous date
    for s, e, year in sorted(set(_full_dates(text))):
        if seen.overlaps(s, e):
            continue
        seen.add(s, e)
        before = text[max(0, s - 30):s]
        if prev is not None and _CHAIN.match(text[prev[0]:s]):
            verdict = prev[1]
        elif _DOB_LABEL.search(before) or _BABY_BEFORE.search(before):
            verdict = "dob"
        elif _POLICY_LABEL.search(before) or stamps.overlaps(s, e):
            verdict = "keep"
        elif year <= this_year - 12:
            verdict = "old"
        else:
            verdict = "unknown"
        prev = (e, verdict)
        if verdict == "keep":
            kept.add(s, e)
        elif verdict == "unknown":
            yield Finding("DATE", s, e, sure=False)
        else:
            yield Finding("DOB", s, e)
    # partial or compact dates, and a year alone, right after a DOB label ("DOB 3/14", "dob 1962")
    for cue in _DOB_CUE.finditer(text):
        window = text[cue.end():cue.end() + 40]
        fill = re.match(r"[\s:#=(\-\u2013\u2014]*(?:(?:is|was|of)\s+)?", window, re.IGNORECASE)
        m = _DOB_VALUE.match(window, fill.end())
        if m and not re.match(r"[\w/]", window[m.end():m.end() + 1]):
            s, e = cue.end() + m.start(), cue.end() + m.end()
            if not seen.overlaps(s, e):
                yield Finding("DOB", s, e)


# ------------------------------------------------------------------ identifiers
_VALUE = re.compile(r"(?<![\w$@./\\-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w@/\\]|\.\d|-\w)")
_SPACED_NUMBER = re.compile(r"(?<![\w.-])\d{3,4}(?:[ \t]\d{2,4}){1,3}[A-Za-z]?(?![\w-]|\.\d)")
_CIN_SPACED = re.compile(r"(?<![\w-])\d{8}[ -][A-Za-z](?![\w-])")
# A number read out a character or two at a time: "9 4 5 5 1 2 0 3 C", "R-0-0-1-2-3-4-5-6",
# "9455 1203 C" (one kind of separator throughout; a CIN or BIC by its shape, else by its label).
_SPELLED = re.compile(r"(?<![\w.-])(?:\d{1,4}|[A-Za-z])(?P<sep>[ \t]|[ \t]?[-.][ \t]?)"
                      r"(?:\d{1,4}|[A-Za-z])(?:(?P=sep)(?:\d{1,4}|[A-Za-z])){1,16}"
                      r"(?![\w-]|\.\w)")
_CIN = re.compile(r"\d{8}[A-Za-z]")
_BIC = re.compile(r"\d{8}[A-Za-z]\d{5}")
_MEMBER_SHAPE = re.compile(r"[A-Za-z]{1,4}-?\d{6,12}[A-Za-z0-9]?")
_CODE_SHAPES = re.compile(r"(?:19|20)\d{2}-(?:19|20)\d{2}"  # a span of years: "2008-2015"
                          r"|\d{5}-\d{5}|\d{5}-[A-Za-z0-9]{2}|\d{2}-\d{7}|[A-Za-z]\d{4}(?:-\w+)?"
                          r"|\d{4}[A-Za-z](?:-\d{4}[A-Za-z])?"
                          r"|[A-Za-z]{2,}-\d{1,5}(?:-[A-Za-z]+)?")


_LOWER_HEX = re.compile(r"(?=[0-9a-f]*[a-f])[0-9a-f]+")
# A provider's label after its number: "1548213379 is the group NPI", "95-7654321 = our TIN",
# "1234567890 (Dr. Sandhu's NPI)", "1234567890 - type 2 NPI".
KEEP_AFTER = re.compile(
    r"[ \t]*(?:[(\[=:,\-\u2013\u2014][ \t]*)?(?:(?:is|are|was|=)[ \t]+)?"
    r"(?:(?:the|our|my|their|his|her|its|this|that|a|an)[ \t]+)?"
    r"(?:(?:dr\.?[ \t]+)?[A-Za-z]{2,20}['\u2019]s[ \t]+)?"
    r"(?:(?:group|billing|rendering|individual|type[ \t]?(?:1|2|i|ii)|org(?:anization(?:al)?)?"
    r"|practice|clinic|facility|referring|ordering|attending|servicing|supervising|provider|pcp"
    r"|office|ipa|ppg|new|old|correct|right|wrong|main|own)[ \t]+){0,2}"
    r"(?:npis?|tins?|tax[ \t]*ids?|eins?|dea|clia|ptan|ncpdp|taxonomy|licen[cs]e"
    r"|provider[ \t]*(?:\#|no\b\.?|number|id))(?![\w-])", re.IGNORECASE)


def _shape_kind(compact: str) -> str:
    if _BIC.fullmatch(compact):
        return "BIC"
    if _CIN.fullmatch(compact):
        return "CIN"
    return "MEMBER_ID"


def identifiers(text: str, taken: Occupied, kept: Occupied,
                guarded: Occupied) -> Iterator[Finding]:
    labs = labels(text)
    ends = [lab.end for lab in labs]
    for m in _CIN_SPACED.finditer(text):
        if not taken.overlaps(*m.span()):
            taken.add(*m.span())
            yield Finding("CIN", m.start(), m.end())
    for m in _SPELLED.finditer(text):
        s, e = m.span()
        compact = re.sub(r"[^A-Za-z0-9]", "", m.group())
        digits = sum(c.isdigit() for c in compact)
        if digits < 4 or taken.overlaps(s, e) or kept.overlaps(s, e) or guarded.overlaps(s, e):
            continue
        found = label_before(text, labs, ends, s)
        if _BIC.fullmatch(compact) or _CIN.fullmatch(compact):
            kind: str | None = _shape_kind(compact)
        elif found is None:
            continue
        elif found[0].kind == "KEEP":
            kept.add(s, e)  # an NPI read out digit by digit is still the provider's
            continue
        else:
            kind = _labelled_kind(found[0].kind, compact, digits, True)
        if kind:
            taken.add(s, e)
            yield Finding(kind, s, e)
    # "mbr # 123 456 789", "Medi-Cal ID 9123 4567A": a number written in groups after a label
    for m in _SPACED_NUMBER.finditer(text):
        s, e = m.span()
        if taken.overlaps(s, e) or kept.overlaps(s, e) or guarded.overlaps(s, e):
            continue
        found = label_before(text, labs, ends, s)
        if found is None or found[0].kind in ("KEEP", "PHONE", "SSN"):
            continue
        compact = re.sub(r"[ \t]", "", m.group())
        kind = _labelled_kind(found[0].kind, compact, sum(c.isdigit() for c in compact), True)
        if kind:
            taken.add(s, e)
            yield Finding(kind, s, e)
    chain: tuple[int, tuple[Label, str], str] | None = None  # the last labelled value
    for m in _VALUE.finditer(text):
        s, e, tok = m.start(), m.end(), m.group()
        compact = tok.replace("-", "")
        digits = sum(c.isdigit() for c in compact)
        if not digits or taken.overlaps(s, e) or kept.overlaps(s, e) or guarded.overlaps(s, e):
            continue
        found = label_before(text, labs, ends, s)
        shape = _shape(compact)
        if found is None and chain is not None and chain[2] == shape \
                and _LIST_GAP.fullmatch(text[chain[0]:s]) and (
                    chain[1][0].kind == "KEEP" or digits >= 7 and not _CODE_SHAPES.fullmatch(tok)):
            found = chain[1]  # "NPIs 1186252767 and 1189555976": a list of the same shape
        chain = (e, found, shape) if found is not None else None
        if found is not None:
            lab, gap = found
            shaped = bool(_BIC.fullmatch(compact) or _CIN.fullmatch(compact) or (
                _MEMBER_SHAPE.fullmatch(tok) and not _CODE_SHAPES.fullmatch(tok)))
            if lab.kind == "KEEP" and not shaped:  # "line 91234567A" is still a CIN
                kept.add(s, e)
                continue
            if _whose_number(text, lab, s, compact) == "keep":
                kept.add(s, e)
                continue
            strong = lab.strong or bool(re.search(r"[#:]|\bno\b|number|\bid", gap, re.IGNORECASE))
            kind = _labelled_kind(lab.kind, compact, digits, strong) if lab.kind != "KEEP" else None
            if kind:
                yield Finding(kind, s, e)
                continue
        if found is None and not (_BIC.fullmatch(compact) or _CIN.fullmatch(compact)) and \
                KEEP_AFTER.match(text, e):
            kept.add(s, e)  # "1548213379 is the group NPI", "95-7654321 (TIN)"
            continue
        # no label (or a label that does not take this value): the shape decides
        if _BIC.fullmatch(compact) or _CIN.fullmatch(compact):
            yield Finding(_shape_kind(compact), s, e)
        elif (_MEMBER_SHAPE.fullmatch(tok) and not _CODE_SHAPES.fullmatch(tok)) or (
                compact.isdigit() and "-" not in tok and digits >= 7):
            yield Finding("MEMBER_ID", s, e)
        elif _LOWER_HEX.fullmatch(tok):
            continue  # "35120030e5": a hash, not a member's number
        elif digits >= 7 and not _CODE_SHAPES.fullmatch(tok):
            zip4 = re.fullmatch(r"\d{5}-\d{4}", tok) is not None
            yield Finding("MEMBER_ID", s, e, sure=digits >= 8 and not zip4)


# A call's reference number is the plan's ("called HN ... ref # INQ-884213", "rep gave me
# confirmation 55120"); a Medi-Cal number in a sentence about a doctor is the provider's
# ("Dr. Mendoza NPI ... Medi-Cal # GXY99887") -- each unless a member word is nearer.
_REF_LABEL = re.compile(r"ref(?:erence)?|ticket|confirmation|call", re.IGNORECASE)
_CALL_CUE = re.compile(
    r"\b(?:(?:called|calling|call(?:ed)?\s+in\s+to|dialed|phoned)\s+(?:the\s+)?(?:hn|hns|health\s*net"
    r"|plan|provider\s+services|ps|member\s+services|um|pharmacy\s+help\s*desk|help\s*desk)"
    r"|(?:spoke|spoken|speaking|talked|talking)\s+(?:with|to)|rep|agent|representative|chat"
    r"|hotline|provider\s+services|inquiry|inq|call\s+ref(?:erence)?)\b", re.IGNORECASE)
_FOR_MEMBER = re.compile(r"[ \t]*(?:for|re|on|of)[ \t]+(?:the[ \t]+)?(?:her|his|their|pt|patient"
                         r"|member|mbr|\ue000)", re.IGNORECASE)
_PROV_MEDICAL = re.compile(r"medi-?cal|mc|mcal", re.IGNORECASE)
_PROVIDER_CUE = re.compile(
    r"\b(?:dr|doctor|npi|tin|provider|prov|clinic|practice|group|physician|pcp|rendering"
    r"|billing|facility|pharmacy|lab|np|md|do|dds|od|office|our)\b", re.IGNORECASE)
_MEMBER_NEAR = re.compile(_MEMBER_CUE.pattern + r"|\ue000", re.IGNORECASE)


def _whose_number(text: str, lab: Label, s: int, compact: str) -> str | None:
    word = text[lab.start:lab.end]
    if lab.kind == "CLAIM" and _REF_LABEL.fullmatch(word):
        win = _window(text, lab.start, 80)
        end = s + len(_VALUE.match(text, s).group()) if _VALUE.match(text, s) else s
        if _nearest(_CALL_CUE, win) > _nearest(_MEMBER_NEAR, win) and \
                not _FOR_MEMBER.match(text, end):
            return "keep"
    if lab.kind == "MEMBER_ID" and _PROV_MEDICAL.fullmatch(word) and not (
            _BIC.fullmatch(compact) or _CIN.fullmatch(compact)):
        win = _window(text, lab.start, 80)
        if _nearest(_PROVIDER_CUE, win) > _nearest(_MEMBER_NEAR, win):
            return "keep"
    return None


def _shape(compact: str) -> str:
    """"R0012003301" -> "A9999999999": values of one list share it."""
    return "".join("9" if c.isdigit() else "A" for c in compact)


_LIST_GAP = re.compile(r"[ \t]*(?:,|;|/|&|\+|and|or|,[ \t]*and)[ \t]*", re.IGNORECASE)


def _labelled_kind(kind: str, compact: str, digits: int, strong: bool) -> str | None:
    if kind == "SSN":
        return "SSN" if digits in (4, 9) and compact.isdigit() else None
    if kind == "PHONE":
        return "PHONE" if compact.isdigit() and digits in (10, 11) else None
    looks_like_id = len(compact) >= 6 and digits >= 5 and not (
        compact.isdigit() and len(compact) == 5)
    if not (digits >= 3 and (strong or looks_like_id)):
        return None
    if kind in ("CIN", "BIC"):
        return kind
    if kind == "MEMBER_ID":
        return _shape_kind(compact)
    return kind


# ------------------------------------------------------------------ addresses
_SUFFIX = (r"(?:st|street|ave|avenue|blvd|boulevard|rd|road|dr|drive|ln|lane|way|ct|court|pl"
           r"|place|pkwy|parkway|hwy|highway|cir|circle|ter|terrace|trl|trail|square"
           r"|broadway|alley|aly|sq|plz|plaza)")
# Spanish street names put the kind of street first: "Calle Sonora", "Avenida de los Robles",
# "El Camino Real", "Via Verde".
_STREET_FIRST = ("calle callejon camino avenida avda paseo sendero cerrada carretera via v\u00eda"
                 " calzada plaza placita rancho circulo c\u00edrculo corte vereda senda alameda"
                 " entrada caminito vista privada prolongacion prolongaci\u00f3n").split()


def _alternatives(words: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


_PREFIX = (r"(?:(?:el|la|los|las)[ \t]{1,3})?" + _alternatives(_STREET_FIRST) + r"\.?")
_PREFIX_CAP = (r"(?:(?:El|La|Los|Las)[ \t]{1,3})?"
               + _alternatives(w.capitalize() for w in _STREET_FIRST) + r"\.?")
_HOUSE = r"\d{1,6}(?:-\d{1,6})?[A-Za-z]?"  # "1420", "48-210" (desert cities), "12B"
_UNIT = (r"(?:,?[ \t]{0,3}(?:apt|apartment|unit|ste|suite|bldg|rm|room|spc|space|lot|trlr|\#)"
         r"\.?[ \t]{0,3}\#?[\w-]{1,6})?")
_UNIT_WORD = r"(?:apt|apartment|unit|ste|suite|bldg|rm|room|spc|space|lot|trlr)\b"
ADDRESS_RE = re.compile(
    r"(?<![\w./-])(?:" + _HOUSE + r"[ \t]{1,3}(?:[NSEW]\.?[ \t]{1,3})?"
    r"(?:(?:(?:[A-Z0-9][\w'.-]{0,30}[ \t]{1,3}){1,4}?|(?!(?i:dr|st|ct|pl|ter|cir|way)\b))"
    r"(?i:" + _SUFFIX + r")\b\.?"
    r"|" + _PREFIX_CAP + r"(?:[ \t]{1,3}(?i:de|del|la|las|los|el)){0,2}"
    r"(?:[ \t]{1,3}(?!(?i:" + _UNIT_WORD + r"))[A-Z][\w'.-]{0,30}){1,2})"
    r"|P\.?[ \t]?O\.?[ \t]{1,3}(?i:box)[ \t]{1,3}\d{1,6}"
    r"|(?:R\.?[ \t]?R\.?|Rte?\.?|Route|RTE?|ROUTE|H\.?C\.?|Star[ \t]Route)[ \t]{0,3}\d{1,4},?"
    r"[ \t]{0,3}(?i:box)[ \t]{0,3}\d{1,6}[A-Za-z]?)"
    + _UNIT.replace("(?:apt", "(?i:apt") +
    r"(?:,?[ \t]{1,3}(?!(?i:apt|unit|ste|suite)\b)[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2})?"
    r"(?:,?[ \t]{1,3}(?:CA|Calif\.?|California|[A-Z]{2}))?(?:,?[ \t]{1,3}\d{5}(?:-\d{4})?)?",
)
# Lower-case addresses ("lives at 1420 elm st apt 3, fresno") are read only after a member's
# address word, where a lower-case street name cannot be anything else.
ADDRESS_LOWER_RE = re.compile(
    r"(?<![\w./-])" + _HOUSE + r"[ \t]{1,3}(?:[nsew]\.?[ \t]{1,3})?"
    r"(?:(?:(?!(?:a|an|the|per|for|to|with|by|and|or|x|of|in|at|on|from|hrs?|hours?|days?"
    r"|wks?|weeks?|mins?|minutes?|units?|visits?|times)\b)[a-z0-9][\w'.-]{0,30}[ \t]{1,3}){1,4}?"
    + _SUFFIX + r"\b(?!\.?[ \t]+(?-i:[A-Z][a-z]))\.?"
    r"|" + _PREFIX + r"(?:[ \t]{1,3}(?:de|del|la|las|los|el)){0,2}"
    r"(?:[ \t]{1,3}(?!" + _UNIT_WORD + r")[a-z][\w'.-]{0,30}){1,2}?(?=[ \t]*(?:[,.;|)#]|$"
    r"|" + _UNIT_WORD + r")))"
    + _UNIT +
    r"(?:,?[ \t]{1,3}(?!(?:apt|unit|ste|suite)\b)[a-z]+(?:[ \t][a-z]+)?"
    r"(?=,?[ \t]*(?:ca\b|\d{5}|[.,;|)]|$)))?"
    r"(?:,?[ \t]{1,3}(?:ca|calif\.?|california))?(?:,?[ \t]{1,3}\d{5}(?:-\d{4})?)?",
    re.IGNORECASE,
)
# Right after a word that says an address follows ("lives at", "dir", "mailed to", "address:"),
# a house number and a name without a street type ("45 Orchard, Fresno"), or a street-first
# word and its number ("Calle 5 #23, Calexico", "Avenida 16 de Septiembre 410").
_CUED_ADDRESS_RE = re.compile(
    r"(?<![\w./-])(?:" + _HOUSE + r"[ \t]{1,3}(?:[NSEW]\.?[ \t]{1,3})?(?!(?i:" + _UNIT_WORD
    + r"))[A-Z][\w'.-]{1,30}(?:[ \t]{1,3}(?!(?i:" + _UNIT_WORD + r"))[A-Z][\w'.-]{1,30}){0,2}"
    r"|(?i:" + _PREFIX + r")[ \t]{1,3}\d{1,5}[A-Za-z]?(?:[ \t]{1,3}(?i:de)[ \t]{1,3}[A-Z][\w'.-]{1,30}"
    r"(?:[ \t]{1,3}\d{1,5})?)?)"
    + _UNIT.replace("(?:apt", "(?i:apt") +
    r"(?:,?[ \t]{1,3}(?!(?i:apt|unit|ste|suite)\b)[A-Z][a-z]+(?:[ \t][A-Z][a-z]+){0,2})?"
    r"(?:,?[ \t]{1,3}(?:CA|Calif\.?|California|[A-Z]{2}))?(?:,?[ \t]{1,3}\d{5}(?:-\d{4})?)?",
)
_CUE_JUST_BEFORE = re.compile(
    r"\b(?:lives?(?:[ \t]+(?:at|on))?|living[ \t]+at|resides?(?:[ \t]+at)?|address(?:[ \t]+is)?"
    r"|addr|(?<!med\s)(?<!medical\s)(?<!program\s)(?<!site\s)dir|direcci[o\u00f3]n|domicilio|vive[ \t]+en|(?:mailed|sent|shipped|mail|send)[ \t]+to"
    r"|staying[ \t]+at)[ \t]*[:=\-]?[ \t]*$", re.IGNORECASE)
_ADDRESS_CUE = re.compile(r"\b(?:lives?|living|home|address(?:es)?|addr|pickup|pick\s*up|mailing"
                          r"|residence|resides|staying|(?<!med\s)(?<!medical\s)(?<!program\s)(?<!site\s)dir|direcci[o\u00f3]n|domicilio|vive"
                          r"|(?:mailed|sent|shipped|send|mail)\s+(?:it\s+)?to)\b", re.IGNORECASE)
_PROVIDER_PLACE = re.compile(
    r"\b(?:our|we|we're|were|clinic|office|practice|site|hn|hns|health\s*net|dhcs|mail(?:ed)?"
    r"|send|grievances?|appeals?|dr\.?|doctor|pcp|provider|facility|hospital|pharmacy|located"
    r"|ppg|ipa|group|plan|county|remit|billing)\b", re.IGNORECASE)
_MEMBER_PLACE = re.compile(
    r"\b(?:lives?|living|home|pt|patient|mbrs?|member|her|his|their|address(?:es)?|addr"
    r"|pickup|pick\s*up|mailing|residence|resides|shelter|staying"
    # where the member's mail goes: "says mail going to ...", "gets her mail at ..."
    r"|mail\s+(?:is\s+)?(?:going|goes|went|sent|comes|coming|delivered)|gets?\s+(?:\w+\s+)?mail"
    r"|receiv\w*\s+(?:\w+\s+)?mail"
    # the member's things mailed to it: "wants new ID card mailed to ...", "send her kit to ..."
    r"|(?:card|cards|letters?|notices?|packet|kit|supplies|meds|medications?|strips|pump|chair"
    r"|walker|formula|diapers)\s+(?:\w+\s+)?(?:mailed|sent|shipped|delivered|send|ship|mail)"
    r"(?:\s+(?:out|over))?\s+to"
    r"|(?<!med\s)(?<!medical\s)(?<!program\s)(?<!site\s)dir|direcci[o\u00f3]n|domicilio|vive(?:\s+en)?)\b", re.IGNORECASE)


_MEMBER_PLACE_AFTER = re.compile(
    r"[\s,;:(\-\u2013\u2014]{0,4}(?:(?:her|his|their|the\s+(?:pt|patient|member|mbr)'?s?"
    r"|(?:pt|patient|member|mbr|mom|dad)(?:'?s)?)[ \t]+(?:own[ \t]+)?(?:home|house|residence"
    r"|address|apartment|apt|place)|home\s+address)\b", re.IGNORECASE)


def _address_matches(text: str) -> Iterator[re.Match]:
    seen = Occupied()
    for m in ADDRESS_RE.finditer(text):
        seen.add(*m.span())
        yield m
    for m in ADDRESS_LOWER_RE.finditer(text):
        if not seen.overlaps(*m.span()) and _ADDRESS_CUE.search(_window(text, m.start(), 40)):
            seen.add(*m.span())
            yield m
    for m in _CUED_ADDRESS_RE.finditer(text):
        if not seen.overlaps(*m.span()) and \
                _CUE_JUST_BEFORE.search(text, max(0, m.start() - 30), m.start()):
            yield m


def addresses(text: str, kept: Occupied) -> Iterator[Finding]:
    for m in _address_matches(text):
        win = _window(text, m.start(), 60)
        prov, memb = _nearest(_PROVIDER_PLACE, win), _nearest(_MEMBER_PLACE, win)
        end = m.end()
        while end > m.start() and text[end - 1] in " \t,":
            end -= 1
        po_box = m.group()[:1] in "Pp"  # an organisation's box unless said to be the member's
        said_after = _MEMBER_PLACE_AFTER.match(text, end)  # "... San Diego 92108 (her home)"
        if not said_after and (prov > memb or (po_box and memb < 0)):
            kept.add(m.start(), end)
        else:
            yield Finding("ADDRESS", m.start(), end)


# ------------------------------------------------------------------ X12 / EDI segments
# A pasted 835/837/270/271 names the member in an NM1 segment whose entity is the patient (QC),
# the insured or subscriber (IL), a dependent (03) or a responsible party (QD):
# "NM1*QC*1*LAST*FIRST*M~"; its DMG segment holds the birth date ("DMG*D8*19800314*F") and a
# REF*SY its SSN. A provider's NM1 (82, 85, 77, DN, PR, ...) is kept.
_EDI_NAME = re.compile(
    r"(?<![A-Za-z0-9])NM1(?P<sep>[*|^:])(?:QC|IL|03|QD)(?P=sep)1?(?P=sep)"
    r"(?P<name>[^\W\d_][^*|^~:\n\ue000]{0,59}(?:(?P=sep)[^*|^~:\n\ue000]{0,40}){0,4})",
    re.IGNORECASE)
_EDI_DOB = re.compile(r"(?<![A-Za-z0-9])DMG(?P<sep>[*|^:])D8(?P=sep)(\d{8})(?!\d)", re.IGNORECASE)
_EDI_SSN = re.compile(r"(?<![A-Za-z0-9])REF(?P<sep>[*|^:])SY(?P=sep)(\d{9}|\d{3}-\d{2}-\d{4})(?!\d)",
                      re.IGNORECASE)


def edi(text: str) -> Iterator[Finding]:
    """Member names, birth dates and SSNs in pasted X12 segments."""
    if "*" not in text and "|" not in text and "^" not in text:
        return
    for m in _EDI_NAME.finditer(text):
        s = m.start("name")
        e = s + len(m.group("name").rstrip(m.group("sep") + " \t"))
        if e > s:
            yield Finding("NAME", s, e)
    for m in _EDI_DOB.finditer(text):
        yield Finding("DOB", m.start(2), m.end(2))
    for m in _EDI_SSN.finditer(text):
        yield Finding("SSN", m.start(2), m.end(2))

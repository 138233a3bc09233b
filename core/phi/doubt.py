"""When in doubt, redact: what stands right beside a member's identifier is the member's too,
unless something says what else it is.

The other detectors say what a span IS (a CIN by its shape, a name by its cue), and each new
writer has brought shapes they do not cover. This pass reasons from what a span is NOT, in a
message that holds a sure member identifier. Beside one (only spaces, light punctuation and a
member label's words between: "Kim 4471 (last 4)", "[NAME] ss ultimos 4 8812"):

- a doubtful finding (an unlabelled hyphenated number, a pair of given names) becomes sure;
- a number of four to twelve digits is the member's account number unless its shape or its
  neighbours explain it: a year, five digits (a CPT code, with its modifier), a number the
  manual gives, a count ("12 visits"), a series in capitals ("APL 23-024") or a label that names
  a provider's, a code's or a form's number ("NPI", "CPT", "rev", "form", "billed", ...);
- a word of the name lists or an unknown word (not English, not the manual's vocabulary, not an
  acronym, a place, an organisation, a member word or a label, not a count's unit) is the
  member's name, in any case; a given name that is also a word only between the identifier and
  the end of the phrase; any capitalised word between a member's name and their next
  identifier ("[Abigail] Foster [DOB]");
- "Last, First" with one word from the name lists ("liang, jun mrn ..."), and two to four
  capitalised words with one from the name lists ("Nguyen Van Long last 4 ss ...");
- a particle or a title right before a name goes with it ("van [Houten]", "Sister [Mary]"),
  and so does a Spanish "y" between two names' words.

Anywhere in a message that holds a sure member identifier other than a name (a name found by
a weak cue, "for Hep B", is not enough), two or three capitalised words found only in the name
lists are a name, unless a provider's cue stands right before ("Dr.", a staff word, a greeting) or a staff
word or an organisation right after: "to", "at", "with" no longer save them.

Nothing is added by a provider's cue (``guarded_name``). It runs after the other detectors, to a
fixed point (a word it adds can stand beside another), and its findings are sure: what it takes
leaves logs, search and the LLM alike. Kept items pay for it a little: a colleague named after
"with" in a message about a member is removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from core.phi.names import _PERSON, _STAFF, _staff_after, _Text
from core.phi.spans import Finding, Occupied
from core.phi.structured import KEEP_AFTER
from core.phi.structured import manual_numbers as _read_manual_numbers
from core.phi.words import lexicon

# Between an identifier and its neighbour: spaces, light punctuation (not a sentence end, not
# a line break) and the words of a member label.
_LABEL_WORDS = (r"d\.?o\.?b\.?|dob|born|b\.|cin|bic|id|mbr|member|sub|subscriber|acct|account|mrn"
                r"|chart|ss|ssn|sin|last|first|middle|full|name|4|four|ph|phone|cell|tel|email"
                r"|addr|address|no\.?|number|num|nbr|numero|n[u\u00fa]mero|de|cuenta|fecha"
                r"|nacimiento|ultimos|[u\u00fa]ltimos|expediente|is|es|birthdate|birthday"
                r"|ident\w*")
_GAP = re.compile(r"(?:[ \t,;:|/()\-\u2013\u2014#=]|(?<![\w.])(?:" + _LABEL_WORDS
                  + r")(?![\w-]))*", re.IGNORECASE)
_GAP_MAX = 32
_TIGHT = re.compile(r"(?:[ \t,;:|/()\-\u2013\u2014#=]|(?<![\w.])(?:first|last|middle|given|full"
                    r"|sur)?[ \t]?name(?![\w-]))*", re.IGNORECASE)
_LABEL_WORD = re.compile(r"(?:" + _LABEL_WORDS + r")", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{1,2}")
_NUMBER = re.compile(r"(?<![\w$.#/@\\-])\d+(?:-\d+)*(?![\w%/@\\]|\.\d|-\w)")
# A number these words stand before is not the member's.
_NOT_MEMBER_BEFORE = re.compile(
    r"(?<![\w])(?:npi|tin|ein|tax\s*id|cpt|hcpcs|icd|dx|code|codes|rev|revenue|form|pos"
    r"|modifier|mod|billed|bill|paid|units?|taxonomy|provider|prov|group|grp|npi\s*#|fax"
    r"|check|chk|payer"
    r"|box|line|page|pg|version|ver|v|zip|suite|ste|room|rm|ext|x|\$|usd)\W{0,3}$",
    re.IGNORECASE)
# ... nor a number these words follow: a count or a measure.
_COUNT_AFTER = re.compile(
    r"[ \t]*(?:%|days?|d\b|visits?|units?|hrs?|hours?|mins?|minutes?|weeks?|wks?|months?|mos?"
    r"|years?|yrs?|y/?o\b|times|x\b|sessions?|mg|ml|oz|lbs?|kg|g\b|miles?|mi\b|pages?|claims?"
    r"|dollars|cents)", re.IGNORECASE)


@cache
def manual_numbers() -> frozenset[str]:
    return _read_manual_numbers()


_SERIES_BEFORE = re.compile(
    r"(?<![\w-])(?!(?:CIN|BIC|ID|MRN|SSN|SS|DOB|SUB|MBR|ACCT|PT|TAR|ICN)\b)[A-Z]{2,6}[ \t-]?$")
_MEMBER_KINDS = frozenset({"CIN", "BIC", "MEMBER_ID", "ACCOUNT", "CLAIM", "SSN", "DOB", "PHONE",
                           "EMAIL", "ADDRESS", "NAME"})


def _explained_number(text: str, s: int, e: int) -> bool:
    """Something other than a member says what the number at text[s:e] is."""
    value = text[s:e]
    digits = value.replace("-", "")
    if not 4 <= len(digits) <= 12:
        return True
    if re.fullmatch(r"(?:19|20)\d{2}", value):
        return True  # a year
    if digits in manual_numbers():
        return True
    line_start = text.rfind("\n", 0, s) + 1
    if _NOT_MEMBER_BEFORE.search(text[max(line_start, s - 24):s]):
        return True
    if _COUNT_AFTER.match(text, e) or KEEP_AFTER.match(text, e):
        return True  # a count ("12 visits"), a provider's number ("... is the group NPI")
    if re.fullmatch(r"\d{5}(?:-\w{2})?", value):
        return True  # five digits read as a CPT code (every one is in a CPT range), with its
        # modifier ("99213-25")
    # a series in capitals names it: "APL 23-024", "DHCS 6210", "HN-1600"
    return bool(_SERIES_BEFORE.search(text, max(line_start, s - 12), s))


_NUMBER_BEFORE = re.compile(r"\d[ \t]{0,2}$")


def _after_number(text: str, s: int, taken: Occupied) -> bool:
    """A count's number just before ("6 meses"; not a member's number: "mrn 6613 ali, ...")."""
    m = _NUMBER_BEFORE.search(text, max(0, s - 3), s)
    return bool(m) and not taken.overlaps(m.start(), m.start() + 1)


def _after_a_name(text: str, s: int, anchors: list[Finding]) -> bool:
    """A member's name ends right before s, a space or two away."""
    return any(f.kind == "NAME" and _SPACES.fullmatch(text, f.end, s) for f in anchors)


def _beside(text: str, s: int, e: int, starts: set[int], ends: set[int],
            tight: bool = False) -> bool:
    """Only spaces, light punctuation and a member label's words between text[s:e] and a sure
    member identifier ("Kim 4471 (last 4)", "[NAME] ss ultimos 4 8812 dob ..."); ``tight``:
    no label's words but a name field's ("first name")."""
    return _before(text, s, ends, tight) or _after(text, e, starts, tight)


def _before(text: str, s: int, ends: set[int], tight: bool = False) -> bool:
    gap = _TIGHT if tight else _GAP
    return any(p in ends and gap.fullmatch(text, p, s)
               for p in range(max(0, s - _GAP_MAX), s + 1))


def _after(text: str, e: int, starts: set[int], tight: bool = False) -> bool:
    gap = _TIGHT if tight else _GAP
    return any(p in starts and gap.fullmatch(text, e, p)
               for p in range(e, min(len(text), e + _GAP_MAX) + 1))


_STOP_AFTER = re.compile(r"[ \t]*(?:$|\n|[,;:|()\-\u2013\u2014.?!]|\ue000)")


def beside_members(text: str, found: list[Finding], blocked: Occupied) -> list[Finding]:
    """found, with what stands right beside a sure member identifier taken as the member's too
    (see module doc): a doubtful finding there becomes sure ("Ruiz, Ana - numero de cuenta
    338201-2"), and numbers and name-like words there are added."""
    sure = [f for f in found if f.sure and f.kind in _MEMBER_KINDS]
    if not sure:
        return found
    starts = {f.start for f in sure}
    ends = {f.end for f in sure}
    found = [Finding(f.kind, f.start, f.end, True)
             if not f.sure and f.kind != "DATE" and _beside(text, f.start, f.end, starts, ends)
             else f for f in found]
    return found + _added(text, found, blocked)


def _added(text: str, found: list[Finding], blocked: Occupied) -> list[Finding]:
    lex = lexicon()
    added: list[Finding] = []
    sure = [f for f in found if f.sure and f.kind in _MEMBER_KINDS]
    taken = Occupied((f.start, f.end) for f in found)
    tx = _Text(text, Occupied(list(blocked) + list(taken)), lex)
    for _round in range(4):
        anchors = sure + added
        starts = {f.start for f in anchors}
        ends = {f.end for f in anchors}
        new: list[Finding] = []
        for m in _NUMBER.finditer(text):
            s, e = m.span()
            if taken.overlaps(s, e) or blocked.overlaps(s, e):
                continue
            if _beside(text, s, e, starts, ends) and not _explained_number(text, s, e):
                new.append(Finding("ACCOUNT", s, e))
        for i, t in enumerate(tx.toks):
            if not tx.is_word(i) or len(t.text) < 2 or taken.overlaps(t.start, t.end):
                continue
            c = tx.cls(i)
            if t.low in _PERSON or _after_number(text, t.start, taken):
                continue  # "bebé", "6 meses": a member word, a count's unit
            if _LABEL_WORD.fullmatch(t.text) or t.text in lex.acronyms or \
                    (t.text.isupper() and len(t.text) <= 4) or \
                    t.low in lex.places or t.low in lex.org or t.low in lex.systems:
                continue
            if c in ("name", "unknown"):
                # in lower case only right beside, or across a name field's words ("benitez -
                # first name [NAME]"), not across another label: "could not parse member
                # [NAME]" is a log's own word
                if not _beside(text, t.start, t.end, starts, ends, tight=t.text.islower()):
                    continue
            elif c in ("english_name", "given") or t.low in lex.particles:
                # a given name or surname that is also a word ("Rose", "Ali", "Van"): only
                # between a member's identifier and the end of the phrase (or another)
                if not ((_before(text, t.start, ends) and (
                        _STOP_AFTER.match(text, t.end) or _after(text, t.end, starts)))
                        or (_after(text, t.end, starts) and _before(text, t.start, ends))):
                    continue
            elif c != "function" and t.text[:1].isupper() and not t.text.isupper() and \
                    _after_a_name(text, t.start, anchors) and \
                    (_STOP_AFTER.match(text, t.end) or _after(text, t.end, starts)):
                pass  # "[Abigail] Foster [DOB]": a capitalised word between a name and the
                # member's next identifier is the name's last word, whatever it means
            else:
                continue
            if tx.guarded_name(i) or tx.org_follows(t.end) or \
                    (i > 0 and tx.toks[i - 1].low in _STAFF):
                continue
            new.append(Finding("NAME", t.start, t.end))
        new += _comma_pairs(tx, text, taken, starts, ends)
        new += _joiners(tx, text, taken, anchors)
        new += _capital_runs(tx, text, taken, starts, ends)
        if _round == 0 and any(f.kind != "NAME" for f in sure):
            new += _name_pairs(tx, text, taken)
        if not new:
            break
        for f in new:
            taken.add(f.start, f.end)
        added += new
    return added


def _comma_pairs(tx: _Text, text: str, taken: Occupied, starts: set[int],
                 ends: set[int]) -> list[Finding]:
    """"Last, First" beside a member's identifier: "liang, jun mrn ...". One of the two words is
    a name-list or unknown word; the other may be any word but a function word or a label."""
    out: list[Finding] = []
    toks = tx.toks
    for i in range(len(toks) - 2):
        a, comma, b = toks[i], toks[i + 1], toks[i + 2]
        if comma.text != "," or not (a.text[0].isalpha() and b.text[0].isalpha()) or \
                text[a.end:b.start] not in (", ", ",\t") or len(a.text) < 2 or len(b.text) < 2:
            continue
        if a.text.islower() != b.text.islower():
            continue
        classes = (tx.cls(i), tx.cls(i + 2))
        if "function" in classes or not {"name", "unknown"} & set(classes):
            continue
        if any(_LABEL_WORD.fullmatch(t.text) or t.text in tx.lex.acronyms or t.low in _PERSON
               or _after_number(text, t.start, taken)
               or t.low in tx.lex.places for t in (a, b)):
            continue
        if taken.overlaps(a.start, a.end) and taken.overlaps(b.start, b.end):
            continue
        if not _beside(text, a.start, b.end, starts, ends) or tx.guarded_name(i):
            continue
        for t in (a, b):
            if not taken.overlaps(t.start, t.end):
                out.append(Finding("NAME", t.start, t.end))
    return out


_TITLE_WORDS = frozenset(["mr", "mrs", "ms", "mx", "miss", "sra", "srta", "sister", "brother", "father", "st", "ste", "saint"])
_JOIN_WORDS = frozenset({"y", "e"})


def _joiners(tx: _Text, text: str, taken: Occupied, anchors: list[Finding]) -> list[Finding]:
    """A particle or a title right before a name ("van [Houten]", "st. [John]", "Sister
    [Mary ...]") and a Spanish "y" between two names' words go with the name."""
    names = [f for f in anchors if f.kind == "NAME"]
    name_starts = {f.start for f in names}
    name_ends = {f.end for f in names}
    out: list[Finding] = []
    for i, t in enumerate(tx.toks):
        if not t.text[0].isalpha() or taken.overlaps(t.start, t.end):
            continue
        end = t.end + (1 if text[t.end:t.end + 1] == "." else 0)
        gap_ok = _SPACES.fullmatch(text, end, end + 1) or _SPACES.fullmatch(text, end, end + 2)
        nxt = next((p for p in (end + 1, end + 2) if p in name_starts and
                    _SPACES.fullmatch(text, end, p)), None)
        if nxt is None or not gap_ok:
            continue
        prev_word = i > 0 and tx.toks[i - 1].text[0].isalpha() and \
            not taken.overlaps(tx.toks[i - 1].start, tx.toks[i - 1].end)
        if (t.low in tx.lex.particles and not prev_word) or t.low.rstrip(".") in _TITLE_WORDS:
            if t.low in ("st", "st.") and not text[nxt:nxt + 1].isalpha():
                continue
            out.append(Finding("NAME", t.start, end))
        elif t.low in _JOIN_WORDS and any(p in name_ends and _SPACES.fullmatch(text, p, t.start)
                                          for p in range(max(0, t.start - 2), t.start)):
            out.append(Finding("NAME", t.start, t.end))
    return out



def _runs(tx: _Text, text: str, longest: int, fits: Callable[[int], bool]) -> Iterator[list[int]]:
    """Runs of two to ``longest`` adjacent tokens, one space apart, each of which ``fits``; a
    run ends where the next begins its search."""
    toks = tx.toks
    i = 0
    while i < len(toks):
        run: list[int] = []
        j = i
        while j < len(toks) and len(run) < longest and fits(j) and \
                (not run or _SPACES.fullmatch(text, toks[run[-1]].end, toks[j].start)):
            run.append(j)
            j += 1
        if len(run) < 2:
            i += 1
            continue
        i = run[-1] + 1
        yield run

def _capital_runs(tx: _Text, text: str, taken: Occupied, starts: set[int],
                  ends: set[int]) -> list[Finding]:
    """Two to four capitalised words beside a member's identifier, one of them a name-list or
    unknown word, are a name whatever the others mean ("Nguyen Van Long last 4 ss ..."): not
    when one names a place, an organisation or a health system, nor after a provider's cue."""
    out: list[Finding] = []
    toks, lex = tx.toks, tx.lex

    def capitalised(j: int) -> bool:
        t = toks[j].text
        return t[:1].isupper() and len(t) > 1 and not t.isupper()

    for run in _runs(tx, text, 4, capitalised):
        words = [toks[x] for x in run]
        if any(taken.overlaps(t.start, t.end) for t in words):
            continue
        classes = [tx.cls(x) for x in run]
        if "function" in classes or not {"name", "unknown"} & set(classes):
            continue
        if any(t.low in lex.org or t.low in lex.systems or t.low in _PERSON
               or t.text in lex.acronyms or _LABEL_WORD.fullmatch(t.text) for t in words) or \
                tx.place_like(run):
            continue
        s, e = words[0].start, words[-1].end
        if not _beside(text, s, e, starts, ends) or tx.guarded(run[0]) or tx.org_follows(e):
            continue
        out.append(Finding("NAME", s, e))
    return out


# Before a name these make it a provider's or a colleague's even in a message about a member
# ("to", "at", "with" do not: "belongs to Agnieszka Nowak", "spoke with Ana Ruiz's mom").
_PROVIDER_BEFORE = frozenset(["dr", "dra", "doctor", "np", "md", "do", "provider", "pcp", "nurse", "rn", "hi", "hey", "hello", "thanks", "thank", "dear", "attn", "cc", "per", "this"])


def _name_pairs(tx: _Text, text: str, taken: Occupied) -> list[Finding]:
    """In a message that carries a member's identifier, two or three capitalised words found
    only in the name lists are a name, wherever they stand, unless a provider's cue is right
    before them (a title, a staff word, a greeting) or a staff word or an organisation right
    after."""
    out: list[Finding] = []
    toks = tx.toks

    def name_word(j: int) -> bool:
        t = toks[j]
        return tx.is_word(j) and t.text[:1].isupper() and not t.text.isupper() and \
            tx.cls(j) == "name" and t.low not in _PERSON

    for run in _runs(tx, text, 3, name_word):
        words = [toks[x] for x in run]
        if any(taken.overlaps(t.start, t.end) for t in words) or tx.place_like(run):
            continue
        p = run[0] - 1
        if p >= 0 and toks[p].text == "." and p > 0:
            p -= 1
        if p >= 0 and (toks[p].low in _PROVIDER_BEFORE or toks[p].low in _STAFF):
            continue
        if p >= 1 and toks[p].low == "is" and toks[p - 1].low in _STAFF | {"this", "name"}:
            continue
        s, e = words[0].start, words[-1].end
        if tx.org_follows(e) or _staff_after(tx, s, e):
            continue
        out.append(Finding("NAME", s, e))
    return out

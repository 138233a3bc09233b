"""Member names in reps' messages: found by what stands around them, checked against word lists.

Context is the main signal:

- after a label that names a person ("name:", "named", "last name", "a.k.a.", "goes by") any name
  form is taken, lower case and ordinary words that are given names included ("name: lin, may");
- after a word for the member ("pt", "mbr", "patient", "mom", "son", "caller", "Mr.") a name in
  any case is taken ("mbr iris blackfeather", "Pt. Chukwuemeka Nwosu", "pt hernandez, luis"); a
  given name that is also a word is a name only when a name or a stop follows ("pt hope --" yes,
  "pt will need" no);
- before a date of birth, an id label or an identifier ("hope williams dob ...", "lopez-garcia,
  ana mbr id ..."), and after an identifier or another name ("acct 448812 - jose ramirez -",
  "mbr hope (Hope Anne Riley)");
- a capitalised pair of name-list words with no cue ("pt says Li Huang").

Words are sorted by ``assistant.phi.words.word_class``. A name next to "Dr.", "@", "this is",
or followed by an organisation word ("Valley Medical Group") is a provider's or a clinic's: kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.phi.structured import Finding, Occupied
from assistant.phi.words import Lexicon, lexicon

_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019\-](?=[^\W\d_]))*|\d+|\S")
_ABBREV = frozenset({"mr", "mrs", "ms", "mx", "dr", "st", "jr", "sr", "pt", "mbr", "b"})
_DELIM = frozenset(",;:()|/-\u2013\u2014.?!")
_SEPARATORS = frozenset(",;:/|()-\u2013\u2014")
_PERSON = frozenset(
    "pt pts patient mbr mbrs member enrollee beneficiary subscriber client baby infant newborn "
    "child kid son sons daughter daughters mom moms mother dad father husband wife spouse "
    "guardian aunt uncle caller grandma grandmother grandpa grandfather sister brother twin "
    "grandson granddaughter grandchild niece nephew cousin stepson stepdaughter stepmom stepdad "
    "mr mrs ms mx sra srta".split())
_BABY = frozenset({"baby", "infant", "newborn", "twin"})
# Labels a name stops at ("name brooks, will  CIN ...") and is found right before ("hope williams
# dob ..."); the labels of an identifier are stepped over to reach a name before them.
_CUE_WORDS = frozenset(
    "dob born b cin bic id sub subscriber acct account mrn chart ssn ss ph phone cell tel "
    "email addr address aka".split())
_ID_LABEL_WORDS = _CUE_WORDS | frozenset(
    "mbr mbrs member members pt patient policy ins hn medi-cal no number nbr num card # : - "
    "is".split())
_HARD_STOP = frozenset("is in at on of to and or for the a an as by it if be me we he my no "
                       "so us re hi ok up".split())
_MODAL = frozenset("need needs needed may will can could should would must has have had is was "
                   "did does do wants wanted".split())
_GUARD_BEFORE = frozenset("dr doctor np md provider pcp nurse rn at from to with by @ hi hey "
                          "hello thanks thank dear attn cc per fellow".split())
# Staff and provider words: a name just after them is a colleague's ("our office manager Tamika
# Jones", "Provider Relations rep is Jorge Castillo").
_STAFF = frozenset("rep reps manager biller billers coder coordinator scheduler receptionist "
                   "supervisor director planner staff therapist physician provider providers "
                   "dr doctor nurse np md rn lvn ma pa-c midwife doula ibclc pcp office clinic "
                   "colleague coworker co-worker admin administrator specialist liaison "
                   "representative agent tech technician pharmacist".split())
_STRONG_CUE = re.compile(
    r"(?<![\w-])(?:(?:(?:first|last|middle|full|maiden|legal|chosen|preferred|nick|sur|given"
    r"|family|pt|pts|patient|member|mbr|mom|moms|mother|dad|son|sons|daughter|baby|child|his"
    r"|her|their)(?:'s|\u2019s)?\s*)?name(?:\s+(?:is|on\s+(?:it|the\s+card|card|file)"
    r"|in\s+\w+))?|named|lastname|firstname|fname|lname|a\.?k\.?a\.?|goes\s+by"
    r"|calls\s+(?:him|her|them)sel(?:f|ves)|signed|nickname|known\s+as)(?![\w-])[ \t]*[:=\-]?",
    re.IGNORECASE)
_WEAK_CUE = re.compile(
    r"(?<![\w-])(?:for|regarding|re|on\s+behalf\s+of|calling\s+(?:about|for)|asking\s+about)"
    r"(?![\w-])[ \t]*:?", re.IGNORECASE)
# "first chidi", "last Adeyemi": a name field without "name"; only a name-list or unknown word
_FIELD_WORD = re.compile(r"(?<![\w-])(?:first|last|middle|surname)(?![\w-])[ \t]*:?", re.IGNORECASE)
_FIELD_CUE = re.compile(r"(?<![\w-])[A-Za-z]{1,12}[ \t]*:")
_ANCHOR_KINDS = frozenset({"CIN", "BIC", "MEMBER_ID", "ACCOUNT", "CLAIM", "SSN", "DOB", "PHONE",
                           "EMAIL", "NAME"})
STRONG, PERSON, WEAK, FIELD = "strong", "person", "weak", "field"


@dataclass(slots=True)
class Tok:
    text: str
    start: int
    end: int
    word: bool
    low: str


class _Text:
    def __init__(self, text: str, blocked: Occupied, lex: Lexicon):
        self.text, self.lex = text, lex
        self.toks: list[Tok] = []
        for m in _TOKEN.finditer(text):
            t = m.group()
            word = t[0].isalpha() and not blocked.overlaps(m.start(), m.end())
            self.toks.append(Tok(t, m.start(), m.end(), word, t.lower()))
        self._cls: dict[str, str] = {}

    def cls(self, i: int) -> str:
        t = self.toks[i].text
        if t not in self._cls:
            self._cls[t] = self.lex.word_class(t)
        return self._cls[t]

    def index_at(self, pos: int) -> int:
        """Index of the first token starting at or after pos."""
        lo, hi = 0, len(self.toks)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.toks[mid].start < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def spaced(self, i: int, j: int) -> bool:
        """Tokens i and j are separated by spaces or tabs only (same line)."""
        gap = self.text[self.toks[i].end:self.toks[j].start]
        return gap != "" and gap.strip(" \t") == "" or gap == ""

    # ----------------------------------------------------------- word tests
    def is_word(self, i: int) -> bool:
        return 0 <= i < len(self.toks) and self.toks[i].word

    def stop_after(self, i: int) -> bool:
        """Token i ends a name: a delimiter, a number, a cue word, or the end."""
        if i >= len(self.toks):
            return True
        t = self.toks[i]
        return (not t.word) or t.low in _CUE_WORDS or not self.spaced(i - 1, i)

    def strong_name(self, i: int) -> bool:
        return self.is_word(i) and self.cls(i) in ("name", "unknown") and \
            self.toks[i].text not in self.lex.acronyms

    def initial(self, i: int) -> bool:
        """"J." or "J" before a space: not the "E" of "E11.65"."""
        t = self.toks[i]
        after = self.text[t.end:t.end + 1]
        return len(t.text) == 1 and t.text.isalpha() and (
            after == "." or (t.text.isupper() and after in ("", " ", "\t", ",", "\n")))

    def accept(self, i: int, first: bool, mode: str, after_name: bool = False,
               not_place: bool = False) -> bool:
        if not self.is_word(i):
            return False
        t = self.toks[i]
        w, low, c = t.text, t.low, self.cls(i)
        cap, allcaps = w[0].isupper(), w.isupper() and len(w) > 1
        if low in self.lex.particles and len(w) > 1 and w not in self.lex.acronyms:
            return not first
        if w in self.lex.acronyms or (allcaps and c in ("vocab", "function")):
            return False
        if len(w) == 1:
            return not first and self.initial(i)
        if allcaps and len(w) <= 4 and c not in ("name", "given") and mode != STRONG:
            return False  # "PIN", "FSR": an acronym, not a name
        if mode == FIELD and first:
            return c in ("name", "unknown")
        if first and not_place and low in self.lex.places:
            return False
        if mode == WEAK and not cap:
            return False
        if c == "function" or c == "vocab":
            short = cap and len(w) <= 3 and low not in _HARD_STOP and low not in _ABBREV \
                and not allcaps and low not in _PERSON
            named = cap and low in self.lex.names and low not in _PERSON | _ABBREV
            if not first:
                return short or named  # "Linh Do", "Jasmine White"
            if mode == STRONG and named:
                return True  # "Name: Young."
            nxt = i + 1
            if mode == WEAK:
                return short and (self.strong_name(nxt) or self.initial_at(nxt))
            return short and (self.strong_name(nxt) or self.initial_at(nxt)
                              or self.stop_after(nxt))
        if c in ("name", "unknown"):
            return True
        nxt = i + 1
        if c in ("given", "english_name"):
            if after_name and first and low in self.lex.names and self.stop_after(nxt):
                return True  # "mbr deloris (dee) washington,"
            if cap and not first:
                return True
            if cap and mode != WEAK and (self.strong_name(nxt) or self.stop_after(nxt)
                                         or self.accept_soft_next(nxt) or self.particle(nxt)
                                         or self.initial_at(nxt)):
                return True
            if cap and mode == PERSON and not (self.is_word(nxt) and (
                    self.toks[nxt].low in _MODAL or (self.toks[nxt].text[0].isupper()
                                                     and len(self.toks[nxt].text) > 3
                                                     and self.cls(nxt) in ("english", "vocab")))):
                return True  # "baby Joy", "mbr Hope called" (not "pt Will need", "Member May
                # Receive")
            if mode == STRONG and c == "given":
                return True
            return self.strong_name(nxt) or (c == "given" and self.stop_after(nxt)) or (
                not first and self.stop_after(nxt) and low in self.lex.names)
        # an ordinary English word: only capitalised, and not first unless a name follows
        if cap:
            return not first or self.strong_name(nxt) or self.initial_at(nxt) or (
                mode != WEAK and self.accept_soft_next(nxt)) or (
                mode == STRONG and self.stop_after(nxt)) or (
                mode == PERSON and w.endswith(("'s", "\u2019s")))
        return False

    def initial_at(self, i: int) -> bool:
        return 0 <= i < len(self.toks) and self.is_word(i) and self.initial(i)

    def particle(self, i: int) -> bool:
        return self.is_word(i) and self.toks[i].low in self.lex.particles

    def accept_soft_next(self, i: int) -> bool:
        """A capitalised given name or name-list word follows ("Sun White", "Rose Park")."""
        if not self.is_word(i) or not self.toks[i].text[:1].isupper():
            return False
        t = self.toks[i]
        return self.cls(i) in ("given", "english_name") or (
            t.low in self.lex.names and t.text not in self.lex.acronyms and t.low not in _PERSON)

    # ----------------------------------------------------------- collecting a name
    def collect(self, i: int, mode: str, after_name: bool = False,
                not_place: bool = False) -> tuple[int, int] | None:
        start = end = None
        words = 0
        comma = False
        last = None
        j = i
        while j < len(self.toks) and words < 5:
            gap = self.text[end:self.toks[j].start].strip(" \t") if end is not None else ""
            if gap and self.toks[j].text != "," and not (comma and last == j - 1 and gap == ","):
                break
            if self.accept(j, words == 0, mode, after_name and words == 0, not_place):
                t = self.toks[j]
                if start is None:
                    start = t.start
                end = t.end
                if (t.low in _ABBREV or len(t.text) == 1) and self.text[end:end + 1] == ".":
                    end += 1
                if t.text.endswith(("'s", "\u2019s")) and words:
                    end -= 2
                    words += 1
                    break
                words += t.low not in self.lex.particles
                last = j
                j += 1
                if end > t.end and j < len(self.toks) and self.toks[j].text == ".":
                    j += 1  # the abbreviation's own full stop
                continue
            if (self.toks[j].text == "," and 1 <= words <= 2 and not comma and mode != WEAK
                    and last == j - 1 and self.text[self.toks[j].end:self.toks[j].end + 1] in
                    (" ", "\t") and self.accept(j + 1, False, mode)
                    and self.comma_ok(j + 1)):
                comma = True
                last = j
                j += 1
                continue
            break
        if start is None or words == 0:
            return None
        # a trailing particle ("... de") is not part of the name
        while True:
            tail = self.text[start:end].rsplit(None, 1)
            if len(tail) == 2 and tail[1].islower() and tail[1] in self.lex.particles - {
                    "jr", "sr", "jr.", "sr.", "ii", "iii"}:
                end = start + len(tail[0])
            else:
                break
        return start, end

    def comma_ok(self, i: int) -> bool:
        """After "Last," the word is a first name, not the next item of a list."""
        c = self.cls(i)
        if c in ("name", "unknown", "given"):
            return True
        return self.toks[i].text[0].isupper() and c == "english_name"

    def collect_back(self, k: int) -> tuple[int, int] | None:
        """The name ending at token k (walking left): 'hope williams', 'chen, mei-ling'."""
        picked: list[int] = []
        comma = False
        j = k
        while j >= 0 and len(picked) < 4:
            t = self.toks[j]
            if picked and not self.spaced(j, picked[-1]) and not comma:
                break
            if t.text == "," and picked and not comma and len(picked) <= 2 and j - 1 >= 0:
                comma = True
                j -= 1
                continue
            if not self.back_ok(j):
                break
            comma = False if t.text != "," else comma
            picked.append(j)
            j -= 1
        if comma and picked and self.toks[picked[-1]].start > self.toks[j + 1].start:
            pass
        while picked and self.toks[picked[-1]].low in self.lex.particles:
            picked.pop()
        if not picked:
            return None
        classes = [self.cls(x) for x in picked]
        strong = any(c in ("name", "unknown") for c in classes) or any(
            self.toks[x].text[0].isupper() and c in ("given", "english_name")
            for x, c in zip(picked, classes))
        soft = len(picked) >= 2 and all(c in ("given", "english_name") or self.toks[x].low in
                                        self.lex.particles for x, c in zip(picked, classes))
        if len(picked) == 1 and classes[0] == "unknown" and self.toks[picked[0]].text.islower():
            return None  # one unknown lower-case word ("reqs") is too little to go on
        if not (strong or soft) or self.guarded(picked[-1]):
            return None
        return self.toks[picked[-1]].start, self.toks[picked[0]].end

    def back_ok(self, j: int) -> bool:
        if not self.is_word(j):
            return False
        t = self.toks[j]
        c = self.cls(j)
        if (t.low in self.lex.particles and t.text not in self.lex.acronyms) or self.initial(j):
            return True
        if t.text.isupper() and len(t.text) <= 4 and c not in ("name", "given"):
            return False
        if c in ("function", "english", "vocab") and t.text[0].isupper() and len(t.text) <= 3 and \
                t.text not in self.lex.acronyms and t.low not in _HARD_STOP | _ABBREV | _PERSON \
                and not t.text.isupper():
            return True  # "Ma, Dalia", "Linh Do"
        if c in ("function", "vocab") and t.text[0].isupper() and t.low in self.lex.names and \
                t.low not in _PERSON | _ABBREV and not t.text.isupper():
            return True  # "Young, Rania", "White, Guadalupe"
        if t.text in self.lex.acronyms or c in ("function", "vocab"):
            return False
        if c in ("name", "unknown", "given", "english_name"):
            return True
        return t.text[0].isupper() and c != "english"

    def guarded(self, i: int) -> bool:
        """The word before token i makes it a provider's or a clinic's name."""
        p = i - 1
        if p >= 0 and self.toks[p].text == "." and p - 1 >= 0:
            p -= 1
        if p < 0:
            return False
        before = self.toks[p].low
        if before in _GUARD_BEFORE or before in _STAFF:
            return True
        if before == "is" and p >= 1:
            return self.toks[p - 1].low == "this" or self.toks[p - 1].low in _STAFF
        return False

    def org_follows(self, end: int) -> bool:
        """A capitalised organisation word right after: "Valley Medical Group", "Oak Park SNF"."""
        j = self.index_at(end)
        if j >= len(self.toks) or self.text[end:self.toks[j].start].strip(" \t"):
            return False
        t = self.toks[j]
        return t.word and t.text[0].isupper() and (
            t.low in self.lex.org or t.low in ("md", "do", "np"))


def _skip_fillers(tx: _Text, j: int, fillers: Iterable[str]) -> int:
    fill = set(fillers)
    while j < len(tx.toks) and (tx.toks[j].low in fill or tx.toks[j].text in (":", "-", "=", ".",
                                                                               "(", ",")):
        j += 1
    return j


def names(text: str, found: list[Finding], blocked: Occupied) -> list[Finding]:
    """Names in text; ``found`` are the structured findings (anchors), ``blocked`` the spans
    no name may take (identifiers, kept numbers, paths)."""
    lex = lexicon()
    tx = _Text(text, blocked, lex)
    spans: list[tuple[int, int, bool]] = []

    def add(span: tuple[int, int] | None, sure: bool = True) -> None:
        if span and span[1] > span[0]:
            spans.append((span[0], span[1], sure))

    # 1. after a label that names a person
    for m in _STRONG_CUE.finditer(text):
        j = _skip_fillers(tx, tx.index_at(m.end()), ("is",))
        add(tx.collect(j, STRONG))
    # 2. after a word for the member (and "baby girl Haddad" whole)
    for i, t in enumerate(tx.toks):
        if not t.word or t.low not in _PERSON:
            continue
        if t.low in ("mr", "mrs", "ms", "mx", "sra", "srta") and not (
                t.text[0].isupper() or text[t.end:t.end + 1] == "."):
            continue
        j = _skip_fillers(tx, i + 1, ("is", "was", "name", "named"))
        baby = t.low in _BABY and j < len(tx.toks) and tx.toks[j].low in ("girl", "boy")
        if baby:
            j += 1
        span = tx.collect(j, PERSON)
        if span and baby:
            span = (t.start, span[1])
        if span and not (tx.org_follows(span[1]) and text[span[0]].isupper()):
            add(span)
    # 3. weak cues ("for Maria Lopez", "last Adeyemi") and "Field: Name"
    for rx, mode in ((_WEAK_CUE, WEAK), (_FIELD_CUE, WEAK), (_FIELD_WORD, FIELD)):
        for m in rx.finditer(text):
            j = tx.index_at(m.end())
            span = tx.collect(j, mode)
            if span and not tx.org_follows(span[1]) and not tx.guarded(j):
                add(span)
    # 4. before a cue word or an identifier; after an identifier or a name
    anchors = [f for f in found if f.kind in _ANCHOR_KINDS]
    cue_starts = [t.start for t in tx.toks if t.word and t.low in _CUE_WORDS]
    for pos, is_id in [(p, False) for p in cue_starts] + [(f.start, True) for f in anchors]:
        k = tx.index_at(pos) - 1
        hops = 0
        while k >= 0 and hops < 5 and (
                (not tx.toks[k].word and tx.toks[k].text in _SEPARATORS)
                or (is_id and tx.toks[k].low in _ID_LABEL_WORDS)):
            k -= 1
            hops += 1
        if k >= 0 and tx.toks[k].word and tx.toks[k].end <= pos:
            add(tx.collect_back(k))
    for _ in range(2):  # names found here are anchors in turn ("pt hope -- hope kowalski")
        ends = [(f.end, f.kind == "NAME") for f in anchors] + [
            (e, True) for _s, e, sure in spans if sure]
        for pos, after_name in ends:
            j = tx.index_at(pos)
            hops = 0
            while j < len(tx.toks) and not tx.toks[j].word and tx.toks[j].text in _SEPARATORS \
                    and hops < 3:
                j += 1
                hops += 1
            if hops == 0 and j < len(tx.toks) and tx.toks[j].start == pos:
                continue
            span = tx.collect(j, PERSON, after_name, not_place=not after_name)
            if span and not tx.guarded(j) and not tx.org_follows(span[1]):
                add(span)
    # 5. a capitalised pair of name-list words, no cue
    add_pairs(tx, add)
    return [Finding("NAME", s, e, sure) for s, e, sure in spans]


def add_pairs(tx: _Text, add) -> None:
    i = 0
    n = len(tx.toks)
    while i < n:
        run = []
        j = i
        while j < n and tx.is_word(j) and tx.toks[j].text[0].isupper() \
                and len(tx.toks[j].text) > 1 and tx.toks[j].text not in tx.lex.acronyms \
                and (not run or tx.spaced(run[-1], j)):
            run.append(j)
            j += 1
        if len(run) < 2:  # a lower-case pair of words found only in the name lists
            run = []
            j = i
            while j < n and len(run) < 3 and tx.is_word(j) and tx.toks[j].text.islower() \
                    and tx.cls(j) == "name" and tx.toks[j].low not in tx.lex.places \
                    and (not run or tx.spaced(run[-1], j)):
                run.append(j)
                j += 1
            if len(run) >= 2 and not tx.guarded(run[0]):
                add((tx.toks[run[0]].start, tx.toks[run[-1]].end), True)
                i = j
                continue
            j = max(j, i + 1)
        if len(run) >= 2:
            classes = [tx.cls(x) for x in run]
            lows = [tx.toks[x].low for x in run]
            namey = all(c in ("name", "unknown", "given", "english_name") for c in classes)
            places = all(w in tx.lex.places for w in lows)
            if namey and not places and not tx.guarded(run[0]) \
                    and not tx.org_follows(tx.toks[run[-1]].end):
                # a name-list word makes it sure; given names alone ("Sunny Park") only doubtful
                sure = "name" in classes and "unknown" not in classes[:1]
                add((tx.toks[run[0]].start, tx.toks[run[-1]].end), sure)
        i = max(j, i + 1)

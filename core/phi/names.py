"""Member names in reps' messages: found by what stands around them, checked against word lists.

Context is the main signal:

- after a label that names a person ("name:", "named", "last name", "a.k.a.", "goes by") any name
  form is taken, lower case and ordinary words that are given names included ("name: lin, may");
  not the writer's own ("my name is Karen");
- after a word for the member or a relative ("pt", "mbr", "patient", "mom", "son", "caller",
  "caregiver", "abuela", "Mr.") a name in any case is taken, the title with it ("mbr iris
  blackfeather", "Pt. Chukwuemeka Nwosu", "pt hernandez, luis", "Mrs. Alvarez"); a given name
  that is also a word is a name only when a name or a stop follows ("pt hope --" yes, "pt will
  need" no);
- before a date of birth, an id label or an identifier ("hope williams dob ...", "lopez-garcia,
  ana mbr id ..."), and after an identifier or another name ("acct 448812 - jose ramirez -",
  "mbr hope (Hope Anne Riley)", "Ricardo (Ricky) Santana", "Ernesto & Maribel Salazar");
- with no cue: two or more capitalised name-list words, particles and short words inside
  ("Graciela Montes de Oca", "Nguyen Van An"), "Last, First" ("Ramos, Leticia", "de la Cruz,
  Juan Carlos"), lower-case words found only in the name lists ("jose luis ramirez", "ramirez,
  jose", "bao vo-pham"), a first name and a surname as the subject of a question ("does will
  young need ...");
- every other occurrence of a word of a name found ("Sofia is 3, sofia reyes luna, dob ...").

Words are sorted by ``core.phi.words.word_class`` (accents folded: "Ramírez" is "Ramirez").
A name next to "Dr.", "@", "this is" or a staff word, followed by an organisation word ("Valley
Medical Group") or said to be staff's (", office manager", "from the HN UM dept"), or a run that
names a place or a health system ("Santa Rosa", "Sutter Roseville", "Clinica Sierra Vista") is not
a member's: kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.phi.structured import Finding, Occupied
from core.phi.words import Lexicon, fold, lexicon

# Abbreviated given names, written with a full stop ("Ma. Cristina", "Wm. Chen", "Fco. Ruiz"):
# with it they are one word of the name.
_NAME_ABBREVIATIONS = frozenset(
    "ma wm chas jas jos thos geo robt benj jno saml edw fco fdo gpe mich eliz marg cath danl "
    "richd stph nath".split())
_TOKEN = re.compile(r"(?:" + "|".join(sorted((w.capitalize() for w in _NAME_ABBREVIATIONS),
                                              key=len, reverse=True))
                    + r")\.(?=[ \t]{1,2}[A-Z])"
                    r"|[^\W\d_](?:[^\W\d_]|['\u2019\-](?=[^\W\d_]))*|\d+|\S")
_ABBREV = frozenset({"mr", "mrs", "ms", "mx", "dr", "st", "jr", "sr", "pt", "mbr", "b"})
_DELIM = frozenset(",;:()|/-\u2013\u2014.?!")
_SEPARATORS = frozenset(",;:/|()-\u2013\u2014\"'`\u2018\u2019\u201c\u201d")
_PERSON = frozenset(
    "pt pts patient mbr mbrs member enrollee beneficiary subscriber client baby infant newborn "
    "child kid son sons daughter daughters mom moms mother dad father husband wife spouse "
    "guardian aunt uncle caller grandma grandmother grandpa grandfather sister brother twin "
    "grandson granddaughter grandchild niece nephew cousin stepson stepdaughter stepmom stepdad "
    "stepmother stepfather caregiver caretaker payee conservator parent parents sibling "
    "siblings partner fiance fiancee boyfriend girlfriend roommate kids children "
    # Spanish, as reps write them
    "mama papa abuela abuelo tia tio hija hijo esposa esposo madre padre hermana hermano nieta "
    "nieto paciente pte pcte bebe nena nene nino nina senora senor "
    "mr mrs ms mx sra srta".split())
_BABY = frozenset({"baby", "infant", "newborn", "twin"})
# Labels a name stops at ("name brooks, will  CIN ...") and is found right before ("hope williams
# dob ..."); the labels of an identifier are stepped over to reach a name before them.
_CUE_WORDS = frozenset(
    "dob born b cin bic id sub subscriber acct account mrn chart ssn ss ph phone cell tel "
    "email addr address aka".split())
_ID_LABEL_WORDS = _CUE_WORDS | frozenset(
    "mbr mbrs member members pt patient policy ins hn medi-cal no number nbr num card # : - "
    "is last four 4 l4 ending digits of ultimos".split())
# "to", "at", "with" usually introduce a colleague or a clinic ("spoke with Karen", "at Valley
# Clinic"); after these verbs they introduce the member asked about.
_ABOUT_PREP = frozenset({"to", "at", "on", "with"})
_ABOUT_VERBS = frozenset({"belongs", "belong", "belonged", "belonging", "married", "related",
                          "look", "looking", "looked", "check", "checking", "checked", "assigned",
                          "enrolled", "registered"})
_HARD_STOP = frozenset("is in at on of to and or for the a an as by it if be me we he my no "
                       "so us re hi ok up".split())
_MODAL = frozenset("need needs needed may will can could should would must has have had is was "
                   "did does do wants wanted".split())
_GUARD_BEFORE = frozenset("dr doctor np md provider pcp nurse rn at from to with by @ hi hey "
                          # an organisation's field: "IPA: Sante Community Physicians"
                          "ipa ppg group practice facility hospital pharmacy agency vendor lab "
                          "snf dme hha fqhc "
                          "hello thanks thank dear attn cc per fellow".split())
# Staff and provider words: a name just after them is a colleague's ("our office manager Tamika
# Jones", "Provider Relations rep is Jorge Castillo").
_STAFF = frozenset("rep reps manager biller billers coder coordinator scheduler receptionist "
                   "supervisor director planner staff therapist physician provider providers "
                   "dr doctor nurse np md rn lvn ma pa-c midwife doula ibclc pcp office clinic "
                   "colleague coworker co-worker admin administrator specialist liaison "
                   "representative agent tech technician pharmacist "
                   # and as reps write their roles: "office mgr", "referral coord", "front desk"
                   "mgr mngr supv supvr coord dir asst assistant aide secretary clerk officer "
                   "navigator worker chw educator counselor dietitian nutritionist psychologist "
                   "psychiatrist chiropractor podiatrist lcsw lmft lpn cma fnp desk".split())
# Words before a role that say which: "office mgr", "referral coordinator", "UM nurse".
_ROLE_MODIFIERS = frozenset(
    "practice office billing front clinic lead senior case care medical head charge referral "
    "referrals auth authorization intake credentialing operations ops clinical social patient "
    "services account accounts business site program access quality revenue cycle provider "
    "providers relations um ur utilization pcp".split())
_PLACE_STAFF = frozenset(("provider", "providers", "pcp", "office", "clinic"))
_STRONG_CUE = re.compile(
    r"(?<![\w-])(?:(?:(?:first|last|middle|full|maiden|legal|chosen|preferred|nick|sur|given"
    r"|family|pt|pts|patient|member|mbr|mom|moms|mother|dad|son|sons|daughter|baby|child|his"
    r"|her|their)(?:'s|\u2019s)?\s*)?name(?:\s+(?:is|on\s+(?:it|the\s+card|card|file)"
    r"|in\s+\w+))?|named|lastname|firstname|fname|lname|a\.?k\.?a\.?|(?:goes|go|going|went)\s+by"
    r"|calls\s+(?:him|her|them)sel(?:f|ves)|signed|nickname|known\s+as)(?![\w-])[ \t]*[:=\-]?",
    re.IGNORECASE)
_OWN_NAME = re.compile(r"\b(?:my|our)\s+(?:(?:first|last|full)\s+)?$", re.IGNORECASE)
_WEAK_CUE = re.compile(
    r"(?<![\w-])(?:for|regarding|re|on\s+behalf\s+of|calling\s+(?:about|for)|asking\s+about"
    # what a record says the member is called: "system shows Hope Amankwa", "listed as ..."
    r"|(?:system|portal|eligibility|elig|card|chart|file|record|ehr|emr|roster|letter|app)\s+"
    r"(?:shows|showed|showing|says|said|lists|listed|has|reads)(?:\s+(?:him|her|them|it)\s+as)?"
    r"|(?:listed|registered|enrolled|filed|shows\s+up)\s+(?:as|under))"
    r"(?![\w-])[ \t]*:?", re.IGNORECASE)
# "first chidi", "last Adeyemi": a name field without "name"; only a name-list or unknown word
_FIELD_WORD = re.compile(r"(?<![\w-])(?:first|last|middle|surname)(?![\w-])[ \t]*:?", re.IGNORECASE)
# "Field: Name" -- but not a log line's level or logger ("INFO: Uvicorn running",
# "gradio.exceptions.Error: Value: ...", "Traceback: ..."), which is never a person's field
_LOG_WORDS = ("info|debug|warning|warn|error|critical|fatal|exception|traceback|value|"
              "valueerror|keyerror|typeerror|http|https|file|line|module")
_FIELD_CUE = re.compile(rf"(?<![\w.-])(?!(?i:{_LOG_WORDS})[ \t]*:)[A-Za-z]{{1,12}}[ \t]*:")
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
            self.toks.append(Tok(t, m.start(), m.end(), word, fold(t).lower()))
        self._cls: dict[str, str] = {}

    def cls(self, i: int) -> str:
        t = self.toks[i].text
        if t not in self._cls:
            # "Ma.": an abbreviated given name, a name only where a cue or a name says so
            self._cls[t] = "given" if t[-1] == "." else self.lex.word_class(t)
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
        if low in self.lex.particles and len(w) > 1 and (
                w not in self.lex.acronyms or (first and mode in (STRONG, PERSON))):
            return not first or (mode in (STRONG, PERSON) and cap and self.particles_then_name(i))
        if w in self.lex.acronyms or (allcaps and c in ("vocab", "function")):
            return False
        if len(w) == 1:
            nxt = i + 2 if self.text[t.end:t.end + 1] == "." else i + 1
            return self.initial(i) and (not first or (
                mode in (STRONG, PERSON) and self.strong_name(nxt)))  # "says J. Okafor"
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
            if mode == PERSON and named and nxt < len(self.toks) and (
                    self.toks[nxt].text == "(" or self.toks[nxt].low in _CUE_WORDS):
                return True  # "the pt Young (first name Sarah)", "mbr White dob ..."
            if mode == WEAK:
                return short and (self.strong_name(nxt) or self.initial_at(nxt))
            return short and (self.strong_name(nxt) or self.initial_at(nxt)
                              or self.stop_after(nxt))
        if c in ("name", "unknown"):
            return True
        nxt = i + 1
        if c in ("given", "english_name"):
            if not first and mode in (STRONG, PERSON) and low in self.lex.last and \
                    low not in _MODAL | _HARD_STOP and self.first_name_before(i):
                return True  # "patient eun-ji cho", "pt jennifer wu asked"
            if after_name and first and low in self.lex.names and self.stop_after(nxt):
                return True  # "mbr deloris (dee) washington,"
            if first and mode == PERSON and low in self.lex.last and self.comma_name(nxt):
                return True  # "mrn 4410 ali, omar"
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

    def particles_then_name(self, i: int) -> bool:
        """Token i opens "De La Torre" / "DE LA TORRE" / "van der Berg": particles, then a name
        word, all on one line."""
        j = i
        while j + 1 < len(self.toks) and self.particle(j) and self.spaced(j, j + 1) and j - i < 3:
            j += 1
        return j > i and self.is_word(j) and not self.particle(j) and self.cls(j) in (
            "name", "unknown", "given", "english_name") and self.toks[j].text[0].isupper()

    def first_name(self, i: int) -> bool:
        """Token i is a given name of the name lists, or a hyphenated one made of name-list
        parts ("eun-ji", "mei-ling", "anne-marie")."""
        if not self.is_word(i) or self.cls(i) not in ("name", "unknown"):
            return False
        low = self.toks[i].low
        parts = [p for p in re.split(r"['\u2019\-]", low) if p]
        return low in self.lex.first or (len(parts) > 1 and all(
            p in self.lex.names or len(p) <= 3 for p in parts) and any(
            p in self.lex.first for p in parts))

    def first_name_before(self, i: int) -> bool:
        """A first name stands right before token i, a space or two away."""
        return i >= 1 and self.spaced(i - 1, i) and self.first_name(i - 1)

    def comma_name(self, i: int) -> bool:
        """Token i is the comma of "Last, First": a name-list first name follows it."""
        return i + 1 < len(self.toks) and self.toks[i].text == "," and self.is_word(i + 1) and \
            self.cls(i + 1) == "name" and self.toks[i + 1].low in self.lex.first

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
        comma = dotted = False
        j = k
        while j >= 0 and len(picked) < 4:
            t = self.toks[j]
            if picked and not self.spaced(j, picked[-1]) and not comma and not dotted:
                break
            dotted = False
            if t.text == "," and picked and not comma and len(picked) <= 2 and j - 1 >= 0:
                comma = True
                j -= 1
                continue
            if t.text == "." and picked and j >= 1 and len(self.toks[j - 1].text) == 1 and \
                    self.toks[j - 1].text.isalpha() and self.is_word(j - 1) and \
                    self.toks[j - 1].end == t.start and j >= 2 and self.is_word(j - 2) and \
                    self.spaced(j - 2, j - 1) and (self.cls(j - 2) in ("name", "unknown", "given")
                                                      or self.toks[j - 2].low in self.lex.first):
                j -= 1  # the full stop of a middle initial, with a name-list word before it
                dotted = True
                continue
            if not (self.back_ok(j) or (not picked and self.back_ok_after_name(j))):
                break
            comma = False if t.text != "," else comma
            picked.append(j)
            j -= 1
        if comma and picked and self.toks[picked[-1]].start > self.toks[j + 1].start:
            pass
        # a particle at the far end stays when written as part of the name ("Mac Nguyen", "de la
        # Cruz" opening the message), not when it is a word of the sentence
        while picked and self.toks[picked[-1]].low in self.lex.particles and not (
                self.toks[picked[-1]].text[0].isupper() or picked[-1] == 0
                or self.toks[picked[-1] - 1].text in _DELIM):
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

    def back_ok_after_name(self, j: int) -> bool:
        """The last word of a name that is also a word, right after a sure surname: "chen, jan",
        "Tran Van Long" (walking left from a label after it)."""
        if not self.is_word(j) or self.toks[j].low in _HARD_STOP | _PERSON | _ABBREV or \
                self.toks[j].text in self.lex.acronyms or len(self.toks[j].text) < 2:
            return False
        k = j - 1
        if k >= 1 and self.toks[k].text == ",":
            k -= 1  # "chen, jan": a first name in the name lists
            return self.toks[j].low in self.lex.first and self.is_word(k) and \
                self.cls(k) == "name" and self.toks[k].text.islower() == self.toks[j].text.islower()
        if not (self.toks[j].text[0].isupper() and self.is_word(k) and self.spaced(k, j)):
            return False
        if self.particle(k) and self.toks[k].text[0].isupper() and k >= 1:
            k -= 1  # "Van" in "Tran Van Long"
        return self.is_word(k) and self.toks[k].text[0].isupper() and self.cls(k) == "name"

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

    def place_like(self, core: list[int]) -> bool:
        """Words that name a place or a health system, not a person: every one a place ("Elk
        Grove"), or a place's first word ("Santa Rosa", "Mercy San Juan", "Mount Shasta"), or a
        health system's name first ("Sutter Roseville", "Sharp Grossmont"), or an organisation's
        ("Clinica Sierra Vista")."""
        lows = [self.toks[x].low for x in core]
        return all(w in self.lex.places for w in lows) or any(
            w in _PLACE_FIRST for w in lows) or lows[0] in self.lex.systems \
            or lows[0] in _ORG_FIRST

    def guarded(self, i: int) -> bool:
        """The word before token i makes it a provider's or a clinic's name."""
        p = i - 1
        if p >= 0 and self.toks[p].text in (".", ":") and p - 1 >= 0:
            p -= 1
        if p < 0:
            return False
        before = self.toks[p].low
        if before in _ABOUT_PREP and p >= 1 and self.toks[p - 1].low in _ABOUT_VERBS:
            return False  # "belongs to Dariusz Wozniak", "look at vo, thanh"
        if before in _GUARD_BEFORE or before in _STAFF:
            # "Ma Cristina": an abbreviated given name, not a medical assistant ("MA")
            return not (self.toks[p].text.istitle() and before in _NAME_ABBREVIATIONS)
        if before == "is" and p >= 1:
            return self.toks[p - 1].low == "this" or self.toks[p - 1].low in _STAFF
        return False

    def lower_name(self, j: int, before: list[int]) -> bool:
        """A lower-case word of a name with no cue: a word found only in the name lists; after
        such a first name, a surname that is also a word ("jennifer wu"); before a hyphenated
        surname, a given name that is also a word ("bao vo-pham")."""
        c = self.cls(j)
        if c == "name":
            return True
        if c not in ("english_name", "given") or self.toks[j].low in _PERSON:
            return False
        low = self.toks[j].low
        if before and self.first_name(before[0]) and \
                self.cls(before[0]) == "name" and low in self.lex.last:
            return True
        nxt = j + 1
        if not before and (low in self.lex.first or c == "given") and self.is_word(nxt) \
                and self.spaced(j, nxt) and self.toks[nxt].text.islower() \
                and self.cls(nxt) == "name":
            return True  # "ana lucia morales", "hope garcia-lopez"
        return not before and self.is_word(nxt) and self.spaced(j, nxt) and \
            "-" in self.toks[nxt].text and self.toks[nxt].text.islower() and \
            self.cls(nxt) == "name"

    def guarded_name(self, i: int) -> bool:
        """Token i is in a provider's name: "Dr. Hope Santos", "rep Jorge L. Castillo"."""
        j = i
        for _ in range(3):
            if self.guarded(j):
                return True
            p = j - 1
            if p >= 1 and self.toks[p].text == "." and len(self.toks[p - 1].text) == 1:
                p -= 1  # an initial
            if p < 0 or not self.is_word(p) or not self.toks[p].text[0].isupper() \
                    or not self.spaced(p, j if self.toks[j - 1].text != "." else j - 1):
                return False
            j = p
        return False

    def org_word(self, i: int) -> bool:
        """Token i names a health system ("AltaMed", "Kaiser") or is written as an organisation's
        brand, two words run together ("MedPoint", "CareFirst"; not "McDonald", "DeShawn",
        "LaToya", "MacKenzie": a name's prefix is short)."""
        if not self.is_word(i):
            return False
        t = self.toks[i]
        if t.low in self.lex.systems:
            return True
        m = re.fullmatch(r"([A-Z][a-z]{2,})([A-Z][a-z]{2,})", t.text)
        return bool(m) and m.group(1).lower() not in ("mac", "fitz", "van", "von", "del", "dela",
                                                      "della", "san", "st", "ste") and (
            len(m.group(1)) >= 4 or fold(m.group(2)).lower() in self.lex.org
            or fold(m.group(1)).lower() in self.lex.org)

    def org_follows(self, end: int) -> bool:
        """A capitalised organisation word right after, or after one or two more capitalised
        words: "Valley Medical Group", "Oak Park SNF", "Sante Community Physicians"."""
        j = self.index_at(end)
        if j >= len(self.toks) or self.text[end:self.toks[j].start].strip(" \t"):
            return False
        for k in range(j, min(j + 3, len(self.toks))):
            t = self.toks[k]
            if not (t.word and t.text[0].isupper()) or (k > j and not self.spaced(k - 1, k)):
                return False
            if t.low in self.lex.org or (k == j and t.low in ("md", "do", "np")):
                return True
        return False


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
        if re.match(r"(?:first|last|full|\s)*name", m.group(), re.IGNORECASE) and \
                _OWN_NAME.search(text, max(0, m.start() - 12), m.start()):
            continue  # "my name is Karen": the writer's, a member of staff
        j = _skip_fillers(tx, tx.index_at(m.end()), ("is", "actually", "really", "now", "as",
                                                      "spelled", "listed", "says", "reads",
                                                      "shows"))
        add(tx.collect(j, STRONG))
    # 2. after a word for the member (and "baby girl Haddad" whole; "Mrs. Alvarez" with her title)
    for i, t in enumerate(tx.toks):
        if not t.word or t.low not in _PERSON:
            continue
        title = t.low in _TITLES or t.text in _RELIGIOUS_TITLES
        if title and not (t.text[0].isupper() or text[t.end:t.end + 1] == "." or (
                tx.is_word(i + 1) and tx.cls(i + 1) == "name")):
            continue
        j = _skip_fillers(tx, i + 1, ("is", "was", "name", "named"))
        baby = t.low in _BABY and j < len(tx.toks) and tx.toks[j].low in ("girl", "boy")
        if baby:
            j += 1
        span = tx.collect(j, PERSON)
        if span and (baby or title):
            span = (t.start, span[1])
        if span and not (tx.org_follows(span[1]) and text[span[0]].isupper()):
            add(span)
    # "Mr. and Mrs. Okonkwo": the first title goes with the couple's name
    for m in _COUPLE.finditer(text):
        add(next(((m.start(), e0) for s0, e0, sure in spans if s0 == m.end() and sure), None))
    # 3. weak cues ("for Maria Lopez", "last Adeyemi") and "Field: Name"
    for rx, mode in ((_WEAK_CUE, WEAK), (_FIELD_CUE, WEAK), (_FIELD_WORD, FIELD)):
        for m in rx.finditer(text):
            j = tx.index_at(m.end())
            span = tx.collect(j, mode)
            if span and not tx.org_follows(span[1]) and not tx.guarded(j) and \
                    not tx.org_word(j):
                add(span)
    # 3a. a nickname before "aka": "re DJ aka Darnell Jones", "Beto a.k.a. Roberto"
    for m in _AKA.finditer(text):
        k = tx.index_at(m.start()) - 1
        while k >= 0 and tx.toks[k].text in ("(", ",", "\"", "'", "-"):
            k -= 1
        if k >= 0 and tx.is_word(k) and tx.toks[k].end <= m.start() and len(tx.toks[k].text) > 1 \
                and tx.toks[k].low not in _HARD_STOP | _PERSON | _CUE_WORDS | _MODAL | _ABBREV \
                and tx.cls(k) != "function" and not tx.guarded(k) and (
                    tx.toks[k].text[0].isupper() or tx.cls(k) in ("name", "unknown")):
            add(tx.collect_back(k) or (tx.toks[k].start, tx.toks[k].end))
    # 3b. a lone first name telling or asking something, when the message is about a member:
    # "Kofi called again", "pt called, Jesús said ..." (not a colleague's: "rep Tasha said")
    if any(f.sure for f in found) or any(t.word and t.low in _PERSON for t in tx.toks):
        for m in _TELLS.finditer(text):
            k = tx.index_at(m.start(1))
            if k >= len(tx.toks) or not tx.is_word(k) or tx.cls(k) != "name" or \
                    fold(m.group(1)).lower() not in lex.first or tx.guarded_name(k) or \
                    _FROM_AFTER.match(text, m.end()):
                continue
            p = k - 1
            while p >= 0 and not tx.toks[p].word and tx.toks[p].text in _DELIM:
                p -= 1
            if p >= 0 and tx.toks[p].low in _GUARD_BEFORE | _STAFF:
                continue  # "Thanks, Karen said ...", "rep: Tasha says ..."
            low = tx.toks[k].low
            if any(t.low == low and tx.guarded_name(x) for x, t in enumerate(tx.toks) if x != k):
                continue  # the same first name is a colleague's elsewhere in the message
            add((m.start(1), m.end(1)))
    # 4. before a cue word or an identifier
    anchors = [f for f in found if f.kind in _ANCHOR_KINDS]
    cue_starts = [t.start for t in tx.toks if t.word and t.low in _CUE_WORDS] + [
        t.start for k, t in enumerate(tx.toks[:-2]) if t.text == "(" and  # "Mac Nguyen (mbr)"
        tx.toks[k + 1].low in _PERSON and tx.toks[k + 2].text == ")"] + [
        m.start(1) if m.group(1) else m.start(2)  # "ramon is the pt", "x - first name y"
        for m in _NAMED_AFTER.finditer(text)]
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
    # 5. a capitalised pair of name-list words, "Last, First", a lower-case pair; no cue
    add_pairs(tx, add)
    add_nicknamed(tx, add)
    # 6. next to an identifier or a name: after it ("acct 448812 - jose ramirez -", "mbr hope
    # (Hope Anne Riley)"), and before a name ("Ricardo (Ricky) Santana", "Ernesto & Maribel
    # Salazar"); names found here are anchors in turn
    done_after: set[int] = set()
    done_before: set[int] = set()
    for _ in range(3):
        before = len(spans)
        ends = [(f.end, False) for f in anchors] + [(e, True) for _s, e, sure in spans if sure]
        for pos, after_name in ends:
            if (pos, after_name) in done_after:
                continue
            done_after.add((pos, after_name))
            add(_after(tx, pos, after_name))
        for s0, _e, sure in spans[:before]:
            if sure and s0 not in done_before:
                done_before.add(s0)
                add(_before_name(tx, s0))
        if len(spans) == before:
            break
    # 6a. a first name owning a member's thing: "Priya's auth", "Priya's dob"
    for m in _OWNER.finditer(text):
        k = tx.index_at(m.start(1))
        if k < len(tx.toks) and tx.is_word(k) and tx.cls(k) == "name" and \
                fold(m.group(1)).lower() in lex.first and not tx.guarded_name(k):
            add((m.start(1), m.end(1)))
    # 6b. the subject of a question about the member: "does will young need a new auth", "is rose
    # park still eligible" (a first name and a surname between an auxiliary and a verb)
    for m in _SUBJECT.finditer(text):
        w1, w2 = fold(m.group(2)).lower(), fold(m.group(3)).lower()
        if (w1 in lex.first or w1 in lex.given) and w2 in lex.last and not {w1, w2} & _PERSON \
                and lex.word_class(w2) != "function" and lex.word_class(w1) != "function" \
                and not blocked.overlaps(m.start(2), m.end(3)):
            add((m.start(2), m.end(3)))
    # a name said to be staff's ("Jane Doe, Practice Manager", "Ms. Garcia from the HN UM dept")
    spans[:] = [sp for sp in spans if not _staff_after(tx, sp[0], sp[1])]
    # 7. the same name again elsewhere in the message ("Sofia is 3, sofia reyes luna, dob ...")
    add_repeats(tx, spans, add)
    return [Finding("NAME", _with_initial(text, s), _with_baby(text, _with_last_initial(text, e)),
                    sure)
            for s, e, sure in _joined_by_y(text, spans)]


_TITLES = frozenset("mr mrs ms mx miss sra srta".split())
_AKA = re.compile(r"(?<![\w-])(?:a\.?k\.?a\.?|also[ \t]+known[ \t]+as|goes[ \t]+by|nicknamed)(?![\w-])",
                  re.IGNORECASE)
# A capitalised first word of a sentence or clause, then a verb of telling or coming in.
_TELLS = re.compile(
    r"(?:^|(?<=[.!?,;:(\n\u2013\u2014])|(?<=[.!?,;:(\u2013\u2014] )|(?<=\n ))[ \t]*"
    r"([A-Z][^\W\d_]{1,20})[ \t]+(?:(?:also|just|then|again|now|still|finally)[ \t]+)?"
    r"(?:called|calls|calling|phoned|texted|emailed|messaged|said|says|stated|states|told|asked"
    r"|asks|came|comes|walked|showed|reports|reported|wants|wanted|needs|needed|missed|left"
    r"|brought|is[ \t]+asking|was[ \t]+asking|is[ \t]+calling|was[ \t]+here|came[ \t]+in"
    r"|dropped|complained|complains|refused|declined|insists|insisted)\b")
_FROM_AFTER = re.compile(r"[ \t]+(?:back[ \t]+)?(?:from|on[ \t]+behalf)\b", re.IGNORECASE)
# Capitalised before a name they are a title, part of it ("Sister Agnes Marie Kowalczyk").
_RELIGIOUS_TITLES = frozenset({"Sister", "Brother", "Father"})
_COUPLE = re.compile(r"(?<![\w-])(?:mr|mrs|ms|mx)\.?[ \t]+(?:and|&)[ \t]+(?=(?:mr|mrs|ms|mx)\b)",
                     re.IGNORECASE)
_MEMBER_WORD = (r"(?:pt|patient|member|mbr|baby|child|kid|mom|mother|dad|father|son|daughter"
                r"|subscriber|guardian|caregiver)\b(?!['\u2019])")
# Words after a name that say it is the member's: "ramon is the pt", "kowalski - first name tobi".
# "Alejandra, the mom, cell ..." too (not "Karen, the pt's nurse").
_NAMED_AFTER = re.compile(
    r"[ \t]+((?:is|was)[ \t]+(?:the|my|our|this|a)[ \t]+" + _MEMBER_WORD
    + r"|(?:first|given|middle)[ \t]+name\b)"
    r"|[ \t]*,[ \t]*((?:the|her|his|their)[ \t]+" + _MEMBER_WORD + ")", re.IGNORECASE)
# After a staff word these make it a kind of service, not a person's role: "doula visit".
_SERVICE_NOUNS = frozenset({"visit", "visits", "service", "services", "session", "sessions",
                            "claim", "claims", "benefit", "benefits", "appt", "appointment",
                            "appointments", "code", "codes"})
# First words of place names: a capitalised run holding one is a place ("Santa Clara Valley").
_PLACE_FIRST = frozenset("san santa santo saint mount mt fort ft port lake rancho".split())
# Spanish organisation names put the kind first: "Clinica Sierra Vista", "Centro Medico Romero".
_ORG_FIRST = frozenset("clinica centro hospital farmacia consultorio instituto laboratorio "
                       "sanatorio".split())
_SUBJECT = re.compile(
    r"\b(does|did|is|was|has|had|can|could|will"
    r"|would|should|do)\s+([^\W\d_]{2,})\s+([^\W\d_]{2,}(?:-[^\W\d_]{2,})?)\s+"
    r"(?=(?:still|need|needs|have|qualify|qualif(?:y|ies)|get|stay|remain|show|require|want|see"
    r"|go|come|be|become|keep|lose"
    r"|switch|change|transfer|count|fall|fit|meet|eligible|covered|active|enrolled|termed|assigned"
    r"|pregnant|approved|able|allowed|due|on|in|under|with)\b)", re.IGNORECASE)
_AND = frozenset({"&", "and", "y", "+", "not"})
_OWNER = re.compile(
    r"(?<![\w.-])([A-Z][a-z]{1,20})['\u2019]s[ \t]+(?:auth|auths|authorization|claim|claims|dob"
    r"|cin|bic|eligibility|coverage|pump|mrn|chart|acct|account|ssn|phone|cell|address|mom|dad"
    r"|baby|son|daughter|insurance|pcp|benefits|enrollment|ppg)\b")
_BABY_AFTER = re.compile(r",?[ \t]*baby[ \t]+(?:girl|boy)\b", re.IGNORECASE)


_INITIAL_BEFORE = re.compile(r"(?<![\w.])[A-Z]\.?[ \t]{1,2}$")
_SAINT_BEFORE = re.compile(r"(?<![\w.])(?:st|ste|saint)\.?[ \t]{1,2}$", re.IGNORECASE)


def _with_initial(text: str, start: int) -> int:
    """"J. Smith": a first initial goes with the name; so does "St." ("st. clair, marguerite")."""
    m = _INITIAL_BEFORE.search(text, max(0, start - 4), start)
    if m and text[start:start + 1].isupper():
        return m.start()
    m = _SAINT_BEFORE.search(text, max(0, start - 8), start)
    return m.start() if m else start


_Y_BETWEEN = re.compile(r"[ \t]+[yYeE][ \t]+")


def _joined_by_y(text: str, spans: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Spanish double surnames joined by "y" ("Garcia y Montes"): one name, the "y" with it."""
    out: list[tuple[int, int, bool]] = []
    for s, e, sure in sorted(spans):
        if out and out[-1][2] and sure and s > out[-1][1] and \
                _Y_BETWEEN.fullmatch(text, out[-1][1], s) and text[s:s + 1].isupper():
            out[-1] = (out[-1][0], max(e, out[-1][1]), True)
        else:
            out.append((s, e, sure))
    return out


# A middle initial after the name: "Pham, Linh T", "Lopez, Maria E.", "Ana Ruiz M -" (not the
# pronoun "I" nor "X", not "F 45" or "A1C": a stop, the end or a function word follows).
_LAST_INITIAL = re.compile(r"[ \t]{1,2}(?:[A-Z]\.|[A-HJ-WYZ](?=[ \t]*(?:$|"
                           r"[\n,;:|/)\]\-\u2013\u2014.?!\ue000])|[ \t]+([a-z]+)\b))")


def _with_last_initial(text: str, end: int) -> int:
    m = _LAST_INITIAL.match(text, end)
    if not m or (m.group(1) and lexicon().word_class(m.group(1)) != "function"
                 and m.group(1) not in _MODAL):
        return end
    return m.end()


def _with_baby(text: str, end: int) -> int:
    """"Rahimi, Baby Girl": a newborn's name takes the words after it."""
    m = _BABY_AFTER.match(text, end)
    return m.end() if m else end


_STAFF_PLACE_AFTER = re.compile(
    r"[ \t]*(?:from|at|with|in|of)[ \t]+(?:the[ \t]+)?(?:hn|hns|health[ \t]*net|dhcs|provider[ \t]+"
    r"(?:services|relations)|um|utilization|billing|credentialing|claims|our|dr\b|the[ \t]+office"
    r"|front[ \t]+desk|member[ \t]+services|customer[ \t]+service|county|ppg|ipa)\b", re.IGNORECASE)


def _staff_after(tx: _Text, start: int, end: int) -> bool:
    """The words after a name say it is staff's: ", office manager", " (biller)", " from HN"."""
    k = tx.index_at(start) - 1
    if k >= 0 and tx.toks[k].low in _PERSON:
        return False  # "pt Karen Lee, biller at ..." is still the patient
    if _STAFF_PLACE_AFTER.match(tx.text, end):
        return True
    j = tx.index_at(end)
    hops = 0
    while j < len(tx.toks) and hops < 2 and tx.toks[j].text in (",", "(", "-", "\u2013"):
        j += 1
        hops += 1
    if j < len(tx.toks) and tx.toks[j].low in ("our", "the", "my", "a"):
        j += 1
    steps = 0
    while j < len(tx.toks) and tx.is_word(j) and steps < 3 and (
            tx.toks[j].low in _ROLE_MODIFIERS or tx.toks[j].low in _PLACE_STAFF) and not (
            tx.toks[j].low in _STAFF and tx.toks[j].low not in _PLACE_STAFF):
        j += 1  # "Practice Manager", "billing coordinator", "office mgr"
        steps += 1
    if hops == 0 and j + 1 < len(tx.toks) and tx.toks[j + 1].low in _SERVICE_NOUNS:
        return False  # "Tigist Alemu doula visit 3": a service, not her role
    return j < len(tx.toks) and tx.toks[j].low in _STAFF and hops + (j > 0) > 0 and \
        tx.toks[j].low not in _PLACE_STAFF


def _after(tx: _Text, pos: int, after_name: bool) -> tuple[int, int] | None:
    j = tx.index_at(pos)
    hops = 0
    joined = False
    while j < len(tx.toks) and hops < 3 and (
            (not tx.toks[j].word and tx.toks[j].text in _SEPARATORS)
            or (after_name and tx.toks[j].low in _AND and not joined)
            or (not after_name and tx.toks[j].low in ("for", "re") and not joined)):
        joined = joined or tx.toks[j].low in _AND or tx.toks[j].low in ("for", "re")
        j += 1
        hops += 1
    if hops == 0 and j < len(tx.toks) and tx.toks[j].start == pos:
        return None
    if joined and not (j < len(tx.toks) and tx.is_word(j) and (
            tx.toks[j].text[0].isupper() or tx.cls(j) == "name")):
        return None  # "Maria Lopez and her son": only a name after "and"
    span = tx.collect(j, PERSON, after_name, not_place=not after_name)
    if span and not tx.guarded(j) and not tx.org_follows(span[1]):
        return span
    return None


def _before_name(tx: _Text, start: int) -> tuple[int, int] | None:
    """The name just before a name: "Ricardo (Ricky) Santana", "Ernesto & Maribel Salazar",
    "Rahul (Rahul Mehta)"."""
    k = tx.index_at(start) - 1
    hops = 0
    joined = False
    while k >= 0 and hops < 3 and (
            (not tx.toks[k].word and tx.toks[k].text in "()&/,\"'`\u2018\u2019\u201c\u201d")
            or (tx.toks[k].low in _AND and not joined)):
        joined = joined or tx.toks[k].low in _AND or tx.toks[k].text == ","
        k -= 1
        hops += 1
    if hops == 0 or k < 0 or not tx.is_word(k):
        return None
    t = tx.toks[k]
    if joined and not (t.text[0].isupper() or tx.cls(k) == "name"):
        return None
    if tx.cls(k) not in ("name", "unknown") and not (
            t.text[0].isupper() and tx.cls(k) in ("given", "english_name")):
        return None
    return tx.collect_back(k)


def add_repeats(tx: _Text, spans: list[tuple[int, int, bool]], add) -> None:
    """Every other place a word of a sure name stands: a name-list or unknown word in any case,
    another word only capitalised as it was ("Young")."""
    words: dict[str, bool] = {}  # folded word -> any case
    for s, e, sure in spans:
        if not sure:
            continue
        for i in range(tx.index_at(s), len(tx.toks)):
            t = tx.toks[i]
            if t.start >= e:
                break
            if not t.word or len(t.text) < 2 or t.low in tx.lex.particles | _PERSON | _TITLES \
                    or t.text in tx.lex.acronyms:
                continue
            c = tx.cls(i)
            if c in ("name", "unknown"):
                words[t.low] = True
            elif t.text[0].isupper() and not t.text.isupper() and c != "function":
                words.setdefault(t.low, False)
    if not words:
        return
    taken = Occupied((s, e) for s, e, _sure in spans)
    for i, t in enumerate(tx.toks):
        if not t.word or t.low not in words or taken.overlaps(t.start, t.end):
            continue
        if not words[t.low] and not (t.text[0].isupper() and not t.text.isupper()):
            continue
        if tx.guarded_name(i) or tx.org_follows(t.end):
            continue
        add((t.start, t.end))


_NAMEY = ("name", "unknown", "given", "english_name")
# A nickname in quotes or brackets inside a name: 'Roberto "Beto" Alvarado', "Ma. Luisa ('Lulu')
# Reyes", "roberto 'beto' alvarado".
_NICKNAMED = re.compile(
    r"(?<![\w'-])([^\W\d_][\w'\u2019-]{1,30})[ \t]{1,2}\(?[\"'`\u2018\u2019\u201c\u201d(]"
    r"([^\W\d_][\w'\u2019-]{0,30}(?:[ \t][^\W\d_][\w'\u2019-]{0,30})?)"
    r"[\"'`\u2018\u2019\u201c\u201d)]\)?[ \t]{1,2}([^\W\d_][\w'\u2019-]{1,30})(?![\w'-])")


def add_nicknamed(tx: _Text, add) -> None:
    """A first name, a nickname in quotes or brackets, a surname: all three are the name when
    the first name and the surname are name words (one of them in the name lists only)."""
    for m in _NICKNAMED.finditer(tx.text):
        i, k = tx.index_at(m.start(1)), tx.index_at(m.start(3))
        if not (tx.is_word(i) and tx.is_word(k)) or tx.guarded(i) or tx.org_follows(m.end(3)):
            continue
        same_case = m.group(1)[0].isupper() == m.group(3)[0].isupper()
        classes = (tx.cls(i), tx.cls(k))
        if same_case and all(c in _NAMEY for c in classes) and "name" in classes and \
                not tx.place_like([i, k]):
            add((m.start(1), m.end(3)))


def _run(tx: _Text, i: int, lower: bool) -> list[int]:
    """Words from token i on the same line, spaced: capitalised ones (or, with ``lower``, lower
    case ones), particles ("de la", "van der") taken inside, not at the end."""
    run: list[int] = []
    j, n = i, len(tx.toks)
    while j < n and len(run) < 7 and tx.is_word(j) and (not run or tx.spaced(run[-1], j)):
        t = tx.toks[j]
        particle = t.low in tx.lex.particles and t.text not in tx.lex.acronyms
        if lower:
            ok = t.text.islower() and tx.lower_name(j, run)
        else:
            ok = t.text[0].isupper() and t.text not in tx.lex.acronyms
        if len(t.text) < 2 or not (particle or ok):
            break
        run.append(j)
        j += 1
    while run and tx.toks[run[-1]].low in tx.lex.particles:
        run.pop()
    return run


def _pair_words(tx: _Text, run: list[int], lower: bool) -> tuple[list[int], list[str]] | None:
    """The run's own words (particles aside) and their classes, when every one can be part of a
    name: name-list or unknown words; after the first, a short capitalised word ("Linh Do",
    "Nguyen Van An") or a capitalised word that is also a name ("Maria Young")."""
    core = [x for x in run if tx.toks[x].low not in tx.lex.particles]
    classes = [tx.cls(x) for x in core]
    for n, (x, c) in enumerate(zip(core, classes)):
        t = tx.toks[x]
        after_particle = x > 0 and x - 1 in run and tx.toks[x - 1].text in tx.lex.particles
        if lower:
            ok = tx.lower_name(x, core[:n])
        elif t.low in _NAME_ABBREVIATIONS and t.text.istitle() and n + 1 < len(core):
            ok = True  # "Ma Cristina": an abbreviated given name before the name
        elif after_particle and t.text[0].isupper() and c not in ("function", "vocab"):
            ok = True  # "de Vries", "de la Cruz": a capital after a lower-case particle
        else:
            ok = c in _NAMEY or (n > 0 and c in ("vocab", "function", "english")
                                 and not t.text.isupper() and (
                (len(t.text) <= 3 and t.low not in _HARD_STOP | _ABBREV | _PERSON)
                or (c != "english" and t.low in tx.lex.names and t.low not in _PERSON)))
        if not ok:
            return None
    return core, classes


def add_pairs(tx: _Text, add) -> None:
    """Names with no cue: two or more capitalised name-list words ("Graciela Montes de Oca",
    "Nguyen Van An"), "Last, First" ("Ramos, Leticia", "de la Cruz, Juan Carlos"), and lower-case
    words found only in the name lists ("jose luis ramirez", "ramirez, jose")."""
    i = 0
    n = len(tx.toks)
    while i < n:
        if not tx.is_word(i):
            i += 1
            continue
        lower = tx.toks[i].text.islower() and tx.toks[i].low not in tx.lex.particles
        run = _run(tx, i, lower)
        if not run:
            i += 1
            continue
        words = _pair_words(tx, run, lower)
        if words is None and not lower:
            i += 1  # "Hi Maria Lopez": try from the next word
            continue
        nxt = run[-1] + 1
        # "Last, First": one or two words, a comma, one or two more
        if words and len(words[0]) <= 2 and nxt + 1 < n and tx.toks[nxt].text == "," \
                and tx.text[tx.toks[nxt].end:tx.toks[nxt].end + 1] in (" ", "\t") \
                and tx.is_word(nxt + 1) and tx.toks[nxt + 1].text.islower() == lower:
            second = _run(tx, nxt + 1, lower)[:3]
            more = _pair_words(tx, second, lower) if second else None
            if more and len(more[0]) <= 2:
                classes = words[1] + more[1]
                if "name" in classes and not tx.guarded(run[0]) \
                        and not tx.place_like(words[0] + more[0]) \
                        and not any(len(w) > 1 and tx.place_like(w) for w in (words[0], more[0])) \
                        and not tx.org_follows(tx.toks[second[-1]].end):
                    add((tx.toks[run[0]].start, tx.toks[second[-1]].end), True)
                    i = second[-1] + 1
                    continue
        if words and len(words[0]) >= 2:
            core, classes = words
            places = tx.place_like(core)
            if not places and not tx.guarded(run[0]) and not tx.org_follows(tx.toks[run[-1]].end):
                if lower:
                    add((tx.toks[run[0]].start, tx.toks[run[-1]].end), True)
                else:
                    # a name-list word makes it sure; given names alone ("Sunny Park") doubtful
                    sure = "name" in classes and classes[0] != "unknown"
                    add((tx.toks[run[0]].start, tx.toks[run[-1]].end), sure)
        i = max(run[-1], i) + 1

"""Phrases -> regular expressions, clause boundaries, and negation or uncertainty around a match.

The one place the rule checker decides whether a phrase in a message is negated ("hasn't worked",
"w/o", "no longer", "not yet", "doesn't have") or unsure ("not sure if ..."). The words for it
come from the packs (shared.yaml ``negation``); this module only applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from assistant.rules.schema import PhraseSpec

_F = re.IGNORECASE
_CLAUSE_BREAK = re.compile(r"[.;!?\n()]|,|\bbut\b|\bhowever\b|\bthough\b|\balthough\b|\bwhereas\b"
                           r"|\s-\s|:\s")
_WORD = re.compile(r"[\w'/#+-]+")


def words_pattern(phrase: str, plural: bool = True) -> str:
    """A plain phrase as a regex: whole words, any case, spaces or hyphens between words, and an
    optional plural ending on the last word ("registered nurse" also finds "registered nurses");
    without ``plural`` the words only as written (a cue word: "not" must not find "notes")."""
    tokens = phrase.strip().split()
    parts = []
    for i, tok in enumerate(tokens):
        pieces = [re.escape(p) for p in tok.split("-")]
        part = r"[\s-]?".join(pieces)
        part = part.replace(r"\'", "'").replace("'", "[\u2019']?")
        if plural and i == len(tokens) - 1 and tok[-1:].isalpha():
            part += r"(?:s|es)?"
        parts.append(part)
    body = r"[\s-]+".join(parts)
    return rf"(?<![\w]){body}(?![\w])"


def normalise_unicode(text: str) -> str:
    """Lower case, straight quotes and dashes, single spaces: what every pattern runs on."""
    t = (text or "")
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                 ("\u2013", "-"), ("\u2010", "-"), ("\u2011", "-"), ("\u2014", " - "),
                 ("\u00a0", " ")):
        t = t.replace(a, b)
    t = t.lower()
    t = re.sub(r"\b((?:[a-z]\.){2,4})(?!\w)", lambda m: m.group(1).replace(".", "") + " ", t)
    return re.sub(r"[ \t]+", " ", t)


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    text: str


class Phrases:
    """A compiled list of phrases (plain words, patterns, and words-after-context)."""

    def __init__(self, phrases: Iterable[str | PhraseSpec], macros: dict[str, str] | None = None,
                 plural: bool = True):
        plain, context = [], []
        for p in phrases or []:
            if isinstance(p, str):
                plain.append(words_pattern(p, plural))
            elif p.re:
                plain.append(f"(?:{_expand(p.re, macros)})")
            else:
                context.append((re.compile("|".join(words_pattern(w) for w in p.words), _F),
                                re.compile("|".join(words_pattern(w) for w in p.after), _F)
                                if p.after else None, p.within))
        plain.sort(key=len, reverse=True)
        self.plain = re.compile("|".join(plain), _F) if plain else None
        self.context = context
        self.empty = not plain and not context

    def finditer(self, text: str) -> Iterator[Match]:
        if self.plain is not None:
            for m in self.plain.finditer(text):
                if m.end() > m.start():
                    yield Match(m.start(), m.end(), m.group())
        for words, after, within in self.context:
            for m in words.finditer(text):
                if after is None or after.search(" ".join(words_before(text, m.start(),
                                                                       within))):
                    yield Match(m.start(), m.end(), m.group())

    def search(self, text: str) -> Match | None:
        return min(self.finditer(text), key=lambda m: m.start, default=None)

    def count(self, text: str) -> int:
        return sum(1 for _ in self.finditer(text))


def _expand(pattern: str, macros: dict[str, str] | None) -> str:
    for name, value in (macros or {}).items():
        pattern = pattern.replace("{" + name + "}", value)
    return pattern


_ASIDE = re.compile(r"\([^()]*\)")


def blank_asides(text: str) -> str:
    """``text`` with every aside in parentheses blanked (same length, so offsets hold): "our
    IBCLC (not a nurse, just the cert) wrote the rx" puts IBCLC next to "wrote"."""
    return _ASIDE.sub(lambda m: " " * len(m.group()), text)


def clause_start(text: str, pos: int) -> int:
    """Where the clause holding ``pos`` starts (after the last break before it)."""
    last = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, pos):
        last = m.end()
    return last


def clause_end(text: str, pos: int) -> int:
    m = _CLAUSE_BREAK.search(text, pos)
    return m.start() if m else len(text)


def words_before(text: str, pos: int, n: int) -> list[str]:
    """The last ``n`` words before ``pos`` within its clause."""
    start = clause_start(text, pos)
    return _WORD.findall(text[start:pos])[-n:]


_SENTENCE = re.compile(r"[.?!\n]+(?:\s|$)")
_LABEL = re.compile(r"\s*(?:[:=]|\s-|-\s)\s*")  # "label: answer", "label - answer"


def sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding ``pos`` starts."""
    start = 0
    for m in _SENTENCE.finditer(text, 0, pos):
        start = m.end()
    return start


def sentence_words(text: str, pos: int, n: int, before: bool) -> list[str]:
    """Up to ``n`` words before (or after) ``pos`` within its sentence (clauses ignored)."""
    if before:
        start = 0
        for m in _SENTENCE.finditer(text, 0, pos):
            start = m.end()
        return _WORD.findall(text[start:pos])[-n:]
    m = _SENTENCE.search(text, pos)
    return _WORD.findall(text[pos:m.start() if m else len(text)])[:n]


def words_after(text: str, pos: int, n: int) -> list[str]:
    end = clause_end(text, pos)
    return _WORD.findall(text[pos:end])[:n]


# Words that start another phrase: a negation before one of them does not reach past it.
_BREAKERS = frozenset(["after", "before", "since", "because", "so", "and", "then", "when",
                       "while", "until", "if", "despite", "even", "which", "where", "also",
                       "once"])


# Words that may stand between a negation and what it negates ("doesn't have an NPI").
_LIGHT = frozenset([
    "a", "an", "the", "any", "her", "his", "their", "its", "my", "our", "your", "this", "that",
    "these", "those", "yet", "also", "ever", "been", "be", "being", "have", "has", "had",
    "having", "do", "does", "did", "done", "get", "got", "gotten", "go", "gone", "to", "in", "on",
    "with", "for", "of", "at", "by", "from", "as", "currently", "officially", "actually",
    "really", "fully", "properly", "formally", "formal", "still", "take", "took", "taken", "make",
    "made", "able", "need", "needs", "needed", "want", "wants", "wanted", "plan", "plans",
    "planning", "going", "valid", "current", "active", "signed", "individual", "own", "required",
    "or", "nor", "even", "just", "one", "more", "anyone", "anybody", "someone", "somebody",
    "basic",
])


# Negations that go with a noun ("no contract"): they do not reach past the word after them.
_NOUN_NEGATIONS = frozenset(["no", "non", "neither", "nor"])


def _whole(phrases: Phrases, text: str) -> bool:
    """``text`` is one of the phrases, whole."""
    return any(m.start == 0 and m.end == len(text) for m in phrases.finditer(text))


class Negation:
    """Negation and uncertainty cues, as one pack's vocabulary compiled."""

    def __init__(self, before: Sequence, after: Sequence, uncertain: Sequence,
                 answers_no: Sequence, window: int, after_window: int):
        # cue words are function words: no plural ending ("not" is not in "notes")
        self.before = Phrases(before, plural=False)
        self.after = Phrases(after, plural=False)
        self.uncertain = Phrases(uncertain, plural=False)
        self.answers_no = Phrases(answers_no, plural=False)
        self.window, self.after_window = window, after_window

    def answered_no(self, text: str, m: Match) -> bool:
        """A label answered no: "CPR: no", "NPI - none", "HIPAA = not yet" (the answer is the
        whole of what follows, up to the next comma or the end)."""
        if self.answers_no.empty:
            return False
        lab = _LABEL.match(text, m.end)
        if lab is None:
            return False
        answer = text[lab.end():clause_end(text, lab.end())].strip(" .!?)")
        return 0 < len(_WORD.findall(answer)) <= 3 and _whole(self.answers_no, answer)

    def negated(self, text: str, m: Match, after: bool = True) -> bool:
        if self.answered_no(text, m):
            return True
        return self._negated(text, m, after)

    def _negated(self, text: str, m: Match, after: bool = True) -> bool:
        """A negation cue up to ``window`` words before the match with one verb and light words
        between ("doesn't have an NPI", "never took a formal course"; not "no contract already
        saw"),
        or one just after it, in the same clause. Two cues before cancel out ("not without")."""
        first = m.text.split()[0] if m.text.split() else ""
        words = [] if first in _BREAKERS else words_before(text, m.start, self.window)
        for i in range(len(words) - 1, -1, -1):
            # a breaker right after a negation belongs to it ("doesn't also have to be", "not
            # even"): it starts no other phrase
            if words[i] in _BREAKERS and not (i and _whole(self.before, words[i - 1])):
                words = words[i + 1:]
                break
        cues = 0
        i = 0
        while i < len(words):
            size = 2 if i + 1 < len(words) and _whole(self.before, " ".join(words[i:i + 2])) \
                else 1 if _whole(self.before, words[i]) else 0
            if not size:
                i += 1
                continue
            between = words[i + size:]
            verb_slot = size == 2 or words[i].rstrip("-") not in _NOUN_NEGATIONS
            last_or = max((j for j, w in enumerate(between) if w in ("or", "nor")), default=-1)
            if all(w in _LIGHT or (j == 0 and verb_slot) or j < last_or
                   for j, w in enumerate(between)):
                cues += 1  # a verb, then only light words, or a list up to its "or", in between
                #            ("hasn't renewed her CPR", "not a board certified IBCLC or an LEC")
            i += size
        if cues % 2 == 1:
            return True
        if not after:
            return False
        following = " ".join(words_after(text, m.end, self.after_window))
        return bool(following) and self.after.search(following) is not None and not cues

    def unsure(self, text: str, m: Match) -> bool:
        """An uncertainty cue ("not sure if") earlier in the same clause, or right after."""
        start = clause_start(text, m.start)
        if self.uncertain.search(text[start:m.start]) is not None:
            return True
        after = " ".join(words_after(text, m.end, 3))
        if after and self.uncertain.search(after) is not None:
            return True
        # "her CPR might be expired, not sure": a clause that is only the doubt, right after
        end = clause_end(text, m.end)
        if end < len(text) and text[end] in ",;-(":
            nxt = text[end + 1:clause_end(text, end + 1)].strip(" .!?)")
            words = _WORD.findall(nxt)
            if words and len(words) <= 4 and any(
                    u.start == 0 for u in self.uncertain.finditer(nxt)):
                return True
        return False


def take_longest(matches: Iterable[tuple[Match, object]]) -> list[tuple[Match, object]]:
    """Non-overlapping matches, leftmost-longest first (each with its tag)."""
    ordered = sorted(matches, key=lambda mt: (mt[0].start, -(mt[0].end - mt[0].start)))
    out: list[tuple[Match, object]] = []
    end = -1
    for m, tag in ordered:
        if m.start >= end:
            out.append((m, tag))
            end = m.end
    return out


def mask(text: str, phrases: Phrases) -> str:
    """``text`` with every match of ``phrases`` blanked (same length, so offsets hold)."""
    if phrases.empty:
        return text
    chars = list(text)
    for m in phrases.finditer(text):
        chars[m.start:m.end] = " " * (m.end - m.start)
    return "".join(chars)

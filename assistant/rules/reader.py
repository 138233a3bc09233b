"""The scenario reader: a conversation -> the facts one pack reads, driven only by the pack.

Each user message is read on its own (normalised by the pack's rewrites); a later message
overrides what an earlier one said, and a new value of a ``resets`` fact starts afresh. A fact's
value comes from the words the pack lists for it; a negated mention flips a yes/no fact (or gives
a choice fact its ``negated`` value), a mention after "not sure if" makes the fact ``unsure``.
Derived facts are computed last, from the merged facts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.rules import conditions, dates
from assistant.rules.schema import UNSURE, ChoiceFact, DerivedFact, FlagFact, NumberFact, PackSpec
from assistant.rules.text import (
    Match,
    Negation,
    Phrases,
    blank_asides,
    clause_start,
    mask,
    normalise_unicode,
    sentence_start,
    sentence_words,
    take_longest,
    words_after,
    words_before,
)

MISSING = object()


@dataclass
class Message:
    """What one message says for one pack."""

    text: str
    facts: dict[str, Any] = field(default_factory=dict)
    implied: dict[str, Any] = field(default_factory=dict)
    implied_by: dict[str, str] = field(default_factory=dict)  # implied fact -> the fact implying
    cleared: set[str] = field(default_factory=set)  # facts this message clears ("who can?")
    asks: bool = False  # a billing-eligibility question
    information: bool = False  # after information only
    scope_hits: int = 0
    excluded: bool = False


class Vocabulary:
    """What a pack reads with: rewrites, negation, question words and number words (the shared
    packs' and its own, merged)."""

    def __init__(self, specs: Sequence[PackSpec]):
        self.rewrites = [(re.compile(r.re, re.IGNORECASE), r.to,
                          re.compile(r.when, re.IGNORECASE) if r.when
                          else None) for s in specs for r in s.normalise]
        neg = [s.negation for s in specs if s.negation]
        self.negation = Negation(
            [p for n in neg for p in n.before], [p for n in neg for p in n.after],
            [p for n in neg for p in n.uncertain],
            [p for n in neg for p in n.answers_no],
            neg[-1].window if neg else 4, neg[-1].after_window if neg else 5)
        qs = [s.question for s in specs if s.question]
        self.asks = Phrases([p for q in qs for p in q.asks])
        self.information = Phrases([p for q in qs for p in q.information])
        self.numbers: dict[str, float] = {}
        for s in specs:
            self.numbers.update(s.numbers)
        words = sorted(self.numbers, key=len, reverse=True)
        self.num = r"(?<![\w.])(?P<num>\d+(?:\.\d+)?" + "".join(
            "|" + r"[\s-]+".join(re.escape(p) for p in w.split()) for w in words) + ")"

    def normalise(self, text: str) -> str:
        t = normalise_unicode(text)
        for pattern, to, when in self.rewrites:
            if when is None or when.search(t):
                t = pattern.sub(to, t)
        return re.sub(r"[ \t]+", " ", t)

    def number(self, word: str) -> float | None:
        word = " ".join(word.lower().replace("-", " ").split())
        if word in self.numbers:
            return self.numbers[word]
        try:
            return float(word)
        except ValueError:
            return None


# -- facts ----------------------------------------------------------------------------------------

class Reading:
    """One fact's reading of one message."""

    __slots__ = ("at", "implied", "several", "value")

    def __init__(self, value: Any = MISSING, implied: dict[str, Any] | None = None, at: int = -1,
                 several: tuple[int, ...] = ()):
        self.value, self.implied, self.at = value, implied or {}, at
        # when the message names several values (several people ...): where the chosen one is
        self.several = several


class ChoiceReader:
    def __init__(self, name: str, spec: ChoiceFact, vocab: Vocabulary):
        self.name, self.spec, self.vocab = name, spec, vocab
        macros = {"num": vocab.num}
        self.values = {v: Phrases(s.words, macros) for v, s in spec.values.items()}
        self.value_ignore = {v: (Phrases([*spec.ignore_after, *s.ignore_after]),
                                 Phrases([*spec.ignore_before, *s.ignore_before]))
                             for v, s in spec.values.items()}
        self.mask = Phrases(spec.mask)
        self.context = Phrases(spec.context)
        self.not_context = Phrases(spec.not_context)
        self.unsure = Phrases(spec.unsure)
        self.clear = Phrases(spec.clear)
        self.focus = Phrases(spec.focus)
        self.refer = Phrases(spec.refer)

    def mentions(self, text: str, carried: tuple[bool, bool] = (False, False)
                 ) -> list[tuple[Match, str]]:
        """The values named in ``text`` that count (masks, ignore and context applied).
        ``carried``: (context words, not-context words) were in an earlier message."""
        t = mask(text, self.mask)
        found = [(m, v) for v, ph in self.values.items() for m in ph.finditer(t)]
        ctx_here = not self.context.empty and self.context.search(t) is not None
        not_here = not self.not_context.empty and self.not_context.search(t) is not None
        plain = blank_asides(t)
        out = []
        for m, v in take_longest(found):
            # the words around a mention, an aside in parentheses left out (unless it is in one)
            around = plain if plain[m.start:m.end] == t[m.start:m.end] else t
            after, before = self.value_ignore[v]
            if not after.empty and _ends_with(after, " ".join(words_before(t, m.start, 4))):
                continue
            if not before.empty and _starts_with(before, " ".join(words_after(t, m.end, 3))):
                continue
            w = self.spec.window
            near = " ".join(sentence_words(around, m.start, w, True) + ["|"]
                            + sentence_words(around, m.end, w, False))
            if not self.context.empty and self.context.search(near) is None and not (
                    carried[0] and not ctx_here):
                continue
            if not self.not_context.empty and (self.not_context.search(near) is not None or (
                    carried[1] and not not_here and self.context.empty)):
                continue
            out.append((m, v))
        return out

    def pronoun_mentions(self, text: str) -> list[tuple[Match, str]]:
        """Words that refer back ("she" in "our MA ... she signed the order") right before a
        context word, each with the value named last before it in the same sentence."""
        if self.refer.empty or self.context.empty:
            return []
        t = mask(text, self.mask)
        named = take_longest((m, v) for v, ph in self.values.items() for m in ph.finditer(t))
        out = []
        for r in self.refer.finditer(t):
            if self.context.search(" ".join(sentence_words(t, r.end, 2, False))) is None:
                continue
            start = sentence_start(t, r.start)
            before = [(m, v) for m, v in named if start <= m.start and m.end <= r.start]
            if before:
                out.append((r, before[-1][1]))
        return out

    def read(self, text: str, carried: tuple[bool, bool] = (False, False),
             anchor: tuple[int, ...] = ()) -> Reading:
        """``anchor``: where the value of the fact this one ``belongs_to`` was named; of several
        different values, the ones named in its clause count ("our MA has no cert but our RN has
        her IBCLC": the RN's)."""
        neg = self.vocab.negation
        positive: list[tuple[Match, str]] = []
        negated: list[tuple[Match, str]] = []
        unsure = False
        mentions = self.mentions(text, carried)
        if not mentions:  # only a word referring back names the value ("she signed the order")
            mentions = self.pronoun_mentions(text)
        if anchor and len({v for _, v in mentions}) > 1:
            where = {clause_start(text, a) for a in anchor}
            mentions = [mv for mv in mentions if clause_start(text, mv[0].start) in where] \
                or mentions
        for m, v in mentions:
            if neg.unsure(text, m):
                unsure = True
            elif neg.negated(text, m, after=False):  # "X pending" is about X's state, not X
                negated.append((m, v))
            else:
                positive.append((m, v))
        named = list(positive)
        named_several = len({v for _, v in named}) > 1
        if positive and not self.focus.empty:  # "same for our LVN?": the value in focus wins
            focused = [(m, v) for m, v in positive if self.focus.search(
                " ".join(sentence_words(text, m.start, 4, True))) is not None]
            positive = focused or positive
        if positive:
            if self.spec.pick == "first":
                m, v = positive[0]
            elif self.spec.pick == "last":
                m, v = positive[-1]
            else:
                m, v = max(positive, key=lambda mv: (self.spec.values[mv[1]].rank, -mv[0].start))
            spots = tuple(p.start for p, pv in named if pv == v) if named_several else ()
            return Reading(v, dict(self.spec.values[v].implies), m.start, spots)
        for m, v in negated:
            value = self.spec.values[v].negated or self.spec.negated
            if value is not None:
                return Reading(value, dict(self.spec.values[value].implies)
                               if value in self.spec.values else {}, m.start)
        if unsure or self.unsure.search(text) is not None:
            return Reading(UNSURE)
        return Reading()


def _ends_with(phrases: Phrases, text: str) -> bool:
    text = text.strip()
    return any(m.end >= len(text) for m in phrases.finditer(text))


def _starts_with(phrases: Phrases, text: str) -> bool:
    return any(m.start == 0 for m in phrases.finditer(text.strip()))


class FlagReader:
    def __init__(self, name: str, spec: FlagFact, vocab: Vocabulary):
        self.name, self.spec, self.vocab = name, spec, vocab
        self.yes = Phrases(spec.yes, {"num": vocab.num})
        self.no = Phrases(spec.no, {"num": vocab.num})
        self.unsure = Phrases(spec.unsure)

    def read(self, text: str) -> Reading:
        neg = self.vocab.negation
        found = [(m, True) for m in self.yes.finditer(text)] + [
            (m, False) for m in self.no.finditer(text)] + [
            (m, UNSURE) for m in self.unsure.finditer(text)]  # "hasn't said yes yet": unsure
        value: Any = MISSING
        at = -1
        for m, polarity in take_longest(found):
            if polarity == UNSURE or neg.unsure(text, m):
                value, at = UNSURE, m.start
                continue
            if self.spec.negatable and neg.negated(text, m):
                polarity = not polarity
            value, at = polarity, m.start
        implied = dict(self.spec.implies) if value is True else {}
        return Reading(value, implied, at)


class NumberReader:
    def __init__(self, name: str, spec: NumberFact, vocab: Vocabulary):
        self.name, self.spec, self.vocab = name, spec, vocab
        units = sorted(spec.units, key=len, reverse=True)
        unit = "(?P<unit>" + "|".join(re.escape(u) + r"(?:s|es)?" for u in units) + ")" \
            if units else "(?P<unit>)"
        self.patterns = [re.compile(p.replace("{num}", vocab.num).replace("{unit}", unit)
                                    .replace("{date}", f"(?P<date>{dates.DAY_PATTERN})"),
                                    re.IGNORECASE)
                         for p in spec.patterns]
        self.fixed = [(v.value, Phrases(v.words, {"num": vocab.num})) for v in spec.values]
        self.unsure = Phrases(spec.unsure)
        self.since = Phrases(spec.since)

    def since_dates(self, texts: Sequence[str]) -> float | None:
        """The time, in this fact's unit, from a date named after a ``since`` phrase to the last
        date named after it in the conversation, or else to the date named last before it
        ("claim sent dec 20 for a visit on may 1"). None: no such pair."""
        if self.since.empty:
            return None
        text = " \n ".join(texts)
        named = dates.mentions(text)
        units = {**self.spec.units, **({self.spec.unit: 1.0} if self.spec.unit else {})}
        for cue in self.since.finditer(text):
            start = next((d for d in named if cue.end <= d.at <= cue.end + 40), None)
            if start is None:
                continue
            later = [d for d in named if d.at > start.at]
            if later:
                return dates.span(start, later[-1], units)
            earlier = [d for d in named if d.at < start.at]  # "sent dec 20 for a visit on may 1"
            return dates.span(start, earlier[-1], units, wrap=False) if earlier else None
        return None

    def read(self, text: str) -> Reading:
        hits: list[tuple[int, float]] = []
        for value, phrases in self.fixed:
            for m in phrases.finditer(text):
                hits.append((m.start, value))
        for p in self.patterns:
            for m in p.finditer(text):
                if m.groupdict().get("date"):  # a date: the day it names
                    day = dates.day_number(m.group("date"))
                    if day is not None:
                        hits.append((m.start(), day))
                    continue
                n = self.vocab.number(m.group("num"))
                if n is None:
                    continue
                unit = (m.groupdict().get("unit") or "").lower()
                hits.append((m.start(), round(n * self._unit(unit), 2)))
        if hits:
            hits.sort()
            at, value = hits[0] if self.spec.pick == "first" else hits[-1]
            return Reading(value, {}, at)
        if self.unsure.search(text) is not None:
            return Reading(UNSURE)
        return Reading()

    def _unit(self, unit: str) -> float:
        if not unit:
            return self.spec.default_unit
        units = self.spec.units
        for cand in (unit, unit.rstrip("s"), unit.removesuffix("es")):
            if cand in units:
                return units[cand]
        return 1.0


# -- the reader of one pack -----------------------------------------------------------------------

class ScenarioReader:
    """Reads the facts of one pack from a conversation."""

    def __init__(self, spec: PackSpec, vocab: Vocabulary):
        self.spec, self.vocab = spec, vocab
        self.readers: dict[str, Any] = {}
        self.derived: dict[str, DerivedFact] = {}
        for name, fact in spec.facts.items():
            if isinstance(fact, ChoiceFact):
                self.readers[name] = ChoiceReader(name, fact, vocab)
            elif isinstance(fact, FlagFact):
                self.readers[name] = FlagReader(name, fact, vocab)
            elif isinstance(fact, NumberFact):
                self.readers[name] = NumberReader(name, fact, vocab)
            else:
                self.derived[name] = fact
        scope = spec.scope
        self.terms = Phrases(scope.terms if scope else [])
        self.exclude = Phrases(scope.exclude if scope else [])
        self.resets = [n for n, f in spec.facts.items() if getattr(f, "resets", False)]
        self.belongs = {n: f.belongs_to for n, f in spec.facts.items()
                        if getattr(f, "belongs_to", None)}
        self.general = {n: {v for v, s in f.values.items() if s.general}
                        for n, f in spec.facts.items() if isinstance(f, ChoiceFact)}

    def read_message(self, text: str, earlier: Sequence[str] = ()) -> Message:
        """The facts of one message; ``earlier``: the normalised earlier user messages (a choice
        fact's context words said there carry over to a message that names none)."""
        t = self.vocab.normalise(text)
        msg = Message(t)
        readings: dict[str, Reading] = {}
        for name, reader in self.readers.items():
            if isinstance(reader, ChoiceReader):
                carried = (any(reader.context.search(e) for e in earlier)
                           if not reader.context.empty else False,
                           any(reader.not_context.search(e) for e in earlier)
                           if not reader.not_context.empty else False)
                owner = self.belongs.get(name)
                anchor = readings[owner].several if owner in readings else ()
                r = reader.read(t, carried, anchor)
            else:
                r = reader.read(t)
            readings[name] = r
            if r.value is not MISSING:
                msg.facts[name] = r.value
            elif isinstance(reader, ChoiceReader) and not reader.clear.empty and \
                    reader.clear.search(t) is not None:
                msg.cleared.add(name)
            for k, v in r.implied.items():
                if k not in msg.implied:
                    msg.implied[k], msg.implied_by[k] = v, name
        msg.asks = self.vocab.asks.search(t) is not None or any(
            getattr(self.spec.facts[n], "asks", False) for n in msg.facts) or any(
            r.spec.asks and r.since_dates([t]) is not None  # told by two dates in the message
            for n, r in self.readers.items() if isinstance(r, NumberReader) and n not in msg.facts)
        msg.information = self.vocab.information.search(t) is not None
        msg.scope_hits = self.terms.count(t)
        msg.excluded = self.exclude.search(t) is not None
        return msg

    def merge(self, messages: Sequence[Message]) -> dict[str, Any]:
        """The facts of a conversation: a later message overrides an earlier one; a new value of
        a ``resets`` fact starts afresh; what a value implied goes when that value changes."""
        state: dict[str, Any] = {}
        origin: dict[str, str] = {}  # implied fact -> the fact whose value implied it
        for msg in messages:
            said = {n: v for n, v in msg.facts.items() if not self._keeps(state.get(n), n, v)}
            for name in self.resets:
                new = said.get(name, msg.implied.get(name))
                if new is not None and state.get(name) not in (None, new):
                    state, origin = {}, {}
                    break
            changed = {n for n, v in said.items() if state.get(n) != v} | msg.cleared
            replaced = {n for n, v in said.items() if state.get(n) not in (None, v)}
            for fact, source in list(origin.items()):
                if source in changed:
                    state.pop(fact, None)
                    origin.pop(fact)
            for fact, owner in self.belongs.items():
                if owner in replaced | msg.cleared and fact not in said:
                    state.pop(fact, None)
            for name in msg.cleared:
                state.pop(name, None)
            for fact, value in msg.implied.items():
                state[fact], origin[fact] = value, msg.implied_by[fact]
            for fact, value in said.items():
                state[fact] = value
                origin.pop(fact, None)
        for name, reader in self.readers.items():
            if isinstance(reader, NumberReader) and name not in state:
                span = reader.since_dates([m.text for m in messages])
                if span is not None:
                    state[name] = span
        return self.with_derived(state)

    def _keeps(self, before: Any, fact: str, value: Any) -> bool:
        """A general value ("the pump") said after a specific one ("hospital grade pump") keeps
        the specific one."""
        general = self.general.get(fact, ())
        return value in general and before is not None and before != UNSURE \
            and before not in general

    def with_derived(self, state: dict[str, Any]) -> dict[str, Any]:
        out = dict(state)
        for name, d in self.derived.items():  # in the order written: later ones may use earlier
            value = None
            full = {**{n: None for n in self.spec.facts}, **out}
            if d.true is not None and conditions.matches(d.true, full):
                value = True
            elif d.false is not None and conditions.matches(d.false, full):
                value = False
            elif d.unsure is not None and conditions.matches(d.unsure, full):
                value = UNSURE
            if value is not None:
                out[name] = value
            else:
                out.pop(name, None)
        return out

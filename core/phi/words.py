"""Word lists the detector reads: the project's own (``data/*.txt``) and philter-lite's name lists.

Everything loads once, on first use (nothing at import time), and nothing is downloaded:
philter-lite ships its lists inside the package (``filters/set.toml``: ``firstnames``,
``lastnames`` and ``nonames``, the ordinary English and clinical words of its notes); they are
read as text, without importing philter-lite (which would import NLTK).

``word_class(word)`` sorts a word (any case) into one of:

- ``"function"`` — never part of a name (the, is, pls, ...);
- ``"vocab"`` — the manual's subject and reps' words (claim, auth, mbr, dob, ...): never starts a
  name, continues one only when capitalised;
- ``"given"`` — a given name that is also an English word (hope, will, may): a name only where
  a cue says so;
- ``"name"`` — in philter-lite's first or last names and not an English word;
- ``"english_name"`` — in the name lists and an English word too (tran, lee, park, said);
- ``"english"`` — an ordinary English word;
- ``"unknown"`` — in no list (a rare surname, a typo, an abbreviation).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_SPLIT = re.compile(r"['\u2019\-]")
# Letters NFKD does not take apart: "Yılmaz", "Łukasz", "Søren", "Đặng".
_FOLD = str.maketrans({"\u0131": "i", "\u0142": "l", "\u0141": "L", "\u00f8": "o", "\u00d8": "O",
                       "\u0111": "d", "\u0110": "D", "\u00df": "ss", "\u00e6": "ae",
                       "\u00c6": "AE", "\u0153": "oe", "\u0152": "OE", "\u00fe": "th"})


def fold(word: str) -> str:
    """word without its accents ("Ramírez" -> "Ramirez", "Yılmaz" -> "Yilmaz"): the lists are
    written without them."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _read_list(name: str, lower: bool = True) -> frozenset[str]:
    words: set[str] = set()
    with (DATA / name).open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            words.update(w.lower() if lower else w for w in line.split())
    return frozenset(words)


@cache
def project_list(name: str) -> frozenset[str]:
    """A list from ``data/<name>.txt`` (lower case, except ``acronyms``)."""
    return _read_list(f"{name}.txt", lower=name != "acronyms")


@lru_cache(maxsize=1)
def philter_lists() -> dict[str, frozenset[str]]:
    """philter-lite's ``firstnames``, ``lastnames`` and ``nonames`` (lower case)."""
    spec = find_spec("philter_lite")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("The member-identifier detector needs philter-lite's word lists: "
                          "pip install 'philter-lite>=0.6,<0.7' (a dependency of this project).")
    path = os.path.join(spec.submodule_search_locations[0], "filters", "set.toml")
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    return {m.group(1): frozenset(re.findall(r'"([^"]*)"', m.group(2)))
            for m in re.finditer(r"^(\w+)\s*=\s*\[(.*?)\]\s*$", raw, re.MULTILINE | re.DOTALL)}


class Lexicon:
    """The lists, loaded together once (``lexicon()``)."""

    def __init__(self) -> None:
        ph = philter_lists()
        self.function = project_list("function_words")
        self.given = project_list("given_names_english")
        self.vocab = project_list("vocabulary") | project_list("manual_words")
        self.acronyms = project_list("acronyms")
        self.org = project_list("org_words")
        self.places = project_list("places")
        self.particles = project_list("particles")
        self.systems = project_list("health_systems")
        self.first = ph["firstnames"]
        self.last = ph["lastnames"]
        self.names = self.first | self.last
        self.english = ph["nonames"]

    def word_class(self, word: str) -> str:
        word = fold(word)
        low = word.lower().strip(".")
        if low.endswith(("'s", "\u2019s")) and len(low) > 3:
            low = low[:-2]  # a possessive: "Le's" is "Le"
        if low in self.function:
            return "function"
        if low in self.given:
            return "given"
        if low in self.vocab or word in self.acronyms:
            return "vocab"
        if low[:2] in ("o'", "d'", "o\u2019", "d\u2019") and len(low) > 3:
            return "name"  # O'Brien, D'Souza
        parts = [p for p in _SPLIT.split(low) if p]
        if len(parts) > 1:  # "vo-pham", "lily-mae": a name when a part is one, or all are
            classes = [self.word_class(p) for p in parts if len(p) > 1]
            strong = any(c == "name" or (c == "unknown" and len(p) > 2)
                         for c, p in zip(classes, [p for p in parts if len(p) > 1]))
            kept = [p for p in parts if len(p) > 1]
            soft = len(classes) > 1 and all(
                c in ("given", "english_name") or (c == "vocab" and len(p) <= 3)
                for c, p in zip(classes, kept)) and any(
                c in ("given", "english_name") for c in classes)
            long_vocab = any(c == "vocab" and len(p) > 3 for c, p in zip(classes, kept))
            function = any(c == "function" and len(p) > 2 for c, p in zip(classes[1:], kept[1:]))
            if (strong or soft) and not function and not long_vocab:
                return "name"
            if len(kept) == 2 and all(len(p) <= 3 for p in kept) and word[:1].isupper() and \
                    not any(c in ("function", "english") for c in classes):
                return "unknown"  # "Min-jun", "Ji-ho": Korean given names
            return "english"
        if low in self.names:
            return "english_name" if low in self.english else "name"
        if low in self.english:
            return "english"
        if self._inflected(low) or self._compound_term(word):
            return "english"
        return "unknown"

    def _compound_term(self, word: str) -> bool:
        """"ImportError", "SlackApiClient": a code identifier, not a name ("McDonald" is one)."""
        caps = [i for i, ch in enumerate(word) if ch.isupper()]
        if len(caps) < 2 or caps[-1] == 0:
            return False
        tail = word[caps[-1]:].lower()
        return len(tail) >= 4 and tail in self.english and tail not in self.names

    _SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"),
                 ("es", ""), ("s", ""), ("ly", ""), ("er", ""), ("d", ""))

    def _inflected(self, low: str) -> bool:
        """An inflection of a known word ("miscarried", "swiped", "reqs", "eobs")."""
        for suffix, repl in self._SUFFIXES:
            if low.endswith(suffix) and len(low) - len(suffix) >= 3:
                stem = low[: len(low) - len(suffix)] + repl
                if stem in self.english or stem in self.vocab or stem in self.function:
                    return True
        return False


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()

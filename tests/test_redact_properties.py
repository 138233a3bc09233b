"""Properties of redaction, checked by hypothesis on messages built from pieces:

- idempotent: ``redact(redact(x)) == redact(x)``, at both levels;
- it never grows an identifier: the output is the input with some spans swapped for placeholders
  (nothing added, nothing altered), and it holds no identifier the redactor would find again;
- a planted identifier never survives, not even in part (no alphanumeric character of it is left);
- a manual term (a code, a form number, a Health Net phone number taken from the corpus pages)
  is never removed, whatever member data stands around it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.phi.build_data import DEFAULT_PAGES, page_text
from core.redact import KINDS, find_identifiers, redact
from evals.phi import covered_mask, is_removed

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACEHOLDER = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")

# (cue, value) pairs a rep might paste; the cue is not part of the identifier
IDENTIFIERS = [
    ("CIN ", "91234567A"), ("cin: ", "95201134c"), ("BIC ", "91234568A21903"),
    ("mbr id ", "R0041873302"), ("sub# ", "0098812346"), ("member # ", "N70022418"),
    ("acct/MRN ", "448812"), ("chart # ", "22-1187"), ("claim # ", "24031500123"),
    ("ssn ", "123-45-6789"), ("ss last 4 ", "5521"), ("DOB ", "3/14/88"),
    ("dob: ", "Nov 2 1961"), ("born ", "2019-07-02"), ("pt cell ", "916-555-0134"),
    ("email ", "rosie.dlt88@gmail.com"), ("lives at ", "1420 Elm St Apt 3, Fresno 93701"),
    ("pt ", "Maria Lopez"), ("mbr ", "bao vo-pham"), ("name: ", "lopez-garcia, ana"),
    ("Patient: ", "SINGH, GURPREET"), ("mom ", "Rosa Herrera"), ("pt is ", "Daniela"),
]
FILLER = ["hi", "need PA status", "for", "pls", "--", "/", ",", "|", "re:", "thanks", "is she",
          "still eligible", "can u check", "E0603", "99213", "12 visits", "$25", "DOS 3/2/2025",
          "fax to HN at 1-800-641-7761", "our NPI 1538204917", "form DHCS 6210", "\n"]


@lru_cache(maxsize=1)
def manual_terms() -> list[str]:
    """Codes, form numbers and Health Net's toll-free numbers as the corpus pages write them."""
    pattern = re.compile(r"\b(?:[A-V]\d{4}|\d{5}|[A-TV-Z]\d{2}\.\d{1,4}"
                         r"|(?:DHCS|HN|APL|PM)[ -]?\d[\w-]{1,10}|1-8\d\d-\d{3}-\d{4})\b")
    terms: set[str] = set()
    for folder in DEFAULT_PAGES:
        for path in folder.rglob("*"):
            if path.suffix in (".txt", ".md", ".html") and path.is_file():
                terms.update(m.group() for m in pattern.finditer(page_text(path)))
    return sorted(terms)


pieces = st.lists(st.one_of(st.sampled_from(FILLER),
                            st.sampled_from(IDENTIFIERS).map(lambda p: p[0] + p[1]),
                            st.text(alphabet="aZ9 -/.:,#@()'\n", max_size=12)),
                  max_size=8).map(" ".join)


@SETTINGS
@given(pieces)
def test_redaction_is_idempotent(text):
    for level in ("log", "llm"):
        once = redact(text, level)
        assert redact(once, level) == once


def _is_subsequence(small: str, big: str) -> bool:
    it = iter(big)
    return all(ch in it for ch in small)


@SETTINGS
@given(pieces)
def test_redaction_never_grows_an_identifier(text):
    out = redact(text, "llm")
    assert _is_subsequence(PLACEHOLDER.sub("", out), text)  # only spans swapped for placeholders
    assert find_identifiers(out, "llm") == []  # and nothing left that reads as one


@SETTINGS
@given(st.lists(st.sampled_from(IDENTIFIERS), min_size=1, max_size=4),
       st.lists(st.sampled_from(FILLER), min_size=1, max_size=6), st.randoms())
def test_a_planted_identifier_never_survives_in_part(planted, filler, rnd):
    parts = [c + v for c, v in planted] + filler
    rnd.shuffle(parts)
    text = " ".join(parts)
    mask = covered_mask(len(text), find_identifiers(text))
    for _cue, value in planted:
        assert is_removed(text, value, mask), (value, redact(text))


@SETTINGS
@given(st.data())
def test_manual_terms_are_never_removed(data):
    term = data.draw(st.sampled_from(manual_terms()))
    around = data.draw(st.lists(st.sampled_from(IDENTIFIERS), max_size=3))
    template = data.draw(st.sampled_from([
        "{t}", "is {t} covered", "does {t} need a PA", "billed {t} on DOS 3/2/2025",
        "{ids} - {t} pls", "{ids}, is {t} still required", "{t} for pt {ids}",
    ]))
    ids = ", ".join(c + v for c, v in around) or "pt Maria Lopez"
    text = template.format(t=term, ids=ids)
    for level in ("log", "llm"):
        assert term in redact(text, level), (term, redact(text, level))


def test_the_corpus_gives_enough_manual_terms():
    terms = manual_terms()
    assert len(terms) >= 50
    assert any(t.startswith("1-8") for t in terms) and any(re.fullmatch(r"[A-V]\d{4}", t)
                                                           for t in terms)


@pytest.mark.parametrize("term", ["E0603", "99213-25", "Z39.1", "DHCS 6210", "HN-1600-CA",
                                  "1-800-675-6110", "APL 23-024", "$1,842.50", "T1032"])
def test_named_manual_terms_survive_next_to_member_data(term):
    text = f"pt Maria Lopez DOB 3/14/88 CIN 91234567A - {term} - mbr id R0041873302"
    assert term in redact(text) and term in redact(text, "llm")

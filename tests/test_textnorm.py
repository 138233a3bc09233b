"""Tokens for lexical matching (core/textnorm.py): stems, stopwords, abbreviations."""

from __future__ import annotations

from core.textnorm import GLOSSARY, STOPWORDS, content_tokens, stem, tokens, words


def test_words_are_lowercase_runs_of_letters_and_digits():
    assert words("Don't-stop, Medi-Cal 42!") == ["don", "t", "stop", "medi", "cal", "42"]


def test_forms_of_a_word_share_one_stem():
    assert {stem(w) for w in ("prescribe", "prescriptions", "prescribing")} == {"prescri"}
    assert stem("lactation") == stem("lactating")


def test_stopwords_and_single_letters_go_but_digits_and_billing_words_stay():
    assert tokens("the member and a pump") == [stem("member"), stem("pump")]
    assert tokens("x 5 y") == ["5"]
    # words that decide a yes/no billing question are not stopwords
    assert {"no", "not", "can", "may", "must", "only"}.isdisjoint(STOPWORDS)
    assert tokens("no not can may must") == ["no", "not", "can", "may", "must"]


def test_two_letter_roles_are_kept_although_short_and_common():
    assert tokens("a MA and PA and NP") == ["ma", "pa", "np"]


def test_expand_adds_the_spelled_out_words_of_an_abbreviation():
    plain = tokens("Can an IBCLC bill?")
    expanded = tokens("Can an IBCLC bill?", expand=True)
    assert "ibclc" in plain and stem("consultant") not in plain
    assert set(plain) < set(expanded)
    assert {stem(w) for w in GLOSSARY["ibclc"].split()} <= set(expanded)


def test_expand_adds_the_manuals_word_for_an_everyday_one():
    assert stem("physician") in tokens("the doctor", expand=True)
    assert stem("physician") not in tokens("the doctor")
    assert {stem("reimburse"), "bill"} <= set(tokens("get paid", expand=True))


def test_content_tokens_drop_question_noise_and_negations():
    assert content_tokens("Can an IBCLC not bill?") == set(tokens("IBCLC bill", expand=True))
    assert content_tokens("may we?") == set()

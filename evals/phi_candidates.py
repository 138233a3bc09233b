"""Other redactors measured against the project's on the PHI set (``python -m evals.phi
--redactor NAME``). Not used at run time; each needs its package (``pip install
presidio-analyzer philter-lite``), and none of them downloads anything.

- ``presidio-builtin`` — presidio-analyzer's predefined pattern recognizers (phone, e-mail, date,
  SSN, US health-insurance member id, ...), with no NER: its default NLP engine loads a spaCy model
  that cannot be downloaded here, so a blank English spaCy pipeline (tokens; the lower-case word as
  the lemma) stands in for it, which keeps the context words of the recognizers working.
- ``presidio`` — the same engine plus pattern recognizers written for this data (CIN, BIC, member
  and account ids after their labels, SSN last four, DOB after its label) with context words, and
  a name recognizer from philter-lite's first/last-name lists (presidio has no name finder
  without NER).
- ``philter`` — philter-lite's shipped configuration (``philter_delta.toml``: safe-lists, regexes,
  name lists; anything it cannot show to be safe is PHI). Its part-of-speech step needs NLTK's
  tagger data, which is not installed and cannot be downloaded: every token is tagged ``NN``.
- ``project+presidio`` / ``project+philter`` — the union of the project's spans and theirs.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib.util import find_spec

Span = tuple[str, int, int]

_PRESIDIO_KIND = {
    "PERSON": "NAME", "PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "DATE_TIME": "DATE",
    "US_SSN": "SSN", "US_HEALTH_INSURANCE_MEMBER_ID": "MEMBER_ID", "LOCATION": "ADDRESS",
}


def _package_dir(name: str) -> str:
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name} is not installed: pip install {name.replace('_', '-')}")
    return spec.submodule_search_locations[0]


@lru_cache(maxsize=1)
def philter_name_lists() -> dict[str, frozenset[str]]:
    """philter-lite's word lists (``nonames``, ``firstnames``, ``lastnames``), lower case."""
    path = os.path.join(_package_dir("philter_lite"), "filters", "set.toml")
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    return {m.group(1): frozenset(re.findall(r'"([^"]*)"', m.group(2)))
            for m in re.finditer(r"^(\w+)\s*=\s*\[(.*?)\]\s*$", raw, re.MULTILINE | re.DOTALL)}


# ------------------------------------------------------------------ presidio
def _blank_spacy_engine():
    import spacy
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    class BlankSpacyEngine(SpacyNlpEngine):
        """Tokens from spacy.blank('en'); lemma = lower-case word; no entities."""

        def load(self) -> None:
            nlp = spacy.blank("en")

            @spacy.Language.component("lower_lemma")
            def lower_lemma(doc):
                for tok in doc:
                    tok.lemma_ = tok.lower_
                return doc

            nlp.add_pipe("lower_lemma")
            self.nlp = {"en": nlp}

    engine = BlankSpacyEngine(models=[{"lang_code": "en", "model_name": "blank"}])
    engine.load()
    return engine


def _custom_recognizers():
    from presidio_analyzer import (
        AnalysisExplanation,
        EntityRecognizer,
        Pattern,
        PatternRecognizer,
        RecognizerResult,
    )

    lists = philter_name_lists()
    names = (lists["firstnames"] | lists["lastnames"]) - lists["nonames"]

    class NameListRecognizer(EntityRecognizer):
        """A word in the name lists and not in the non-name list; context raises the score."""

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            out = []
            for m in re.finditer(r"[^\W\d_]+(?:['-][^\W\d_]+)*", text):
                if m.group().lower() in names:
                    why = AnalysisExplanation("NameListRecognizer", 0.3)
                    out.append(RecognizerResult("PERSON", m.start(), m.end(), 0.3, why))
            return out

    ctx_member = ["member", "mbr", "subscriber", "sub", "id", "pt", "patient"]
    return [
        PatternRecognizer("CIN", patterns=[Pattern("cin", r"\b\d{8}\s?-?[A-Z]\b", 0.6)],
                          context=["cin", "medi-cal", "id"]),
        PatternRecognizer("BIC", patterns=[Pattern("bic", r"\b\d{8}[A-Z]\d{5}\b", 0.7)],
                          context=["bic", "card"]),
        PatternRecognizer("US_HEALTH_INSURANCE_MEMBER_ID", patterns=[
            Pattern("letter id", r"\b[A-Z]{1,3}\d{7,11}\b", 0.5),
            Pattern("labelled digits", r"(?<=\b(?:id|#|no\.|sub|mbr)\s)\d[\d-]{3,12}\b", 0.5),
        ], context=ctx_member),
        PatternRecognizer("ACCOUNT", patterns=[
            Pattern("account", r"(?<=\b(?:acct|mrn|chart|account)\b\W{0,3})\d[\dA-Z-]{2,12}\b",
                    0.6)], context=["acct", "mrn", "chart"]),
        PatternRecognizer("US_SSN", patterns=[
            Pattern("last four", r"(?<=\b(?:ss|ssn|ss#)\b.{0,14})\b\d{4}\b", 0.5)],
            context=["ssn", "ss", "social", "last", "ending"]),
        PatternRecognizer("DOB", patterns=[
            Pattern("after dob", r"(?<=\b(?:dob|born|b\.)\W{0,3})\d{1,4}[/.-]\d{1,2}"
                    r"(?:[/.-]\d{2,4})?", 0.8)], context=["dob", "born"]),
        NameListRecognizer(supported_entities=["PERSON"], context=[
            "pt", "patient", "mbr", "member", "name", "mom", "dob"]),
    ]


class PresidioRedactor:
    def __init__(self, custom: bool, threshold: float = 0.35):
        import tldextract
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers.generic import email_recognizer

        # the e-mail check would fetch the public suffix list; use the snapshot tldextract ships
        email_recognizer.tldextract = _Offline(tldextract.TLDExtract(suffix_list_urls=()))
        engine = _blank_spacy_engine()
        registry = RecognizerRegistry(supported_languages=["en"])
        registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
        if custom:
            for r in _custom_recognizers():
                registry.add_recognizer(r)
        self.analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine,
                                       supported_languages=["en"])
        self.threshold = threshold
        self.name = "presidio-analyzer " + ("+ recognizers for this data" if custom
                                            else "(predefined recognizers)")

    def find(self, text: str) -> list[Span]:
        results = self.analyzer.analyze(text=text, language="en",
                                        score_threshold=self.threshold)
        return [(_PRESIDIO_KIND.get(r.entity_type, r.entity_type), r.start, r.end)
                for r in results]


class _Offline:
    def __init__(self, extractor):
        self.extract = extractor

    def __getattr__(self, name):
        import tldextract

        return getattr(tldextract, name)


# ------------------------------------------------------------------ philter-lite
class PhilterRedactor:
    name = "philter-lite (philter_delta.toml; POS tags stubbed)"

    def __init__(self):
        import philter_lite
        from philter_lite import philter as ph

        ph._get_pos = lambda text: [(w, "NN") for w in ph._get_clean(text)]
        cfg = os.path.join(_package_dir("philter_lite"), "configs", "philter_delta.toml")
        self.filters = philter_lite.load_filters(cfg)
        self.detect = philter_lite.detect_phi

    def find(self, text: str) -> list[Span]:
        _include, exclude, _tracker = self.detect(text, self.filters)
        return [("PHI", s, e) for s, e in exclude.filecoords()]


class Union:
    def __init__(self, *redactors):
        self.redactors = redactors
        self.name = " + ".join(r.name for r in redactors)

    def find(self, text: str) -> list[Span]:
        spans = sorted((s for r in self.redactors for s in r.find(text)), key=lambda x: x[1:])
        out: list[list] = []
        for k, s, e in spans:
            if out and s <= out[-1][2]:
                out[-1][2] = max(out[-1][2], e)
            else:
                out.append([k, s, e])
        return [tuple(x) for x in out]


def make(name: str):
    from evals.phi import ProjectRedactor

    makers = {
        "presidio-builtin": lambda: PresidioRedactor(custom=False),
        "presidio": lambda: PresidioRedactor(custom=True),
        "philter": PhilterRedactor,
        "project+presidio": lambda: Union(ProjectRedactor(), PresidioRedactor(custom=True)),
        "project+philter": lambda: Union(ProjectRedactor(), PhilterRedactor()),
    }
    if name not in makers:
        raise SystemExit(f"unknown redactor {name!r}: project, project-llm, {', '.join(makers)}")
    return makers[name]()

"""The rule guard: the verdict has the last word and no answer sentence may contradict it.

``apply`` is the one guard the pipeline calls: the verdict's statement comes first (with its
rule's citation as [1]), then the answer's lines that do not contradict the verdict (and do not
merely repeat the rule's own sentence), citations renumbered.

A sentence contradicts when one of its clauses makes a claim (yes/no, "can", "cannot" ...) about
the verdict's subject doing a billing action and the claim's polarity opposes the verdict: a "no"
against ``eligible``, a "yes" against ``not_eligible``, any unqualified "yes" or "no" against
``conditional`` or ``unknown``. Who the subject is and which actions count come from the pack that
decided (its ``guard`` words and the words of the values the scenario states); a clause naming
another value of a fact than the scenario's (another role, item, status ...) is about another case
and never contradicts. Sentences of the verdict's own statement, explanation and quote are trusted.
The grammar here (modals, negations, hedges, qualifiers) is English, not knowledge of a page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.rules.model import Decision
from assistant.rules.text import Phrases, normalise_unicode
from core.types import Citation, Verdict

LABELS = {"eligible": "Eligible", "not_eligible": "Not eligible", "conditional": "Conditional",
          "unknown": "Not settled by the manual"}

_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"'\u201d\u2019)\]])\s+|\s*\n\s*")
_TERMINATED = re.compile(r"[.!?][\"'\u201d\u2019)\]]?$")
_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_MARKER_N = re.compile(r"\[(\d+)\]")
_LINE = re.compile(r"(?<=\])\n")
_CLAUSES = re.compile(r",?\s+but\s+|;\s*|,\s*however,?\s*|\s+however,\s+|\s+whereas\s+|"
                      r",\s*while\s+|,\s*although\s+|,\s*though\s+|\s+-\s+|:\s+|\s+and\s+(?=(?:"
                      r"you|they|she|he|we|it|the|a|an|members?|providers?)\s+(?:can|may|cannot|"
                      r"can't|may not|must|will|won't)\b)")
_LEAD_SUB = re.compile(r"^\s*(?:if|when|unless|once|because|since|although|while|as long as|"
                       r"provided(?: that)?)\b[^,]*,\s*")
_TRAIL_SUB = re.compile(r"\s+(?:only\s+)?(?:if|unless|when|once|as long as|provided(?: that)?|"
                        r"so long as)\b.*$")
_REL_NEG = re.compile(r"\b(?:who|that|which)\s+(?:are|is|do|does|were|was)\s*(?:not|n't)\s+"
                      r"[\w-]+(?:\s+certified)?|\bnon-[\w-]+|\bnot only\b")
_YES = re.compile(r"^\W*(?:yes|yeah|yep|correct|absolutely|sure|eligible)\b")
_NO = re.compile(r"^\W*(?:no|nope|not eligible|ineligible)\b(?!\s+(?:one|longer|more|later|"
                 r"need|prior|formal))")
_HEDGE = re.compile(
    r"^\W*(?:conditional|not settled|unknown|it depends|depends)\b|"
    r"\b(?:does not|doesn't|do not|don't|did not)\s+(?:say|settle|address|mention|list|specify|"
    r"state|name|describe|cover whether|tell)\b|\bnot (?:settled|specified|mentioned|listed|"
    r"clear|addressed|described|named|stated)\b|\bunclear\b|\bno information\b|\bnot sure\b|"
    r"\buncertain\b|\bunknown\b|\bcontact (?:health net )?provider services\b|\bcheck with\b|"
    r"\bconfirm with\b|\bit depends\b|\bdepends on\b"
)
_NEG = re.compile(r"\b(?:cannot|can ?not|can't|cant|may not|must not|mustn't|not|isn't|aren't|"
                  r"won't|wouldn't|doesn't|don't|didn't|never|no longer|unable|ineligible|"
                  r"prohibited|disallowed|excluded|neither|nor|denied|denies)\b")
_POS = re.compile(r"\b(?:can|may|could|able|allowed|permitted|eligible|covered|qualif\w*|ok|"
                  r"okay|fine|yes|billable|reimbursable|will be (?:paid|covered|reimbursed)|"
                  r"go ahead|should bill|is included|are included|includes?)\b")
_QUAL = re.compile(r"\b(?:if|only|unless|when|once|as long as|provided that|provided|except|"
                   r"after|before|up to|until|under age|subject to|depend\w*|condition\w*|"
                   r"requires?|required|must|with(?:out)? (?:an? |the )?(?:approved )?(?:prior )?"
                   r"auth\w*|instead|rather than|through|via|on behalf)\b")
_PRONOUNS = ["you", "your", "they", "them", "he", "she", "i", "we", "us", "our", "it", "one"]


class GuardVocab:
    """The words the guard reads an answer with, for one pack (``of``) or none (``generic``):
    who a claim may be about (pronouns, the pack's guard subjects and the words of the values the
    scenario states), the actions that count, and the pack's choice facts, read as the scenario
    reader reads them (masks, context), to tell a clause about another case."""

    def __init__(self, subjects: list, actions: list, ignore: list,
                 readers: dict[str, Any] | None = None, normalise=None):
        self.subject_words = [*_PRONOUNS, *subjects]
        self.subjects = Phrases(self.subject_words)
        self.actions = Phrases(actions)
        self.ignore = Phrases(ignore)
        self.readers = readers or {}
        self.normalise = normalise or normalise_unicode
        self._stated: dict[tuple, Phrases] = {}

    @classmethod
    def generic(cls) -> GuardVocab:
        """Without a pack: billing words only, no facts."""
        return cls(["providers", "members"], ["bill", "billed", "billing", "paid", "pay",
                                              "covered", "cover", "eligible", "allowed"], [])

    @classmethod
    def of(cls, pack: Any) -> GuardVocab:
        """A pack's guard words (and its shared packs'), and its choice facts."""
        from assistant.rules.reader import ChoiceReader

        specs = [*pack.shared, pack.spec]
        subjects = [p for s in specs if s.guard for p in s.guard.subjects]
        actions = [p for s in specs if s.guard for p in s.guard.actions]
        ignore = [p for s in specs if s.guard for p in s.guard.ignore]
        readers = {n: r for n, r in pack.reader.readers.items() if isinstance(r, ChoiceReader)}
        return cls(subjects, actions or ["bill", "paid", "covered", "eligible"], ignore, readers,
                   pack.vocab.normalise)

    def subjects_for(self, scenario: dict[str, Any]) -> Phrases:
        """The subjects, and the words of every value the scenario states."""
        stated = tuple(sorted((n, scenario[n]) for n in self.readers
                              if isinstance(scenario.get(n), str)
                              and scenario[n] in self.readers[n].spec.values))
        if stated not in self._stated:
            words = [w for n, v in stated for w in self.readers[n].spec.values[v].words]
            self._stated[stated] = Phrases([*self.subject_words, *words])
        return self._stated[stated]

    def named(self, clause: str) -> dict[str, set[str]]:
        """fact -> the values a clause names (as the scenario reader would read them)."""
        out: dict[str, set[str]] = {}
        for name, reader in self.readers.items():
            values = {v for _, v in reader.mentions(clause)}
            if values:
                out[name] = values
        return out


@dataclass(frozen=True)
class _View:
    kind: str
    scenario: dict[str, Any]
    statement: str
    trusted: frozenset[str]
    vocab: GuardVocab
    subjects: Phrases


def verdict_statement(verdict: Verdict | Decision) -> str:
    """The verdict as the answer's opening: "Not eligible: <explanation> <question to ask>"."""
    if isinstance(verdict, Decision):
        kind, text, asks = verdict.verdict, verdict.full_explanation(), verdict.missing_facts
    else:
        kind, text, asks = verdict.verdict, verdict.explanation, verdict.missing_facts
    text = _terminate(" ".join(f"{LABELS[kind]}: {text}".split()))
    if asks:
        text += " To settle it: " + " ".join(_terminate(a.strip(), "?") for a in asks if a.strip())
    return text


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (split after . ! ? and at line breaks)."""
    return [s.strip() for s in _SPLIT.split(text or "") if s and s.strip()]


def contradicting_sentences(answer_text: str, verdict: Verdict | Decision,
                            vocab: GuardVocab | None = None) -> list[str]:
    """The sentences of ``answer_text`` that contradict the verdict."""
    view = _view(verdict, vocab)
    return [s for s in sentences(answer_text)
            if _key(s) not in view.trusted and _contradicts(s, view)]


def contradicts(answer_text: str, verdict: Verdict | Decision,
                vocab: GuardVocab | None = None) -> bool:
    """True when some sentence of ``answer_text`` contradicts the verdict."""
    return bool(contradicting_sentences(answer_text, verdict, vocab))


def apply(text: str, citations: list[Citation], verdict: Verdict,
          vocab: GuardVocab | None = None) -> tuple[str, list[Citation], bool]:
    """(text, citations, corrected): the verdict's statement first (its citation as [1]), then
    the lines of ``text`` that do not contradict it and do not merely repeat the rule's own
    sentence, citation markers renumbered. ``corrected``: a contradicting line was dropped."""
    view = _view(verdict, vocab)
    rule_quote = verdict.citation.quote if verdict.citation else None
    by_n = {c.n: c for c in citations}
    kept, corrected = [], False
    for line in _LINE.split(text or ""):  # one claim per piece; lists stay whole
        if not line.strip():
            continue
        if any(_key(s) not in view.trusted and _contradicts(s, view) for s in sentences(line)):
            corrected = True
            continue
        cited = [by_n[int(n)] for n in _MARKER_N.findall(line) if int(n) in by_n]
        if rule_quote and cited and all(c.quote == rule_quote for c in cited):
            continue
        kept.append(line)
    first = 2 if verdict.citation is not None else 1
    used = sorted({int(n) for line in kept for n in _MARKER_N.findall(line) if int(n) in by_n})
    renumber = {old: first + i for i, old in enumerate(used)}

    def mark(m: re.Match) -> str:
        n = int(m.group(1))
        return f"[{renumber[n]}]" if n in renumber else ""

    body = "\n".join(_MARKER_N.sub(mark, line) for line in kept)
    out: list[Citation] = []
    if verdict.citation is not None:
        out.append(verdict.citation.model_copy(update={"n": 1}))
    out += [by_n[old].model_copy(update={"n": new}) for old, new in renumber.items()]
    head = view.statement + (" [1]" if verdict.citation else "")
    return head + ("\n\n" + body if body.strip() else ""), out, corrected


# -- internals ------------------------------------------------------------------------------------

def _terminate(s: str, mark: str = ".") -> str:
    return s if _TERMINATED.search(s) else s + mark


def _key(s: str) -> str:
    s = _MARKER.sub(" ", s).lower()
    return " ".join(s.split()).strip(" .!?:;,-\"'")


def _view(verdict: Verdict | Decision, vocab: GuardVocab | None) -> _View:
    vocab = vocab or GuardVocab.generic()
    if isinstance(verdict, Decision):
        scenario = verdict.scenario_dict()
        explanation = verdict.full_explanation()
    else:
        scenario = dict(verdict.scenario)
        explanation = verdict.explanation
    quote = verdict.citation.quote if verdict.citation else ""
    statement = verdict_statement(verdict)
    trusted = {_key(s) for t in (statement, explanation, quote, *verdict.missing_facts)
               for s in sentences(t)}
    return _View(verdict.verdict, scenario, statement, frozenset(trusted - {""}), vocab,
                 vocab.subjects_for(scenario))


def _contradicts(sentence: str, view: _View) -> bool:
    s = " ".join(_MARKER.sub(" ", sentence).lower().replace("\u2019", "'").split())
    if not s or s.endswith("?"):
        return False
    if _YES.search(s) or _NO.search(s):
        polarity = "neg" if _NO.search(s) else "pos"
        return _opposes(view.kind, polarity, qualified=bool(_QUAL.search(s)))
    for clause in _CLAUSES.split(s):
        claim = _claim(clause, view)
        if claim and _opposes(view.kind, *claim):
            return True
    return False


def _claim(clause: str, view: _View) -> tuple[str, bool] | None:
    """(polarity, qualified) of a relevant claim in the clause, or None."""
    if _HEDGE.search(clause):
        return None
    if clause.rstrip().endswith(":") or _other_case(clause, view):
        return None
    qualified = bool(_QUAL.search(clause))
    main = _TRAIL_SUB.sub("", _LEAD_SUB.sub("", clause))
    if not main.strip():
        return None
    named = view.vocab.normalise(main)
    for m in view.vocab.ignore.finditer(named):
        named = named[:m.start] + " " * (m.end - m.start) + named[m.end:]
    if view.subjects.search(named) is None or view.vocab.actions.search(named) is None:
        return None
    core = _REL_NEG.sub(" ", main)
    if _NEG.search(core):
        return "neg", qualified
    if _POS.search(core):
        return "pos", qualified
    return None


def _other_case(clause: str, view: _View) -> bool:
    """True when the clause names another value of a fact than the scenario's: it is about
    another case (another role, item, provider status ...)."""
    for name, values in view.vocab.named(view.vocab.normalise(clause)).items():
        if view.scenario.get(name) not in values:
            return True
    return False


def _opposes(kind: str, polarity: str, qualified: bool) -> bool:
    if kind == "eligible":
        return polarity == "neg" and not qualified
    if kind == "not_eligible":
        return polarity == "pos" and not qualified
    return not qualified  # conditional / unknown: no flat yes or no

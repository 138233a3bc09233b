"""Assistant.ask(question, history) -> Answer: retrieve -> answer -> verify -> rule guard.

The one place the pieces meet. Collaborators (index, answerer, rules) are passed in, defaulting
to what Settings names. Interfaces call ``ask`` and render the Answer; nothing else.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

from assistant.answer import CANNOT_ANSWER, ExtractiveAnswerer, IdfTable
from assistant.errors import IndexUnavailableError, LLMError
from assistant.followup import retrieval_query
from assistant.index import LoadedIndex
from assistant.retrieve import Filters, HybridRetriever
from assistant.routing import MemberCheck, member_check
from assistant.safety import masked_passages, scrub_links
from assistant.settings import Settings
from assistant.types import Answer, Citation, Context, Passage, Turn, Verdict
from assistant.verify import verify

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, settings: Settings, index: LoadedIndex, answerer=None, rules=None,
                 audit=None):
        self.settings = settings
        self.index = index
        self.retriever = HybridRetriever(index, settings.retrieval)
        self._extractive: ExtractiveAnswerer | None = None
        self.answerer = answerer or self._make_answerer(settings)
        self.rules = rules
        self.audit = audit
        self.corrections = 0

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings, *, build_if_missing: bool = True,
                      progress: bool = True, **kwargs) -> Assistant:
        if build_if_missing:
            from ingest.build import ensure_index

            try:
                ensure_index(settings, progress=progress)
            except IndexUnavailableError as exc:  # answers say so until the server is back
                log.warning("index not checked: %s", exc)
        index = LoadedIndex(settings)
        if "rules" not in kwargs:
            from assistant.rules import RuleChecker

            kwargs["rules"] = RuleChecker.load(settings.rules_dir, index)
        if "audit" not in kwargs:
            from assistant.audit import AuditLog

            kwargs["audit"] = AuditLog(settings.audit_path)
        return cls(settings, index, **kwargs)

    def _make_answerer(self, settings: Settings):
        if settings.answerer == "extractive":
            return self.extractive
        if settings.answerer in ("openai", "llm") or settings.answerer.startswith("openai:"):
            from assistant.llm_answer import OpenAIAnswerer

            llm = settings.llm
            if settings.answerer.startswith("openai:"):
                llm = llm.model_copy(update={"model": settings.answerer.split(":", 1)[1]})
            return OpenAIAnswerer(llm)
        from assistant.errors import ConfigError

        raise ConfigError(f"Unknown answerer {settings.answerer!r}: use 'extractive' or 'openai'.")

    @property
    def extractive(self) -> ExtractiveAnswerer:
        if self._extractive is None or self._extractive.idf.doc_freq is not \
                self.index.lexical.doc_freq:
            lex = self.index.lexical
            self._extractive = ExtractiveAnswerer(IdfTable(lex.doc_freq, len(lex.chunks)))
        return self._extractive

    # -- the question -------------------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None,
            filters: Filters | None = None, *, interface: str = "api",
            user: str | None = None) -> Answer:
        clock = _Clock()
        history = _bounded(history, self.settings.limits.max_history_turns,
                           self.settings.limits.max_question_chars)
        question = (question or "").strip()
        try:
            answer = self._answer(question, history, filters, clock)
        except IndexUnavailableError as exc:
            log.warning("index unavailable: %s", exc)
            answer = _refusal(question, str(exc), "unavailable")
        answer.timings_ms["total"] = clock.total()
        if self.audit is not None:
            try:
                self.audit.record(answer, interface=interface, user=user)
            except OSError as exc:
                log.warning("audit log not written: %s", exc)
        return answer

    def _answer(self, question: str, history: list[Turn], filters: Filters | None,
                clock: _Clock) -> Answer:
        limit = self.settings.limits.max_question_chars
        if not question:
            return _refusal(question, "Please type a question about the provider manual.",
                            "empty")
        if len(question) > limit:
            return _refusal(
                question, f"The question is too long ({len(question):,} characters; the limit "
                f"is {limit:,}). Please shorten it to the question itself.", "too_long")
        member = member_check(question)
        if member.only_member_specific:
            return _refusal(question, member.message, "member_specific")
        self.index.maybe_refresh()
        verdict = clock.time("rules", lambda: self._verdict(question, history))
        query = retrieval_query(member.clean_question, history)
        passages = clock.time("retrieve", lambda: self.retriever.passages(query, filters))
        contexts = [_context(p) for p in passages]
        if verdict is None and not self.answerable(self.evidence(query, passages)):
            return _refusal(question, CANNOT_ANSWER, "no_passage", contexts)
        draft, used = clock.time("answer", lambda: self._draft(query, passages, history))
        if _is_model_refusal(draft):
            return _refusal(question, CANNOT_ANSWER, "no_passage", contexts)
        checked = clock.time("verify", lambda: verify(draft, passages))
        removed = checked.removed
        if not checked.kept and used != "extractive":
            used = "extractive"
            checked = verify(self.extractive.draft(query, passages, history), passages)
        text, citations, corrected = checked.text, checked.citations, False
        if verdict is not None:
            text, citations, corrected = self._guard(text, citations, verdict)
        if not text.strip():
            return _refusal(question, CANNOT_ANSWER, "no_supported_sentence", contexts)
        text, links_removed = scrub_links(text, citations)
        if links_removed:
            log.warning("removed %d link(s) not among the answer's citations", links_removed)
        if member.notice:
            text = f"{member.notice}\n\n{text}"
        return Answer(question=question, answer=text, citations=citations, verdict=verdict,
                      contexts=contexts, answerer=used, removed_sentences=removed,
                      corrected_by_rule=corrected, timings_ms=clock.timings)

    def evidence(self, query: str, passages: list[Passage]) -> dict[str, float]:
        """How well the passages match: best cosine, and the best share of the question's
        (idf-weighted) words that one quotable sentence or list holds."""
        from assistant.answer import overlap, quotable_units
        from assistant.textnorm import content_tokens

        q = content_tokens(query)
        idf = self.extractive.idf
        coverage = max((overlap(q, u.text, idf) for i, p in enumerate(passages)
                        for u in quotable_units(p, i)), default=0.0)
        dense = max((p.dense_score for p in passages if p.dense_score is not None),
                    default=-1.0)
        chosen = [u.text for _, u in self.extractive.select(query, passages)]
        texts = [p.chunk.text for p in passages]
        return {"dense": dense, "coverage": coverage,
                "missing_specifics": float(asks_for_missing_specifics(query, texts, chosen))}

    def answerable(self, evidence: dict[str, float]) -> bool:
        r = self.settings.retrieval
        return (evidence["dense"] >= r.min_dense_score and evidence["coverage"] >= r.min_coverage
                and not evidence.get("missing_specifics"))

    def _draft(self, query: str, passages: list[Passage], history: list[Turn]):
        if not isinstance(self.answerer, ExtractiveAnswerer):  # an LLM never sees injections
            passages = masked_passages(passages)
        try:
            return self.answerer.draft(query, passages, history), self.answerer.name
        except LLMError as exc:
            log.warning("LLM answer failed, using the extractive answer: %s", exc)
            return self.extractive.draft(query, passages, history), "extractive"

    def _verdict(self, question: str, history: list[Turn]) -> Verdict | None:
        return self.rules.verdict(question, history) if self.rules is not None else None

    def _guard(self, text: str, citations: list[Citation], verdict: Verdict):
        """The verdict first (with its rule's citation), then the supporting sentences that do
        not contradict it and do not merely repeat the rule's own sentence."""
        from assistant.rules import contradicts

        rule_quote = verdict.citation.quote if verdict.citation else None
        by_n = {c.n: c for c in citations}
        kept_lines, corrected = [], False
        for line in re.split(r"(?<=\])\n", text):  # one claim per piece; lists stay whole
            if not line.strip():
                continue
            if contradicts(line, verdict):
                corrected = True
                continue
            cited = [by_n[int(n)] for n in re.findall(r"\[(\d+)\]", line) if int(n) in by_n]
            if rule_quote and cited and all(c.quote == rule_quote for c in cited):
                continue
            kept_lines.append(line)
        if corrected:
            self.corrections += 1
            log.warning("rule guard corrected an answer (rule %s, %d so far)", verdict.rule_id,
                        self.corrections)
        first = 2 if verdict.citation is not None else 1
        used = sorted({int(n) for line in kept_lines for n in re.findall(r"\[(\d+)\]", line)})
        renumber = {old: first + i for i, old in enumerate(used)}
        body = "\n".join(re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]", line)
                         for line in kept_lines)
        out: list[Citation] = []
        if verdict.citation is not None:
            out.append(verdict.citation.model_copy(update={"n": 1}))
        out += [by_n[old].model_copy(update={"n": new}) for old, new in renumber.items()]
        head = self.rules.statement(verdict) + (" [1]" if verdict.citation else "")
        return (head + ("\n\n" + body if body else "")), out, corrected


QUANTITY = re.compile(
    r"\bhow\s+(much|many|long|often|soon)\b|\b(rates?|fees?|prices?|costs?|amounts?|dollars?"
    r"|deadline|timely\s+filing)\b|\b(phone|fax|tax\s+id|npi|claim)\s*(number|#|no\b)", re.I)
FIGURE = re.compile(r"\d|\b(once|twice|daily|weekly|monthly|annually|per\s+\w+)\b", re.I)
CODE = re.compile(r"\b\d{3,}[A-Z]?\b")


def asks_for_missing_specifics(question: str, passages: list[str], answer_units: list[str]) -> bool:
    """A question after a figure (a code, a rate, a phone number, how many/long/much) that the
    manual's answering sentences do not state: the manual does not give it."""
    text = "\n".join(passages)
    codes = CODE.findall(question)
    if codes and not any(code in text for code in codes):
        return True
    return bool(QUANTITY.search(question)) and not FIGURE.search("\n".join(answer_units))


def _is_model_refusal(draft: str) -> bool:
    """The LLM said the passages don't answer (its fixed refusal sentence, nothing else)."""
    from assistant.prompts import CANNOT_ANSWER as MODEL_REFUSAL

    return draft.strip().rstrip(".") == MODEL_REFUSAL.rstrip(".")


def _bounded(history: list[Turn] | None, max_turns: int, max_chars: int) -> list[Turn]:
    """The last ``max_turns`` exchanges, each message cut to ``max_chars`` (a pasted novel in
    the history is not searched, prompted or parsed whole)."""
    if not history or not max_turns:
        return []
    return [t if len(t.content) <= max_chars else
            t.model_copy(update={"content": t.content[:max_chars]})
            for t in list(history)[-2 * max_turns:]]


def _context(p: Passage) -> Context:
    c = p.chunk
    return Context(chunk_id=c.chunk_id, doc_id=c.doc_id, url=c.url, title=c.title,
                   section=c.section, score=round(p.score, 6))


def _refusal(question: str, message: str, reason: str,
             contexts: list[Context] | None = None) -> Answer:
    return Answer(question=question, answer=message, abstained=True, abstain_reason=reason,
                  contexts=contexts or [])


class _Clock:
    def __init__(self):
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    def time(self, name: str, fn: Callable):
        t = time.perf_counter()
        try:
            return fn()
        finally:
            self.timings[name] = round((time.perf_counter() - t) * 1000, 3)

    def total(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 3)


__all__ = ["Assistant", "Filters", "MemberCheck"]

"""Assistant.ask(question, history) -> Answer: retrieve -> answer -> verify -> rule guard.

The one place the pieces meet. Collaborators (index, answerer, rules) are passed in, defaulting
to what Settings names. Interfaces call ``ask`` and render the Answer; nothing else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from assistant import answerers
from assistant.answer import ExtractiveAnswerer, IdfTable, Plan, unanswered_note
from assistant.followup import Resolved, resolve
from assistant.index import LoadedIndex
from assistant.question import focus_query, parts_of
from assistant.retrieve import Filters, HybridRetriever
from assistant.routing import MemberCheck, member_check
from assistant.safety import masked_passages, scrub_links
from assistant.unit_vectors import UnitVectors
from assistant.verify import verify
from core.errors import IndexUnavailableError, InputTooLongError, LLMError, check_length
from core.messages import CANNOT_ANSWER, EMPTY_QUESTION
from core.redact import redact_for_llm
from core.settings import Settings
from core.types import Answer, Citation, Context, Passage, Turn, Verdict

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, settings: Settings, index: LoadedIndex, answerer=None, rules=None,
                 audit=None):
        self.settings = settings
        from core import flags

        flags.configure_trusted_domains(settings.trusted_link_domains)
        self.index = index
        self.retriever = HybridRetriever(index, settings.retrieval)
        self._extractive: ExtractiveAnswerer | None = None
        self.answerer = answerer or answerers.build(settings.answerer, self)
        self.rules = rules
        self.audit = audit
        self.corrections = 0

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings, **kwargs) -> Assistant:
        """The assistant over the index ``settings`` name, as it is: bringing the index up to
        date with the corpus is the entry points' job (``interfaces.startup.open_assistant``)."""
        index = LoadedIndex(settings)
        if "rules" not in kwargs:
            from assistant.rules import RuleChecker

            kwargs["rules"] = RuleChecker.load(settings.rules_dir, index)
        if "audit" not in kwargs:
            from assistant.audit import AuditLog

            kwargs["audit"] = AuditLog(settings.audit_path)
        return cls(settings, index, **kwargs)

    @property
    def extractive(self) -> ExtractiveAnswerer:
        if self._extractive is None or self._extractive.idf.doc_freq is not \
                self.index.lexical.doc_freq:
            lex = self.index.lexical
            vectors = self._extractive.vectors if self._extractive is not None else \
                UnitVectors(self.index.embedder.embed_documents,
                            known=self.index.query_vectors.get,
                            stored=lambda texts: self.index.lexical.unit_vectors(texts))
            r = self.settings.retrieval
            self._extractive = ExtractiveAnswerer(
                IdfTable(lex.doc_freq, len(lex.chunks)), vectors=vectors,
                min_overlap=r.min_overlap, min_typed_overlap=r.min_typed_overlap,
                min_typed_similarity=r.min_typed_similarity, min_similarity=r.min_similarity,
                min_confident_similarity=r.min_confident_similarity)
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
        except InputTooLongError as exc:
            answer = _refusal(question, str(exc), "too_long")
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
        if not question:
            return _refusal(question, EMPTY_QUESTION, "empty")
        check_length("question", question, self.settings.limits.max_question_chars)
        member = member_check(question)
        if member.only_member_specific:
            return _refusal(question, member.message, "member_specific")
        self.index.maybe_refresh()
        verdict = clock.time("rules", lambda: self._verdict(question, history))
        resolved = resolve(member.clean_question, history)
        query = resolved.question
        passages = clock.time("retrieve", lambda: self._passages(resolved, filters))
        plan = clock.time("plan", lambda: self.extractive.plan(query, passages,
                                                               context=resolved.context))
        contexts = [_context(p) for p in _reranked(passages, plan)]
        if not self.answerable(self.evidence(query, passages, plan)):
            if verdict is None:
                return _refusal(question, _refusal_text(passages), "no_passage", contexts)
            if verdict.verdict == "unknown":  # the rules cannot settle it and no passage
                # answers: a refusal, worded by the verdict ("the page states no rates ...")
                text, citations, _ = self._guard("", [], verdict)
                return Answer(question=question, answer=text, citations=citations,
                              verdict=verdict, abstained=True, abstain_reason="no_passage",
                              contexts=contexts, timings_ms=clock.timings)
        if isinstance(self.answerer, ExtractiveAnswerer):
            shown = passages
        else:  # a model reads the top_k passages, those the plan quotes first
            shown = _reranked(passages, plan)[: self.settings.retrieval.top_k]
        draft, used = clock.time("answer", lambda: self._draft(query, passages, shown, history,
                                                               plan))
        if _is_model_refusal(draft):
            return _refusal(question, _refusal_text(passages), "no_passage", contexts)
        checked = clock.time("verify", lambda: verify(draft, shown if used != "extractive"
                                                      else passages))
        removed = checked.removed
        if not checked.kept and used != "extractive":
            used = "extractive"
            checked = verify(self.extractive.draft(query, passages, history, plan), passages)
        text, citations, corrected = checked.text, checked.citations, False
        if text.strip() and (note := unanswered_note(plan)):
            text = f"{text}\n\n{note}"
        if verdict is not None:
            text, citations, corrected = self._guard(text, citations, verdict)
        if not text.strip():
            return _refusal(question, _refusal_text(passages), "no_supported_sentence", contexts)
        text, links_removed = scrub_links(text, citations)
        if links_removed:
            log.warning("removed %d link(s) not among the answer's citations", links_removed)
        if member.notice:
            text = f"{member.notice}\n\n{text}"
        return Answer(question=question, answer=text, citations=citations, verdict=verdict,
                      resolved_question=resolved.text if resolved.context else None,
                      contexts=contexts, answerer=used, removed_sentences=removed,
                      corrected_by_rule=corrected, timings_ms=clock.timings)

    def _passages(self, resolved: Resolved, filters: Filters | None) -> list[Passage]:
        """Search for the question as read in its conversation, for its other reading, and
        for each part of a multi-part question."""
        parts = parts_of(resolved.question)
        extra = [focus_query(p, parts) for p in parts] if len(parts) > 1 else []
        return self.retriever.passages(resolved.search, filters,
                                       extra_queries=[*resolved.other_searches, *extra])

    def diagnose(self, question: str, history: list[Turn] | None = None) -> list[dict]:
        """Per part of the question, the figures its refusal decision rests on (calibration)."""
        resolved = resolve(member_check(question).clean_question, list(history or []))
        passages = self._passages(resolved, None)
        return self.extractive.features(resolved.question, passages, resolved.context) \
            if passages else []

    def evidence(self, query: str, passages: list[Passage],
                 plan: Plan | None = None) -> dict[str, float]:
        """How well the passages answer: best cosine, and how many parts of the question the
        extractive plan answers confidently (a part is answered by a unit holding its words
        and, for a question after a duration, contact, amount, code or number, a fact of that
        kind close enough in meaning)."""
        plan = plan or self.extractive.plan(query, passages)
        dense = max((p.dense_score for p in passages if p.dense_score is not None),
                    default=-1.0)
        return {"dense": dense, "parts": float(len(plan.parts)),
                "answered_parts": float(len(plan.confident))}

    def answerable(self, evidence: dict[str, float]) -> bool:
        """Refuse only when no part of the question is answered."""
        r = self.settings.retrieval
        return evidence["dense"] >= r.min_dense_score and evidence["answered_parts"] > 0

    def _draft(self, query: str, passages: list[Passage], shown: list[Passage],
               history: list[Turn], plan: Plan):
        """(draft, answerer name): the extractive plan over ``passages``, or the model's
        answer over ``shown``; the extractive answer when the model fails."""
        if isinstance(self.answerer, ExtractiveAnswerer):
            return self.answerer.draft(query, passages, history, plan), self.answerer.name
        # An outside LLM never sees injections nor member data: the question (whose parts the
        # LLM answerer lists from it) and every earlier turn go through the strict redaction
        # (unsure spans dropped too).
        safe_history = [Turn(role=t.role, content=redact_for_llm(t.content)) for t in history]
        try:
            return (self.answerer.draft(redact_for_llm(query), masked_passages(shown),
                                        safe_history),
                    self.answerer.name)
        except LLMError as exc:
            log.warning("LLM answer failed, using the extractive answer: %s", exc)
            return self.extractive.draft(query, passages, history, plan), "extractive"

    def _verdict(self, question: str, history: list[Turn]) -> Verdict | None:
        return self.rules.verdict(question, history) if self.rules is not None else None

    def _guard(self, text: str, citations: list[Citation], verdict: Verdict):
        """The verdict has the last word: the rule checker's one guard puts it first (with its
        rule's citation) and drops what contradicts it (assistant/rules/guard.py)."""
        text, citations, corrected = self.rules.guard(text, citations, verdict)
        if corrected:
            self.corrections += 1
            log.warning("rule guard corrected an answer (rule %s, %d so far)", verdict.rule_id,
                        self.corrections)
        return text, citations, corrected


def _reranked(passages: list[Passage], plan: Plan) -> list[Passage]:
    """The passages the answer quotes first (best-scoring first), then the rest in retrieval
    order: the sources shown lead with what answers the question."""
    best: dict[int, float] = {}
    for pp in plan.parts:
        for score, unit in pp.units:
            best[unit.passage] = max(best.get(unit.passage, float("-inf")), score)
    order = sorted(best, key=lambda i: -best[i]) + [i for i in range(len(passages))
                                                     if i not in best]
    return [passages[i] for i in order]


def _refusal_text(passages: list[Passage]) -> str:
    """The refusal, with what the manual covers nearby when a passage came close."""
    if not passages:
        return CANNOT_ANSWER
    c = passages[0].chunk
    where = c.title if c.section in (None, "", c.title) else f"{c.title} — {c.section}"
    return f"{CANNOT_ANSWER} The closest the manual comes is “{where}”."


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

"""RuleChecker: the rule book, its stale rules and the guard behind one small object.

What the pipeline calls: ``verdict(question, history)`` and ``guard(text, citations, verdict)``;
what the CLI calls: ``check(question, history)`` and ``format(result)``. The index is only used
through ``index.page_chunks(doc_id)`` (or ``index.chunks``) and ``index.page_texts()``
(duck-typed, nothing imported), to find stale rules and to cite the exact indexed text of each
rule's sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from assistant.rules import guard as _guard
from assistant.rules.engine import Outcome, RuleBook, locate_citation, to_verdict
from assistant.rules.report import check_payload, format_check
from core.types import Citation, Turn, Verdict

log = logging.getLogger(__name__)


class RuleChecker:
    def __init__(self, book: RuleBook, index: Any = None):
        self.book = book
        self.index = index
        self._generation: object = object()
        self.stale_ids: list[str] = []
        self.absent_pages: list[str] = []  # pages of the packs that the index does not hold
        self._vocab: dict[str, _guard.GuardVocab] = {}
        self.refresh()

    @classmethod
    def load(cls, rules_dir: str | Path, index: Any = None,
             only: Collection[str] | None = None) -> RuleChecker:
        """Load the rule packs (RulesError when malformed); ``index`` may be None (no stale
        check, no indexed citation)."""
        return cls(RuleBook.load(rules_dir, only), index)

    def refresh(self) -> None:
        """Recompute stale rules when the index switched to another generation."""
        if self.index is None:
            return
        generation = getattr(self.index, "generation", None)
        if generation is None or generation == self._generation:
            return  # not opened yet (e.g. the Chroma server is down): nothing to compare
        self._generation = generation
        texts = self.index.page_texts()
        pages = sorted({p for pack in self.book.packs for p in pack.pages})
        self.absent_pages = [p for p in pages if texts.get(p) is None]
        self.stale_ids = self.book.stale(texts)
        live = [r for r in self.stale_ids
                if self.book.get(r).citation.doc_id not in self.absent_pages]
        if live:
            log.warning("rules whose manual sentence is gone (not applied): %s", ", ".join(live))
        if self.absent_pages:
            log.info("rule packs whose page is not indexed (not used): %s",
                     ", ".join(self.absent_pages))

    def decide(self, question: str, history: Sequence[Turn] | None = None) -> Outcome:
        self.refresh()
        return self.book.decide(question, history, stale=self.stale_ids,
                                absent=self.absent_pages)

    def verdict(self, question: str, history: Sequence[Turn] | None = None) -> Verdict | None:
        """The pipeline's Verdict (citing the indexed chunk text), or None."""
        decision = self.decide(question, history).decision
        if decision is None:
            return None
        page_chunks = getattr(self.index, "page_chunks", None)
        if page_chunks is not None and decision.citation is not None:
            chunks = page_chunks(decision.citation.doc_id)  # the cited page only
        else:
            chunks = getattr(self.index, "chunks", None) or []
        return to_verdict(decision, locate_citation(decision, chunks))

    def vocab(self, verdict: Verdict) -> _guard.GuardVocab:
        """The guard's words for the pack whose rule gave the verdict."""
        pack = self.book.pack_of(verdict.rule_id)
        if pack is None:
            return _guard.GuardVocab.generic()
        if pack.id not in self._vocab:
            self._vocab[pack.id] = _guard.GuardVocab.of(pack)
        return self._vocab[pack.id]

    def guard(self, text: str, citations: list[Citation], verdict: Verdict
              ) -> tuple[str, list[Citation], bool]:
        """The one guard: the verdict first, then what of the answer does not contradict it."""
        return _guard.apply(text, citations, verdict, self.vocab(verdict))

    def contradicts(self, text: str, verdict: Verdict) -> bool:
        return _guard.contradicts(text, verdict, self.vocab(verdict))

    def statement(self, verdict: Verdict) -> str:
        return _guard.verdict_statement(verdict)

    def check(self, question: str, history: Sequence[Turn] | None = None) -> dict[str, Any]:
        """JSON-ready result for ``python -m assistant check --json``."""
        return check_payload(self.decide(question, history),
                             self.stale_ids if self.index is not None else None)

    def format(self, result: dict[str, Any]) -> str:
        """Human text for a ``check`` result."""
        return format_check(result)

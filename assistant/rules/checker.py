"""RuleChecker: the rule book, the extractor and the guard behind one small object.

What the pipeline and the CLI call: ``verdict(question, history)``, ``enforce(text, verdict)``,
``statement(verdict)``, ``check(question, history)`` and ``format(result)``. The index is only
used through ``index.chunks`` and ``index.page_texts()`` (duck-typed, nothing imported), to find
stale rules and to cite the exact indexed text of each rule's sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.rules import guard
from assistant.rules.engine import RuleBook, locate_citation, to_verdict
from assistant.rules.model import Decision, Scenario
from assistant.rules.report import check_payload, format_check
from assistant.rules.scenario import extract_scenario
from assistant.types import Turn, Verdict

log = logging.getLogger(__name__)


class RuleChecker:
    def __init__(self, book: RuleBook, index: Any = None):
        self.book = book
        self.index = index
        self._generation: object = object()
        self.stale_ids: list[str] = []
        self.refresh()

    @classmethod
    def load(cls, rules_dir: str | Path, index: Any = None) -> RuleChecker:
        """Load rules/*.yaml (RulesError when malformed); ``index`` may be None (no stale check)."""
        return cls(RuleBook.load(rules_dir), index)

    def refresh(self) -> None:
        """Recompute stale rules when the index switched to another generation."""
        if self.index is None:
            return
        generation = getattr(self.index, "generation", None)
        if generation is None or generation == self._generation:
            return  # not opened yet (e.g. the Chroma server is down): nothing to compare
        self._generation = generation
        self.stale_ids = self.book.stale(self.index.page_texts())
        if self.stale_ids:
            log.warning("rules whose manual sentence is gone (not applied): %s",
                        ", ".join(self.stale_ids))

    def decide(self, question: str, history: Sequence[Turn] | None = None
               ) -> tuple[Scenario, Decision | None]:
        self.refresh()
        scenario = extract_scenario(question, history)
        return scenario, self.book.check(scenario, stale=self.stale_ids)

    def verdict(self, question: str, history: Sequence[Turn] | None = None) -> Verdict | None:
        """The pipeline's Verdict (citing the indexed chunk text), or None."""
        _, decision = self.decide(question, history)
        chunks = getattr(self.index, "chunks", None) or []
        return to_verdict(decision, locate_citation(decision, chunks))

    def enforce(self, text: str, verdict: Verdict) -> tuple[str, bool]:
        """Drop sentences that contradict the verdict (the caller puts the statement first)."""
        return guard.enforce(text, verdict, lead=False)

    def statement(self, verdict: Verdict | Decision) -> str:
        return guard.verdict_statement(verdict)

    def check(self, question: str, history: Sequence[Turn] | None = None) -> dict[str, Any]:
        """JSON-ready result for ``python -m assistant check --json``."""
        scenario, decision = self.decide(question, history)
        return check_payload(scenario, decision,
                             self.stale_ids if self.index is not None else None)

    def format(self, result: dict[str, Any]) -> str:
        """Human text for a ``check`` result."""
        scenario = Scenario(**result["scenario"])
        decision = (Decision(**result["decision"], scenario=scenario)
                    if result.get("decision") else None)
        return format_check(scenario, decision, result.get("stale_rules"))

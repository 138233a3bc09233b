"""Billing-eligibility checker: scenario extraction, rule engine and guard (pure; no model).

    scenario = extract_scenario(question, history)
    decision = RuleBook.load(rules_dir).check(scenario)      # None: not a billing question
    verdict = to_verdict(decision, citation)
    text, corrected = enforce(answer_text, verdict)
"""

from assistant.rules.checker import RuleChecker
from assistant.rules.engine import (
    OUTSIDE_RULES,
    Rule,
    RuleBook,
    find_span,
    locate_citation,
    outside_rules,
    to_verdict,
)
from assistant.rules.guard import (
    contradicting_sentences,
    contradicts,
    enforce,
    sentences,
    verdict_statement,
)
from assistant.rules.model import Decision, RuleCitation, Scenario
from assistant.rules.report import check_payload, format_check
from assistant.rules.scenario import extract_scenario

__all__ = [
    "OUTSIDE_RULES", "Decision", "Rule", "RuleBook", "RuleChecker", "RuleCitation", "Scenario",
    "check_payload", "contradicting_sentences", "contradicts", "enforce", "extract_scenario",
    "find_span", "format_check", "locate_citation", "outside_rules", "sentences", "to_verdict",
    "verdict_statement",
]

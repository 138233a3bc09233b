"""What people read is defined once (core/messages.py): verdict words and the too-long
message read the same on every interface; ``InputTooLongError`` is what an over-long input
raises."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from assistant.interfaces.cli import render_text
from assistant.interfaces.slack_blocks import verdict_blocks
from assistant.interfaces.web_render import render_badge
from core import messages
from core.errors import AssistantError, InputTooLongError, check_length
from core.types import Answer, Verdict


def test_check_length_raises_input_too_long_over_the_limit_only():
    check_length("question", "x" * 50, 50)  # at the limit: fine
    with pytest.raises(InputTooLongError) as info:
        check_length("question", "x" * 2500, 2000)
    err = info.value
    assert isinstance(err, AssistantError)
    assert (err.what, err.size, err.limit) == ("question", 2500, 2000)
    assert str(err) == messages.too_long("question", 2500, 2000)
    assert "2,500" in str(err) and "2,000" in str(err) and "shorten" in str(err)


def test_the_pipeline_refuses_an_over_long_question_with_the_errors_message(seed_index):
    from assistant.index import LoadedIndex
    from assistant.pipeline import Assistant, _Clock

    settings = seed_index.model_copy(update={"limits": seed_index.limits.model_copy(
        update={"max_question_chars": 40})})
    assistant = Assistant(settings, LoadedIndex(settings), rules=None, audit=None)
    question = "Who can prescribe a breast pump for a member?"  # 45 characters
    answer = assistant.ask(question)
    assert answer.abstained and answer.abstain_reason == "too_long"
    assert answer.answer == str(InputTooLongError("question", len(question), 40))
    assert "retrieve" not in answer.timings_ms
    with pytest.raises(InputTooLongError):  # raised inside, turned into the refusal by ask
        assistant._answer(question, [], None, _Clock())


@pytest.mark.parametrize("kind", ["eligible", "not_eligible", "conditional", "unknown"])
def test_a_verdict_reads_the_same_on_the_page_in_slack_on_the_cli_and_in_the_guard(kind):
    from assistant.rules.guard import LABELS

    label = messages.VERDICT_LABELS[kind]
    assert LABELS[kind] == label  # the rule guard opens the answer text with these words
    verdict = Verdict(verdict=kind, rule_id="r", explanation="e")
    badge = BeautifulSoup(render_badge(verdict), "html.parser").select_one(".pma-badge")
    assert badge.text == label
    assert f"Billing check: {label}*" in verdict_blocks(verdict)[0]["text"]["text"]
    assert f"VERDICT: {label} (rule r)" in render_text(
        Answer(question="q", answer="a", verdict=verdict))


def test_unknown_reads_not_settled_by_the_manual():
    assert messages.verdict_label("unknown") == "Not settled by the manual"
    assert messages.verdict_label("something_new") == "something_new"

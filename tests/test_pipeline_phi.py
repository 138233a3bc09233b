"""Nothing with a member identifier reaches an outside LLM: the pipeline hands the model the
strictly redacted question, parts and history (a scripted chat model records every prompt)."""

from __future__ import annotations

import re

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.llm_answer import OpenAIAnswerer
from assistant.pipeline import Assistant
from core.redact import redact, redact_for_llm
from core.settings import LLMSettings
from core.types import Turn


class RecordingChat(FakeListChatModel):
    """Answers from a script and keeps the text of every prompt it was sent."""

    prompts: list[str] = []

    def _call(self, messages, stop=None, run_manager=None, **kwargs):
        self.prompts.append("\n".join(str(m.content) for m in messages))
        return super()._call(messages, stop=stop, run_manager=run_manager, **kwargs)


@pytest.fixture
def recording_assistant(seed_index):
    chat = RecordingChat(responses=["A physician, nurse practitioner or certified nurse midwife "
                                    "can write the prescription [1]."] * 20, prompts=[])
    answerer = OpenAIAnswerer(LLMSettings(base_url="http://127.0.0.1:9/v1"), chat_model=chat)
    return Assistant.from_settings(seed_index, answerer=answerer,
                                   audit=None), chat


IDENTIFIERS = ["Maria", "Lopez", "3/14/88", "91234567A", "R0041873302", "Rosa", "Herrera",
               "916-555-0134", "Sunny", "Park"]


def test_the_llm_sees_only_redacted_question_parts_and_history(recording_assistant):
    assistant, chat = recording_assistant
    history = [
        Turn(role="user", content="mbr id R0041873302, mom Rosa Herrera cell 916-555-0134 asking "
                                  "about a breast pump rental"),
        Turn(role="assistant", content="Hospital-grade pumps are rentals [1]."),
    ]
    question = ("pt Maria Lopez DOB 3/14/88 CIN 91234567A - who can write the prescription for a "
                "breast pump? Sunny Park asked too")
    answer = assistant.ask(question, history)
    assert not answer.abstained, answer.answer
    assert chat.prompts, "the scripted model was never called"
    for prompt in chat.prompts:
        for value in IDENTIFIERS:
            assert not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", prompt), (value, prompt)
        assert "[NAME]" in prompt and "[CIN]" in prompt


def test_a_doubtful_span_is_kept_in_logs_but_dropped_for_the_llm():
    text = "Sunny Park wants to know who can write the prescription for a breast pump"
    assert redact(text) == text  # given names alone, no cue: not sure enough to cut from search
    assert "Sunny" not in redact_for_llm(text) and "Park" not in redact_for_llm(text)

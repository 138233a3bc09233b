"""Answerers behind a registry keyed by name: the shipped ones are registered, Settings accepts
only their names, and a scripted fake registered through the registry answers through the
real pipeline."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from assistant import answerers
from core.errors import ConfigError
from core.settings import AnswererName, Settings
from tests.support import ScriptedAnswerer, registered_answerer

TOOLKIT = "Providers may request a toolkit by contacting Health Net Provider Services (Medi-Cal)."


def test_every_shipped_answerer_name_is_registered():
    assert set(get_args(AnswererName)) == {"extractive", "openai"}
    assert set(get_args(AnswererName)) <= set(answerers.names())


def test_settings_accept_only_known_answerers():
    assert Settings(answerer="openai").answerer == "openai"
    with pytest.raises(ValidationError, match="answerer"):
        Settings(answerer="gpt-please")


def test_an_unregistered_name_is_a_config_error_naming_the_known_ones():
    with pytest.raises(ConfigError) as err:
        answerers.build("nope", assistant=None)
    assert "'nope'" in str(err.value) and "'extractive'" in str(err.value)


def test_register_and_unregister():
    with registered_answerer("echo", lambda assistant: "made"):
        assert "echo" in answerers.names() and answerers.build("echo", None) == "made"
    assert "echo" not in answerers.names()


def test_the_shipped_factories_build_their_answerers(seed_assistant):
    from assistant.answer import ExtractiveAnswerer
    from assistant.llm_answer import OpenAIAnswerer

    assert answerers.build("extractive", seed_assistant) is seed_assistant.extractive
    assert isinstance(seed_assistant.extractive, ExtractiveAnswerer)
    llm = answerers.build("openai", seed_assistant)
    assert isinstance(llm, OpenAIAnswerer) and llm.llm == seed_assistant.settings.llm


def test_a_scripted_answerer_registered_by_name_answers_through_the_pipeline(seed_index):
    from assistant.index import LoadedIndex
    from assistant.pipeline import Assistant

    scripted = ScriptedAnswerer([("", TOOLKIT)])
    settings = seed_index.model_copy(update={"answerer": "scripted"})
    with registered_answerer("scripted", lambda assistant: scripted):
        assistant = Assistant(settings, LoadedIndex(settings), rules=None, audit=None)
    assert assistant.answerer is scripted
    answer = assistant.ask("How can a provider request the breastfeeding toolkit?")
    assert len(scripted.calls) == 1 and answer.answerer == "scripted"
    assert not answer.abstained and answer.answer == f"{TOOLKIT} [1]"
    assert answer.citations[0].quote == TOOLKIT
    _question, shown, _history = scripted.calls[0]
    assert len(shown) <= settings.retrieval.top_k  # a model reads the top_k passages only

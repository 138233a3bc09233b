"""Answerers by name: the registry ``Settings.answerer`` picks from.

An answerer turns passages into draft text whose sentences end with ``[n]`` markers (the
``Answerer`` protocol in assistant/answer.py). Each is registered under a name with a factory
that receives the Assistant being built (its settings, index and extractive answerer), so an
answerer is made only when it is used and heavy imports stay lazy. The shipped names are
``AnswererName`` in core/settings.py; tests register a scripted fake the same way::

    answerers.register("scripted", lambda assistant: ScriptedAnswerer(...))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError

if TYPE_CHECKING:
    from assistant.answer import Answerer
    from assistant.pipeline import Assistant

Factory = Callable[["Assistant"], "Answerer"]
_REGISTRY: dict[str, Factory] = {}


def register(name: str, factory: Factory | None = None) -> Any:
    """Register ``factory`` under ``name`` (a later registration replaces an earlier one); with
    no factory, a decorator."""
    if factory is None:
        return lambda f: register(name, f)
    _REGISTRY[name] = factory
    return factory


def unregister(name: str) -> None:
    _REGISTRY.pop(name, None)


def names() -> list[str]:
    return sorted(_REGISTRY)


def build(name: str, assistant: Assistant) -> Answerer:
    """The answerer registered as ``name``, made for ``assistant``."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConfigError(f"Unknown answerer {name!r}: use one of "
                          f"{', '.join(repr(n) for n in names())}.") from None
    return factory(assistant)


@register("extractive")
def _extractive(assistant: Assistant) -> Answerer:
    """Offline and deterministic: the manual's own sentences (assistant/answer.py)."""
    return assistant.extractive


@register("openai")
def _openai(assistant: Assistant) -> Answerer:
    """An LLM behind an OpenAI-compatible endpoint (llm.base_url; assistant/llm_answer.py)."""
    from assistant.llm_answer import OpenAIAnswerer

    return OpenAIAnswerer(assistant.settings.llm)

"""The LLM answerer: any OpenAI-compatible endpoint through LangChain's ``ChatOpenAI``.

The model sees only the numbered passages (as data) and the recent conversation, and must cite
every sentence with [n]. Its output is tidied for small models' habits (other citation styles,
markers at the start of a sentence, echoes of the prompt) before verification checks each
sentence against what it cites. Endpoint failures raise ``LLMError``; the pipeline then uses the
extractive answer.
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from assistant import citations
from assistant.prompts import (
    CANNOT_ANSWER,
    HISTORY_HEADER,
    PASSAGES_CLOSE,
    PASSAGES_OPEN,
    SYSTEM_PROMPT,
    answer_prompt,
    prompt_inputs,
)
from assistant.sentences import split_sentences
from core.errors import LLMError, MissingExtraError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from core.settings import LLMSettings
    from core.types import Passage, Turn

__all__ = ["CANNOT_ANSWER", "OpenAIAnswerer", "build_chat_model", "clean_answer",
           "normalise_citations"]

log = logging.getLogger(__name__)

# ---- echoes of the prompt ------------------------------------------------------------------
_SPECIAL = re.compile(r"<\|[^|>]{1,40}\|>|</?s>")
_ECHO_LINE = re.compile(
    r"^\s*(?:question\s*:|passages?\s*:|answer[^:\n]{0,60}:\s*$|user\s*:|assistant\s*:|"
    r"system\s*:|rules\s*:)|"
    rf"{re.escape(PASSAGES_OPEN)}|{re.escape(PASSAGES_CLOSE)}|{re.escape(HISTORY_HEADER.strip())}"
    r"|\bTitle:.*\b(?:Section|Last updated):",
    re.IGNORECASE,
)
_ANSWER_LABEL = re.compile(r"^\s*(?:final\s+)?answer\s*(?:\([^)\n]*\))?\s*:\s*", re.IGNORECASE)
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•])\s+")
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_YES_NO = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)
_FILLER_WORDS = "answer answers passage passages question text following cite citation states says"


def _squash(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


_PROMPT_TEXT = _squash(SYSTEM_PROMPT)


def normalise_citations(text: str, n_passages: int) -> str:
    """Rewrite '[1, 2]', '(1)', '[Passage 1]', '【1】', '[^1]', '[1-3]' as '[1][2]...'; markers
    outside 1..n_passages are dropped (assistant/citations.py)."""
    return citations.normalise(text, n_passages)


def _is_echo(body: str) -> bool:
    """A sentence that repeats the instructions, or only announces an answer ("The answer is:")."""
    from core.textnorm import tokens

    squashed = _squash(body)
    if len(squashed) >= 12 and squashed in _PROMPT_TEXT:
        return True
    return not _YES_NO.match(body) and set(tokens(body)) <= set(tokens(_FILLER_WORDS))


def _sentences(text: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, its markers), echo lines removed.

    Markers right after a sentence's end belong to that sentence ("A. [1] B. [2]"); markers
    at the start of a line belong to the line's first sentence ("[1] A.").
    """
    out: list[tuple[str, list[int]]] = []
    for line in text.splitlines():
        if _ECHO_LINE.search(line):
            continue
        line = _ANSWER_LABEL.sub("", line)
        lead_match = citations.LEADING_MARKERS.match(line)
        lead = citations.numbers(lead_match.group(1))
        line = _ENUMERATOR.sub("", line[lead_match.end():])
        for piece in split_sentences(line):
            nums = lead + citations.numbers(piece)
            lead = []
            body = " ".join(citations.remove_runs(piece).split())
            body = re.sub(r"\s+([.,;:!?])", r"\1", body)
            if _LETTERS.search(body):
                out.append((body, nums))
            elif nums and out and not out[-1][1]:
                out[-1] = (out[-1][0], nums)
    return out


def _attribute(body: str, passages: list[Passage], min_share: float = 0.5) -> list[int]:
    """The passage sharing most of the sentence's content words, if it shares enough."""
    from core.textnorm import tokens

    words = set(tokens(body))
    if len(words) < 2:
        return []
    best, best_share = 0, 0.0
    for n, passage in enumerate(passages, start=1):
        share = len(words & set(tokens(passage.chunk.text, expand=True))) / len(words)
        if share > best_share:
            best, best_share = n, share
    return [best] if best and best_share >= min_share else []


def clean_answer(raw: str, passages: list[Passage], *, attribute_uncited: bool = True) -> str:
    """Model output -> sentences each ending with valid [n] markers (or CANNOT_ANSWER).

    Uncited sentences get the passage that shares most of their words when
    ``attribute_uncited``; whatever stays uncited is left for verification to drop.
    """
    text = normalise_citations(_SPECIAL.sub("", raw), len(passages))
    refused = _squash(CANNOT_ANSWER) in _squash(text)
    pieces: list[str] = []
    cited = 0
    for body, nums in _sentences(text):
        if _squash(CANNOT_ANSWER) in _squash(body) or _is_echo(body):
            continue
        if not nums and attribute_uncited:
            nums = _attribute(body, passages)
        if body[-1].isalnum() or body[-1] in ")\"'":
            body += "."
        cited += bool(nums)
        pieces.append(body + (" " + citations.markers(nums) if nums else ""))
    if refused and not cited:
        return CANNOT_ANSWER
    return " ".join(pieces)


# ---- the chat model ------------------------------------------------------------------------
def _is_openai_host(base_url: str | None) -> bool:
    return base_url is None or "api.openai.com" in base_url


def build_chat_model(llm: LLMSettings, **overrides: Any) -> BaseChatModel:
    """A LangChain ``ChatOpenAI`` for the endpoint in ``llm`` (keyword overrides win)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError("langchain-openai", "llm-server") from exc
    kwargs: dict[str, Any] = {
        "model": llm.model,
        "base_url": llm.base_url,
        "api_key": llm.api_key,
        "temperature": llm.temperature,
        "max_tokens": llm.max_tokens,
        "timeout": llm.timeout_s,
        "max_retries": llm.max_retries,
    }
    if not _is_openai_host(llm.base_url):
        # ChatOpenAI sends max_completion_tokens; many compatible servers (llama.cpp's Python
        # server among them) read only the older max_tokens and would otherwise run to n_ctx.
        kwargs["extra_body"] = {"max_tokens": llm.max_tokens}
    kwargs.update(overrides)
    return ChatOpenAI(**kwargs)


def _llm_error(exc: Exception, llm: LLMSettings) -> LLMError:
    """Turn a client exception into an LLMError that says what to check."""
    import openai

    where = llm.base_url or "the OpenAI API"
    tail = " The extractive answer was used instead."
    if isinstance(exc, openai.APITimeoutError):
        msg = (f"The LLM endpoint at {where} did not answer within {llm.timeout_s:g} s "
               f"(after {llm.max_retries} retries). Check that the server is not overloaded, or "
               "raise PMA_LLM__TIMEOUT_S.")
    elif isinstance(exc, openai.APIConnectionError):
        msg = (f"Could not connect to the LLM endpoint at {where}. Check that the server is "
               "running and that PMA_LLM__BASE_URL is right (it usually ends in /v1).")
    elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        msg = f"The LLM endpoint at {where} refused the API key. Check PMA_LLM__API_KEY."
    elif isinstance(exc, openai.NotFoundError):
        msg = (f"The LLM endpoint at {where} answered 404 for model {llm.model!r}. Check "
               "PMA_LLM__MODEL and that PMA_LLM__BASE_URL ends in /v1.")
    elif isinstance(exc, openai.APIStatusError):
        msg = (f"The LLM endpoint at {where} returned HTTP {exc.status_code} "
               f"(after {llm.max_retries} retries): {_short(exc)}. Check the server's log; a "
               "400 often means the passages did not fit the model's context window.")
    else:
        msg = f"The LLM call to {where} failed: {type(exc).__name__}: {_short(exc)}."
    return LLMError(msg + tail)


def _short(exc: Exception, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _content(message: Any) -> str:
    content = getattr(message, "content", message)
    if isinstance(content, list):  # content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


class OpenAIAnswerer:
    """Answers with an LLM behind an OpenAI-compatible endpoint, citing passages as [n]."""

    name = "openai"

    def __init__(
        self,
        llm: LLMSettings,
        *,
        chat_model: BaseChatModel | None = None,
        history_turns: int = 6,
        attribute_uncited: bool = True,
    ):
        self.llm = llm
        self.history_turns = history_turns
        self.attribute_uncited = attribute_uncited
        self._chat_model = chat_model
        self._prompt = None
        self.last_raw: str | None = None  # the model's text before cleaning (for tests, evals)

    @property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is None:
            self._chat_model = build_chat_model(self.llm)
        return self._chat_model

    def messages(self, question: str, passages: list[Passage], history: list[Turn],
                 parts: list[str] | None = None) -> list:
        """The chat messages sent for this question (system rules, then the user message)."""
        if self._prompt is None:
            self._prompt = answer_prompt()
        inputs = prompt_inputs(question, passages, history, self.history_turns, parts)
        return self._prompt.format_messages(**inputs)

    def draft(self, question: str, passages: list[Passage], history: list[Turn]) -> str:
        """Answer text whose sentences end with [n] markers, or CANNOT_ANSWER. The prompt lists
        the question's parts (assistant/question.py) so the model answers each."""
        if not passages:
            return CANNOT_ANSWER
        from assistant.question import parts_of

        messages = self.messages(question, passages, history,
                                 [p.text for p in parts_of(question)])
        model = self.chat_model
        started = time.perf_counter()
        try:
            reply = model.invoke(messages)
        except Exception as exc:
            if not _is_client_error(exc):
                raise
            raise _llm_error(exc, self.llm) from exc
        raw = _content(reply)
        self.last_raw = raw
        log.debug("LLM answered in %.0f ms (%d chars)", 1000 * (time.perf_counter() - started),
                  len(raw))
        if not raw.strip():
            raise LLMError(
                f"The LLM endpoint at {self.llm.base_url or 'the OpenAI API'} returned an empty "
                f"answer (model {self.llm.model!r}). The extractive answer was used instead."
            )
        text = clean_answer(raw, passages, attribute_uncited=self.attribute_uncited)
        if not text:
            raise LLMError(
                f"The model {self.llm.model!r} returned no usable sentence (only echoes of the "
                "prompt). The extractive answer was used instead; a larger model helps."
            )
        return text


def _is_client_error(exc: Exception) -> bool:
    """Errors of the endpoint or the network (not bugs in this code)."""
    import httpx
    import openai

    return isinstance(exc, openai.APIError | httpx.HTTPError | OSError)

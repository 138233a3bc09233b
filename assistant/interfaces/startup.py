"""How an entry point (the chat page, the CLI, the Slack bot) opens the assistant: first bring the
index up to date with the corpus when it is missing or was built otherwise, then open it. The
assistant itself only reads the index; writing it is ingest's job."""

from __future__ import annotations

import logging

from assistant.pipeline import Assistant
from core.errors import IndexUnavailableError
from core.settings import Settings
from ingest.build import ensure_index

log = logging.getLogger(__name__)


def open_assistant(settings: Settings, *, progress: bool = True, **kwargs) -> Assistant:
    """The assistant over an index brought up to date first; ``kwargs`` go to
    ``Assistant.from_settings`` (answerer, rules, audit). A Chroma server that is down is not an
    error here: answers say so until it is back."""
    try:
        ensure_index(settings, progress=progress)
    except IndexUnavailableError as exc:
        log.warning("index not checked: %s", exc)
    return Assistant.from_settings(settings, **kwargs)

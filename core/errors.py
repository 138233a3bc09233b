"""One error hierarchy. Each error's message says what to do next.

The CLI, the web page and the Slack bot turn these into messages; tests see the traceback.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(AssistantError):
    """A setting is missing or wrong."""


class MissingExtraError(AssistantError, ImportError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str):
        super().__init__(
            f"{package} is not installed. Install it with: pip install -e '.[{extra}]'"
        )


class LoadError(AssistantError):
    """A page could not be read or parsed. The batch goes on without it."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class IndexMissingError(AssistantError):
    """There is no index yet."""

    def __init__(self, where: str):
        super().__init__(
            f"No index found at {where}. Build it first: python -m ingest corpus/ --index {where}"
        )


class IndexMismatchError(AssistantError):
    """The index was built with other embedding or chunking settings."""

    def __init__(self, built: dict, wanted: dict):
        diff = {k: (built.get(k), wanted.get(k)) for k in wanted if built.get(k) != wanted.get(k)}
        super().__init__(
            "The index was built with other settings than these "
            f"({', '.join(f'{k}: index={a!r}, now={b!r}' for k, (a, b) in diff.items())}). "
            "Re-ingest with the current settings: python -m ingest corpus/ --index DIR --rebuild"
        )


class IndexUnavailableError(AssistantError):
    """The index (e.g. the Chroma server) cannot be reached right now."""

    def __init__(self, where: str, cause: str = ""):
        super().__init__(
            f"The manual index at {where} is unavailable right now{': ' + cause if cause else ''}."
            " Try again in a minute; if it persists, check that the Chroma server is running."
        )


class IngestLockedError(AssistantError):
    """Another ingest holds the writer lock."""

    def __init__(self, lock_path: str):
        super().__init__(
            f"Another ingest is already running (lock {lock_path}). Wait for it to finish, "
            "then run this ingest again; the index it is building stays readable meanwhile."
        )


class InputTooLongError(AssistantError):
    """A question, history or message is over its limit."""

    def __init__(self, what: str, size: int, limit: int):
        from core.messages import too_long

        self.what, self.size, self.limit = what, size, limit
        super().__init__(too_long(what, size, limit))


def check_length(what: str, text: str, limit: int) -> None:
    """Raise InputTooLongError when ``text`` is longer than ``limit`` characters."""
    if len(text) > limit:
        raise InputTooLongError(what, len(text), limit)


class LLMError(AssistantError):
    """The LLM endpoint failed; the extractive answer is used instead."""


class RulesError(AssistantError):
    """A rules file is malformed."""

"""Logging for every entry point: one call, and no member identifier reaches a log line.

``configure_logging(level, log_file)`` sets up the root logger with a stderr handler (and a file
handler when asked), each carrying a ``RedactingFilter`` that runs ``assistant.redact.redact``
over the formatted message, the exception text and the stack text of every record before any
formatter sees it. Libraries that log request bodies at DEBUG are held at WARNING.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

from assistant.errors import ConfigError
from assistant.redact import redact

# They log request/response bodies (member questions) at DEBUG/INFO.
NOISY_LOGGERS = (
    "bm25s",
    "slack_bolt",
    "slack_sdk",
    "urllib3",
    "httpx",
    "httpcore",
    "chromadb",
    "gradio",
    "openai",
    "langchain",
    "langchain_openai",
    "huggingface_hub",
    "filelock",
    "multipart",
)
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARK = "_pma_handler"


class RedactingFilter(logging.Filter):
    """Replaces a record's message (args merged in) and exception/stack text with redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_pma_redacted", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # bad format string: keep it, redacted
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and record.exc_info != (None, None, None):
            text = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip(
                "\n"
            )
            record.exc_text = redact(text)
            record.exc_info = None  # formatters use exc_text; nobody re-renders the raw exception
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record._pma_redacted = True
        return True


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    if not isinstance(value, int):
        raise ConfigError(
            f"Unknown log level {level!r}. Use one of DEBUG, INFO, WARNING, ERROR, CRITICAL "
            "(setting log_level / PMA_LOG_LEVEL)."
        )
    return value


def configure_logging(level: str | int = "INFO", log_file: Path | None = None) -> logging.Logger:
    """Set up the root logger with redacting handlers; calling it again replaces them."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _MARK, False):
            root.removeHandler(h)
            h.close()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file = Path(log_file)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for h in handlers:
        h.setFormatter(logging.Formatter(FORMAT))
        h.addFilter(RedactingFilter())
        setattr(h, _MARK, True)
        root.addHandler(h)
    # Handlers someone else put on the root (before us) get the filter too.
    for h in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in h.filters):
            h.addFilter(RedactingFilter())
    root.setLevel(_level(level))
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return root

"""Logging for every entry point: one call, and no member identifier reaches a log line.

``configure_logging(level, log_file)`` sets up the root logger with a stderr handler (and a file
handler when asked), each carrying a ``RedactingFilter`` that runs ``core.redact.redact``
over the formatted message, the exception text and the stack text of every record before any
formatter sees it. Libraries that log request bodies at DEBUG are held at WARNING.

Some libraries print straight to the console instead of logging (Gradio prints the traceback of
an event that failed, with the value that failed it). ``redact_console()`` wraps the process's
stdout and stderr so that what they print is redacted a line at a time, too; the server entry
points (web page, Slack bot) call it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.redact import redact

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


class RedactingStream:
    """A text stream that redacts whole lines before passing them on.

    Text is held until a line ends ("\n", or "\r" as progress bars redraw), so a name split
    across two writes is still seen whole; ``flush`` passes on what is held.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._held = ""
        self._lock = threading.Lock()

    @property
    def wrapped(self) -> Any:
        return self._stream

    def write(self, text: str) -> int:
        with self._lock:
            self._held += text
            cut = max(self._held.rfind("\n"), self._held.rfind("\r"))
            if cut >= 0:
                ready, self._held = self._held[:cut + 1], self._held[cut + 1:]
                self._stream.write(redact(ready))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._held:
                self._stream.write(redact(self._held))
                self._held = ""
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, ...
        return getattr(self._stream, name)


def redact_console() -> None:
    """Make what this process prints to stdout and stderr pass through the redactor."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, RedactingStream):
            setattr(sys, name, RedactingStream(stream))


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

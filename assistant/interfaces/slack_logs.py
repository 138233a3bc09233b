"""The Slack libraries' logs: slack_bolt and slack_sdk log request and response bodies (a rejected
request's body at INFO), so the loggers the bot hands them are held at WARNING whatever the root
level is, and every record they keep passes through the member-identifier redactor."""

from __future__ import annotations

import logging
import urllib.parse

from core.redact import redact

_NOISE = ("As you gave `client` as well",)  # bolt warns when SLACK_BOT_TOKEN is also set


class _RedactSlackRecords(logging.Filter):
    """Member identifiers out of slack_bolt / slack_sdk log records (URL-encoded bodies too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except (TypeError, ValueError, KeyError):  # a broken format string: keep the template
            msg = str(record.msg)
        if msg.startswith(_NOISE):
            return False
        record.msg = redact(urllib.parse.unquote_plus(msg))
        record.args = ()
        return True


def library_logger(name: str) -> logging.Logger:
    """A logger for slack_bolt/slack_sdk objects: WARNING at most verbose, always redacted."""
    logger = logging.getLogger(f"assistant.slack_lib.{name}")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, _RedactSlackRecords) for f in logger.filters):
        logger.addFilter(_RedactSlackRecords())
    return logger

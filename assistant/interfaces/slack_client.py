"""How the bot reaches Slack: the Web API client (at ``settings.slack.api_url``) and response
URLs, both waiting out 429s (Retry-After) and retrying dropped connections."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    RetryHandler,
)
from slack_sdk.webhook import WebhookClient

from assistant.interfaces.slack_logs import library_logger
from core.settings import Settings

log = logging.getLogger(__name__)


def _retry_handlers() -> list[RetryHandler]:
    return [ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5)]


def make_client(settings: Settings, bot_token: str) -> WebClient:
    """A WebClient at settings.slack.api_url."""
    return WebClient(token=bot_token, base_url=settings.slack.api_url, timeout=30,
                     logger=library_logger("sdk"), retry_handlers=_retry_handlers())


def respond(response_url: str | None, **message: Any) -> None:
    """An ephemeral message through a response_url; a failure is logged, never raised."""
    if not response_url:
        return
    message.setdefault("response_type", "ephemeral")
    message.setdefault("replace_original", False)
    client = WebhookClient(response_url, timeout=30, logger=library_logger("webhook"),
                           retry_handlers=_retry_handlers())
    try:
        resp = client.send_dict(message)
    except (OSError, SlackClientError) as exc:
        log.error("could not send a response: %s", type(exc).__name__)
        return
    if resp.status_code != 200:
        log.error("response_url answered HTTP %d", resp.status_code)

"""Slack entry point: ``python -m assistant slack [--mode socket|http] [--port N]``.

Reads the tokens from the environment, builds the Assistant and serves the bot
(``slack_app.SlackBot``) over HTTP or Socket Mode. See docs/slack.md for creating the Slack app.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from core.errors import ConfigError
from core.settings import Settings

log = logging.getLogger(__name__)

_HELP = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from 'OAuth & Permissions'",
    "SLACK_SIGNING_SECRET": "the Signing Secret from the app's 'Basic Information' page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-...) with the connections:write scope, from "
                       "'Basic Information > App-Level Tokens'",
}


@dataclass(frozen=True)
class SlackTokens:
    bot_token: str
    signing_secret: str | None = None
    app_token: str | None = None


def read_tokens(mode: str, environ: dict[str, str] | None = None) -> SlackTokens:
    """The tokens ``mode`` needs, from the environment; a ConfigError names each missing one."""
    env = os.environ if environ is None else environ
    needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET" if mode == "http" else "SLACK_APP_TOKEN"]
    missing = [name for name in needed if not env.get(name, "").strip()]
    if missing:
        lines = "; ".join(f"{name} ({_HELP[name]})" for name in missing)
        raise ConfigError(
            f"Slack {mode} mode needs these environment variables: {lines}. "
            "Set them and start the bot again (see docs/slack.md)."
        )
    return SlackTokens(bot_token=env["SLACK_BOT_TOKEN"].strip(),
                       signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
                       app_token=env.get("SLACK_APP_TOKEN", "").strip() or None)


def build_bot(settings: Settings, assistant, tokens: SlackTokens, **kwargs):
    """A SlackBot over ``assistant``; a rejected token or unreachable Slack is a ConfigError."""
    from slack_bolt.error import BoltError

    from assistant.interfaces.slack_app import SlackBot

    try:
        return SlackBot(settings, assistant, bot_token=tokens.bot_token,
                        signing_secret=tokens.signing_secret, **kwargs)
    except BoltError as exc:
        raise ConfigError(
            f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Check the token, re-install the "
            "app to the workspace if it was revoked, and start the bot again."
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"Cannot reach the Slack Web API at {settings.slack.api_url} ({type(exc).__name__}). "
            "Check the network or PMA_SLACK__API_URL and start the bot again."
        ) from None


def run(settings: Settings, mode: str | None = None, port: int | None = None) -> int:
    """Serve the bot until interrupted. Returns the process exit code."""
    mode = mode or settings.slack.mode
    if mode not in ("http", "socket"):
        raise ConfigError(f"Unknown Slack mode {mode!r}: use 'http' or 'socket'.")
    port = settings.slack.port if port is None else port
    tokens = read_tokens(mode)

    from assistant.interfaces.startup import open_assistant

    assistant = open_assistant(settings, progress=True)
    bot = build_bot(settings, assistant, tokens)
    try:
        if mode == "socket":
            bot.serve_socket(tokens.app_token or "")
        else:
            bot.serve_http(settings.slack.host, port)
    except KeyboardInterrupt:
        log.info("Slack bot stopped")
    return 0


def post_change_report(settings: Settings, report: dict, environ: dict[str, str] | None = None,
                       client=None) -> str:
    """Post a sync's change report to ``settings.sync.slack_channel``; returns the message ts.
    A missing token, a refused post or an unreachable Slack is a ConfigError saying what to do."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from assistant.interfaces.slack_blocks import change_report_message

    channel = settings.sync.slack_channel
    if not channel:
        raise ConfigError("No Slack channel to post the change report to: set "
                          "PMA_SYNC__SLACK_CHANNEL.")
    if client is None:
        env = os.environ if environ is None else environ
        token = env.get("SLACK_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError("Posting the change report needs SLACK_BOT_TOKEN "
                              f"({_HELP['SLACK_BOT_TOKEN']}); the report is on disk.")
        from assistant.interfaces.slack_client import make_client

        client = make_client(settings, token)
    text, blocks = change_report_message(report)
    try:
        resp = client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                       unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        raise ConfigError(f"Slack refused the change report for {channel} "
                          f"({exc.response.get('error', exc)}); invite the bot to the channel "
                          "and check its chat:write scope.") from None
    except (SlackClientError, OSError) as exc:
        raise ConfigError(f"Cannot reach the Slack Web API at {settings.slack.api_url} "
                          f"({type(exc).__name__}); the report is on disk.") from None
    return str(resp.get("ts", ""))

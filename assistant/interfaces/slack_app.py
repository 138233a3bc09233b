"""The Slack bot: a slack_bolt App over an Assistant.

Mentions (answered in a thread under the question), direct messages and the ``/manual`` slash
command are acknowledged at once and answered from a worker thread. A thread's earlier messages
are the conversation history. Served over HTTP (slack_http.py) or Socket Mode. Its other parts
have their own modules: answering each event once (slack_dedupe.py), the feedback buttons and
form (slack_feedback.py), the Web API client and response URLs (slack_client.py), the Slack
libraries' redacted logs (slack_logs.py), Block Kit rendering (slack_blocks.py).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIServer

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.interfaces.slack_blocks import (
    answer_message,
    clean_text,
    history_from_replies,
    notice_message,
)
from assistant.interfaces.slack_client import make_client, respond
from assistant.interfaces.slack_dedupe import SeenSet, answer_once
from assistant.interfaces.slack_feedback import AnswerCache, SlackFeedback
from assistant.interfaces.slack_http import EVENTS_PATH, events_server
from assistant.interfaces.slack_logs import library_logger
from core.errors import AssistantError, ConfigError, InputTooLongError
from core.messages import BOT_ERROR, NO_MEMBER_DETAILS
from core.redact import redact
from core.settings import Settings
from core.types import Answer, Turn

if TYPE_CHECKING:
    from assistant.feedback import FeedbackLog

log = logging.getLogger(__name__)

MAX_HISTORY_PAGES = 5  # of conversations.replies (200 messages each)
SLASH_COMMAND = "/manual"
LOOKING = "Looking that up in the provider manual…"


class SlackBot:
    """slack_bolt App wired to an Assistant; serve it over HTTP or Socket Mode."""

    def __init__(self, settings: Settings, assistant: Any, *, bot_token: str,
                 signing_secret: str | None = None, feedback: FeedbackLog | None = None,
                 client: WebClient | None = None, workers: int = 2):
        self.settings = settings
        self.assistant = assistant
        self.answers = AnswerCache()
        self.feedback = SlackFeedback(settings, self.answers, feedback)
        self._ask_lock = threading.Lock()
        self._stopped = threading.Event()
        self._verifies_requests = bool(signing_secret)
        # Acks and quick listeners run on bolt's executor; answers on their own pool, so a burst
        # of questions can never hold up the acknowledgement of the next request.
        self.executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="slack-ack")
        self.workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-answer")
        self.app = App(
            client=client or make_client(settings, bot_token),
            signing_secret=signing_secret or "unused-in-socket-mode",
            request_verification_enabled=bool(signing_secret),
            process_before_response=False,
            logger=library_logger("bolt"),
            listener_executor=self.executor,
            name="provider-manual-assistant",
        )
        self._register()

    def _register(self) -> None:
        app = self.app
        app.use(answer_once(SeenSet()))
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command(SLASH_COMMAND)(ack=self._ack_command, lazy=[self._answer_command])
        self.feedback.register(app)

    # -- listeners ----------------------------------------------------------------------------
    def _on_mention(self, event: dict, context, client: WebClient, body: dict) -> None:
        self._submit(self._answer_and_post, client, _bot_ids(context), channel=event["channel"],
                     text=event.get("text", ""), user=event.get("user"), ts=event["ts"],
                     thread_ts=event.get("thread_ts") or event["ts"],
                     in_thread=bool(event.get("thread_ts")), event_id=body.get("event_id"))

    def _on_message(self, event: dict, context, client: WebClient, body: dict) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return  # only people's direct messages; channel messages come as app_mention
        thread_ts = event.get("thread_ts")
        self._submit(self._answer_and_post, client, _bot_ids(context), channel=event["channel"],
                     text=event.get("text", ""), user=event.get("user"), ts=event["ts"],
                     thread_ts=thread_ts, in_thread=bool(thread_ts), event_id=body.get("event_id"))

    def _submit(self, fn, *args: Any, **kwargs: Any) -> None:
        """Run fn on the answer pool; an exception is logged by type, never lost silently."""

        def job() -> None:
            try:
                fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - a worker thread must not die silently
                log.error("%s failed: %s", fn.__name__, type(exc).__name__)

        try:
            self.workers.submit(job)
        except RuntimeError:  # shutting down
            log.warning("shutting down: a request was not answered")

    def _ack_command(self, ack, command: dict) -> None:
        text = command.get("text") or ""
        if not text.strip():
            ack(text=f"Ask a question about the provider manual, e.g. `{SLASH_COMMAND} who can "
                     "prescribe a breast pump?`")
        elif self._too_long(text):
            ack(text=self._too_long_text(text))
        else:
            ack(text=LOOKING)

    def _answer_command(self, command: dict) -> None:
        text = command.get("text") or ""
        if not text.strip() or self._too_long(text):
            return  # the ack already said what to do
        self._submit(self._answer_command_now, command)

    def _answer_command_now(self, command: dict) -> None:
        answer = self._ask(clean_text(command.get("text") or ""), [], command.get("user_id"))
        fallback, blocks = answer if isinstance(answer, tuple) else answer_message(answer)
        respond(command.get("response_url"), text=fallback, blocks=blocks)

    # -- answering ----------------------------------------------------------------------------
    def _too_long(self, text: str) -> bool:
        return len(text) > self.settings.limits.max_slack_message_chars

    def _too_long_text(self, text: str) -> str:
        limit = self.settings.limits.max_slack_message_chars
        return f"{InputTooLongError('message', len(text), limit)} {NO_MEMBER_DETAILS}"

    def _answer_and_post(self, client: WebClient, bot: dict, *, channel: str, text: str,
                         user: str | None, ts: str, thread_ts: str | None, in_thread: bool,
                         event_id: str | None) -> None:
        started = time.perf_counter()
        if self._too_long(text):
            log.info("event %s: message over the length limit, not answered", event_id)
            reply: Answer | tuple = notice_message(self._too_long_text(text))
        else:
            history = self._history(client, bot, channel, thread_ts, ts) if in_thread else []
            reply = self._ask(clean_text(text), history, user)
        fallback, blocks = reply if isinstance(reply, tuple) else answer_message(reply)
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=fallback,
                                    blocks=blocks, unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            log.error("event %s: reply not posted: %s", event_id, exc.response.get("error"))
            return
        except (OSError, SlackClientError) as exc:
            log.error("event %s: reply not posted: %s", event_id, type(exc).__name__)
            return
        abstained = reply.abstained if isinstance(reply, Answer) else None
        log.info("event %s answered in %.0f ms (abstained=%s)", event_id,
                 (time.perf_counter() - started) * 1000, abstained)

    def _history(self, client: WebClient, bot: dict, channel: str, thread_ts: str | None,
                 before_ts: str) -> list[Turn]:
        if not thread_ts:
            return []
        messages: list[dict] = []
        cursor = None
        try:
            for _page in range(MAX_HISTORY_PAGES):
                resp = client.conversations_replies(channel=channel, ts=thread_ts, limit=200,
                                                    cursor=cursor)
                messages += resp.get("messages") or []
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not resp.get("has_more") or not cursor:
                    break
        except SlackApiError as exc:
            log.warning("thread history unavailable: %s", exc.response.get("error"))
            return []
        except (OSError, SlackClientError) as exc:
            log.warning("thread history unavailable: %s", type(exc).__name__)
            return []
        turns = history_from_replies(messages,
                                     bot_user_id=bot.get("bot_user_id"),
                                     bot_id=bot.get("bot_id"), before_ts=before_ts)
        return [Turn(role=t.role, content=redact(t.content)) if t.role == "user" else t
                for t in turns]

    def _ask(self, question: str, history: list[Turn], user: str | None) -> Answer | tuple:
        try:
            with self._ask_lock:
                answer = self.assistant.ask(question, history, None, interface="slack", user=user)
        except AssistantError as exc:
            log.warning("answer failed: %s", redact(str(exc))[:300])
            return notice_message(str(exc))
        except Exception as exc:  # noqa: BLE001 - a worker thread: tell the rep, never crash
            log.error("answer failed: %s: %s", type(exc).__name__, redact(str(exc))[:300])
            return notice_message(BOT_ERROR)
        self.answers.put(answer)
        return answer

    # -- serving ------------------------------------------------------------------------------
    def http_server(self, host: str, port: int) -> WSGIServer:
        """A threaded WSGI server for the events URL (POST /slack/events); GET /healthz -> ok."""
        if not self._verifies_requests:
            raise ConfigError("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests; "
                              "set it (see docs/slack.md) and start the bot again.")
        return events_server(self.app, host, port)

    def serve_http(self, host: str, port: int) -> None:
        server = self.http_server(host, port)
        log.info("Slack bot listening on http://%s:%d%s", host, server.server_port, EVENTS_PATH)
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            self.close()

    def serve_socket(self, app_token: str) -> None:
        """Connect to Slack in Socket Mode and serve until close() (or Ctrl-C)."""
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(self.app, app_token=app_token, logger=library_logger("socket"))
        try:
            handler.connect()
            log.info("Slack bot connected in Socket Mode")
            while not self._stopped.wait(0.5):
                pass
        finally:
            handler.close()
            self.close()

    def close(self) -> None:
        self._stopped.set()
        self.workers.shutdown(wait=False, cancel_futures=True)
        self.executor.shutdown(wait=False, cancel_futures=True)


def _bot_ids(context) -> dict[str, str | None]:
    return {"bot_user_id": context.get("bot_user_id"), "bot_id": context.get("bot_id")}

"""The Slack bot: a slack_bolt App over an Assistant.

Mentions (answered in a thread under the question), direct messages and the ``/manual`` slash
command are acknowledged at once and answered from a worker thread. A thread's earlier messages
are the conversation history. Retried deliveries of an event are answered once; a 429 from Slack
is waited out. slack_bolt and slack_sdk log request bodies, so their loggers are held at WARNING
and pass through a redacting filter whatever the root level is.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.parse
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from core.errors import AssistantError, ConfigError, InputTooLongError
from assistant.interfaces.slack_blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_MODAL,
    FEEDBACK_UP,
    answer_message,
    clean_text,
    feedback_modal,
    history_from_replies,
    notice_message,
    read_feedback_modal,
    thanks_blocks,
)
from core.messages import BOT_ERROR, NO_MEMBER_DETAILS
from core.redact import redact
from core.settings import Settings
from core.types import Answer, Turn

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
MAX_HISTORY_PAGES = 5  # of conversations.replies (200 messages each)
SLASH_COMMAND = "/manual"
LOOKING = "Looking that up in the provider manual…"


# ------------------------------------------------------------------ logging of the Slack libraries
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


# ------------------------------------------------------------------ small pieces
class SeenSet:
    """Keys seen in the last ``ttl`` seconds (thread-safe, bounded)."""

    def __init__(self, ttl: float = 3600.0, max_items: int = 50_000):
        self.ttl, self.max_items = ttl, max_items
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered within the TTL, False afterwards."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (next(iter(self._seen.values())) < now - self.ttl
                                  or len(self._seen) > self.max_items):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


class AnswerCache:
    """What feedback needs about recent answers: question, answer text, cited chunk ids."""

    def __init__(self, max_items: int = 2000):
        self.max_items = max_items
        self._items: OrderedDict[str, tuple[str, str, list[str]]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, answer: Answer) -> None:
        item = (redact(answer.question), answer.answer, [c.chunk_id for c in answer.citations])
        with self._lock:
            self._items[answer.id] = item
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def get(self, answer_id: str) -> tuple[str, str, list[str]] | None:
        with self._lock:
            return self._items.get(answer_id)


def make_client(settings: Settings, bot_token: str) -> WebClient:
    """A WebClient at settings.slack.api_url that waits out 429s (Retry-After) and retries
    dropped connections."""
    return WebClient(
        token=bot_token, base_url=settings.slack.api_url, timeout=30,
        logger=library_logger("sdk"),
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                        RateLimitErrorRetryHandler(max_retry_count=5)],
    )


# ------------------------------------------------------------------ the bot
class SlackBot:
    """slack_bolt App wired to an Assistant; serve it over HTTP or Socket Mode."""

    def __init__(self, settings: Settings, assistant: Any, *, bot_token: str,
                 signing_secret: str | None = None, feedback: Any = None,
                 client: WebClient | None = None, workers: int = 2):
        self.settings = settings
        self.assistant = assistant
        self._feedback = feedback
        self.seen = SeenSet()
        self.answers = AnswerCache()
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

    @property
    def feedback(self):
        if self._feedback is None:
            from assistant.feedback import FeedbackLog

            self._feedback = FeedbackLog(self.settings.feedback_path)
        return self._feedback

    def _register(self) -> None:
        app = self.app
        app.use(self._dedupe)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command(SLASH_COMMAND)(ack=self._ack_command, lazy=[self._answer_command])
        app.action(re.compile(f"^({FEEDBACK_UP}|{FEEDBACK_DOWN})$"))(self._on_feedback)
        app.view(FEEDBACK_MODAL)(self._on_feedback_detail)

    # -- middleware ---------------------------------------------------------------------------
    def _dedupe(self, body: dict, request, next):
        """Answer an event once, however often Slack delivers it (retries carry the same
        event_id; a message seen as both app_mention and message has the same channel/ts)."""
        event = body.get("event") or {}
        keys = [k for k in (body.get("event_id"),
                            f"{event.get('channel')}/{event.get('ts')}" if event.get("ts") and
                            not event.get("subtype") else None) if k]
        fresh = [self.seen.first_time(k) for k in keys]
        if keys and not all(fresh):
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
            log.info("skipped a repeated delivery of event %s (retry %s)",
                     body.get("event_id"), retry)
            return BoltResponse(status=200, body="")
        return next()

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
        self._respond(command.get("response_url"), text=fallback, blocks=blocks)

    def _respond(self, response_url: str | None, **message: Any) -> None:
        """An ephemeral message through a response_url, 429s waited out, quietly logged."""
        if not response_url:
            return
        message.setdefault("response_type", "ephemeral")
        message.setdefault("replace_original", False)
        client = WebhookClient(response_url, timeout=30, logger=library_logger("webhook"),
                               retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=2),
                                               RateLimitErrorRetryHandler(max_retry_count=5)])
        try:
            resp = client.send_dict(message)
        except (OSError, SlackClientError) as exc:
            log.error("could not send a response: %s", type(exc).__name__)
            return
        if resp.status_code != 200:
            log.error("response_url answered HTTP %d", resp.status_code)

    def _on_feedback(self, ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        rating = "up" if action.get("action_id") == FEEDBACK_UP else "down"
        answer_id = str(action.get("value", ""))[:64]
        message = body.get("message") or {}
        user = (body.get("user") or {}).get("id")
        if rating == "down" and body.get("trigger_id"):
            try:  # first: the trigger expires three seconds after the click
                client.views_open(trigger_id=body["trigger_id"], view=feedback_modal(answer_id))
            except (SlackClientError, OSError) as exc:
                log.warning("feedback form not opened: %s", type(exc).__name__)
        if not self._record_feedback(answer_id, rating, user, message.get("text", "")):
            self._respond(body.get("response_url"),
                          text="Sorry, your feedback could not be saved. Please try again later.")
            return
        channel = (body.get("channel") or {}).get("id") or \
            (body.get("container") or {}).get("channel_id")
        if message.get("ts") and message.get("blocks") and channel:
            try:
                client.chat_update(channel=channel, ts=message["ts"], text=message.get("text", ""),
                                   blocks=thanks_blocks(message["blocks"], rating, user))
                return
            except SlackApiError as exc:
                log.warning("could not update the answer message: %s", exc.response.get("error"))
        self._respond(body.get("response_url"), text="Thanks for the feedback.")

    def _on_feedback_detail(self, ack, body: dict, view: dict) -> None:
        answer_id, comment, correct = read_feedback_modal(view)
        ack()
        if comment or correct:
            user = (body.get("user") or {}).get("id")
            self._record_feedback(answer_id[:64], "down", user, "", comment=comment,
                                  correct_answer=correct)

    def _record_feedback(self, answer_id: str, rating: str, user: str | None,
                         shown_text: str, **extra: str) -> bool:
        """Append to the feedback log; the question and citations come from the answer cache
        (after a restart only the message text is known)."""
        question, answer_text, chunk_ids = self.answers.get(answer_id) or ("", shown_text, [])
        try:
            self.feedback.record(answer_id=answer_id, question=question, answer=answer_text,
                                 rating=rating, interface="slack", citations=chunk_ids,
                                 user=user, **extra)
        except (OSError, ValueError) as exc:
            log.error("feedback not recorded for answer %s: %s", answer_id, type(exc).__name__)
            return False
        log.info("feedback %s%s recorded for answer %s", rating,
                 " with a comment" if extra else "", answer_id)
        return True

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
        handler = SlackRequestHandler(self.app, path=EVENTS_PATH)

        def wsgi(environ, start_response):
            path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
            if path == HEALTH_PATH and method == "GET":
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"ok"]
            if int(environ.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
                start_response("413 Payload Too Large", [("Content-Type", "text/plain")])
                return [b"too large"]

            def start(status, headers, exc_info=None):
                if status.startswith("401"):
                    log.info("rejected a request to %s: bad or expired Slack signature", path)
                return start_response(status, headers, exc_info)

            return handler(environ, start)

        return make_server(host, port, wsgi, server_class=_ThreadingWSGIServer,
                           handler_class=_QuietHandler)

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


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    """Access log at DEBUG, method and path only (no query strings, no bodies)."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, self.path.split("?", 1)[0])

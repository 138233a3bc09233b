"""Feedback on the bot's answers: the helpful / not helpful buttons, the "what was wrong" form that
"not helpful" opens, and the recent answers whose question and citations go with a rating."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.interfaces.slack_blocks import (
    FEEDBACK_DOWN,
    FEEDBACK_MODAL,
    FEEDBACK_UP,
    feedback_modal,
    read_feedback_modal,
    thanks_blocks,
)
from assistant.interfaces.slack_client import respond
from core.redact import redact
from core.settings import Settings
from core.types import Answer

if TYPE_CHECKING:
    from assistant.feedback import FeedbackLog

log = logging.getLogger(__name__)


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


class SlackFeedback:
    """The listeners of the feedback buttons and form, recording into the feedback log."""

    def __init__(self, settings: Settings, answers: AnswerCache,
                 feedback_log: FeedbackLog | None = None):
        self.settings = settings
        self.answers = answers
        self._log = feedback_log

    @property
    def feedback_log(self) -> FeedbackLog:
        if self._log is None:
            from assistant.feedback import FeedbackLog

            self._log = FeedbackLog(self.settings.feedback_path)
        return self._log

    def register(self, app: App) -> None:
        app.action(re.compile(f"^({FEEDBACK_UP}|{FEEDBACK_DOWN})$"))(self.on_button)
        app.view(FEEDBACK_MODAL)(self.on_form)

    def on_button(self, ack, body: dict, action: dict, client: WebClient) -> None:
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
        if not self.record(answer_id, rating, user, message.get("text", "")):
            respond(body.get("response_url"),
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
        respond(body.get("response_url"), text="Thanks for the feedback.")

    def on_form(self, ack, body: dict, view: dict) -> None:
        answer_id, comment, correct = read_feedback_modal(view)
        ack()
        if comment or correct:
            user = (body.get("user") or {}).get("id")
            self.record(answer_id[:64], "down", user, "", comment=comment,
                        correct_answer=correct)

    def record(self, answer_id: str, rating: str, user: str | None, shown_text: str,
               **extra: str) -> bool:
        """Append to the feedback log; the question and citations come from the answer cache
        (after a restart only the message text is known)."""
        question, answer_text, chunk_ids = self.answers.get(answer_id) or ("", shown_text, [])
        try:
            self.feedback_log.record(answer_id=answer_id, question=question, answer=answer_text,
                                     rating=rating, interface="slack", citations=chunk_ids,
                                     user=user, **extra)
        except (OSError, ValueError) as exc:
            log.error("feedback not recorded for answer %s: %s", answer_id, type(exc).__name__)
            return False
        log.info("feedback %s%s recorded for answer %s", rating,
                 " with a comment" if extra else "", answer_id)
        return True

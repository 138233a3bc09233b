"""The Gradio chat page: a thin adapter over Assistant.ask, rendered by web_render.

``WebChat`` holds the page's behaviour (limits, history, filters, feedback) as plain methods;
``web_page.build_page`` lays out the Gradio components and wires them to it; ``serve`` launches
it with the queue limits, optional login and a file-serving policy that exposes nothing on disk.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.interfaces.web_render import render_answer, render_error, render_question
from core.errors import (
    AssistantError,
    IndexMissingError,
    IndexUnavailableError,
    InputTooLongError,
    check_length,
)
from core.messages import EMPTY_QUESTION, INTERNAL_ERROR, conversation_full
from core.settings import PROJECT_ROOT, Settings
from core.types import Answer, Turn

log = logging.getLogger(__name__)

TITLE = "Provider Manual Assistant"
INTRO = (
    "Answers from Health Net's Medi-Cal provider manual, each with the passages it comes from. "
    "Billing-eligibility questions get a verdict from the manual's rules. It does not look up "
    "individual members: do not paste member IDs or names."
)
EXAMPLES = [
    "Who can provide lactation education and support services?",
    "Can an IBCLC bill Medi-Cal directly for lactation support?",
    ("Can a registered nurse with an IBCLC certification bill lactation support under our "
     "Medi-Cal number?"),
    "What lactation durable medical equipment is covered?",
    "Up to what age can providers refer a member's infant to lactation services?",
]
PENDING_HTML = '<div class="pma-pending"><em>Searching the manual…</em></div>'
MAX_EXCHANGES = 100  # questions in one conversation before "start a new conversation"
MAX_FEEDBACK_CHARS = 4000  # per comment / correct answer
ANY = "Any"
CSS = """
.pma-answer p { margin: 0.25em 0; }
.pma-ref { font-size: 0.8em; vertical-align: super; color: #1a73e8; }
.pma-source { margin: 0.35em 0; }
.pma-quote summary { cursor: pointer; font-size: 0.85em; color: #555; }
.pma-quote blockquote { margin: 0.3em 0 0.3em 0.5em; padding-left: 0.6em;
                        border-left: 3px solid #ccc; font-size: 0.9em; }
"""


class WebChat:
    """What the page does, independent of its layout."""

    def __init__(self, settings: Settings, assistant, feedback=None):
        self.settings = settings
        self.assistant = assistant
        self._feedback = feedback

    # -- filters ------------------------------------------------------------------------------
    def doc_choices(self) -> list[tuple[str, str]]:
        titles = self.assistant.index.doc_titles()
        return sorted(((t, d) for d, t in titles.items()), key=lambda x: x[0].lower())

    def provider_choices(self) -> list[str]:
        return [ANY, *self.assistant.index.provider_types()]

    def filters(self, doc_ids: list[str] | None, provider_type: str | None):
        """Filters from the page's choices, keeping only values the index knows."""
        from assistant.retrieve import Filters

        known_docs = set(self.assistant.index.doc_titles())
        docs = [d for d in (doc_ids or []) if d in known_docs]
        ptype = provider_type if provider_type in self.assistant.index.provider_types() else None
        return Filters(doc_ids=docs, provider_type=ptype) if docs or ptype else None

    # -- asking -------------------------------------------------------------------------------
    def ask(self, question: str, conversation: list[dict], doc_ids=None, provider_type=None,
            user: str | None = None) -> dict:
        """One exchange: checks limits first (no model call when over), then asks."""
        question = (question or "").strip()
        limit = self.settings.limits.max_question_chars
        try:
            check_length("question", question, limit)
        except InputTooLongError as exc:  # echo only the start of it back
            return _exchange(_clip(question, limit), render_error(str(exc), "too_long"),
                             rated=False)
        if len(conversation) >= MAX_EXCHANGES:
            return _exchange(question, render_error(conversation_full(MAX_EXCHANGES),
                                                    "too_long"), rated=False)
        if not question:
            return _exchange(question, render_error(EMPTY_QUESTION, "empty"), rated=False)
        history = history_turns(conversation)
        try:
            answer = self.assistant.ask(question, history, self.filters(doc_ids, provider_type),
                                        interface="web", user=user)
        except (IndexUnavailableError, IndexMissingError) as exc:
            return _exchange(question, render_error(str(exc), "unavailable"), rated=False)
        except AssistantError as exc:
            return _exchange(question, render_error(str(exc)), rated=False)
        except Exception:
            log.exception("answering failed")
            return _exchange(question, render_error(INTERNAL_ERROR), rated=False)
        return _exchange(question, render_answer(answer, self.recent_changes()), answer=answer)

    def respond(self, question: str, conversation: list[dict] | None, doc_ids=None,
                provider_type=None, user: str | None = None) -> Iterator[tuple]:
        """Gradio handler: show the question at once, then the answer."""
        conversation = list(conversation or [])
        shown = _clip((question or "").strip(), self.settings.limits.max_question_chars)
        pending = conversation + [_exchange(shown, PENDING_HTML, rated=False)]
        yield chat_messages(pending), conversation, ""
        conversation = conversation + [self.ask(question, conversation, doc_ids, provider_type,
                                                user)]
        yield chat_messages(conversation), conversation, ""

    # -- what changed in the manual (written by `python -m ingest sync`) ----------------------
    def change_report(self) -> str:
        """The latest change report (Markdown), or a line saying no sync has run."""
        from ingest.sync.reader import latest_markdown

        return latest_markdown(self.settings.report_dir)

    def recent_changes(self) -> dict[str, dict[str, str]]:
        """Page ids whose text changed within PMA_SYNC__RECENT_DAYS days -> {date, change}."""
        from ingest.sync.reader import recent_changes

        try:
            return recent_changes(self.settings.mirror_dir, self.settings.sync.recent_days)
        except Exception:  # a broken manifest must not break answering
            log.exception("reading the sync manifest failed")
            return {}

    # -- feedback -----------------------------------------------------------------------------
    @property
    def feedback(self):
        if self._feedback is None:
            from assistant.feedback import FeedbackLog

            self._feedback = FeedbackLog(self.settings.feedback_path)
        return self._feedback

    def record_feedback(self, conversation: list[dict], number: int, rating: str,
                        comment: str = "", correct_answer: str = "",
                        user: str | None = None) -> str:
        """Append feedback on answer ``number`` (1 = first of the conversation); a status line."""
        try:
            exchange = conversation[int(number) - 1]
        except (IndexError, TypeError, ValueError):
            return "Feedback not saved: that answer is not in this conversation."
        if int(number) < 1 or not exchange.get("answer_id"):
            return "Feedback not saved: that message is not an answer from the manual."
        if rating not in ("up", "down"):
            return "Feedback not saved: choose thumbs up or thumbs down."
        comment, correct_answer = (comment or "").strip(), (correct_answer or "").strip()
        if max(len(comment), len(correct_answer)) > MAX_FEEDBACK_CHARS:
            return (f"Feedback not saved: keep the comment and the correct answer under "
                    f"{MAX_FEEDBACK_CHARS:,} characters each.")
        self.feedback.record(
            answer_id=exchange["answer_id"], question=exchange["question"],
            answer=exchange["answer_text"], rating=rating, comment=comment,
            correct_answer=correct_answer, interface="web", citations=exchange["chunk_ids"],
            user=user)
        return "Thanks — your feedback was saved."


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _exchange(question: str, html: str, answer: Answer | None = None,
              rated: bool = True) -> dict:
    """One question and its reply, as kept in the session (server side)."""
    return {
        "question": question,
        "html": html,
        "answer_id": answer.id if answer is not None and rated else None,
        "answer_text": answer.answer if answer is not None else "",
        "abstained": answer.abstained if answer is not None else True,
        "chunk_ids": [c.chunk_id for c in answer.citations] if answer is not None else [],
    }


def history_turns(conversation: list[dict]) -> list[Turn]:
    """Earlier exchanges answered by the assistant, as Turns for follow-up questions."""
    turns: list[Turn] = []
    for ex in conversation:
        if ex.get("answer_id") is None:
            continue
        turns += [Turn(role="user", content=ex["question"]),
                  Turn(role="assistant", content=ex["answer_text"])]
    return turns


def chat_messages(conversation: list[dict]) -> list[dict[str, str]]:
    """The Chatbot's value: user and assistant messages in turn (assistant = index 2i+1)."""
    out: list[dict[str, str]] = []
    for ex in conversation:
        out.append({"role": "user", "content": render_question(ex["question"])})
        out.append({"role": "assistant", "content": ex["html"]})
    return out


def exchange_number(message_index: Any) -> int | None:
    """Chatbot message index -> 1-based exchange number (None for user messages)."""
    if isinstance(message_index, (list, tuple)):
        message_index = message_index[0]
    try:
        i = int(message_index)
    except (TypeError, ValueError):
        return None
    return i // 2 + 1 if i >= 0 and i % 2 == 1 else None


# -- serving -----------------------------------------------------------------------------------
def blocked_paths(settings: Settings) -> list[str]:
    """Everything on disk the page must never serve: index, runtime data, settings, the repo."""
    paths = [settings.index_dir, settings.data_dir, settings.feedback_path.parent,
             settings.mirror_dir, settings.report_dir,
             PROJECT_ROOT, PROJECT_ROOT / ".env", Path.cwd() / ".env", *settings.corpus,
             settings.rules_dir]
    seen: list[str] = []
    for p in paths:
        s = str(Path(p).expanduser().resolve())
        if s not in seen:
            seen.append(s)
    return seen


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """Arguments for page.launch(): bind address, login, file policy, no telemetry."""
    web = settings.web
    auth = None
    if web.username and web.password is not None:
        auth = (web.username, web.password.get_secret_value())
    return {
        "server_name": web.host,
        "server_port": web.port or None,
        "auth": auth,
        "auth_message": "Sign in to the Provider Manual Assistant." if auth else None,
        "allowed_paths": [],
        "blocked_paths": blocked_paths(settings),
        "show_error": False,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "enable_monitoring": False,
        "max_file_size": "1kb",
        "css": CSS,
        "run_history": False,  # would keep questions in the browser's storage
        "footer_links": ["api", "settings"],
    }


def serve(settings: Settings, *, block: bool = True, assistant=None, feedback=None):
    """Build the index if missing (with progress), then serve the page. Returns the page.

    An AssistantError while opening the index ends the process with its message (exit 2).
    """
    from assistant.interfaces.startup import open_assistant
    from core.logging_setup import configure_logging, redact_console

    redact_console()
    configure_logging(settings.log_level)
    if assistant is None:
        try:
            assistant = open_assistant(settings, progress=True)
        except AssistantError as exc:  # index missing/mismatched/unreachable: say what to do
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
    from assistant.interfaces.web_page import build_page

    page = build_page(settings, assistant, feedback)
    page.queue(max_size=settings.web.max_queue,
               default_concurrency_limit=settings.web.concurrency)
    page.launch(prevent_thread_lock=not block, **launch_kwargs(settings))
    return page

"""Block Kit rendering of an Answer, and reading a Slack thread back as conversation turns.

Pure functions: no network, no Slack client. ``slack_app`` posts what these return.
"""

from __future__ import annotations

import html
import re
from typing import Any

from core.messages import WHERE_TO_GO, verdict_label
from core.types import Answer, Citation, Turn, Verdict

FEEDBACK_BLOCK_ID = "pma_feedback"
FEEDBACK_UP = "pma_feedback_up"
FEEDBACK_DOWN = "pma_feedback_down"
FEEDBACK_MODAL = "pma_feedback_detail"
FEEDBACK_TEXT_LIMIT = 3000  # Slack's longest plain_text_input

SECTION_LIMIT = 2900  # Slack allows 3000 characters in a section's text
FALLBACK_LIMIT = 3500  # the notification / history text of a message
QUOTE_LIMIT = 280

_VERDICT_ICON = {
    "eligible": ":white_check_mark:",
    "not_eligible": ":no_entry:",
    "conditional": ":warning:",
    "unknown": ":grey_question:",
}
_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


# ------------------------------------------------------------------ incoming text
def clean_text(text: str) -> str:
    """A Slack message as plain text: mentions removed, links unwrapped, entities decoded."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    lines = (" ".join(line.split()) for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def history_from_replies(messages: list[dict[str, Any]], *, bot_user_id: str | None,
                         bot_id: str | None, before_ts: str) -> list[Turn]:
    """Earlier messages of a thread (conversations.replies) as Turns, oldest first.

    The bot's own messages become assistant turns; everyone else's are user turns. Messages at or
    after ``before_ts`` (the question being answered, later replies) are left out, and so are
    edits, joins and other non-message subtypes.
    """
    turns: list[Turn] = []
    for msg in sorted(messages, key=lambda m: float(m.get("ts", 0))):
        if float(msg.get("ts", 0)) >= float(before_ts):
            continue
        if msg.get("subtype") not in (None, "bot_message", "thread_broadcast", "file_share"):
            continue
        mine = (bot_id and msg.get("bot_id") == bot_id) or \
            (bot_user_id and msg.get("user") == bot_user_id)
        if msg.get("bot_id") and not mine:
            continue  # other bots' chatter is not part of the conversation
        text = clean_text(msg.get("text", ""))
        if text:
            turns.append(Turn(role="assistant" if mine else "user", content=text))
    return turns


# ------------------------------------------------------------------ outgoing blocks
def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str | None, label: str) -> str:
    label = escape(label).replace("|", "¦")
    if not url or not url.startswith(("http://", "https://")):
        return f"*{label}*"
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{label}>"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _split(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Text in pieces that fit a section, cut at paragraph, then line, then word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit))
        if cut <= limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def verdict_blocks(verdict: Verdict) -> list[dict[str, Any]]:
    icon = _VERDICT_ICON.get(verdict.verdict, ":grey_question:")
    label = escape(verdict_label(verdict.verdict))
    lines = [f"{icon} *Billing check: {label}*", escape(verdict.explanation)]
    if verdict.missing_facts:
        missing = "; ".join(escape(f) for f in verdict.missing_facts)
        lines.append(f"To settle it, tell me: {missing}")
    blocks = [_section("\n".join(lines))]
    blocks.append(_context(f"Rule `{escape(verdict.rule_id)}`"
                           + (f" · source [{verdict.citation.n}]" if verdict.citation else "")))
    return blocks


def source_blocks(citations: list[Citation]) -> list[dict[str, Any]]:
    if not citations:
        return []
    blocks: list[dict[str, Any]] = [_section("*Sources*")]
    for c in citations[:10]:
        head = f"*[{c.n}]* {_link(c.url, c.title)}"
        if c.section and c.section != c.title:
            head += f" › {escape(c.section)}"
        updated = f"Last updated {c.last_updated}" if c.last_updated else "Last updated: not stated"
        quote = c.quote.strip()
        if len(quote) > QUOTE_LIMIT:
            quote = quote[:QUOTE_LIMIT].rsplit(" ", 1)[0] + " …"
        blocks.append(_section(f"{head}\n_{updated}_"))
        if quote:
            blocks.append(_context(f"“{escape(quote)}”"))
    return blocks


def feedback_block(answer_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": FEEDBACK_BLOCK_ID,
        "elements": [
            {"type": "button", "action_id": FEEDBACK_UP, "value": answer_id,
             "text": {"type": "plain_text", "text": ":thumbsup: Helpful", "emoji": True}},
            {"type": "button", "action_id": FEEDBACK_DOWN, "value": answer_id,
             "text": {"type": "plain_text", "text": ":thumbsdown: Not helpful", "emoji": True}},
        ],
    }


def feedback_modal(answer_id: str) -> dict[str, Any]:
    """The optional "what was wrong?" form opened after a Not helpful click."""

    def field(block_id: str, label: str, hint: str) -> dict[str, Any]:
        return {"type": "input", "block_id": block_id, "optional": True,
                "label": {"type": "plain_text", "text": label},
                "hint": {"type": "plain_text", "text": hint},
                "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                            "max_length": FEEDBACK_TEXT_LIMIT}}

    return {
        "type": "modal", "callback_id": FEEDBACK_MODAL, "private_metadata": answer_id,
        "title": {"type": "plain_text", "text": "What was wrong?"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            _context("Your rating is saved. A few words help us fix the answer "
                     "(leave out member details)."),
            field("comment", "Comment", "What was missing or wrong?"),
            field("correct", "The correct answer", "If you know it, with the manual section."),
        ],
    }


def read_feedback_modal(view: dict[str, Any]) -> tuple[str, str, str]:
    """(answer_id, comment, correct answer) from a submitted feedback_modal."""
    values = (view.get("state") or {}).get("values") or {}

    def value(block_id: str) -> str:
        return str(((values.get(block_id) or {}).get("value") or {}).get("value") or "").strip()

    return str(view.get("private_metadata") or ""), value("comment"), value("correct")


def refusal_blocks(answer: Answer) -> list[dict[str, Any]]:
    blocks = [_section(f":information_source: {escape(answer.answer)}")]
    if answer.abstain_reason in ("no_passage", "no_supported_sentence"):
        pages: dict[str, str | None] = {}
        for ctx in answer.contexts:
            pages.setdefault(ctx.title, ctx.url)
        if pages:
            links = ", ".join(_link(url, title) for title, url in list(pages.items())[:3])
            blocks.append(_context(f"Closest manual pages I searched: {links}"))
    if answer.abstain_reason not in ("empty", "too_long"):
        blocks.append(_context(escape(WHERE_TO_GO)))
    return blocks


def answer_message(answer: Answer) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for an Answer: verdict, answer with [n], sources, feedback."""
    blocks: list[dict[str, Any]] = []
    if answer.abstained:
        blocks += refusal_blocks(answer)
    else:
        if answer.resolved_question:  # how a follow-up in the thread was read
            blocks.append(_context(f"Read as: {escape(answer.resolved_question)}"))
        if answer.verdict is not None:
            blocks += verdict_blocks(answer.verdict)
            blocks.append({"type": "divider"})
        blocks += [_section(escape(piece)) for piece in _split(answer.answer)]
        blocks += source_blocks(answer.citations)
    if answer.abstain_reason not in ("empty", "too_long", "unavailable"):
        blocks.append(feedback_block(answer.id))
    return fallback_text(answer.answer), blocks[:50]


def notice_message(text: str) -> tuple[str, list[dict[str, Any]]]:
    """A short message with no answer (too long, error): plain section, no feedback buttons."""
    return fallback_text(text), [_section(f":information_source: {escape(text)}")]


def fallback_text(text: str) -> str:
    """The message's plain ``text`` (notifications, thread history), escaped and capped."""
    text = text.strip()
    if len(text) > FALLBACK_LIMIT:
        text = text[:FALLBACK_LIMIT].rsplit(" ", 1)[0] + " …"
    return escape(text)


def thanks_blocks(blocks: list[dict[str, Any]], rating: str, user: str | None) -> list[dict]:
    """The message's blocks with the feedback buttons replaced by a thank-you line."""
    who = f" by <@{user}>" if user and re.fullmatch(r"[UW][A-Z0-9]+", user) else ""
    label = "helpful" if rating == "up" else "not helpful"
    line = _context(f"Thanks for the feedback: marked {label}{who}.")
    return [line if b.get("block_id") == FEEDBACK_BLOCK_ID else b for b in blocks]


# ------------------------------------------------------------------ the sync's change report
REPORT_ITEMS = 8  # pages / rules listed per kind in the Slack post (the full report is on disk)


def change_report_message(report: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for a sync's change report (ingest/sync/changes.py's JSON)."""
    s, pages = report["summary"], report["pages"]
    head = (f"{s['added']} page(s) added, {s['changed']} changed, {s['removed']} removed; "
            f"{s['went_stale']} rule(s) went stale; {s['failed']} page(s) could not be fetched")
    blocks: list[dict[str, Any]] = [
        _section(f":open_book: *What changed in the manual* ({escape(report['finished_at'][:10])})"
                 f"\n{escape(head)}.")]
    for key, label in (("changed", "Changed"), ("added", "Added"), ("removed", "Removed")):
        if pages[key]:
            lines = [_page_line(p) for p in pages[key][:REPORT_ITEMS]]
            more = len(pages[key]) - REPORT_ITEMS
            blocks.append(_section(f"*{label}*\n" + "\n".join(lines)
                                   + (f"\n… and {more} more" if more > 0 else "")))
    stale = report["rules"]["went_stale"][:REPORT_ITEMS]
    if stale:
        lines = [f"• `{escape(r['rule_id'])}`: {escape(r['reason'])}" for r in stale]
        blocks.append(_section(":warning: *Rules that went stale* (not applied until updated)\n"
                               + "\n".join(lines)))
    failed = report["crawl"]["failed"]
    if failed:
        blocks.append(_context(f"{len(failed)} page(s) could not be fetched; their previous "
                               "copies are kept."))
    for b in blocks:  # a section's text must stay under Slack's limit
        if b["type"] == "section" and len(b["text"]["text"]) > SECTION_LIMIT:
            b["text"]["text"] = b["text"]["text"][:SECTION_LIMIT].rsplit("\n", 1)[0] + "\n…"
    return fallback_text("What changed in the manual: " + head), blocks[:50]


def _page_line(p: dict[str, Any]) -> str:
    line = f"• {_link(p.get('url'), p.get('title') or p['doc_id'])}"
    added, removed = p.get("sentences_added") or [], p.get("sentences_removed") or []
    if added or removed:
        line += f" — {len(added)} sentence(s) added, {len(removed)} removed"
    return line

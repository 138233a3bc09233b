"""Answer -> HTML for the chat page. Pure functions, no Gradio import.

Everything that comes from a manual page or a user (titles, sections, quotes, answer text) is
HTML-escaped: a page could carry markup. Each rendered message is one line of HTML inside one
<div>, so the chat's Markdown renderer passes it through as a single HTML block untouched.
State the browser needs (answered/refused, reason, verdict) is in class names as well as data-*
attributes, because the chat's sanitizer keeps classes and inline styles but drops data-*.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

from assistant.citations import marker, replace_markers
from core.messages import verdict_label
from core.types import Answer, Citation, Verdict

# (background, text) per verdict: green, red, amber, grey.
VERDICT_COLOURS = {
    "eligible": ("#e6f4ea", "#137333"),
    "not_eligible": ("#fce8e6", "#a50e0e"),
    "conditional": ("#fef7e0", "#8a5a00"),
    "unknown": ("#eceff1", "#37474f"),
}
REFUSAL_HEADS = {
    "no_passage": "Not found in the manual",
    "no_supported_sentence": "Not found in the manual",
    "member_specific": "Member-specific question",
    "too_long": "Question too long",
    "empty": "Empty question",
    "unavailable": "Manual index unavailable",
    "error": "Something went wrong",
}
_BLANK_LINES = re.compile(r"\n\s*\n")


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) link, else None (no javascript:, data:, ...)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ch in url for ch in "\"'<>` \t\r\n"):
        return None
    return url


def _cls(word: str) -> str:
    """A value made safe for a class name (the chat's sanitizer drops data-* attributes)."""
    return re.sub(r"[^a-z0-9_-]", "", word.lower())[:40] or "x"


def _text(text: str) -> str:
    """Escape, keep line breaks (as <br>), no raw newlines left."""
    return escape(text.strip()).replace("\r", "").replace("\n", "<br>")


def render_paragraphs(text: str, known: set[int] | None = None) -> str:
    """Answer text -> <p> paragraphs with [n] markers styled (only markers of known sources)."""
    out = []
    for para in _BLANK_LINES.split(text.strip()):
        if not para.strip():
            continue
        html = _text(para)
        html = replace_markers(html, lambda n, written: _marker(n, written, known))
        out.append(f"<p>{html}</p>")
    return "".join(out)


def _marker(n: int, written: str, known: set[int] | None) -> str:
    if (known is not None and n not in known) or len(written) > 5:  # [1]..[999] only
        return written
    return f'<span class="pma-ref" data-n="{n}">{marker(n)}</span>'


def render_badge(verdict: Verdict) -> str:
    kind = verdict.verdict
    label = escape(verdict_label(kind))
    bg, fg = VERDICT_COLOURS.get(kind, VERDICT_COLOURS["unknown"])
    badge = (f'<span class="pma-badge pma-badge-{_cls(kind)}" data-verdict="{escape(kind)}" '
             f'style="background:{bg};color:{fg};border:1px solid {fg};border-radius:999px;'
             f'padding:2px 10px;font-weight:600;font-size:0.9em">{label}</span>')
    rule = (f' <span class="pma-rule" style="opacity:0.7;font-size:0.85em">'
            f'rule {escape(verdict.rule_id)}</span>') if verdict.rule_id else ""
    missing = ""
    if verdict.missing_facts:
        items = "".join(f"<li>{_text(f)}</li>" for f in verdict.missing_facts)
        missing = (f'<div class="pma-missing">It depends on:<ul>{items}</ul></div>')
    return (f'<div class="pma-verdict" style="margin-bottom:0.5em">'
            f'<span style="font-size:0.85em;opacity:0.8">Billing verdict:</span> '
            f'{badge}{rule}{missing}</div>')


def render_changed(change: dict[str, str] | None) -> str:
    """The note on a citation of a page that changed recently (from the sync's manifest)."""
    if not change:
        return ""
    verb = "added to" if change.get("change") == "added" else "changed in"
    return (f' <span class="pma-changed" style="background:#fff4e5;color:#8a5a00;'
            f'border-radius:4px;padding:0 4px;font-size:0.85em">{verb} the manual on '
            f'{escape(change.get("date", ""))} — see "What changed in the manual"</span>')


def render_source(c: Citation, change: dict[str, str] | None = None) -> str:
    url = safe_url(c.url)
    title = escape(c.title or c.doc_id)
    title_html = (f'<a class="pma-link" href="{escape(url)}" target="_blank" '
                  f'rel="noopener noreferrer">{title}</a>') if url else title
    section = (f' <span class="pma-section">— {escape(c.section)}</span>'
               if c.section and c.section != c.title else "")
    updated = (f' <span class="pma-updated" style="opacity:0.7;font-size:0.85em">'
               f'(last updated {escape(c.last_updated)})</span>') if c.last_updated else ""
    quote = (f'<details class="pma-quote"><summary>Quoted passage</summary>'
             f'<blockquote>{_text(c.quote)}</blockquote></details>') if c.quote else ""
    return (f'<li class="pma-source" data-n="{c.n}"><span class="pma-ref">{marker(c.n)}</span> '
            f'{title_html}{section}{updated}{render_changed(change)}{quote}</li>')


def render_sources(citations: list[Citation],
                   changed: dict[str, dict[str, str]] | None = None) -> str:
    """The numbered sources; ``changed`` maps page ids changed recently to {date, change}."""
    if not citations:
        return ""
    changed = changed or {}
    items = "".join(render_source(c, changed.get(c.doc_id))
                    for c in sorted(citations, key=lambda c: c.n))
    return (f'<div class="pma-sources"><div class="pma-sources-title" '
            f'style="font-weight:600;margin-top:0.6em">Sources</div>'
            f'<ol style="list-style:none;padding-left:0">{items}</ol></div>')


def render_refusal(answer: Answer) -> str:
    reason = answer.abstain_reason or "no_passage"
    head = REFUSAL_HEADS.get(reason, "Not answered")
    return (f'<div class="pma-answer pma-refusal pma-reason-{_cls(reason)}" '
            f'data-abstained="true" data-reason="{escape(reason)}" '
            f'style="border-left:4px solid #b06000;'
            f'background:#fff4e5;color:#5f3b00;padding:6px 10px;border-radius:4px">'
            f'<div class="pma-refusal-head" style="font-weight:600">&#9888; {escape(head)}</div>'
            f'{render_paragraphs(answer.answer, known=set())}</div>')


def render_read_as(answer: Answer) -> str:
    """How a follow-up was read ("Read as: ... in the context of: ..."), when it had history."""
    if not answer.resolved_question:
        return ""
    return (f'<div class="pma-read-as" style="font-size:0.85em;opacity:0.75">Read as: '
            f'{_text(answer.resolved_question)}</div>')


def render_answer(answer: Answer, changed: dict[str, dict[str, str]] | None = None) -> str:
    """The chat message for one Answer: badge, cited text, sources — or a refusal.
    ``changed``: page ids changed recently (ingest.sync.reader.recent_changes)."""
    if answer.abstained:
        return render_refusal(answer)
    known = {c.n for c in answer.citations}
    badge = render_badge(answer.verdict) if answer.verdict is not None else ""
    return (f'<div class="pma-answer pma-answered" data-abstained="false" data-answer-id="'
            f'{escape(answer.id)}">{render_read_as(answer)}{badge}<div class="pma-text">'
            f'{render_paragraphs(answer.answer, known)}</div>'
            f'{render_sources(answer.citations, changed)}</div>')


def render_error(message: str, reason: str = "error") -> str:
    """A message that is not an Answer (index down, internal error), styled as a refusal."""
    head = REFUSAL_HEADS.get(reason, "Not answered")
    return (f'<div class="pma-answer pma-refusal pma-error pma-reason-{_cls(reason)}" '
            f'data-abstained="true" data-reason="{escape(reason)}" '
            f'style="border-left:4px solid #a50e0e;'
            f'background:#fce8e6;color:#5f0000;padding:6px 10px;border-radius:4px">'
            f'<div class="pma-refusal-head" style="font-weight:600">&#9888; {escape(head)}</div>'
            f'<p>{_text(message)}</p></div>')


def render_question(text: str) -> str:
    """The user's own message, shown escaped (no markup from the user is rendered)."""
    return f'<div class="pma-question">{_text(text)}</div>'

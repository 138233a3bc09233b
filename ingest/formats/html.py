"""HTML pages of the provider library site (and Markdown rendered to HTML) -> RawPage.

BeautifulSoup with the standard-library parser. Site chrome (navigation, header, footer,
forms, scripts) and hidden elements are dropped; hidden text and comments are flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.types import Block
from ingest import flags as fl
from ingest.chrome import chrome_match, normalise
from ingest.formats import css
from ingest.formats.text import BULLET, decode
from ingest.structure import RawPage

DROP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "nav", "aside", "form", "button", "input",
     "select", "textarea", "option", "label", "iframe", "object", "embed", "svg", "canvas",
     "video", "audio", "map", "dialog", "head", "title", "meta", "link", "base"}
)
SITE_ONLY_TAGS = frozenset({"header", "footer"})  # dropped unless inside main/article
DROP_ROLES = frozenset(
    {"navigation", "search", "banner", "contentinfo", "menu", "menubar", "toolbar", "dialog"}
)
BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre",
     "address", "figure", "figcaption", "dl", "dt", "dd", "hr", "center", "details", "summary",
     "caption", "body", "html", "fieldset", "legend"}
)
LIST_TAGS = frozenset({"ul", "ol", "menu", "dir"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
MAX_DEPTH = 200
_UNICODE_BULLET = re.compile(r"[\u2022\u25e6\u25aa\u25cf\u25cb\u25a0\u2023\u27a2\u27a4]\s")
_MARKER_COMMENT = re.compile(r"\s*(?:/?\s*(?:start|end|begin)\b.*|\[if\b.*|<!\[endif\].*)", re.IGNORECASE)


def parse_html(data: bytes) -> RawPage:
    return html_to_page(decode(data), fmt="html")


def html_to_page(markup: str, fmt: str = "html") -> RawPage:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    page = RawPage(format=fmt, blocks=[])
    page.url = _canonical(soup)
    if soup.title is not None:
        page.alt_title = _strip_site_suffix(normalise(soup.title.get_text(" "))) or None
    for s in soup.find_all(string=re.compile(r"^\s*search in\s", re.IGNORECASE)):
        hit = chrome_match(str(s))
        if hit and hit[1]:
            page.lob_hint = hit[1]
            break
    for br in soup.find_all("br"):
        br.replace_with("\n")
    _remove_comments(soup, page.flags)
    _remove_hidden(soup, page.flags)
    page.title = _take_h1(soup)
    _remove_chrome_elements(soup)
    root = soup.body or soup
    page.links = [str(a.get("href")) for a in root.find_all("a", href=True)
                  if not chrome_match(text_of(a))][:1000]
    em = _Emitter()
    _walk(root, em, 0, 0)
    em.flush()
    page.blocks = em.blocks
    return page


def _canonical(soup) -> str | None:
    for tag in soup.find_all("link", href=True):
        rel = tag.get("rel") or []
        rel = rel.split() if isinstance(rel, str) else rel
        if "canonical" in [r.lower() for r in rel]:
            return str(tag["href"]).strip() or None
    meta = soup.find("meta", attrs={"property": "og:url"})
    if meta is not None and meta.get("content"):
        return str(meta["content"]).strip() or None
    return None


def _strip_site_suffix(title: str) -> str:
    title = next((p.strip() for p in title.split("|") if p.strip()), "")
    return re.sub(r"\s+[-\u2013\u2014:]\s+Health Net\b.*$", "", title, flags=re.IGNORECASE).strip()


def _remove_comments(soup, flags: list[str]) -> None:
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    for node in soup.find_all(string=lambda s: isinstance(s, (Comment, ProcessingInstruction,
                                                             Declaration, Doctype))):
        if isinstance(node, Comment):
            text = normalise(str(node))
            meaningful = len(text.split()) >= 4 and not _MARKER_COMMENT.fullmatch(text)
            if meaningful or fl.instruction_flags(text):
                flags.append(fl.flag(fl.HTML_COMMENT, text))
        node.extract()


def _remove_hidden(soup, flags: list[str]) -> None:
    classes, ids = set(), set()
    for style in soup.find_all("style"):
        c, i = css.hidden_selectors(style.get_text())
        classes |= c
        ids |= i
    for tag in soup.find_all(True):
        if tag.decomposed or not _is_hidden(tag, classes, ids):
            continue
        text = text_of(tag)
        if text and not chrome_match(text) and tag.name not in DROP_TAGS:
            flags.append(fl.flag(fl.HIDDEN_TEXT, text))
        tag.decompose()


def _is_hidden(tag, classes: set[str], ids: set[str]) -> bool:
    if tag.name in ("html", "head", "body"):
        return False
    if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
        return True
    tag_classes = tag.get("class") or []
    if isinstance(tag_classes, str):
        tag_classes = tag_classes.split()
    if any(c.lower() in css.HIDDEN_CLASSES or c in classes for c in tag_classes):
        return True
    if tag.get("id") in ids:
        return True
    decls = css.declarations(str(tag.get("style") or ""))
    if css.hides(decls):
        return True
    color = decls.get("color") or (str(tag.get("color")) if tag.name == "font" and tag.get("color")
                                   else None)
    fg = css.parse_color(color) if color else None
    return fg is not None and css.same_color(fg, _background(tag))


def _background(tag) -> tuple[int, int, int] | None:
    node, steps = tag, 0
    while node is not None and getattr(node, "name", None) and steps < 100:
        bg = css.background_of(css.declarations(str(node.get("style") or "")),
                               str(node.get("bgcolor")) if node.get("bgcolor") else None)
        if bg is not None:
            return bg
        node, steps = node.parent, steps + 1
    return None


def _take_h1(soup) -> str | None:
    for h1 in soup.find_all("h1"):
        if any(p.name in DROP_TAGS or p.name == "footer" for p in h1.parents):
            continue
        text = text_of(h1)
        h1.decompose()
        if text:
            return text
    return None


def _remove_chrome_elements(soup) -> None:
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        role = str(tag.get("role") or "").strip().lower()
        if tag.name in DROP_TAGS or role in DROP_ROLES or tag.name in SITE_ONLY_TAGS and tag.find_parent(["main", "article"]) is None:
            tag.decompose()


def text_of(tag) -> str:
    """Visible text of an element, a space between block-level children."""
    from bs4.element import NavigableString, Tag

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name in BLOCK_TAGS or node.name in HEADINGS or node.name in (
                    "li", "td", "th", "tr"):
                parts.append(" ")
        elif type(node) is NavigableString:
            parts.append(str(node))
    return normalise("".join(parts))


class _Emitter:
    """Collects inline text and turns it into blocks of the current kind."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.kind: tuple[str, int] = ("paragraph", 1)

    def text(self, s: str) -> None:
        self.buf.append(s)

    def add(self, kind: str, text: str, level: int = 1) -> None:
        text = normalise(text)
        if text:
            self.blocks.append(Block(kind=kind, text=text, level=max(1, level)))  # type: ignore[arg-type]

    def flush(self) -> None:
        raw, self.buf = "".join(self.buf), []
        if not raw.strip():
            return
        kind, level = self.kind
        lines = [ln.strip() for ln in raw.split("\n") if ln.strip()]
        if kind == "paragraph" and len(lines) > 1 and any(_UNICODE_BULLET.match(x) for x in lines):
            for line in lines:  # saved-text bullets inside one paragraph
                m = BULLET.fullmatch(line)
                if m and _UNICODE_BULLET.match(line):
                    self.add("list_item", m.group("text"), 1)
                else:
                    self.add("paragraph", line)
            return
        self.add(kind, raw, level)

    @contextmanager
    def as_kind(self, kind: str, level: int) -> Iterator[None]:
        saved, self.kind = self.kind, (kind, level)
        try:
            yield
        finally:
            self.kind = saved


def _walk(node, em: _Emitter, list_depth: int, depth: int) -> None:
    from bs4.element import NavigableString, Tag

    for child in list(node.children):
        if not isinstance(child, Tag):
            if type(child) is NavigableString:
                em.text(str(child))
            continue
        name = child.name
        if depth >= MAX_DEPTH:  # pathological nesting: keep the text, lose the structure
            em.text(" " + text_of(child) + " ")
        elif name in HEADINGS:
            em.flush()
            em.add("heading", text_of(child), max(1, int(name[1]) - 1))
        elif name in LIST_TAGS:
            em.flush()
            _walk(child, em, list_depth + 1, depth + 1)
            em.flush()
        elif name == "li":
            em.flush()
            with em.as_kind("list_item", max(1, list_depth)):
                _walk(child, em, list_depth, depth + 1)
                em.flush()
        elif name == "table":
            em.flush()
            _table(child, em)
        elif name in BLOCK_TAGS:
            em.flush()
            _walk(child, em, list_depth, depth + 1)
            em.flush()
        else:
            _walk(child, em, list_depth, depth + 1)


def _table(table, em: _Emitter) -> None:
    """One paragraph per row, cells joined by ' | '."""
    caption = table.find("caption")
    if caption is not None:
        em.add("paragraph", text_of(caption))
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = [text_of(c) for c in tr.find_all(["td", "th"], recursive=False)]
        cells = [c for c in cells if c]
        if cells:
            em.add("paragraph", " | ".join(cells))

"""HTML pages of the provider library site (and Markdown rendered to HTML) -> RawPage.

BeautifulSoup with the standard-library parser. Site chrome (navigation, header, footer,
forms, scripts) and hidden elements are dropped; hidden text and comments are flagged.
"""

from __future__ import annotations

import re

from core import flags as fl
from core.types import Block
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
_UNICODE_BULLET = re.compile(r"[\u2022\u25e6\u25aa\u25cf\u25cb\u25a0\u2023\u27a2\u27a4]\s")
_MARKER_COMMENT = re.compile(
    r"\s*(?:/?\s*(?:start|end|begin)\b.*|\[if\b.*|<!\[endif\].*)", re.IGNORECASE
)


def parse_html(data: bytes) -> RawPage:
    return html_to_page(decode(data), fmt="html")


def html_to_page(markup: str, fmt: str = "html") -> RawPage:
    """One top-down pass; chrome and hidden subtrees are skipped, never walked."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    page = RawPage(format=fmt, blocks=[])
    page.url = _canonical(soup)
    title_tag = soup.find("title")
    if title_tag is not None:
        page.alt_title = _strip_site_suffix(normalise(title_tag.get_text(" "))) or None
    for s in soup.find_all(string=re.compile(r"^\s*search in\s", re.IGNORECASE), limit=50):
        hit = chrome_match(str(s))
        if hit and hit[1]:
            page.lob_hint = hit[1]
            break
    _flag_comments(soup, page.flags)
    classes: set[str] = set()
    ids: set[str] = set()
    for style in soup.find_all("style"):
        c, i = css.hidden_selectors(style.get_text())
        classes |= c
        ids |= i
    walker = _Walker(classes, ids, page.flags)
    walker.walk(soup)
    walker.em.flush()
    page.blocks = walker.em.blocks
    page.title = walker.title
    page.links = walker.links
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


def _flag_comments(soup, flags: list[str]) -> None:
    """Comments are never text (the walker skips them); those that say something are flagged."""
    from bs4.element import Comment

    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        text = normalise(str(node))
        meaningful = len(text.split()) >= 4 and not _MARKER_COMMENT.fullmatch(text)
        if meaningful or fl.instruction_flags(text):
            flags.append(fl.flag(fl.HTML_COMMENT, text))


def _lines_of(tag) -> list[str]:
    """All text under ``tag`` (hidden or not), one line per block-level element."""
    from bs4.element import NavigableString, Tag

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name in BLOCK_TAGS or node.name in HEADINGS or node.name in _CELLISH:
                parts.append("\n")
        elif type(node) is NavigableString:
            parts.append(str(node))
    return [x for x in (normalise(p) for p in "".join(parts).split("\n")) if x]


_CELLISH = frozenset({"li", "td", "th", "tr", "br"})
_MAINS = frozenset({"main", "article"})
Verdict = tuple[str | None, tuple[int, int, int] | None]


class _Walker:
    """Walks the tree once, emitting blocks; skips chrome, skips and flags hidden elements."""

    def __init__(self, hidden_classes: set[str], hidden_ids: set[str], flags: list[str]):
        self.hidden_classes = hidden_classes
        self.hidden_ids = hidden_ids
        self.flags = flags
        self.em = _Emitter()
        self.title: str | None = None
        self.links: list[str] = []

    def verdict(self, tag, bg, in_main: bool) -> Verdict:
        """('drop' | 'hidden' | None, background colour for the children)."""
        name = tag.name
        role = str(tag.get("role") or "").strip().lower()
        if name in DROP_TAGS or role in DROP_ROLES or (name in SITE_ONLY_TAGS and not in_main):
            return "drop", bg
        decls = css.declarations(str(tag.get("style") or ""))
        bgcolor = tag.get("bgcolor")
        own_bg = css.background_of(decls, str(bgcolor) if bgcolor else None) or bg
        if name in ("html", "body"):
            return None, own_bg
        if tag.has_attr("hidden") or str(tag.get("aria-hidden", "")).strip().lower() == "true":
            return "hidden", bg
        classes = tag.get("class") or []
        if isinstance(classes, str):
            classes = classes.split()
        if any(c.lower() in css.HIDDEN_CLASSES or c in self.hidden_classes for c in classes):
            return "hidden", bg
        if tag.get("id") in self.hidden_ids:
            return "hidden", bg
        if css.hides(decls):
            return "hidden", bg
        bg = own_bg
        color = decls.get("color") or (str(tag.get("color")) if name == "font" and tag.get("color")
                                       else None)
        fg = css.parse_color(color) if color else None
        if fg is not None and css.same_color(fg, bg):
            return "hidden", bg
        return None, bg

    def skipped(self, tag, verdict: str) -> None:
        if verdict == "hidden":
            lines = [x for x in _lines_of(tag) if not chrome_match(x)]
            if lines:
                self.flags.append(fl.flag(fl.HIDDEN_TEXT, " ".join(lines)))
        elif self.title is None and tag.name in SITE_ONLY_TAGS:
            h1 = tag.find("h1")  # a page title inside the site banner
            if h1 is not None:
                self.title = self.text_of(h1, None, True) or None

    def text_of(self, tag, bg, in_main: bool) -> str:
        """Visible text of an element (iterative: any depth)."""
        from bs4.element import NavigableString, Tag

        parts: list[str] = []
        stack: list = [(tag, bg, in_main)]
        while stack:
            node, bg, in_main = stack.pop()
            if not isinstance(node, Tag):
                if type(node) is NavigableString:
                    parts.append(str(node))
                continue
            if node is not tag:
                verdict, bg = self.verdict(node, bg, in_main)
                if verdict:
                    self.skipped(node, verdict)
                    continue
            if node.name in BLOCK_TAGS or node.name in HEADINGS or node.name in _CELLISH:
                parts.append(" ")
            inner = in_main or node.name in _MAINS
            stack.extend((c, bg, inner) for c in reversed(node.contents))
        return normalise("".join(parts))

    def walk(self, root) -> None:
        """Depth-first over the tree with an explicit stack (any nesting depth)."""
        from bs4.element import NavigableString, Tag

        em = self.em
        # (op, node, list depth, background, inside main/article, extra)
        stack: list = [("enter", c, 0, None, False, None) for c in reversed(root.contents)]
        while stack:
            op, node, depth, bg, in_main, extra = stack.pop()
            if op == "flush":
                em.flush()
                continue
            if op == "end_li":
                em.flush()
                em.kind = extra
                continue
            if op == "end_a":
                buf, start = extra
                anchor = "".join(em.buf[start:]) if buf is em.buf and len(buf) - start <= 5 else "x"
                if not chrome_match(anchor):
                    self.links.append(str(node.get("href")))
                continue
            if not isinstance(node, Tag):
                if type(node) is NavigableString:
                    em.text(str(node))
                continue
            verdict, bg = self.verdict(node, bg, in_main)
            if verdict:
                self.skipped(node, verdict)
                continue
            name = node.name
            in_main = in_main or name in _MAINS
            children = [("enter", c, depth, bg, in_main, None) for c in reversed(node.contents)]
            if name == "br":
                em.text("\n")
            elif name == "h1" and self.title is None:
                em.flush()
                self.title = self.text_of(node, bg, in_main) or None
            elif name in HEADINGS:
                em.flush()
                em.add("heading", self.text_of(node, bg, in_main), max(1, int(name[1]) - 1))
            elif name == "table":
                em.flush()
                self.table(node, bg, in_main)
            elif name in LIST_TAGS:
                em.flush()
                stack.append(("flush", node, depth, bg, in_main, None))
                stack.extend(("enter", c, depth + 1, bg, in_main, None)
                             for c in reversed(node.contents))
            elif name == "li":
                em.flush()
                stack.append(("end_li", node, depth, bg, in_main, em.kind))
                em.kind = ("list_item", max(1, depth), _ordinal(node))
                stack.extend(children)
            elif name in BLOCK_TAGS:
                em.flush()
                stack.append(("flush", node, depth, bg, in_main, None))
                stack.extend(children)
            else:
                if name == "a" and node.get("href") and len(self.links) < 1000:
                    stack.append(("end_a", node, depth, bg, in_main, (em.buf, len(em.buf))))
                stack.extend(children)

    def table(self, table, bg, in_main: bool) -> None:
        """One paragraph per row, cells joined by ' | ' (rows of nested tables stay in cells)."""
        from bs4.element import Tag

        rows = []
        for child in table.contents:
            if not isinstance(child, Tag):
                continue
            verdict, child_bg = self.verdict(child, bg, in_main)
            if verdict:
                self.skipped(child, verdict)
            elif child.name == "caption":
                self.em.add("paragraph", self.text_of(child, child_bg, in_main))
            elif child.name == "tr":
                rows.append((child, child_bg))
            elif child.name in ("thead", "tbody", "tfoot"):
                for tr in child.contents:
                    if isinstance(tr, Tag) and tr.name == "tr":
                        v, tr_bg = self.verdict(tr, child_bg, in_main)
                        if v:
                            self.skipped(tr, v)
                        else:
                            rows.append((tr, tr_bg))
        for row_no, (tr, tr_bg) in enumerate(rows):
            cells = []
            header = row_no == 0 or all(getattr(c, "name", "th") == "th" for c in tr.contents
                                        if getattr(c, "name", None) in ("td", "th"))
            for cell in tr.contents:
                if isinstance(cell, Tag) and cell.name in ("td", "th"):
                    v, cell_bg = self.verdict(cell, tr_bg, in_main)
                    if v:
                        self.skipped(cell, v)
                    elif text := self.text_of(cell, cell_bg, in_main):
                        cells.append(text)
            if cells:
                self.em.add("table_row", " | ".join(cells), 1, "header" if header else None)


def _ordinal(li) -> str | None:
    """The number an <ol> shows for this <li> ("3."), honouring start=; None in other lists."""
    from bs4.element import Tag

    parent = li.parent
    if not isinstance(parent, Tag) or parent.name != "ol":
        return None
    try:
        n = int(parent.get("start", 1))
    except (TypeError, ValueError):
        n = 1
    for sib in li.previous_siblings:
        if isinstance(sib, Tag) and sib.name == "li":
            n += 1
    kind = parent.get("type", "1")
    if kind in ("a", "A") and 1 <= n <= 26:
        letter = chr(ord("a") + n - 1)
        return (letter.upper() if kind == "A" else letter) + "."
    return f"{n}."


class _Emitter:
    """Collects inline text and turns it into blocks of the current kind."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.kind: tuple[str, int, str | None] = ("paragraph", 1, None)

    def text(self, s: str) -> None:
        self.buf.append(s)

    def add(self, kind: str, text: str, level: int = 1, marker: str | None = None) -> None:
        text = normalise(text)
        if text:
            self.blocks.append(Block(kind=kind, text=text, level=max(1, level),  # type: ignore[arg-type]
                                     marker=marker))

    def flush(self) -> None:
        raw, self.buf = "".join(self.buf), []
        if not raw.strip():
            return
        kind, level, marker = self.kind
        lines = [ln.strip() for ln in raw.split("\n") if ln.strip()]
        if kind == "paragraph" and len(lines) > 1 and any(_UNICODE_BULLET.match(x) for x in lines):
            for line in lines:  # saved-text bullets inside one paragraph
                m = BULLET.fullmatch(line)
                if m and _UNICODE_BULLET.match(line):
                    self.add("list_item", m.group("text"), 1)
                else:
                    self.add("paragraph", line)
            return
        self.add(kind, raw, level, marker)

"""What every format hands over (RawPage), and the steps common to all formats.

``finish`` turns a RawPage into a Document: drops chrome blocks, takes out the "Provider Type"
list and the "Last Updated" date, settles title / url / doc id / line of business, and flags
suspicious text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from core import flags as fl
from core.types import Block, Document
from ingest.chrome import LOB_BY_SEGMENT, chrome_match, normalise


class BadInput(Exception):
    """A format parser's complaint; ``reason`` completes "<file>: <reason>"."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass
class RawPage:
    format: str
    blocks: list[Block]
    meta: dict[str, Any] = field(default_factory=dict)  # front matter
    title: str | None = None  # the page's own title element (h1)
    alt_title: str | None = None  # <title>; used when there is no h1
    fallback_title: str | None = None  # e.g. PDF metadata; used before the file name
    url: str | None = None  # canonical link
    links: list[str] = field(default_factory=list)  # hrefs in the body
    flags: list[str] = field(default_factory=list)
    lob_hint: str | None = None


_PROVIDER_TYPE = re.compile(r"provider\s+types?(?:\s*:\s*(?P<inline>.+))?\s*:?", re.IGNORECASE)
_LAST_UPDATED = re.compile(
    r"\blast\s+(?:updated|revised|reviewed|modified)\s*(?:on\s*)?:?\s*(?P<date>\d{1,2}/\d{1,2}/"
    r"\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})",
    re.IGNORECASE,
)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_TITLE_MAX = 300


def finish(page: RawPage, path: Path) -> Document:
    """RawPage -> Document, or BadInput when no body text is left."""
    flags: list[str] = list(page.flags)
    blocks, lob_hints = _clean_blocks(page.blocks, flags)
    if page.lob_hint:
        lob_hints.insert(0, page.lob_hint)

    provider_types = _take_provider_types(blocks) or _meta_list(page.meta, "provider_types")
    page_date = _take_last_updated(blocks)
    last_updated = _meta_date(page.meta.get("last_updated")) or page_date

    title = _meta_str(page.meta, "title") or page.title or page.alt_title
    if title:
        if blocks and blocks[0].kind != "list_item" and _same(blocks[0].text, title):
            blocks.pop(0)
    elif blocks and blocks[0].kind != "list_item" and _title_like(blocks[0].text):
        title = blocks.pop(0).text
    title = normalise(title or page.fallback_title or _humanise(path.stem))[:_TITLE_MAX]
    title = title or path.name

    if not any(b.kind != "heading" for b in blocks):
        raise BadInput(
            "has no body text left after removing site chrome (navigation, search widget, "
            "footer); check that it is a manual page"
        )

    url = _clean_url(_meta_str(page.meta, "url") or page.url, flags)
    lob = (_meta_str(page.meta, "line_of_business") or _lob_from_url(url)
           or (lob_hints[0] if lob_hints else None))

    for text in [title, *(b.text for b in blocks)]:
        flags.extend(fl.find_suspicious(text))
    flags.extend(fl.link_flags(page.links))

    return Document(
        doc_id=page_id(url, path),
        source=str(path),
        format=page.format,  # type: ignore[arg-type]
        title=title,
        url=url,
        last_updated=last_updated,
        line_of_business=lob,
        provider_types=provider_types,
        blocks=blocks,
        flags=fl.unique(flags),
    )


def _clean_blocks(blocks: list[Block], flags: list[str]) -> tuple[list[Block], list[str]]:
    out: list[Block] = []
    hints: list[str] = []
    invisible = False
    for b in blocks:
        text, found = fl.strip_invisible(b.text)
        invisible |= found
        text = normalise(text)
        if not text:
            continue
        hit = chrome_match(text)
        if hit:
            if hit[1]:
                hints.append(hit[1])
            continue
        out.append(Block(kind=b.kind, text=text, level=max(1, min(b.level, 9)), marker=b.marker))
    if invisible:
        flags.append(fl.flag(fl.INVISIBLE_CHARACTERS, "zero-width or bidi-control characters"))
    return out, hints


def _take_provider_types(blocks: list[Block]) -> list[str]:
    """Remove the first "Provider Type" heading + list (or "Provider Type: a, b") from blocks."""
    for i, b in enumerate(blocks):
        if b.kind == "list_item" or len(b.text) > 300:
            continue
        m = _PROVIDER_TYPE.fullmatch(b.text)
        if not m:
            continue
        inline = (m.group("inline") or "").strip()
        if inline:
            if inline.endswith("."):
                continue
            del blocks[i]
            return [t.strip() for t in re.split(r"[,;]", inline) if t.strip()]
        j = i + 1
        while j < len(blocks) and blocks[j].kind == "list_item":
            j += 1
        if j == i + 1:
            continue
        types = [blk.text for blk in blocks[i + 1 : j]]
        del blocks[i:j]
        return types
    return []


def _take_last_updated(blocks: list[Block]) -> str | None:
    """Find "Last Updated: <date>"; drop blocks that say nothing else. ISO date or None."""
    found: str | None = None
    keep: list[Block] = []
    for b in blocks:
        m = _LAST_UPDATED.search(b.text)
        if m:
            found = found or parse_date(m.group("date"))
            rest = (b.text[: m.start()] + b.text[m.end():]).strip(" .;,-|\u2013\u2014")
            if not rest:
                continue
        keep.append(b)
    blocks[:] = keep
    return found


def parse_date(text: str) -> str | None:
    """'12/04/2024', '12/4/24', '2024-12-04', 'December 4, 2024' -> '2024-12-04' (else None)."""
    text = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", text):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", text):
            mo, d, y = int(m[1]), int(m[2]), int(m[3])
            y = y + 2000 if y < 100 else y
        elif m := re.fullmatch(r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})", text):
            mo = _MONTHS.get(m[1][:3].lower(), 0)
            d, y = int(m[2]), int(m[3])
        else:
            return None
        return dt.date(y, mo, d).isoformat()
    except (ValueError, OverflowError):
        return None


def _meta_date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) < 64:
        return parse_date(value)
    return None


def _meta_str(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float, dt.date)):
        text = normalise(str(value))[:2000]
        return text or None
    return None


def _meta_list(meta: dict[str, Any], key: str) -> list[str]:
    value = meta.get(key)
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [normalise(str(v)) for v in value[:100] if isinstance(v, (str, int)) and str(v).strip()]


def _same(a: str, b: str) -> bool:
    return normalise(a).casefold() == normalise(b).casefold()


def _title_like(text: str) -> bool:
    return len(text) <= 150 and len(text.split()) <= 20


def _humanise(stem: str) -> str:
    return normalise(re.sub(r"[-_]+", " ", stem)).capitalize()


def _clean_url(raw: str | None, flags: list[str]) -> str | None:
    """Keep only absolute http(s) URLs; flag others and foreign hosts."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        parts = urlsplit(raw)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and len(raw) < 2000
    except ValueError:
        ok = False
    if not ok:
        flags.append(fl.flag(fl.UNSAFE_LINK, f"page url {raw}"))
        return None
    if not fl.is_health_net_host(parts.hostname or ""):
        flags.append(fl.flag(fl.EXTERNAL_LINK, f"page url {parts.hostname}"))
    return raw


# Path segments under which the manual's pages live; a page id is the path below them.
MANUAL_ROOTS = ("provider-manual",)


def _lob_from_url(url: str | None) -> str | None:
    if not url:
        return None
    for segment in urlsplit(url).path.lower().split("/"):
        if segment in LOB_BY_SEGMENT:
            return LOB_BY_SEGMENT[segment]
    return None


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120].strip("-")


def page_id(url: str | None, path: Path) -> str:
    """A page id unique for every URL of the site: the URL's path below the manual's root
    (``.../provider-manual/``), or the whole path, without the file extension. Four pages
    called ``overview.html`` in different folders get four ids."""
    if url:
        segments = [s for s in urlsplit(url).path.split("/") if s]
        for root in MANUAL_ROOTS:
            if root in segments:
                segments = segments[segments.index(root) + 1:] or segments
                break
        if segments:
            last = segments[-1]
            if re.search(r"\.[A-Za-z0-9]{1,5}$", last):
                segments[-1] = last.rsplit(".", 1)[0]
            slugs = [slug for s in segments if (slug := slugify(s))]
            if slugs:
                return "/".join(slugs)
    return slugify(path.stem) or "doc-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]

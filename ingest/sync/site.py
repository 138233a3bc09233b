"""robots.txt (protego) and sitemaps (the standard library's XML parser) of the manual's site."""

from __future__ import annotations

import gzip
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from protego import Protego

MAX_SITEMAP_BYTES = 50_000_000  # the sitemap protocol's own limit (uncompressed)
MAX_SITEMAPS = 50  # sitemap files read per sync (an index and its children)


class Robots:
    """What robots.txt allows our user agent (everything when the site has none)."""

    def __init__(self, text: str | None, user_agent: str):
        self.agent = user_agent.split("/")[0].split()[0] if user_agent.strip() else "*"
        self._rules = Protego.parse(text) if text else None

    def allowed(self, url: str) -> bool:
        return self._rules is None or self._rules.can_fetch(url, self.agent)

    @property
    def delay(self) -> float | None:
        if self._rules is None:
            return None
        value = self._rules.crawl_delay(self.agent)
        return float(value) if value is not None else None

    @property
    def sitemaps(self) -> list[str]:
        return list(self._rules.sitemaps) if self._rules is not None else []


@dataclass
class Sitemap:
    pages: list[str] = field(default_factory=list)  # <urlset> locations, in order
    children: list[str] = field(default_factory=list)  # <sitemapindex> locations


def parse_sitemap(data: bytes) -> Sitemap:
    """A sitemap (urlset or sitemapindex; gzip allowed) -> its locations. ValueError when it is
    not a sitemap. The parser resolves no external entities."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_SITEMAP_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise ValueError(f"a broken gzip file ({exc})") from None
    if len(data) > MAX_SITEMAP_BYTES:
        raise ValueError(f"larger than {MAX_SITEMAP_BYTES:,} bytes")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"root element <{kind}> is neither <urlset> nor <sitemapindex>")
    out = Sitemap()
    target = out.pages if kind == "urlset" else out.children
    for entry in root:
        for child in entry:
            if _local(child.tag) == "loc" and child.text and child.text.strip():
                target.append(child.text.strip())
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]

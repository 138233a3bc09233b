"""Which URLs belong to the manual: the start URL's host and path prefix, normalised."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from core.errors import ConfigError

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}


def normalise(url: str, base: str | None = None) -> str | None:
    """An absolute http(s) URL without fragment, host lower-cased, default port and dot
    segments removed; None for anything else (mailto:, javascript:, malformed)."""
    try:
        url = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if port and not (scheme, port) in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if "." in path:  # /a/./b/../c -> /a/c, keeping a trailing slash
        trailing = path.endswith("/")
        path = posixpath.normpath(path)
        path = "/" if path in (".", "//") else path
        if trailing and not path.endswith("/"):
            path += "/"
    return urlunsplit((scheme, host, path, parts.query, ""))


def page_kind(url: str) -> str | None:
    """'html', 'pdf' or None (an image, a Word file, ...) judged by the URL's last segment."""
    last = urlsplit(url).path.rsplit("/", 1)[-1]
    if "." not in last:
        return "html"  # /folder/ or an extension-less page
    return PAGE_SUFFIXES.get("." + last.rsplit(".", 1)[1].lower())


@dataclass(frozen=True)
class Scope:
    """Pages below the start URL's folder, on its scheme and host."""

    start: str
    origin: str  # scheme://host[:port]
    prefix: str  # path prefix, ending with '/'

    @classmethod
    def of(cls, url: str) -> Scope:
        start = normalise(url or "")
        if start is None:
            raise ConfigError(
                f"Cannot sync from {url!r}: give the manual's http(s) start URL, e.g. "
                "https://providerlibrary.healthnetcalifornia.com/medi-cal/provider-manual/ "
                "(or set PMA_SYNC__URL).")
        parts = urlsplit(start)
        prefix = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
        return cls(start=start, origin=f"{parts.scheme}://{parts.netloc}", prefix=prefix)

    def contains(self, url: str) -> bool:
        parts = urlsplit(url)
        return (f"{parts.scheme}://{parts.netloc}" == self.origin
                and parts.path.startswith(self.prefix))

    def same_site(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    @property
    def robots_url(self) -> str:
        return self.origin + "/robots.txt"

    @property
    def sitemap_url(self) -> str:
        return self.origin + "/sitemap.xml"

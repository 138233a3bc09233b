"""The local mirror of the live manual: one file per page under ``pages/`` and a manifest.

``manifest.json`` holds, per URL: where the copy is, the validators of the last answer (ETag,
Last-Modified), the sha256 of the bytes, when it was fetched and checked, the last status, how
many syncs in a row it was gone or failing, its links (so an unchanged page needs no parsing)
and, once indexed, its page id and when its text last changed. Files and the manifest are
written atomically (temp file + rename), so a crash leaves either the old or the new copy.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from core.files import atomic_write

MANIFEST = "manifest.json"
PAGES = "pages"  # what the ingest reads
SITE = "site"  # robots.txt and sitemaps, kept for conditional requests
VERSION = 1
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Entry:
    url: str
    kind: str | None = None  # "html" | "pdf"
    file: str | None = None  # path below pages/ (None: no copy)
    etag: str | None = None
    last_modified: str | None = None
    hash: str | None = None  # sha256 of the fetched bytes
    fetched_at: str | None = None  # last 200
    checked_at: str | None = None  # last request with an answer
    status: int | None = None  # last HTTP status (0: no answer)
    consecutive_gone: int = 0  # syncs in a row answering 404/410 or moved away
    consecutive_failures: int = 0  # syncs in a row failing (5xx, timeouts) after retries
    error: str | None = None
    moved_to: str | None = None  # redirect target, or the canonical URL of an alias
    canonical: str | None = None  # the page's own canonical link, when it has one
    links: list[str] = field(default_factory=list)  # in-scope links of the page
    doc_id: str | None = None  # page id in the index
    changed_at: str | None = None  # when the indexed text last changed (added or edited)
    change: str | None = None  # "added" | "changed": what happened at changed_at

    @classmethod
    def from_json(cls, data: dict) -> Entry:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Mirror:
    """The mirror folder: pages, site files and the manifest (not thread-safe: one writer)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.pages = self.root / PAGES
        self.entries: dict[str, Entry] = {}
        self.site: dict[str, Entry] = {}
        self.meta: dict[str, str] = {}  # e.g. the index generation the last sync produced
        path = self.root / MANIFEST
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            self.meta = dict(data.get("meta") or {})
            self.entries = {e["url"]: Entry.from_json(e) for e in data.get("pages", [])}
            self.site = {e["url"]: Entry.from_json(e) for e in data.get("site", [])}

    def entry(self, url: str) -> Entry:
        return self.entries.setdefault(url, Entry(url=url))

    def path_of(self, entry: Entry) -> Path | None:
        return self.pages / entry.file if entry.file else None

    def has_copy(self, entry: Entry | None) -> bool:
        """The entry's file is on disk (a conditional request only makes sense then)."""
        return bool(entry and entry.file and (self.pages / entry.file).is_file())

    # -- pages ----------------------------------------------------------------------------------
    def store(self, entry: Entry, body: bytes, kind: str, has_canonical: bool = True) -> Path:
        """Save a fetched page; HTML without a canonical link gets one naming its URL (the
        loader takes the page's URL, and so its page id, from it); a PDF gets a ``.url``
        sidecar. The entry's hash is of the bytes as fetched."""
        if entry.file is None or entry.kind != kind:
            self._remove_file(entry)
            entry.file = self._free_name(entry.url, kind)
        entry.kind = kind
        path = self.pages / entry.file
        data = body if kind != "html" or has_canonical else with_canonical(body, entry.url)
        atomic_write(path, data)
        sidecar = _sidecar(path)
        if kind == "pdf":
            atomic_write(sidecar, f"[InternetShortcut]\nURL={entry.url}\n".encode())
        elif sidecar.exists():
            sidecar.unlink()
        return path

    def drop(self, url: str) -> None:
        """Forget a page: its copy (and sidecar) and its manifest entry."""
        entry = self.entries.pop(url, None)
        if entry is not None:
            self._remove_file(entry)

    def _remove_file(self, entry: Entry) -> None:
        if entry.file:
            path = self.pages / entry.file
            for p in (path, _sidecar(path)):
                p.unlink(missing_ok=True)
            _prune_empty(path.parent, self.pages)
        entry.file = None

    def _free_name(self, url: str, kind: str) -> str:
        """pages/<host>/<path> for a URL (index.html for a folder URL, the kind's extension
        added when missing); a hash suffix when another URL already has that name."""
        parts = urlsplit(url)
        segments = [_SAFE.sub("_", unquote(s)).strip(".") or "_"
                    for s in parts.path.split("/") if s]
        if parts.path.endswith("/") or not segments:
            segments.append("index")
        stem, ext = os.path.splitext(segments[-1])
        wanted = ".pdf" if kind == "pdf" else (ext.lower() if ext.lower() in (".html", ".htm")
                                              else ".html")
        if ext.lower() != wanted:
            stem = segments[-1]
        if parts.query:
            stem += "-" + hashlib.sha1(parts.query.encode()).hexdigest()[:8]
        host = _SAFE.sub("_", parts.netloc)
        name = "/".join([host, *segments[:-1], stem + wanted])
        taken = {e.file for e in self.entries.values() if e.file and e.url != url}
        if name in taken:
            name = "/".join([host, *segments[:-1],
                             f"{stem}-{hashlib.sha1(url.encode()).hexdigest()[:8]}{wanted}"])
        return name

    # -- robots.txt and sitemaps ----------------------------------------------------------------
    def site_entry(self, url: str) -> Entry:
        return self.site.setdefault(url, Entry(url=url))

    def site_body(self, entry: Entry) -> bytes | None:
        if not entry.file:
            return None
        try:
            return (self.root / SITE / entry.file).read_bytes()
        except OSError:
            return None

    def store_site(self, entry: Entry, body: bytes) -> None:
        entry.file = entry.file or hashlib.sha1(entry.url.encode()).hexdigest()[:16]
        atomic_write(self.root / SITE / entry.file, body)

    # -- manifest -------------------------------------------------------------------------------
    def save(self) -> None:
        data = {
            "version": VERSION,
            "meta": self.meta,
            "pages": [dataclasses.asdict(e) for e in sorted(self.entries.values(),
                                                           key=lambda e: e.url)],
            "site": [dataclasses.asdict(e) for e in self.site.values()],
        }
        atomic_write(self.root / MANIFEST,
                     json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))

    def by_source(self) -> dict[str, Entry]:
        """Resolved file path -> entry (how the index's ``source`` maps back to a URL)."""
        return {str((self.pages / e.file).resolve()): e for e in self.entries.values() if e.file}


def with_canonical(body: bytes, url: str) -> bytes:
    """The page with ``<link rel="canonical" href=url>`` added at the start of its head."""
    tag = f'<link rel="canonical" href="{escape(url, quote=True)}">'.encode()
    m = re.search(rb"<head\b[^>]*>", body[:65536], re.IGNORECASE)
    if m:
        return body[:m.end()] + tag + body[m.end():]
    return tag + body


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".url")


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent

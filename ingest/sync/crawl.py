"""Crawl the live manual into the mirror: scope, robots.txt, sitemap, conditional requests,
politeness (pacing, a few connections), limits (pages, bytes, time) and what each answer means
for the mirrored copy.

Only the fetching runs in worker threads; every decision and every write to the mirror is made
in the calling thread, one answer at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from core.errors import AssistantError
from core.settings import SyncSettings
from ingest.sync.fetch import REDIRECTS, Fetcher, Response
from ingest.sync.mirror import Entry, Mirror, sha256
from ingest.sync.scope import Scope, normalise, page_kind
from ingest.sync.site import MAX_SITEMAPS, Robots, parse_sitemap

log = logging.getLogger(__name__)

GONE = (404, 410)
HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPES = ("application/pdf", "application/x-pdf")
SAVE_EVERY = 100  # answers between two saves of the manifest (crash safety of the crawl)


class SyncError(AssistantError):
    """The sync could not start or had to stop; the mirror and the index are as they were."""


@dataclass
class CrawlResult:
    requests: int = 0
    pages_checked: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    not_modified: int = 0  # 304
    same_bytes: int = 0  # 200 with the bytes we already had
    gone: list[tuple[str, int]] = field(default_factory=list)  # (url, syncs gone in a row)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped_robots: list[str] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)  # followed (in scope)
    left_scope: list[tuple[str, str]] = field(default_factory=list)  # not followed
    not_pages: list[tuple[str, str]] = field(default_factory=list)  # (url, content type)
    outside_links: int = 0  # distinct links leaving the manual (not followed)
    sitemap_urls: int = 0
    unvisited: int = 0  # pages left for the next sync by a limit
    limits: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Crawler:
    def __init__(self, scope: Scope, mirror: Mirror, settings: SyncSettings,
                 fetcher: Fetcher | None = None):
        self.scope, self.mirror, self.settings = scope, mirror, settings
        self.started = time.monotonic()
        self.deadline = self.started + settings.max_seconds
        self.fetcher = fetcher or Fetcher(settings, deadline=self.deadline)
        self.result = CrawlResult()
        self.robots = Robots(None, settings.user_agent)
        self._queue: deque[str] = deque()
        self._seen: set[str] = set()
        self._outside: set[str] = set()
        self._canonical_of: dict[str, str] = {}

    # -- the whole crawl --------------------------------------------------------------------------
    def run(self) -> CrawlResult:
        try:
            self.robots = self._read_robots()
            if self.robots.delay:
                self.fetcher.set_delay(self.robots.delay)
            if not self.robots.allowed(self.scope.start):
                raise SyncError(f"robots.txt of {self.scope.origin} does not allow "
                                f"{self.settings.user_agent.split('/')[0]} to read "
                                f"{self.scope.start}; nothing was synced.")
            self._add(self.scope.start)
            if self.settings.use_sitemap:
                for url in self._sitemap_pages():
                    self.result.sitemap_urls += 1
                    self._add(url)
            for url in list(self.mirror.entries):
                self._add(url)
            self._crawl()
        finally:
            self.fetcher.close()
            self.result.requests = self.fetcher.requests
            self.result.seconds = time.monotonic() - self.started
            self.mirror.save()
        return self.result

    def _add(self, url: str | None) -> None:
        if url is None or url in self._seen:
            return
        if not self.scope.contains(url):
            if url not in self._outside:
                self._outside.add(url)
                self.result.outside_links += 1
            return
        if page_kind(url) is None:
            return
        self._seen.add(url)
        self._queue.append(url)

    def _crawl(self) -> None:
        pending: dict[Future, str] = {}
        done_since_save = 0
        with ThreadPoolExecutor(self.settings.connections, thread_name_prefix="sync") as pool:
            while self._queue or pending:
                while self._queue and len(pending) < self.settings.connections:
                    if not self._may_start():
                        self.result.unvisited += len(self._queue)
                        self._queue.clear()
                        break
                    url = self._queue.popleft()
                    if not self.robots.allowed(url):
                        self.result.skipped_robots.append(url)
                        continue
                    entry = self.mirror.entries.get(url)
                    have = self.mirror.has_copy(entry)  # no copy: ask for the whole page
                    self.result.pages_checked += 1
                    pending[pool.submit(
                        self.fetcher.get, url, etag=entry.etag if have else None,
                        last_modified=entry.last_modified if have else None,
                        follow=lambda u: False)] = url
                if not pending:
                    continue
                finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
                for fut in finished:
                    url = pending.pop(fut)
                    try:
                        self._handle(fut.result())
                    except Exception as exc:
                        log.exception("sync: handling %s failed", url)
                        self.result.failed.append((url, f"{type(exc).__name__}: {exc}"))
                    done_since_save += 1
                    if done_since_save >= SAVE_EVERY:
                        self.mirror.save()
                        done_since_save = 0

    def _may_start(self) -> bool:
        if time.monotonic() >= self.deadline:
            self._limit(f"time limit of {self.settings.max_seconds:g} s (PMA_SYNC__MAX_SECONDS)")
            return False
        if self.result.pages_checked >= self.settings.max_pages:
            self._limit(f"page limit of {self.settings.max_pages} (PMA_SYNC__MAX_PAGES)")
            return False
        return True

    def _limit(self, what: str) -> None:
        if what not in self.result.limits:
            self.result.limits.append(what)

    # -- one answer ---------------------------------------------------------------------------------
    def _handle(self, resp: Response) -> None:
        url, r = resp.url, self.result
        entry = self.mirror.entry(url)
        if resp.status in REDIRECTS:
            target = resp.redirected_to
            if target and self.scope.contains(target):
                r.redirects.append((url, target))
                self._add(target)
            else:
                r.left_scope.append((url, target or "(no Location)"))
            entry.moved_to = target
            return self._gone(entry, resp.status)
        if resp.status in GONE:
            return self._gone(entry, resp.status)
        if resp.error or resp.status != 200 and resp.status != 304:
            reason = resp.error or f"HTTP {resp.status}"
            entry.consecutive_failures += 1
            entry.error, entry.status = reason, resp.status
            r.failed.append((url, reason + (" - the mirrored copy is kept" if entry.file else "")))
            return
        entry.checked_at, entry.status, entry.error = now_iso(), resp.status, None
        entry.consecutive_gone = entry.consecutive_failures = 0
        if resp.status == 304:
            if not self.mirror.has_copy(entry):  # a 304 without a copy: ask again next time
                entry.etag = entry.last_modified = None
                r.failed.append((url, "answered 304 Not Modified but there is no copy"))
                return
            r.not_modified += 1
            self._follow(entry)
            return
        self._fetched(entry, resp)

    def _fetched(self, entry: Entry, resp: Response) -> None:
        r = self.result
        ctype = resp.content_type
        kind = "pdf" if ctype in PDF_TYPES else "html" if ctype in HTML_TYPES else None
        if kind is None and not ctype:
            kind = page_kind(entry.url)
        if kind is None:
            r.not_pages.append((entry.url, ctype))
            return self._gone(entry, resp.status)
        entry.etag, entry.last_modified = resp.etag, resp.last_modified
        body = resp.body or b""
        digest = sha256(body)
        if digest == entry.hash and entry.kind == kind and self.mirror.has_copy(entry):
            r.same_bytes += 1
            return self._follow(entry)
        canonical, links = (None, []) if kind == "pdf" else page_links(body, entry.url)
        canonical = normalise(canonical, base=entry.url) if canonical else None
        entry.links = sorted({u for u in links if self.scope.contains(u)})
        for u in links:
            self._add(u)
        if canonical and canonical != entry.url and self.scope.contains(canonical):
            entry.moved_to = canonical  # an alias (e.g. /folder/ of /folder/index.html)
            self._add(canonical)
            return self._gone(entry, resp.status)
        key = canonical or entry.url
        if key in self._canonical_of and self._canonical_of[key] != entry.url:
            r.notes.append(f"{entry.url} is the same page as {self._canonical_of[key]}; "
                           "kept once")
            return self._gone(entry, resp.status)
        self._canonical_of[key] = entry.url
        entry.canonical = canonical
        (r.updated if self.mirror.has_copy(entry) else r.added).append(entry.url)
        self.mirror.store(entry, body, kind, has_canonical=canonical is not None)
        entry.hash, entry.fetched_at, entry.moved_to = digest, now_iso(), None

    def _follow(self, entry: Entry) -> None:
        """An unchanged page: its links as recorded (no parsing)."""
        for u in entry.links:
            self._add(u)

    def _gone(self, entry: Entry, status: int) -> None:
        """404/410, moved away or no longer a page: the copy goes after ``gone_after`` syncs
        in a row."""
        entry.status, entry.checked_at, entry.error = status, now_iso(), None
        entry.consecutive_gone += 1
        entry.consecutive_failures = 0
        if entry.file is None:
            if entry.consecutive_gone >= self.settings.gone_after and not entry.moved_to:
                self.mirror.drop(entry.url)
            return
        if entry.consecutive_gone >= self.settings.gone_after:
            self.mirror.drop(entry.url)
            self.result.removed.append(entry.url)
        else:
            self.result.gone.append((entry.url, entry.consecutive_gone))

    # -- robots.txt and sitemaps --------------------------------------------------------------------
    def _read_robots(self) -> Robots:
        body = self._site_file(self.scope.robots_url)
        if body is _UNREACHABLE:
            raise SyncError(
                f"Cannot read {self.scope.robots_url} ({self._last_error}); a crawler must not "
                "go on without it. Nothing was synced; try again later.")
        text = body.decode("utf-8", "replace") if body else None
        return Robots(text, self.settings.user_agent)

    def _sitemap_pages(self) -> list[str]:
        todo = [u for u in (normalise(s) for s in self.robots.sitemaps) if u
                and self.scope.same_site(u)] or [self.scope.sitemap_url]
        pages, read = [], 0
        while todo and read < MAX_SITEMAPS and time.monotonic() < self.deadline:
            url = todo.pop(0)
            if not self.robots.allowed(url):
                continue
            read += 1
            body = self._site_file(url)
            if not body or body is _UNREACHABLE:
                if body is _UNREACHABLE:
                    self.result.notes.append(f"sitemap {url} could not be read "
                                             f"({self._last_error}); links were followed")
                continue
            try:
                found = parse_sitemap(body)
            except ValueError as exc:
                self.result.notes.append(f"sitemap {url} ignored: {exc}")
                continue
            todo += [u for u in (normalise(c) for c in found.children) if u
                     and self.scope.same_site(u)]
            pages += [u for u in (normalise(p) for p in found.pages) if u]
        return pages

    _last_error = ""

    def _site_file(self, url: str):
        """robots.txt or a sitemap, conditionally: its bytes, None when the site has none
        (4xx), or _UNREACHABLE (5xx, timeouts after retries)."""
        entry = self.mirror.site_entry(url)
        cached = self.mirror.site_body(entry)
        resp = self.fetcher.get(url, etag=entry.etag if cached is not None else None,
                                last_modified=entry.last_modified if cached is not None else None,
                                follow=self.scope.same_site)
        entry.status, entry.checked_at = resp.status, now_iso()
        if resp.status == 304 and cached is not None:
            return cached
        if resp.status == 200 and not resp.error:
            entry.etag, entry.last_modified = resp.etag, resp.last_modified
            entry.hash, entry.fetched_at = sha256(resp.body or b""), now_iso()
            self.mirror.store_site(entry, resp.body or b"")
            return resp.body or b""
        if 400 <= resp.status < 500 and not resp.error:
            return None
        self._last_error = resp.error or f"HTTP {resp.status}"
        return _UNREACHABLE


_UNREACHABLE = object()


def page_links(body: bytes, url: str) -> tuple[str | None, list[str]]:
    """(canonical link, absolute links) of an HTML page, resolved against <base href>."""
    from bs4 import BeautifulSoup

    from ingest.formats.text import decode

    soup = BeautifulSoup(decode(body), "html.parser")
    base = url
    tag = soup.find("base", href=True)
    if tag is not None:
        base = normalise(str(tag["href"]), base=url) or url
    canonical = None
    for link in soup.find_all("link", href=True):
        rel = link.get("rel") or []
        rel = rel.split() if isinstance(rel, str) else rel
        if "canonical" in [x.lower() for x in rel]:
            canonical = str(link["href"]).strip() or None
            break
    links = []
    for a in soup.find_all(["a", "area"], href=True):
        u = normalise(str(a["href"]), base=base)
        if u:
            links.append(u)
    return canonical, list(dict.fromkeys(links))

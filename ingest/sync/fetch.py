"""HTTP for the sync: httpx with polite pacing, conditional requests, size limits, redirects
kept in scope, and tenacity retries (timeouts, dropped connections, 429, 5xx; Retry-After is
honoured)."""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from core.settings import SyncSettings
from ingest.sync.scope import normalise

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5


@dataclass
class Response:
    """What one GET came to, after retries and in-scope redirects."""

    url: str  # as asked
    final_url: str  # after the redirects that were followed
    status: int  # HTTP status; 0 when no response came at all
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes | None = None  # only for 200
    error: str | None = None  # why the page could not be fetched (after retries)
    redirected_to: str | None = None  # a redirect that was not followed (out of scope)
    attempts: int = 1

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class _Retryable(Exception):
    """A 429 or 5xx answer: worth another try (after ``retry_after`` seconds when given)."""

    def __init__(self, status: int, retry_after: float | None, headers: dict[str, str]):
        self.status, self.retry_after, self.headers = status, retry_after, headers
        super().__init__(f"HTTP {status}")


class _TooBig(Exception):
    pass


class Pacer:
    """Spaces the starts of requests by ``delay`` seconds across all connections; a 429 with
    Retry-After holds every connection back, not only the one that got it."""

    def __init__(self, delay: float, clock: Callable[[], float] = time.monotonic):
        self.delay = delay
        self._clock = clock
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.delay
        if start > now:
            time.sleep(start - now)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class Fetcher:
    """GET with the sync's manners. ``follow(url)`` says whether a redirect target may be
    followed (the crawl allows only in-scope, robots-allowed targets)."""

    def __init__(self, settings: SyncSettings, deadline: float | None = None,
                 client: httpx.Client | None = None):
        self.settings = settings
        self.deadline = deadline
        self.pacer = Pacer(settings.delay_s)
        self.requests = 0
        self._count_lock = threading.Lock()
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.connections,
                                max_keepalive_connections=settings.connections),
        )

    def close(self) -> None:
        self.client.close()

    def set_delay(self, seconds: float) -> None:
        self.pacer.delay = max(self.settings.delay_s, seconds)

    # -- one URL, redirects included ------------------------------------------------------------
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            follow: Callable[[str], bool] = lambda u: True) -> Response:
        current, attempts = url, 0
        for _ in range(MAX_REDIRECTS + 1):
            headers = {}
            if current == url and etag:
                headers["If-None-Match"] = etag
            if current == url and last_modified:
                headers["If-Modified-Since"] = last_modified
            resp = self._with_retries(current, headers)
            attempts += resp.attempts
            resp.url, resp.attempts = url, attempts
            if resp.status not in REDIRECTS:
                resp.final_url = current
                return resp
            target = normalise(resp.headers.get("location", ""), base=current)
            if target is None or not follow(target):
                resp.final_url, resp.redirected_to = current, target or resp.headers.get(
                    "location")
                return resp
            current = target
        return Response(url, current, 0, error=f"more than {MAX_REDIRECTS} redirects")

    # -- retries ----------------------------------------------------------------------------------
    def _with_retries(self, url: str, headers: dict[str, str]) -> Response:
        retrying = Retrying(
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            stop=self._stop, wait=self._wait, reraise=True)
        try:
            resp = retrying(self._once, url, headers)
            resp.attempts = retrying.statistics.get("attempt_number", 1)
            return resp
        except _Retryable as exc:
            why = f"HTTP {exc.status}"
            if exc.retry_after is not None and exc.retry_after > self.settings.max_retry_after_s:
                why += f" asking to wait {exc.retry_after:.0f} s (over the limit)"
            return Response(url, url, exc.status, exc.headers, error=why + _tries(retrying),
                            attempts=retrying.statistics.get("attempt_number", 1))
        except httpx.TransportError as exc:
            why = "timed out" if isinstance(exc, httpx.TimeoutException) else \
                f"connection failed ({type(exc).__name__})"
            return Response(url, url, 0, error=why + _tries(retrying),
                            attempts=retrying.statistics.get("attempt_number", 1))
        except _TooBig:
            return Response(url, url, 200, error=f"larger than {self.settings.max_page_bytes:,} "
                            "bytes (PMA_SYNC__MAX_PAGE_BYTES)")

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number > self.settings.retries:
            return True
        exc = state.outcome.exception() if state.outcome else None
        wait = self._wait(state)
        if isinstance(exc, _Retryable) and exc.retry_after is not None \
                and exc.retry_after > self.settings.max_retry_after_s:
            return True  # asked to come back later than we wait: next sync
        return self.deadline is not None and time.monotonic() + wait > self.deadline

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        base = self.settings.backoff_s * 2 ** (state.attempt_number - 1)
        return base + random.uniform(0, self.settings.backoff_s / 2)

    # -- one request --------------------------------------------------------------------------
    def _once(self, url: str, headers: dict[str, str]) -> Response:
        self.pacer.wait()
        with self._count_lock:
            self.requests += 1
        with self.client.stream("GET", url, headers=headers) as r:
            got = {k.lower(): v for k, v in r.headers.items()}
            if r.status_code == 429 or r.status_code >= 500:
                retry_after = retry_after_seconds(got.get("retry-after"))
                if retry_after is not None and r.status_code in (429, 503) \
                        and retry_after <= self.settings.max_retry_after_s:
                    self.pacer.hold(retry_after)  # every connection waits, not only this one
                raise _Retryable(r.status_code, retry_after, got)
            body = None
            if r.status_code == 200:
                declared = int(got.get("content-length") or 0)
                if declared > self.settings.max_page_bytes:
                    raise _TooBig()
                parts, size = [], 0
                for part in r.iter_bytes():
                    size += len(part)
                    if size > self.settings.max_page_bytes:
                        raise _TooBig()
                    parts.append(part)
                body = b"".join(parts)
            return Response(url, url, r.status_code, got, body)


def _tries(retrying: Retrying) -> str:
    n = retrying.statistics.get("attempt_number", 1)
    return f" ({n} tries)" if n > 1 else ""

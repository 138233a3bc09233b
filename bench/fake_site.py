"""A local web site for the sync tests and bench: real HTTP on 127.0.0.1 in a thread, serving
the pages of a folder (tests/sync_site/ in the tests) or pages put in by the caller, with ETag /
Last-Modified and 304s, and scripted misbehaviour: one-off answers (429 with Retry-After, 500),
pages that always fail, redirects, removals and edits. Every request is logged with its headers
and the answer sent."""

from __future__ import annotations

import email.utils
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
         ".xml": "application/xml", ".txt": "text/plain; charset=utf-8"}
SERVED = ("medi-cal", "robots.txt", "sitemap.xml")  # what of a loaded folder is on the site


@dataclass
class Resource:
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: float | None = None  # epoch seconds


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int  # 0 until answered
    at: float = field(default_factory=time.monotonic)  # arrival

    @property
    def conditional(self) -> bool:
        return "if-none-match" in self.headers or "if-modified-since" in self.headers


class LocalSite:
    """The site; ``root``: a folder whose pages are served from the start (None: empty)."""

    def __init__(self, root: Path | None = None):
        self.root = root
        self.resources: dict[str, Resource] = {}
        self.once: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.always: dict[str, int] = {}
        self.redirects: dict[str, tuple[int, str]] = {}
        self.hits: list[Hit] = []
        self.latency = 0.0  # seconds every answer takes
        self.in_flight = 0
        self.max_in_flight = 0  # most requests served at once
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._base = ""

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> LocalSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def setup(self) -> None:
                super().setup()  # headers and body go out in two writes: no Nagle delay
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                with site._lock:
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                hit = Hit(self.path.split("?", 1)[0],
                          {k.lower(): v for k, v in self.headers.items()}, 0)
                with site._lock:
                    site.hits.append(hit)  # logged on arrival; status set when answered
                try:
                    if site.latency:
                        time.sleep(site.latency)
                    site._serve(self, hit)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)
                finally:
                    with site._lock:
                        site.in_flight -= 1

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._base = f"http://127.0.0.1:{self._server.server_port}"
        if self.root is not None:
            self.load(self.root)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base(self) -> str:
        """http://127.0.0.1:<port> (still known after stop(), for checking what happened)."""
        assert self._base, "start() the site first"
        return self._base

    def url(self, path: str) -> str:
        return self.base + path

    # -- content ------------------------------------------------------------------------------
    def load(self, root: Path) -> None:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_file() and rel.split("/")[0] in SERVED:
                self.put("/" + rel, path.read_bytes())

    def put(self, path: str, body: bytes | str, content_type: str | None = None, *,
            etag: bool = True, last_modified: float | None = None) -> None:
        if isinstance(body, str):
            body = body.encode()
        body = body.replace(b"{base}", self.base.encode())
        ctype = content_type or TYPES.get(Path(path).suffix, "application/octet-stream")
        tag = f'"{hashlib.sha1(body).hexdigest()[:16]}"' if etag else None
        with self._lock:
            self.resources[path] = Resource(body, ctype, tag, last_modified)

    def remove(self, path: str) -> None:
        with self._lock:
            self.resources.pop(path, None)

    def answer_once(self, path: str, status: int, headers: dict[str, str] | None = None) -> None:
        """The next request of ``path`` gets ``status`` (queued after earlier ones)."""
        with self._lock:
            self.once.setdefault(path, []).append((status, headers or {}))

    def fail_always(self, path: str, status: int = 503) -> None:
        with self._lock:
            self.always[path] = status

    def heal(self, path: str) -> None:
        with self._lock:
            self.always.pop(path, None)

    def redirect(self, path: str, location: str, status: int = 301) -> None:
        with self._lock:
            self.redirects[path] = (status, location)

    def hits_of(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def page_hits(self) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path not in ("/robots.txt", "/sitemap.xml")]

    def clear_log(self) -> None:
        with self._lock:
            self.hits.clear()

    # -- serving ------------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler, hit: Hit) -> None:
        path, headers = hit.path, hit.headers
        with self._lock:
            scripted = self.once.get(path, [])
            special = scripted.pop(0) if scripted else None
            status_always = self.always.get(path)
            redirect = self.redirects.get(path)
            res = self.resources.get(path + "index.html" if path.endswith("/") else path)
        if special is not None:
            return self._send(h, hit, special[0], b"scripted", special[1])
        if status_always is not None:
            return self._send(h, hit, status_always, b"failing", {})
        if redirect is not None:
            return self._send(h, hit, redirect[0], b"", {"Location": redirect[1]})
        if res is None:
            return self._send(h, hit, 404, b"not found", {})
        out = {"Content-Type": res.content_type}
        if res.etag:
            out["ETag"] = res.etag
        if res.last_modified is not None:
            out["Last-Modified"] = email.utils.formatdate(res.last_modified, usegmt=True)
        if self._not_modified(res, headers):
            return self._send(h, hit, 304, b"", out)
        self._send(h, hit, 200, res.body, out)

    @staticmethod
    def _not_modified(res: Resource, headers: dict[str, str]) -> bool:
        if "if-none-match" in headers:
            return res.etag is not None and headers["if-none-match"] == res.etag
        since = headers.get("if-modified-since")
        if since and res.last_modified is not None:
            try:
                when = email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
            return int(res.last_modified) <= when
        return False

    def _send(self, h, hit: Hit, status: int, body: bytes, headers: dict[str, str]) -> None:
        hit.status = status
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        if status != 304:
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if status != 304:
            h.wfile.write(body)

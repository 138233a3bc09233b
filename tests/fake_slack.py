"""A local fake of the Slack Web API for tests: real HTTP on 127.0.0.1, in a thread.

It answers ``auth.test``, keeps the messages of each conversation (so ``conversations.replies``
returns what was posted in a thread, the bot's replies included), records every call
(``chat.postMessage``, ``chat.update``, ``conversations.replies``, response_url posts) and can
answer the next call of a method with ``429 Retry-After: N`` once.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM_ID = "T0000001"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages
        self._rate_limits: dict[str, int] = {}  # method -> Retry-After seconds, once
        self._lock = threading.Lock()
        self._clock = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                fake._handle(self, path, dict(urllib.parse.parse_qsl(query)))

            def do_POST(self) -> None:
                path, _, query = self.path.partition("?")
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
                if "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(raw or "{}"))
                else:
                    params.update(urllib.parse.parse_qsl(raw))
                fake._handle(self, path, params)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.messages.clear()
            self._rate_limits.clear()

    # -- test controls ------------------------------------------------------------------------
    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._clock)}.000100"

    def add_message(self, channel: str, text: str, *, user: str = "UREP0001",
                    thread_ts: str | None = None, ts: str | None = None) -> str:
        """Put a person's message in a conversation (as if Slack had it); returns its ts."""
        ts = ts or self.next_ts()
        msg = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        with self._lock:
            self.messages.setdefault(channel, []).append(msg)
        return ts

    def rate_limit_once(self, method: str, retry_after: int = 1) -> None:
        """The next call of ``method`` gets HTTP 429 with Retry-After."""
        with self._lock:
            self._rate_limits[method] = retry_after

    def calls_of(self, method: str, status: int | None = 200) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and (status is None or c.status == status)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 60.0) -> list[Call]:
        """Block until ``count`` successful calls of ``method`` were made (or fail)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_of(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.05)
        raise AssertionError(f"{method}: {len(self.calls_of(method))} calls, wanted {count}")

    # -- the API ------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler, path: str, params: dict[str, Any]) -> None:
        if path.startswith("/response/"):
            self._record("response_url", params, 200)
            return self._send(h, 200, "ok", content_type="text/plain")
        method = path.removeprefix("/api/")
        with self._lock:
            retry_after = self._rate_limits.pop(method, None)
        if retry_after is not None:
            self._record(method, params, 429)
            return self._send(h, 429, {"ok": False, "error": "ratelimited"},
                              headers={"Retry-After": str(retry_after)})
        auth = h.headers.get("Authorization", "")
        if not auth.startswith("Bearer xoxb-"):
            self._record(method, params, 200)
            return self._send(h, 200, {"ok": False, "error": "not_authed"})
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": False, "error": "unknown_method"}
        self._record(method, params, 200)
        self._send(h, 200, body)

    def _record(self, method: str, params: dict[str, Any], status: int) -> None:
        with self._lock:
            self.calls.append(Call(method, params, status))

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: Any, *,
              headers: dict[str, str] | None = None, content_type: str = "application/json"):
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _api_auth_test(self, params: dict) -> dict:
        return {"ok": True, "url": "https://example.slack.com/", "team": "Test", "user": "manual",
                "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID}

    def _api_chat_postMessage(self, params: dict) -> dict:
        channel = params.get("channel", "")
        ts = self.next_ts()
        msg = {"type": "message", "bot_id": BOT_ID, "app_id": "A0000001",
               "user": BOT_USER_ID, "text": params.get("text", ""), "ts": ts}
        if params.get("thread_ts"):
            msg["thread_ts"] = params["thread_ts"]
        if params.get("blocks"):
            msg["blocks"] = params["blocks"]
        with self._lock:
            self.messages.setdefault(channel, []).append(msg)
        return {"ok": True, "channel": channel, "ts": ts, "message": msg}

    def _api_chat_update(self, params: dict) -> dict:
        return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"),
                "text": params.get("text", "")}

    def _api_conversations_replies(self, params: dict) -> dict:
        channel, ts = params.get("channel", ""), params.get("ts", "")
        with self._lock:
            msgs = [m for m in self.messages.get(channel, [])
                    if m["ts"] == ts or m.get("thread_ts") == ts]
        if not msgs:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": sorted(msgs, key=lambda m: float(m["ts"])),
                "has_more": False}

"""A local fake of the Slack Web API for the tests and the load bench: real HTTP on 127.0.0.1,
in a thread.

It answers ``auth.test``, keeps the messages of each conversation (so ``conversations.replies``
returns what was posted in a thread, the bot's replies included), records every call
(``chat.postMessage``, ``chat.update``, ``conversations.replies``, response_url posts) and can
answer the next call of a method with ``429 Retry-After: N`` once. ``start_socket_mode()`` adds a
WebSocket endpoint handed out by ``apps.connections.open`` that sends Socket Mode envelopes and
records the client's acknowledgements.
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
        self._ws_server: Any = None
        self._ws_conns: list[Any] = []
        self.acks: list[dict[str, Any]] = []

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

    def start_socket_mode(self) -> None:
        """Serve Socket Mode: a WebSocket on 127.0.0.1 (plain ws, as Slack's SDK allows for
        ports other than 443)."""
        from websockets.sync.server import serve

        self._ws_server = serve(self._ws_session, "127.0.0.1", 0)
        threading.Thread(target=self._ws_server.serve_forever, daemon=True).start()

    def _ws_session(self, conn: Any) -> None:
        conn.send(json.dumps({"type": "hello", "num_connections": 1,
                              "connection_info": {"app_id": "A0000001"}}))
        with self._lock:
            self._ws_conns.append(conn)
        from websockets.exceptions import ConnectionClosed

        try:
            for raw in conn:
                with self._lock:
                    self.acks.append(json.loads(raw))
        except ConnectionClosed:
            return  # the client went away
        finally:
            with self._lock:
                self._ws_conns.remove(conn)

    def wait_socket_client(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self._ws_conns:
            if time.monotonic() > deadline:
                raise AssertionError("no Socket Mode client connected")
            time.sleep(0.05)

    def send_envelope(self, payload: dict[str, Any], *, envelope_id: str,
                      kind: str = "events_api", retry_attempt: int = 0) -> None:
        """Deliver one Socket Mode envelope to the connected client."""
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else ""}
        with self._lock:
            conns = list(self._ws_conns)
        for conn in conns:
            conn.send(json.dumps(envelope))

    def stop(self) -> None:
        if self._ws_server is not None:
            self._ws_server.shutdown()
            self._ws_server = None
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
            self.acks.clear()
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
        token_kind = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not auth.startswith("Bearer " + token_kind):
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

    def _api_apps_connections_open(self, params: dict) -> dict:
        if self._ws_server is None:
            return {"ok": False, "error": "socket_mode_not_started"}
        port = self._ws_server.socket.getsockname()[1]
        return {"ok": True, "url": f"ws://127.0.0.1:{port}/link/?ticket=test"}

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

    def _api_views_open(self, params: dict) -> dict:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = params.get("view")
        view = json.loads(view) if isinstance(view, str) else view
        return {"ok": True, "view": {**view, "id": "V0000001"}}

    def _api_conversations_replies(self, params: dict) -> dict:
        channel, ts = params.get("channel", ""), params.get("ts", "")
        with self._lock:
            msgs = [m for m in self.messages.get(channel, [])
                    if m["ts"] == ts or m.get("thread_ts") == ts]
        if not msgs:
            return {"ok": False, "error": "thread_not_found"}
        msgs.sort(key=lambda m: float(m["ts"]))
        start, limit = int(params.get("cursor") or 0), int(params.get("limit") or 1000)
        page, more = msgs[start:start + limit], start + limit < len(msgs)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

"""The events URL over HTTP: a threaded WSGI server in front of slack_bolt's request handler
(POST /slack/events), with a health check (GET /healthz), a body size limit, a log line for each
request rejected for its signature, and an access log without query strings or bodies."""

from __future__ import annotations

import logging
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000


def events_server(app: App, host: str, port: int) -> WSGIServer:
    """A server (not yet serving) for ``app``'s events on ``host:port`` (0: a free port)."""
    handler = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == HEALTH_PATH and method == "GET":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if int(environ.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            start_response("413 Payload Too Large", [("Content-Type", "text/plain")])
            return [b"too large"]

        def start(status, headers, exc_info=None):
            if status.startswith("401"):
                log.info("rejected a request to %s: bad or expired Slack signature", path)
            return start_response(status, headers, exc_info)

        return handler(environ, start)

    return make_server(host, port, wsgi, server_class=_ThreadingWSGIServer,
                       handler_class=_QuietHandler)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    """Access log at DEBUG, method and path only (no query strings, no bodies)."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.command, self.path.split("?", 1)[0])

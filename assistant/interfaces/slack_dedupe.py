"""Each Slack event answered once, however often Slack delivers it: retries carry the same
event_id, and a message seen both as app_mention and as message has the same channel/ts."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

log = logging.getLogger(__name__)


class SeenSet:
    """Keys seen in the last ``ttl`` seconds (thread-safe, bounded)."""

    def __init__(self, ttl: float = 3600.0, max_items: int = 50_000):
        self.ttl, self.max_items = ttl, max_items
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered within the TTL, False afterwards."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (next(iter(self._seen.values())) < now - self.ttl
                                  or len(self._seen) > self.max_items):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


def event_keys(body: dict[str, Any]) -> list[str]:
    """What identifies a delivery's event: its event_id and, for a plain message, channel/ts."""
    event = body.get("event") or {}
    message = f"{event.get('channel')}/{event.get('ts')}" \
        if event.get("ts") and not event.get("subtype") else None
    return [k for k in (body.get("event_id"), message) if k]


def answer_once(seen: SeenSet) -> Callable[..., Any]:
    """A slack_bolt middleware: a repeated delivery is acknowledged (200) and goes no further."""

    def dedupe(body: dict, request, next):  # bolt passes arguments by these names
        keys = event_keys(body)
        fresh = [seen.first_time(k) for k in keys]
        if keys and not all(fresh):
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
            log.info("skipped a repeated delivery of event %s (retry %s)",
                     body.get("event_id"), retry)
            return BoltResponse(status=200, body="")
        return next()

    return dedupe

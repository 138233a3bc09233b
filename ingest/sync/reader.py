"""Small readers of what the sync leaves behind, for the chat page and the bot: the latest
change report, and which pages changed recently (from the mirror's manifest). Never raise for a
missing or unreadable file: no sync yet simply means nothing to show."""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NO_REPORT = ("The index has not been synced with the live manual yet, so there is no list of "
             "changes to show.")


def latest_report(report_dir: Path) -> dict[str, Any] | None:
    """The newest change report (JSON), or None."""
    data = _read_json(Path(report_dir) / "latest.json")
    return data if isinstance(data, dict) else None


def latest_markdown(report_dir: Path) -> str:
    """The newest change report as Markdown, or a line saying there is none."""
    try:
        return (Path(report_dir) / "latest.md").read_text(encoding="utf-8")
    except OSError:
        return NO_REPORT


def recent_changes(mirror_dir: Path, days: int,
                   now: dt.datetime | None = None) -> dict[str, dict[str, str]]:
    """doc_id -> {"date": "YYYY-MM-DD", "change": "added"|"changed", "url": ...} for pages
    whose indexed text changed within ``days`` days, according to the mirror's manifest."""
    manifest = _read_json(Path(mirror_dir) / "manifest.json")
    if not isinstance(manifest, dict) or days <= 0:
        return {}
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=days)
    out: dict[str, dict[str, str]] = {}
    for e in manifest.get("pages", []):
        when = _parse(e.get("changed_at"))
        if e.get("doc_id") and e.get("file") and when is not None and when >= since:
            out[e["doc_id"]] = {"date": when.date().isoformat(),
                                "change": e.get("change") or "changed", "url": e.get("url")}
    return out


def _parse(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _read_json(path: Path) -> Any:
    try:
        st = path.stat()
    except OSError:
        return None
    return _cached_json(str(path), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _cached_json(path: str, mtime_ns: int, size: int) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None

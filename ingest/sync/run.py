"""One sync: crawl the live manual into the mirror, run the incremental ingest over the mirror
(crash-safe as always: a new generation, an atomic switch), then write the change report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from core.errors import ConfigError, RulesError
from core.settings import Settings
from ingest.build import IngestReport, ingest
from ingest.structure import page_id
from ingest.sync.changes import diff_pages, rule_changes, snapshot, write_report
from ingest.sync.crawl import Crawler, CrawlResult, SyncError, now_iso
from ingest.sync.mirror import Mirror
from ingest.sync.scope import Scope

log = logging.getLogger(__name__)


@dataclass
class SyncOutcome:
    crawl: CrawlResult
    ingest: IngestReport
    report: dict[str, Any]
    report_md: Path
    report_json: Path

    @property
    def problems(self) -> bool:
        """Pages that could not be fetched or ingested (the sync itself completed)."""
        return bool(self.crawl.failed or self.ingest.failures)

    def summary(self) -> str:
        s, c = self.report["summary"], self.crawl
        lines = [
            (f"sync {self.report['url']}: {c.pages_checked} pages checked, {c.requests} "
             f"requests ({c.not_modified} not modified) in {c.seconds:.1f} s"),
            (f"manual: {s['added']} added, {s['changed']} changed, {s['removed']} removed; "
             f"{s['went_stale']} rule(s) went stale; {s['gone']} gone once (removed if still "
             f"gone next sync); {s['failed']} failed (copies kept)"),
            "ingest: " + self.ingest.summary(),
        ]
        lines += [f"STALE rule {r['rule_id']}: {r['reason']}"
                  for r in self.report["rules"]["went_stale"]]
        lines += [f"FAILED {u}: {why}" for u, why in c.failed]
        lines += [f"LIMIT {what}" for what in c.limits]
        lines.append(f"report: {self.report_md}")
        return "\n".join(lines)


def sync(settings: Settings, url: str | None = None, *, progress: bool = True,
         rebuild: bool = False, store=None, embedder=None, fetcher=None,
         load_rules: Callable[[Path], Any] | None = None) -> SyncOutcome:
    """Bring mirror and index up to date with the live manual at ``url`` (or settings.sync.url).
    ``load_rules`` reads the rule packs (``settings.rules_dir``) so the report names the rules
    whose quoted sentence changed; the entry point gives it (the rule book is the assistant's).
    Raises SyncError / ConfigError / IngestLockedError when nothing could be synced."""
    from core.store import IndexStore

    url = url or settings.sync.url
    if not url:
        raise ConfigError("No manual URL to sync: give it on the command line or set "
                          "PMA_SYNC__URL.")
    scope = Scope.of(url)
    started = now_iso()
    mirror_dir = settings.mirror_dir
    mirror_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(mirror_dir / "sync.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise SyncError(f"Another sync is using the mirror {mirror_dir} (lock "
                        f"{mirror_dir / 'sync.lock'}); wait for it to finish.") from exc
    try:
        mirror = Mirror(mirror_dir)
        crawl = Crawler(scope, mirror, settings.sync, fetcher).run()
        store = store or IndexStore(settings)
        if not rebuild:
            _check_no_twins(store, mirror)
        mirror.meta.pop("generation", None)
        mirror.pages.mkdir(parents=True, exist_ok=True)
        before = store.current()
        t0 = time.perf_counter()
        built = ingest([mirror.pages], settings, progress=progress, rebuild=rebuild,
                       store=store, embedder=embedder)
        log.info("sync: ingest took %.2f s", time.perf_counter() - t0)
        after = store.current()
        changes = _changes(settings, store, before, after, built, mirror, load_rules)
        if after is not None:
            mirror.meta["generation"] = after.name
        mirror.save()
    finally:
        lock.release()
    report = {
        "version": 1, "url": scope.start, "started_at": started, "finished_at": now_iso(),
        "summary": {
            "added": len(changes["pages"]["added"]), "changed": len(changes["pages"]["changed"]),
            "removed": len(changes["pages"]["removed"]),
            "went_stale": len(changes["rules"]["went_stale"]),
            "failed": len(crawl.failed), "gone": len(crawl.gone)},
        **changes,
        "crawl": asdict(crawl),
        "ingest": {"summary": built.summary(), "generation": built.generation,
                   "switched": built.switched, "failures": built.failures},
    }
    md, js = write_report(report, settings.report_dir)
    return SyncOutcome(crawl, built, report, md, js)


def _changes(settings: Settings, store, before, after, built: IngestReport,
             mirror: Mirror, load_rules: Callable[[Path], Any] | None) -> dict[str, Any]:
    """Pages and rules that changed between the generation before and after the ingest."""
    empty_rules = {"went_stale": [], "fresh_again": [], "stale": []}
    if not built.switched or after is None:
        return {"pages": {"added": [], "changed": [], "removed": []}, "rules": empty_rules}
    old = snapshot(store, before.name if before and _exists(store, before.name) else None)
    new = snapshot(store, after.name)
    pages = diff_pages(old, new)
    try:
        rules = rule_changes(load_rules(settings.rules_dir), old, new, pages["changed"]) \
            if load_rules is not None else {**empty_rules, "not_checked": True}
    except RulesError as exc:
        log.warning("sync: rules not checked: %s", exc)
        rules = {**empty_rules, "error": str(exc)}
    root = str(mirror.pages.resolve())
    _mark(mirror, new, pages, first=not any(p.source.startswith(root) for p in old.values()))
    return {"pages": pages, "rules": rules}


def _mark(mirror: Mirror, new: dict, pages: dict, first: bool) -> None:
    """Record page ids, and when their text changed, in the manifest (read by the chat page)."""
    entries = mirror.by_source()
    for doc_id, page in new.items():
        if page.source in entries:
            entries[page.source].doc_id = doc_id
    if first:
        return  # the first sync adds everything: nothing "changed" yet
    when = now_iso()
    for kind in ("added", "changed"):
        for p in pages[kind]:
            page = new[p["doc_id"]]
            if page.source in entries:
                entries[page.source].changed_at, entries[page.source].change = when, kind


def _exists(store, name: str) -> bool:
    return name in store.generation_names()


def _check_no_twins(store, mirror: Mirror) -> None:
    """Refuse to mix: a page of the mirror that the index also holds from another file (e.g.
    the shipped copy in corpus/) would be indexed twice, under colliding chunk ids."""
    current = store.current()
    if current is None or not mirror.entries or mirror.meta.get("generation") == current.name:
        return  # no index yet, nothing mirrored, or the index is the one the last sync left
    ours = {str(mirror.pages.resolve())}
    others: dict[str, str] = {}
    for _, _, meta, _ in store.records(current.name):
        source = meta.get("source", "")
        if not any(source.startswith(root) for root in ours):
            others.setdefault(meta["doc_id"], source)
    twins = []
    for e in mirror.entries.values():
        path = mirror.path_of(e)
        if path is not None and (doc := page_id(e.canonical or e.url, path)) in others:
            twins.append(f"{doc} (also from {others[doc]})")
    if twins:
        raise SyncError(
            f"The index at {store.where} already holds page(s) from outside the mirror with the "
            f"same page id as live pages: {', '.join(twins[:5])}. Sync into its own index "
            "(--index DIR, and point the chat page at it), or replace this index with the "
            "mirror's pages: python -m ingest sync URL --rebuild. The mirror is up to date; "
            "the index was not changed.")

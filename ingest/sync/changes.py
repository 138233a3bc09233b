"""What a sync changed, read from the index itself: the generation before the ingest against
the one after. Pages added, changed (sentences added and removed, from the sentence spans stored
with each chunk) and removed; rules whose quoted sentence went missing (``RuleBook.stale``, the
check the RuleChecker runs) and why. Pure functions over snapshots, plus the Markdown rendering.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MD_LIST_LIMIT = 40  # items per list in the Markdown report (the JSON has them all)


@dataclass
class Page:
    doc_id: str
    title: str
    url: str | None = None
    last_updated: str | None = None
    source: str = ""
    hashes: list = field(default_factory=list)  # chunk content hashes, in page order
    chunks: list[tuple[int, str, str]] = field(default_factory=list)  # ordinal, text, spans

    @property
    def text(self) -> str:
        """The indexed text of the page, as the rule checker sees it (index.page_texts)."""
        return "\n\n".join(t for _, t, _ in sorted(self.chunks, key=lambda c: c[0]))

    @property
    def sentences(self) -> list[str]:
        out = []
        for _, text, spans in sorted(self.chunks, key=lambda c: c[0]):
            out += [" ".join(text[a:b].split()) for a, b in json.loads(spans or "[]")]
        return [s for s in out if s]


def snapshot(store, generation: str | None) -> dict[str, Page]:
    """doc_id -> Page for one generation of the index (metadata only, no vectors)."""
    pages: dict[str, Page] = {}
    if generation is None:
        return pages
    for _, text, meta, _ in store.records(generation):
        page = pages.get(meta["doc_id"])
        if page is None:
            page = pages[meta["doc_id"]] = Page(
                doc_id=meta["doc_id"], title=meta.get("title", ""), url=meta.get("url"),
                last_updated=meta.get("last_updated"), source=meta.get("source", ""))
        page.chunks.append((meta.get("ordinal", 0), text, meta.get("sentences") or "[]"))
        page.hashes.append((meta.get("ordinal", 0), meta["content_hash"]))
    for page in pages.values():  # in page order (sentence spans are parsed only when asked)
        page.hashes = [h for _, h in sorted(page.hashes)]
    return pages


def diff_pages(before: dict[str, Page], after: dict[str, Page]) -> dict[str, list[dict]]:
    """Pages added, changed and removed between two snapshots."""
    out: dict[str, list[dict]] = {"added": [], "changed": [], "removed": []}
    for doc_id in sorted(after.keys() - before.keys()):
        p = after[doc_id]
        out["added"].append({**_ident(p), "sentences": len(p.sentences)})
    for doc_id in sorted(before.keys() - after.keys()):
        out["removed"].append(_ident(before[doc_id]))
    for doc_id in sorted(after.keys() & before.keys()):
        old, new = before[doc_id], after[doc_id]
        if old.hashes == new.hashes:
            continue
        added, removed = sentence_diff(old.sentences, new.sentences)
        other = [f"{what}: {a or '(none)'} -> {b or '(none)'}" for what, a, b in (
            ("title", old.title, new.title), ("last updated", old.last_updated,
                                              new.last_updated), ("url", old.url, new.url))
            if a != b]
        if not (added or removed or other):
            other = ["the page's sections were split or regrouped; no sentence changed"]
        out["changed"].append({**_ident(new), "sentences_added": added,
                               "sentences_removed": removed, "other": other})
    return out


def sentence_diff(old: list[str], new: list[str]) -> tuple[list[str], list[str]]:
    """(added, removed) sentences, in page order; a repeated sentence counts per occurrence."""
    old_n, new_n = Counter(old), Counter(new)
    added, removed = new_n - old_n, old_n - new_n
    return _take(new, added), _take(old, removed)


def _take(seq: list[str], wanted: Counter) -> list[str]:
    out, left = [], Counter(wanted)
    for s in seq:
        if left[s] > 0:
            out.append(s)
            left[s] -= 1
    return out


def _ident(p: Page) -> dict[str, Any]:
    return {"doc_id": p.doc_id, "title": p.title, "url": p.url}


def rule_changes(book, before: dict[str, Page], after: dict[str, Page],
                 changed: list[dict]) -> dict[str, list]:
    """Rules that went stale in this sync (and why), came back, or are still stale. Rules of
    pages this index never held (another site's pack) are left out."""
    ours = {r.id for r in book.rules
            if r.citation is not None and (r.citation.doc_id in before or r.citation.doc_id in after)}
    was = set(book.stale({d: p.text for d, p in before.items()})) & ours if before else set()
    now = [r for r in book.stale({d: p.text for d, p in after.items()}) if r in ours]
    added_by_doc = {c["doc_id"]: c["sentences_added"] for c in changed}
    went = []
    for rule in book.rules:
        if rule.id not in now or rule.id in was:
            continue
        doc, quote = rule.citation.doc_id, rule.citation.quote
        if doc not in after:
            reason = (f"page {doc} is no longer in the index" if doc in before else
                      f"page {doc} is not in the index")
            closest = None
        else:
            reason = f"the sentence it quotes is no longer on page {doc}"
            near = difflib.get_close_matches(" ".join(quote.split()),
                                             added_by_doc.get(doc, []), n=1, cutoff=0.5)
            closest = near[0] if near else None
        went.append({"rule_id": rule.id, "doc_id": doc, "quote": quote, "reason": reason,
                     "closest_new_sentence": closest})
    return {"went_stale": went, "fresh_again": sorted(was - set(now)), "stale": sorted(now)}


# -- Markdown ------------------------------------------------------------------------------------
def to_markdown(report: dict[str, Any]) -> str:
    s = report["summary"]
    when = report["finished_at"][:16].replace("T", " ")
    lines = [f"# What changed in the manual ({when} UTC)", "",
             (f"Synced {_md(report['url'])}: {s['added']} page(s) added, {s['changed']} changed, "
              f"{s['removed']} removed; {s['went_stale']} rule(s) went stale; "
              f"{s['failed']} page(s) could not be fetched.")]
    pages = report["pages"]
    if not (pages["added"] or pages["changed"] or pages["removed"]):
        lines += ["", "No page of the manual changed since the last sync."]
    if pages["changed"]:
        lines += ["", "## Changed pages"]
        for c in pages["changed"]:
            lines += ["", f"### {_link(c)}"]
            lines += _sentences("Added", c["sentences_added"])
            lines += _sentences("Removed", c["sentences_removed"])
            if c["other"]:
                lines += ["", "Also:", ""] + [f"- {_md(o)}" for o in c["other"]]
    for key, head in (("added", "Added pages"), ("removed", "Removed pages")):
        if pages[key]:
            lines += ["", f"## {head}", ""]
            lines += _capped([f"- {_link(p)}" for p in pages[key]])
    rules = report["rules"]
    if rules["went_stale"]:
        lines += ["", "## Rules that went stale (not applied until updated)", ""]
        for r in rules["went_stale"]:
            lines.append(f"- **{_md(r['rule_id'])}**: {_md(r['reason'])}. It quoted: "
                         f"\"{_md(r['quote'])}\"")
            if r.get("closest_new_sentence"):
                lines.append(f"  - The page now says: \"{_md(r['closest_new_sentence'])}\"")
    if rules["fresh_again"]:
        lines += ["", "Rules whose sentence is back: " + ", ".join(map(_md,
                                                                     rules["fresh_again"]))]
    lines += _crawl_lines(report["crawl"])
    return "\n".join(lines) + "\n"


def _crawl_lines(c: dict[str, Any]) -> list[str]:
    lines = ["", "## The crawl", "",
             (f"{c['pages_checked']} page(s) checked with {c['requests']} request(s) in "
              f"{c['seconds']:.1f} s: {c['not_modified']} not modified (304), "
              f"{c['same_bytes']} re-sent unchanged, {len(c['added'])} new, "
              f"{len(c['updated'])} updated.")]
    if c["failed"]:
        lines += ["", "Could not be fetched (the copy from the last sync is kept):", ""]
        lines += _capped([f"- {_md(u)}: {_md(why)}" for u, why in c["failed"]])
    if c["gone"]:
        lines += ["", "Gone (404/410 or moved away); removed if still gone at the next sync:", ""]
        lines += _capped([f"- {_md(u)}" for u, _ in c["gone"]])
    if c["skipped_robots"]:
        lines += ["", f"Not fetched, robots.txt disallows: {len(c['skipped_robots'])} URL(s)."]
    if c["left_scope"]:
        lines += ["", "Redirects out of the manual (not followed):", ""]
        lines += _capped([f"- {_md(a)} -> {_md(b)}" for a, b in c["left_scope"]])
    for note in c["limits"]:
        lines += ["", (f"Stopped at the {_md(note)}; {c['unvisited']} page(s) left for the "
                       "next sync (their copies are kept).")]
    lines += [f"\nNote: {_md(n)}" for n in c["notes"][:MD_LIST_LIMIT]]
    return lines


def _sentences(label: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return ["", f"{label}:", ""] + _capped([f"- \"{_md(s)}\"" for s in items])


def _capped(items: list[str]) -> list[str]:
    if len(items) <= MD_LIST_LIMIT:
        return items
    more = len(items) - MD_LIST_LIMIT
    return [*items[:MD_LIST_LIMIT], f"- … and {more} more (see the JSON report)"]


def _link(p: dict[str, Any]) -> str:
    title = _md(p.get("title") or p["doc_id"])
    url = p.get("url")
    if url and re.fullmatch(r"https?://[^\s()<>\"']+", url):
        return f"[{title}]({url}) ({_md(p['doc_id'])})"
    return f"{title} ({_md(p['doc_id'])})"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|])")


def _md(text: Any) -> str:
    """Page text made inert in Markdown: no markup, links or HTML from the site."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def write_report(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """<folder>/sync-<time>.md/.json and latest.md/latest.json (each replaced atomically)."""
    from core.files import atomic_write

    stamp = re.sub(r"[^0-9T]", "", report["finished_at"])[:15]
    md = to_markdown(report).encode("utf-8")
    js = json.dumps(report, indent=1, ensure_ascii=False).encode("utf-8")
    for name, data in ((f"sync-{stamp}.md", md), (f"sync-{stamp}.json", js),
                       ("latest.md", md), ("latest.json", js)):
        atomic_write(folder / name, data)
    return folder / "latest.md", folder / "latest.json"

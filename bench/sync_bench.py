"""``python -m ingest sync`` on a local site of 1,000 generated pages (real HTTP on 127.0.0.1,
the real model, embedded Chroma): the first sync, an unchanged re-sync (only conditional
requests) and a sync after one page changed — measured in one run, printed as figures and ratios.

Targets: unchanged re-sync >= 20x faster than the first, every page request conditional and
answered 304; one changed page costs about the same as an unchanged re-sync plus that page.
The pacing delay is set to 0 (a local site): it is politeness, not work, and would add
``pages x delay`` to every sync alike (1,000 x 0.5 s by default).
Usage: python bench/sync_bench.py [--pages 1000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.rules.engine import RuleBook
from bench.fake_site import LocalSite
from bench.synthetic import ROLES, TOPICS, sentence
from core.embeddings import get_embeddings
from core.settings import Settings, SyncSettings
from ingest.sync.run import sync

ROOT = "/medi-cal/provider-manual/"
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Health Net</title></head>
<body><a class="skip-link" href="#main">Skip to Main Content</a>
<header role="banner"><nav><a href="/medi-cal/">Home</a> <a href="{root}">Provider Manual</a></nav>
</header>
<div role="search"><label>Search in Medi-Cal</label><input name="q"></div>
<main id="main"><h1>{title}</h1>
<h2>Provider Type</h2><ul><li>Physicians</li><li>Hospitals</li></ul>
{body}
<p>Last Updated: {updated}</p></main>
<footer><p>Health Net Community Solutions, Inc.</p></footer></body></html>
"""


def page_html(i: int, rng: random.Random, edit: str | None = None) -> str:
    topic = TOPICS[i % len(TOPICS)]
    body = [f"<p>{' '.join(sentence(rng, topic) for _ in range(rng.randint(2, 4)))}</p>"]
    for h in range(2):
        body.append(f"<h2>{topic.title()} Section {h + 1}</h2>")
        body.append(f"<p>{' '.join(sentence(rng, topic) for _ in range(rng.randint(2, 4)))}</p>")
    if edit:
        body.append(f"<p>{edit}</p>")
    return PAGE.format(title=f"{topic.title()} Guidelines Part {i}", root=ROOT,
                       body="\n".join(body), updated=f"{rng.randint(1, 12):02d}/"
                       f"{rng.randint(1, 28):02d}/2025")


def page_path(i: int) -> str:
    return f"{ROOT}{TOPICS[i % len(TOPICS)].replace(' ', '-')}/page-{i:04d}.html"


def build_site(site: LocalSite, pages: int) -> None:
    by_topic: dict[str, list[int]] = {}
    for i in range(pages):
        site.put(page_path(i), page_html(i, random.Random(i)))
        by_topic.setdefault(TOPICS[i % len(TOPICS)], []).append(i)
    for topic, items in by_topic.items():  # one index page per topic, the home page over them
        links = "".join(f'<li><a href="page-{i:04d}.html">Part {i}</a></li>' for i in items)
        site.put(f"{ROOT}{topic.replace(' ', '-')}/index.html", PAGE.format(
            title=f"{topic.title()} Guidelines", root=ROOT, updated="01/02/2025",
            body=f"<p>Pages about {topic} for {ROLES[0]}.</p><ul>{links}</ul>"))
    links = "".join(f'<li><a href="{t.replace(" ", "-")}/">{t}</a></li>' for t in by_topic)
    site.put(ROOT + "index.html", PAGE.format(title="Medi-Cal Provider Manual", root=ROOT,
                                              updated="01/02/2025",
                                              body=f"<p>The manual.</p><ul>{links}</ul>"))
    urls = "".join(f"<url><loc>{{base}}{page_path(i)}</loc></url>" for i in range(pages))
    site.put("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
             f'schemas/sitemap/0.9">{urls}</urlset>')
    site.put("/robots.txt", "User-agent: *\nDisallow: /medi-cal/provider-manual/drafts/\n"
             "Sitemap: {base}/sitemap.xml\n")


def serve_site(conn, pages: int) -> None:
    """The site in its own process (as a real site would be: no shared interpreter)."""
    site = LocalSite().start()
    build_site(site, pages)
    conn.send(site.base)
    while True:
        cmd, arg = conn.recv()
        if cmd == "edit":
            site.put(page_path(arg), page_html(arg, random.Random(arg), edit=(
                "Providers must now send the referral within 5 business days.")))
        elif cmd == "hits":
            conn.send([(h.path, h.conditional, h.status) for h in site.hits])
            site.clear_log()
        else:
            site.stop()
            return


class Remote:
    def __init__(self, pages: int):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=serve_site, args=(child, pages), daemon=True)
        self.proc.start()
        self.base = self.conn.recv()

    def call(self, cmd: str, arg=None):
        self.conn.send((cmd, arg))
        return self.conn.recv() if cmd == "hits" else None

    def stop(self) -> None:
        self.conn.send(("stop", None))
        self.proc.join(10)


def timed(settings: Settings, site: Remote, embedder) -> tuple[float, object, list]:
    site.call("hits")  # clear the log
    t = time.perf_counter()
    out = sync(settings, site.base + ROOT, progress=False, embedder=embedder,
               load_rules=RuleBook.load)
    return time.perf_counter() - t, out, site.call("hits")


def describe(name: str, seconds: float, out, hits) -> None:
    pages = [h for h in hits if h[0] not in ("/robots.txt", "/sitemap.xml")]
    cond = sum(1 for h in pages if h[1])
    print(f"{name:<20} {seconds:8.2f} s  requests {len(hits):5d} (pages {len(pages)}, "
          f"conditional {cond}, 304: {sum(1 for h in pages if h[2] == 304)})  "
          f"crawl {out.crawl.seconds:6.2f} s  ingest {out.ingest.seconds:6.2f} s  "
          f"embedded {out.ingest.added} chunks  report: +{out.report['summary']['added']} "
          f"~{out.report['summary']['changed']} -{out.report['summary']['removed']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pma-sync-bench-"))
    site = Remote(args.pages)
    try:
        settings = Settings(index_dir=tmp / "index", data_dir=tmp / "var", corpus=[],
                            sync=SyncSettings(delay_s=0.0, max_pages=args.pages + 100))
        embedder = get_embeddings(settings.embedding)
        embedder.embed_documents(["warm the model up"] * 8)  # load outside the timings

        first, out1, hits1 = timed(settings, site, embedder)
        describe("first sync", first, out1, hits1)
        again, out2, hits2 = timed(settings, site, embedder)
        describe("unchanged re-sync", again, out2, hits2)
        site.call("edit", args.pages // 2)
        one, out3, hits3 = timed(settings, site, embedder)
        describe("one page changed", one, out3, hits3)

        pages2 = [h for h in hits2 if h[0] not in ("/robots.txt", "/sitemap.xml")]
        assert all(h[1] and h[2] == 304 for h in pages2), "re-sync not conditional"
        assert out2.ingest.added == 0 and not out2.ingest.switched
        assert out3.report["summary"]["changed"] == 1, out3.report["summary"]
        print(f"\n{args.pages} pages, {out1.ingest.chunks} chunks")
        print(f"unchanged re-sync: {first / again:.0f}x faster than the first sync "
              f"(target >= 20x); {len(pages2)} page requests, all conditional, all 304")
        print(f"one changed page: {one:.2f} s = {one / again:.1f}x the unchanged re-sync, "
              f"{first / one:.0f}x faster than the first sync; {out3.ingest.added} chunk(s) "
              "embedded")
    finally:
        site.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The sync's parts without the embedding model: scope, Retry-After, sitemaps, robots, pacing,
the mirror's files, the crawl's limits and politeness against the local site, the CLI's exit 2,
the Slack post and the chat page's rendering of recent changes."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bench.fake_slack import FakeSlack
from core.errors import ConfigError
from core.settings import Settings, SyncSettings
from ingest.sync.crawl import Crawler, SyncError
from ingest.sync.fetch import Fetcher, Pacer, retry_after_seconds
from ingest.sync.mirror import Mirror, with_canonical
from ingest.sync.scope import Scope, normalise, page_kind
from ingest.sync.site import Robots, parse_sitemap
from tests.sync_server import TestSite

START = "/medi-cal/provider-manual/"


@pytest.fixture
def site():
    s = TestSite().start()
    yield s
    s.stop()


def fast(**kw) -> SyncSettings:
    return SyncSettings(**{"delay_s": 0.0, "backoff_s": 0.02, "retries": 1, **kw})


def crawl(site: TestSite, tmp: Path, **kw):
    mirror = Mirror(tmp / "mirror")
    result = Crawler(Scope.of(site.url(START)), mirror, fast(**kw)).run()
    return result, mirror


# -- scope ---------------------------------------------------------------------------------------
def test_scope_is_the_start_urls_folder_on_its_host():
    scope = Scope.of("HTTPS://Provider.Example.COM:443/medi-cal/provider-manual/index.html#top")
    assert scope.start == "https://provider.example.com/medi-cal/provider-manual/index.html"
    assert scope.prefix == "/medi-cal/provider-manual/"
    assert scope.contains("https://provider.example.com/medi-cal/provider-manual/a/b.html")
    assert not scope.contains("https://provider.example.com/medi-cal/updates/x.html")
    assert not scope.contains("http://provider.example.com/medi-cal/provider-manual/a.html")
    assert not scope.contains("https://other.example.com/medi-cal/provider-manual/a.html")
    assert scope.robots_url == "https://provider.example.com/robots.txt"
    with pytest.raises(ConfigError, match="http"):
        Scope.of("ftp://example.com/manual/")


def test_urls_are_normalised_and_non_pages_skipped():
    base = "http://h.example/m/a/page.html"
    assert normalise("../b/./c.html#s", base=base) == "http://h.example/m/b/c.html"
    assert normalise("sub/", base=base) == "http://h.example/m/a/sub/"
    assert normalise("http://H.example:80/x?q=1") == "http://h.example/x?q=1"
    assert normalise("mailto:a@b.example") is None
    assert normalise("javascript:alert(1)") is None
    assert [page_kind(u) for u in ("http://h/a/", "http://h/a.html", "http://h/a.PDF",
                                   "http://h/logo.png", "http://h/form.docx")] == \
        ["html", "html", "pdf", None, None]


# -- HTTP pieces -----------------------------------------------------------------------------------
def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after_seconds("7") == 7.0
    now = 1_800_000_000.0
    assert retry_after_seconds("Fri, 15 Jan 2027 08:00:30 GMT", now=now) == pytest.approx(
        dt.datetime(2027, 1, 15, 8, 0, 30, tzinfo=dt.UTC).timestamp() - now)
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_pacer_spaces_request_starts_across_threads():
    pacer = Pacer(0.15)
    starts = []
    for _ in range(4):
        pacer.wait()
        starts.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.14
    pacer.hold(0.4)
    t = time.monotonic()
    pacer.wait()
    assert time.monotonic() - t >= 0.35


def test_sitemap_urlset_index_and_gzip():
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    urlset = (f'<?xml version="1.0"?><urlset {ns}><url><loc> http://h/a.html </loc>'
              "<lastmod>2025-01-01</lastmod></url><url><loc>http://h/b/</loc></url></urlset>")
    assert parse_sitemap(urlset.encode()).pages == ["http://h/a.html", "http://h/b/"]
    index = (f'<sitemapindex {ns}><sitemap><loc>http://h/s1.xml</loc></sitemap>'
             "</sitemapindex>")
    got = parse_sitemap(gzip.compress(index.encode()))
    assert got.children == ["http://h/s1.xml"] and got.pages == []
    for bad in (b"<html><body>not a sitemap</body></html>", b"<urlset", b"\x1f\x8bbroken"):
        with pytest.raises(ValueError):
            parse_sitemap(bad)


def test_robots_rules_for_our_user_agent():
    text = ("User-agent: ProviderManualAssistant\nDisallow: /m/private/\nCrawl-delay: 3\n\n"
            "User-agent: *\nDisallow: /\n\nSitemap: http://h/s.xml\n")
    robots = Robots(text, "ProviderManualAssistant/0.1 (provider manual sync)")
    assert robots.allowed("http://h/m/a.html")
    assert not robots.allowed("http://h/m/private/a.html")
    assert robots.delay == 3.0 and robots.sitemaps == ["http://h/s.xml"]
    assert not Robots(text, "OtherBot/1.0").allowed("http://h/m/a.html")
    assert Robots(None, "ProviderManualAssistant").allowed("http://h/anything")


# -- the mirror's files -----------------------------------------------------------------------------
def test_mirror_names_files_after_their_urls(tmp_path):
    m = Mirror(tmp_path)
    folder = m.entry("http://h.example/m/a/")
    m.store(folder, b"<html><head></head><body>x</body></html>", "html", has_canonical=False)
    assert folder.file == "h.example/m/a/index.html"
    html = (tmp_path / "pages" / folder.file).read_text()
    assert html.startswith('<html><head><link rel="canonical" href="http://h.example/m/a/">')
    query = m.entry("http://h.example/m/page?id=7")
    m.store(query, b"<p>q</p>", "html")
    assert query.file.startswith("h.example/m/page-") and query.file.endswith(".html")
    pdf = m.entry("http://h.example/m/guide")
    m.store(pdf, b"%PDF-1.4 ...", "pdf")
    assert pdf.file == "h.example/m/guide.pdf"
    assert (tmp_path / "pages" / "h.example/m/guide.pdf.url").read_text() == \
        "[InternetShortcut]\nURL=http://h.example/m/guide\n"
    m.save()
    again = Mirror(tmp_path)
    assert again.entries["http://h.example/m/guide"].file == pdf.file
    again.drop("http://h.example/m/guide")
    assert not (tmp_path / "pages" / "h.example/m/guide.pdf").exists()
    assert not (tmp_path / "pages" / "h.example/m/guide.pdf.url").exists()


def test_canonical_goes_into_the_head_or_first():
    assert with_canonical(b"<HTML><HEAD lang=en><title>t</title>", "http://h/a") == \
        b'<HTML><HEAD lang=en><link rel="canonical" href="http://h/a"><title>t</title>'
    assert with_canonical(b"<p>no head</p>", 'http://h/a?x="1"').startswith(
        b'<link rel="canonical" href="http://h/a?x=&quot;1&quot;"><p>')


def test_pdf_gets_its_url_and_page_id_from_the_sidecar(tmp_path):
    from fpdf import FPDF

    from ingest.load import load_document

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in ("Referral Guide",
                 "Referral forms are faxed to the plan within two business days.",
                 "Keep a copy of every referral form in the member's chart."):
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "guide.pdf"
    path.write_bytes(bytes(pdf.output()))
    assert load_document(path).url is None  # without a sidecar: no URL
    url = "https://providerlibrary.healthnetcalifornia.com/medi-cal/provider-manual/forms/guide.pdf"
    Path(str(path) + ".url").write_text(f"[InternetShortcut]\nURL={url}\n")
    doc = load_document(path)
    assert doc.url == url and doc.doc_id == "forms/guide"


# -- the crawl against the local site -----------------------------------------------------------------
def test_page_limit_leaves_pages_for_the_next_sync_and_removes_nothing(site, tmp_path):
    _, mirror = crawl(site, tmp_path)
    assert len([e for e in mirror.entries.values() if e.file]) == 8
    site.clear_log()
    limited, mirror = crawl(site, tmp_path, max_pages=3)
    assert limited.pages_checked == 3 and limited.unvisited > 0
    assert limited.limits == ["page limit of 3 (PMA_SYNC__MAX_PAGES)"]
    assert len([h for h in site.page_hits()]) == 3
    assert len([e for e in mirror.entries.values() if e.file]) == 8  # nothing dropped


def test_time_limit_stops_the_crawl(site, tmp_path):
    site.latency = 0.3
    result, _ = crawl(site, tmp_path, max_seconds=1.0)
    assert any(x.startswith("time limit of 1 s") for x in result.limits)
    assert result.unvisited > 0 and result.seconds < 3.0


def test_at_most_the_configured_connections_at_once(site, tmp_path):
    site.latency = 0.25
    crawl(site, tmp_path, connections=2)
    assert site.max_in_flight == 2  # in parallel, and never more


def test_too_big_page_is_reported_not_saved(site, tmp_path):
    result, mirror = crawl(site, tmp_path, max_page_bytes=2500)
    too_big = {u for u, why in result.failed if why == "larger than 2,500 bytes "
               "(PMA_SYNC__MAX_PAGE_BYTES)"}
    assert site.url(START) in too_big  # the home page is 2.9 kB
    assert all(mirror.entries[u].file is None for u in too_big)
    assert mirror.entries[site.url(START + "claims/overview.html")].file  # 2.4 kB: kept


def test_server_errors_exhaust_retries_then_page_is_reported(site, tmp_path):
    page = START + "claims/appeals.html"
    site.fail_always(page, 502)
    result, mirror = crawl(site, tmp_path, retries=2)
    assert (site.url(page), "HTTP 502 (3 tries)") in result.failed
    assert [h.status for h in site.hits_of(page)] == [502, 502, 502]
    assert mirror.entries[site.url(page)].consecutive_failures == 1


def test_retry_after_over_the_limit_is_left_for_the_next_sync(site, tmp_path):
    page = START + "claims/appeals.html"
    site.answer_once(page, 429, {"Retry-After": "3600"})
    t = time.monotonic()
    result, _ = crawl(site, tmp_path, max_retry_after_s=5)
    assert time.monotonic() - t < 5
    assert [why for u, why in result.failed if u == site.url(page)] == [
        "HTTP 429 asking to wait 3600 s (over the limit)"]


def test_timeouts_are_retried(site, tmp_path):
    s = fast(timeout_s=0.2, retries=1)
    site.latency = 0.5
    resp = Fetcher(s).get(site.url(START))
    assert resp.status == 0 and resp.error == "timed out (2 tries)"
    assert len(site.hits_of(START)) == 2


def test_robots_txt_unreachable_stops_the_sync(site, tmp_path):
    site.fail_always("/robots.txt", 500)
    with pytest.raises(SyncError, match="robots.txt"):
        crawl(site, tmp_path)
    assert not site.page_hits()


def test_robots_txt_forbidding_the_manual_stops_the_sync(site, tmp_path):
    site.put("/robots.txt", "User-agent: *\nDisallow: /medi-cal/\n")
    with pytest.raises(SyncError, match="does not allow"):
        crawl(site, tmp_path)
    assert not site.page_hits()


def test_no_robots_txt_and_no_sitemap_means_follow_links(site, tmp_path):
    site.remove("/robots.txt")
    site.remove("/sitemap.xml")
    result, mirror = crawl(site, tmp_path)
    assert result.sitemap_urls == 0 and not result.notes
    urls = {e.url for e in mirror.entries.values() if e.file}
    assert site.url(START + "private/draft-policy.html") in urls  # nothing disallows it now
    assert site.url(START + "benefits/vision/eyeglasses.html") not in urls  # only in sitemap


# -- the CLI's exit 2 ----------------------------------------------------------------------------------
def test_cli_exits_2_when_nothing_can_be_synced(site, tmp_path, monkeypatch, capsys):
    from ingest.__main__ import main

    monkeypatch.setenv("PMA_DATA_DIR", str(tmp_path / "var"))
    assert main(["sync", "--quiet"]) == 2  # no URL given or set
    assert "PMA_SYNC__URL" in capsys.readouterr().err
    assert main(["sync", "file:///etc/passwd"]) == 2
    site.fail_always("/robots.txt", 503)
    monkeypatch.setenv("PMA_SYNC__RETRIES", "0")
    assert main(["sync", site.url(START), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Cannot read" in err and "robots.txt" in err and "Nothing was synced" in err
    assert not (tmp_path / "index").exists() or not list((tmp_path / "index").iterdir())


def test_cli_exits_2_while_another_sync_holds_the_mirror(site, tmp_path, monkeypatch, capsys):
    from filelock import FileLock

    from ingest.__main__ import main

    mirror = tmp_path / "mirror"
    mirror.mkdir()
    with FileLock(str(mirror / "sync.lock")):
        assert main(["sync", site.url(START), "--mirror", str(mirror), "--quiet"]) == 2
    assert "Another sync" in capsys.readouterr().err
    assert not site.hits


# -- Slack ---------------------------------------------------------------------------------------------
REPORT = {
    "finished_at": "2026-11-30T10:00:00+00:00", "url": "https://h/m/",
    "summary": {"added": 1, "changed": 1, "removed": 0, "went_stale": 1, "failed": 1, "gone": 0},
    "pages": {"added": [{"doc_id": "a/new", "title": "New <b>Page</b>", "url": "https://h/m/a"}],
              "changed": [{"doc_id": "b/edit", "title": "Edited", "url": "https://h/m/b",
                           "sentences_added": ["x"], "sentences_removed": ["y", "z"],
                           "other": []}],
              "removed": []},
    "rules": {"went_stale": [{"rule_id": "r_one", "doc_id": "b/edit", "quote": "y",
                              "reason": "the sentence it quotes is no longer on page b/edit"}],
              "fresh_again": [], "stale": ["r_one"]},
    "crawl": {"failed": [["https://h/m/c", "HTTP 503"]]},
}


def test_change_report_is_posted_to_the_channel():
    from assistant.interfaces.slack import post_change_report

    slack = FakeSlack().start()
    try:
        settings = Settings(slack={"api_url": slack.api_url},
                            sync={"slack_channel": "C0CHANGES"})
        post_change_report(settings, REPORT, environ={"SLACK_BOT_TOKEN": "xoxb-t"})
        (call,) = slack.calls_of("chat.postMessage")
        assert call.params["channel"] == "C0CHANGES"
        blocks = call.params["blocks"]
        blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        text = json.dumps(blocks)
        assert "r_one" in text and "1 sentence(s) added, 2 removed" in text
        assert "New &lt;b&gt;Page&lt;/b&gt;" in text  # page titles are escaped
        with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
            post_change_report(settings, REPORT, environ={})
        with pytest.raises(ConfigError, match="refused"):
            post_change_report(settings, REPORT, environ={"SLACK_BOT_TOKEN": "not-a-bot-token"})
    finally:
        slack.stop()


# -- the chat page ---------------------------------------------------------------------------------------
def test_citation_of_a_recently_changed_page_says_so(tmp_path):
    from assistant.interfaces.web_render import render_answer
    from core.types import Answer, Citation
    from ingest.sync.reader import recent_changes

    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    manifest = {"pages": [
        {"url": "https://h/m/b", "file": "h/m/b.html", "doc_id": "b/edit",
         "changed_at": "2026-11-20T08:00:00+00:00", "change": "changed"},
        {"url": "https://h/m/old", "file": "h/m/old.html", "doc_id": "old/edit",
         "changed_at": "2026-10-01T08:00:00+00:00", "change": "changed"},
        {"url": "https://h/m/gone", "file": None, "doc_id": "gone",
         "changed_at": "2026-11-25T08:00:00+00:00", "change": "changed"}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    changed = recent_changes(tmp_path, 30, now=now)
    assert changed == {"b/edit": {"date": "2026-11-20", "change": "changed",
                                  "url": "https://h/m/b"}}

    def cite(n, doc):
        return Citation(n=n, chunk_id=f"{doc}::s::0", doc_id=doc, title=doc, section="S",
                        quote="q")

    a = Answer(question="q", answer="One [1]. Two [2].",
               citations=[cite(1, "b/edit"), cite(2, "old/edit")])
    doc = BeautifulSoup(render_answer(a, changed), "html.parser")
    first, second = doc.select(".pma-source")
    assert "changed in the manual on 2026-11-20" in first.select_one(".pma-changed").text
    assert second.select_one(".pma-changed") is None
    assert recent_changes(tmp_path / "nowhere", 30) == {}


def test_chat_page_has_the_what_changed_accordion(tmp_path, seed_assistant):
    import gradio as gr

    from assistant.interfaces.web import WebChat
    from assistant.interfaces.web_page import build_page
    from ingest.sync.reader import NO_REPORT

    settings = Settings(data_dir=tmp_path / "var")
    assert WebChat(settings, seed_assistant).change_report() == NO_REPORT
    (tmp_path / "var" / "sync").mkdir(parents=True)
    (tmp_path / "var" / "sync" / "latest.md").write_text("# What changed in the manual\n")
    page = build_page(settings, seed_assistant)
    accordions = [b for b in page.blocks.values() if isinstance(b, gr.Accordion)]
    assert "What changed in the manual" in [a.label for a in accordions]
    report = [b for b in page.blocks.values() if getattr(b, "elem_id", None)
              == "pma-changes-report"]
    assert report and report[0].value.strip() == "# What changed in the manual"


def test_requests_name_the_project_in_their_user_agent(site):
    Fetcher(fast()).get(site.url(START))
    assert site.hits[0].headers["user-agent"].startswith("ProviderManualAssistant/")


def test_sync_settings_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PMA_SYNC__URL", "https://h.example/m/")
    monkeypatch.setenv("PMA_SYNC__SLACK_CHANNEL", "C0X")
    monkeypatch.setenv("PMA_SYNC__GONE_AFTER", "3")
    s = Settings(data_dir=tmp_path / "var")
    assert (s.sync.url, s.sync.slack_channel, s.sync.gone_after) == ("https://h.example/m/",
                                                                    "C0X", 3)
    assert s.mirror_dir == tmp_path / "var" / "mirror"
    assert s.report_dir == tmp_path / "var" / "sync"
    assert all(f.description for f in SyncSettings.model_fields.values())
    monkeypatch.setenv("PMA_SYNC__NO_SUCH_KNOB", "1")
    with pytest.raises(ValueError):
        Settings()


def test_a_lost_copy_is_fetched_again_whole(site, tmp_path):
    _, mirror = crawl(site, tmp_path)
    entry = mirror.entries[site.url(START + "claims/overview.html")]
    (mirror.pages / entry.file).unlink()  # e.g. someone cleaned the folder
    site.clear_log()
    result, mirror = crawl(site, tmp_path)
    (hit,) = site.hits_of(START + "claims/overview.html")
    assert not hit.conditional and hit.status == 200
    assert result.added == [site.url(START + "claims/overview.html")]
    assert (mirror.pages / entry.file).is_file()
    assert result.not_modified == 7  # the other pages: one small request each

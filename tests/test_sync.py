"""``python -m ingest sync`` end to end against a local copy of the site (tests/sync_server.py):
real HTTP on 127.0.0.1, the real embedding model, a real embedded Chroma index.

One history is played once per module, as a site changes over four syncs:
1. first sync (a 429 with Retry-After and a 500 on the way, redirects in and out of scope);
2. nothing changed: only conditional requests;
3. a page edited (a rule's quoted sentence removed), a page gone, a page failing (CLI, exit 1);
4. the gone page still gone: removed (CLI, exit 0).
Each test then checks one part of what happened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fpdf import FPDF

from assistant.rules.engine import RuleBook
from bench.fake_slack import FakeSlack
from core.settings import Settings, SyncSettings
from core.store import IndexStore
from ingest.sync.changes import snapshot
from ingest.sync.run import SyncOutcome, sync
from tests.sync_server import LACTATION, SITE_DIR, TestSite, lactation_page

START = "/medi-cal/provider-manual/"
M = START
PUMP = M + "benefits/maternity/breast-pump-supplies.html"
EYES = M + "benefits/vision/eyeglasses.html"
APPEALS = M + "claims/appeals.html"
BENEFITS = M + "benefits/overview.html"
CLAIMS = M + "claims/overview.html"
PDF = M + "forms/claim-form-guide.pdf"
OLD = M + "old/claim-corrections.html"
CORRECTED = M + "claims/corrected-claims.html"
PARTNER = M + "partner-portal.html"
PARTNER_TARGET = "/medi-cal/partners/portal.html"
REAL_PUMP_URL = ("https://providerlibrary.healthnetcalifornia.com/medi-cal/provider-manual/"
                 "benefits/maternity/breast-pump-supplies.html")
OLD_PUMP = ("A hospital-grade pump is rented for up to 60 days at a time and needs prior "
            "authorization for each rental period.")
NEW_PUMP = ("A hospital-grade pump is rented for up to 90 days at a time; one prior "
            "authorization covers the whole rental.")
# the shipped lactation page's sentence that the project's rules quote, and the edit's new one
REFERRAL = "Providers may refer a member to lactation services for infants up to age one."
NEW_REFERRAL = ("Providers may refer a member to lactation services for infants up to 18 "
                "months of age.")
LACTATION_DOC = "benefits/maternity/lactation-education-and-support-services"
DOCS = {"medi-cal/provider-manual", "benefits/overview", "claims/overview",
        "benefits/maternity/breast-pump-supplies", "benefits/vision/eyeglasses",
        "claims/appeals", "claims/corrected-claims", "forms/claim-form-guide", LACTATION_DOC}


def claim_form_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.set_title("Claim Form Guide")
    for line in ("Claim Form Guide",
                 "Box 24J of the claim form holds the rendering provider's NPI.",
                 "Sign and date every paper claim form before mailing it."):
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def script_site(site: TestSite) -> None:
    """The site's state at the first sync."""
    site.put(PDF, claim_form_pdf(), etag=False, last_modified=1_700_000_000)  # If-Modified-Since
    site.redirect(OLD, site.url(CORRECTED))
    site.redirect(PARTNER, site.url(PARTNER_TARGET))
    site.answer_once(BENEFITS, 429, {"Retry-After": "1"})
    site.answer_once(CLAIMS, 500)


def sync_settings(tmp: Path) -> Settings:
    return Settings(index_dir=tmp / "index", data_dir=tmp / "var", corpus=[],
                    sync=SyncSettings(delay_s=0.02, backoff_s=0.05, retries=2))


def sync_env(tmp: Path, slack: FakeSlack) -> dict[str, str]:
    """The same settings from the environment, as an operator would give them to the CLI."""
    return {"PMA_INDEX_DIR": str(tmp / "index"), "PMA_DATA_DIR": str(tmp / "var"),
            "PMA_CORPUS": "[]", "PMA_SYNC__DELAY_S": "0.02",
            "PMA_SYNC__BACKOFF_S": "0.05", "PMA_SYNC__RETRIES": "2",
            "PMA_SYNC__SLACK_CHANNEL": "C0MANUAL", "PMA_SLACK__API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": "xoxb-test-token"}


@dataclass
class Step:
    outcome: SyncOutcome | None = None
    code: int | None = None
    hits: list = field(default_factory=list)
    docs: dict = field(default_factory=dict)  # doc_id -> Page (the index after the step)
    report: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    mtimes: dict = field(default_factory=dict)
    slack_posts: list = field(default_factory=list)
    stdout: str = ""
    md: str = ""


@dataclass
class History:
    tmp: Path
    settings: Settings
    site: TestSite
    steps: list[Step] = field(default_factory=list)

    def step(self, n: int) -> Step:
        return self.steps[n - 1]


def _record(h: History, step: Step, slack: FakeSlack) -> None:
    s = h.settings
    store = IndexStore(s)
    step.docs = snapshot(store, store.current().name)
    step.report = json.loads((s.report_dir / "latest.json").read_text())
    step.md = (s.report_dir / "latest.md").read_text()
    step.manifest = json.loads((s.mirror_dir / "manifest.json").read_text())
    step.mtimes = {p: p.stat().st_mtime_ns for p in (s.mirror_dir / "pages").rglob("*")
                   if p.is_file()}
    step.hits = list(h.site.hits)
    step.slack_posts = [c.params for c in slack.calls_of("chat.postMessage")]
    h.site.clear_log()
    slack.reset()


@pytest.fixture(scope="module")
def history(tmp_path_factory, embedder) -> History:
    from ingest.__main__ import main

    tmp = tmp_path_factory.mktemp("sync_history")
    site = TestSite().start()
    slack = FakeSlack().start()
    h = History(tmp, sync_settings(tmp), site)
    try:
        script_site(site)
        for _ in range(2):  # 1: first sync; 2: nothing changed
            step = Step(outcome=sync(h.settings, site.url(START), progress=False,
                                     embedder=embedder, load_rules=RuleBook.load))
            _record(h, step, slack)
            h.steps.append(step)
        # 3: the pump page edited, the eyeglasses page gone, the appeals page failing
        site.put(PUMP, (SITE_DIR / "edits" / "breast-pump-supplies-v2.html").read_bytes())
        site.put(LACTATION, lactation_page((REFERRAL, NEW_REFERRAL), updated="11/20/2026"))
        site.remove(EYES)
        site.fail_always(APPEALS, 503)
        # 4: appeals healed, eyeglasses still gone
        for heal in (False, True):
            if heal:
                site.heal(APPEALS)
            with pytest.MonkeyPatch.context() as mp:
                for key in [k for k in os.environ if k.startswith("PMA_")]:
                    mp.delenv(key)
                for key, value in sync_env(tmp, slack).items():
                    mp.setenv(key, value)
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    step = Step(code=main(["sync", site.url(START), "--quiet"]))
                step.stdout = out.getvalue()
            _record(h, step, slack)
            h.steps.append(step)
    finally:
        site.stop()
        slack.stop()
    return h


def _paths(hits) -> list[str]:
    return [x.path for x in hits]


# -- 1. the first sync ---------------------------------------------------------------------------
def test_first_sync_reads_robots_and_sitemap_and_stays_in_scope(history):
    hits = history.step(1).hits
    paths = _paths(hits)
    assert paths[0] == "/robots.txt" and paths[1] == "/sitemap.xml"
    assert all(p.startswith(M) for p in paths[2:]), paths
    assert not [p for p in paths if "/private/" in p]  # disallowed by robots.txt
    assert "/medi-cal/updates/news.html" not in paths  # linked and in the sitemap, out of scope
    assert PARTNER_TARGET not in paths  # a redirect out of scope is not followed
    assert all("ProviderManualAssistant" in x.headers.get("user-agent", "") for x in hits)
    crawl = history.step(1).outcome.crawl
    assert crawl.skipped_robots == [history.site.url(M + "private/draft-policy.html")]
    assert crawl.outside_links >= 3  # news page, example.org, the site's home
    assert crawl.left_scope == [(history.site.url(PARTNER), history.site.url(PARTNER_TARGET))]
    assert (history.site.url(OLD), history.site.url(CORRECTED)) in crawl.redirects


def test_first_sync_indexes_every_page_with_a_unique_id(history):
    step = history.step(1)
    assert set(step.docs) == DOCS  # two overview.html pages, two ids
    assert step.outcome.ingest.failures == []
    assert step.report["summary"] == {"added": 9, "changed": 0, "removed": 0, "went_stale": 0,
                                      "failed": 0, "gone": 0}
    # the eyeglasses page is linked from nowhere: only the sitemap names it
    assert EYES in _paths(step.hits)
    docs = step.docs
    assert docs["forms/claim-form-guide"].url == history.site.url(PDF)  # PDF: from its sidecar
    assert "Box 24J" in docs["forms/claim-form-guide"].text
    assert docs["benefits/maternity/breast-pump-supplies"].url == REAL_PUMP_URL  # own canonical
    assert docs["medi-cal/provider-manual"].url == history.site.url(START)  # injected
    assert docs["claims/overview"].url == history.site.url(CLAIMS)


def test_429_is_retried_after_retry_after_and_500_once_is_retried(history):
    hits = history.step(1).hits
    benefits = [x for x in hits if x.path == BENEFITS]
    assert [x.status for x in benefits] == [429, 200]
    assert benefits[1].at - benefits[0].at >= 1.0  # Retry-After: 1 honoured
    assert [x.status for x in hits if x.path == CLAIMS] == [500, 200]
    assert history.step(1).outcome.crawl.failed == []


def test_mirror_keeps_pages_and_a_manifest(history):
    s = history.settings
    manifest = history.step(1).manifest
    pages = {e["url"]: e for e in manifest["pages"]}
    pump = pages[history.site.url(PUMP)]
    for key in ("etag", "hash", "fetched_at", "file"):
        assert pump[key], key
    assert pump["status"] == 200 and pump["consecutive_gone"] == 0
    pdf = pages[history.site.url(PDF)]
    assert pdf["last_modified"] and pdf["etag"] is None and pdf["kind"] == "pdf"
    root = s.mirror_dir / "pages"
    home = (root / pages[history.site.url(START)]["file"]).read_text()
    assert f'<link rel="canonical" href="{history.site.url(START)}">' in home
    pump_html = (root / pump["file"]).read_text()
    assert pump_html.count('rel="canonical"') == 1 and REAL_PUMP_URL in pump_html
    assert (root / (pdf["file"] + ".url")).read_text().strip().endswith(history.site.url(PDF))
    assert pages[history.site.url(OLD)]["moved_to"] == history.site.url(CORRECTED)
    assert pages[history.site.url(OLD)]["file"] is None
    # an ingest can be repeated offline from the mirror: every indexed page has its file there
    sources = {p.source for p in history.step(1).docs.values()}
    assert sources == {str((root / e["file"]).resolve()) for e in manifest["pages"] if e["file"]}


# -- 2. nothing changed -----------------------------------------------------------------------------
def test_unchanged_resync_sends_only_conditional_requests(history):
    step = history.step(2)
    with_copy = {e["url"] for e in history.step(1).manifest["pages"] if e["file"]}
    page_hits = [x for x in step.hits if history.site.url(x.path) in with_copy]
    assert len(page_hits) == 9
    assert all(x.conditional and x.status == 304 for x in page_hits), page_hits
    assert [x.status for x in step.hits if x.path in ("/robots.txt", "/sitemap.xml")] == [304,
                                                                                           304]
    assert step.outcome.crawl.not_modified == 9
    assert not step.outcome.ingest.switched and step.outcome.ingest.added == 0
    assert step.report["summary"]["added"] == step.report["summary"]["changed"] == 0
    assert step.mtimes == history.step(1).mtimes  # no file rewritten


# -- 3. an edit, a page gone, a page failing -------------------------------------------------------
def test_edit_reports_sentences_added_and_removed(history):
    step = history.step(3)
    changed = {c["doc_id"]: c for c in step.report["pages"]["changed"]}
    assert set(changed) == {"benefits/maternity/breast-pump-supplies", LACTATION_DOC}
    pump = changed["benefits/maternity/breast-pump-supplies"]
    assert pump["sentences_removed"] == [OLD_PUMP]
    assert pump["sentences_added"] == [NEW_PUMP]
    assert "last updated: 2025-01-20 -> 2025-03-01" in pump["other"]
    lactation = changed[LACTATION_DOC]
    assert (lactation["sentences_removed"], lactation["sentences_added"]) == ([REFERRAL],
                                                                             [NEW_REFERRAL])
    assert OLD_PUMP not in step.docs["benefits/maternity/breast-pump-supplies"].text
    assert REFERRAL not in step.docs[LACTATION_DOC].text
    assert "## Changed pages" in step.md and "up to 90 days" in step.md
    assert "Rules that went stale" in step.md


def _rules_quoting(sentence: str) -> list[str]:
    """The project's rules (corpus/rules) whose quote is ``sentence``, in the order tried."""
    from assistant.rules.engine import RuleBook

    book = RuleBook.load(Settings().rules_dir)
    return [r.id for r in book.rules
            if r.citation is not None and " ".join(r.citation.quote.split()) == sentence]


def test_rules_whose_sentence_was_removed_are_reported_stale(history):
    expected = _rules_quoting(REFERRAL)
    assert expected  # the project's rules quote the referral sentence
    assert history.step(1).report["rules"]["went_stale"] == []  # the copy holds every quote
    rules = history.step(3).report["rules"]
    assert [r["rule_id"] for r in rules["went_stale"]] == expected
    for stale in rules["went_stale"]:
        assert stale["reason"] == f"the sentence it quotes is no longer on page {LACTATION_DOC}"
        assert stale["quote"] == REFERRAL
        assert stale["closest_new_sentence"] == NEW_REFERRAL
    assert rules["stale"] == sorted(expected)  # every other rule of the page still holds
    assert f"STALE rule {expected[0]}: the sentence it quotes" in history.step(3).stdout
    md = history.step(3).md
    assert md.count("It quoted: \"Providers may refer a member") == len(expected)
    assert history.step(4).report["rules"]["went_stale"] == []  # reported once


def test_failing_page_is_reported_its_copy_kept_and_cli_exits_1(history):
    step = history.step(3)
    assert step.code == 1
    failed = step.report["crawl"]["failed"]
    assert [u for u, _ in failed] == [history.site.url(APPEALS)]
    assert "HTTP 503 (3 tries)" in failed[0][1]
    assert [x.status for x in step.hits if x.path == APPEALS] == [503, 503, 503]
    assert "claims/appeals" in step.docs  # still answered from the last good copy
    entry = {e["url"]: e for e in step.manifest["pages"]}[history.site.url(APPEALS)]
    assert entry["file"] and entry["consecutive_failures"] == 1
    assert (history.settings.mirror_dir / "pages" / entry["file"]).exists()


def test_page_gone_once_is_kept_and_removed_on_the_second_sync(history):
    three, four = history.step(3), history.step(4)
    assert three.report["crawl"]["gone"] == [[history.site.url(EYES), 1]]
    assert "benefits/vision/eyeglasses" in three.docs
    assert three.report["pages"]["removed"] == []
    assert four.code == 0  # completed; the site reported a page gone
    assert [p["doc_id"] for p in four.report["pages"]["removed"]] == ["benefits/vision/eyeglasses"]
    assert "benefits/vision/eyeglasses" not in four.docs
    assert history.site.url(EYES) not in {e["url"] for e in four.manifest["pages"]}
    assert not list((history.settings.mirror_dir / "pages").rglob("eyeglasses*"))
    assert set(four.docs) == DOCS - {"benefits/vision/eyeglasses"}


def test_report_is_posted_to_slack_when_a_channel_is_set(history):
    posts = history.step(3).slack_posts
    assert len(posts) == 1 and posts[0]["channel"] == "C0MANUAL"
    blocks = json.dumps(posts[0]["blocks"])
    assert "What changed in the manual" in blocks
    assert _rules_quoting(REFERRAL)[0] in blocks and "Breast Pumps and Supplies" in blocks
    assert len(history.step(4).slack_posts) == 1  # a removal is news too


def test_manifest_records_when_a_page_changed(history):
    pages = {e["url"]: e for e in history.step(3).manifest["pages"]}
    pump = pages[history.site.url(PUMP)]
    assert pump["doc_id"] == "benefits/maternity/breast-pump-supplies"
    assert pump["change"] == "changed" and pump["changed_at"]
    # the first sync added everything: nothing is "changed" by it
    assert all(e["changed_at"] is None for e in history.step(1).manifest["pages"])


# -- the chat page --------------------------------------------------------------------------------
def test_chat_page_flags_citations_of_recently_changed_pages(history):
    from assistant.interfaces.web import WebChat
    from assistant.pipeline import Assistant
    from ingest.sync.reader import recent_changes

    s = history.settings
    chat = WebChat(s, Assistant.from_settings(s))
    exchange = chat.ask("For how many days at a time is a hospital-grade pump rented?", [])
    assert 'class="pma-changed"' in exchange["html"], exchange["html"]
    assert "changed in the manual on" in exchange["html"]
    sources = BeautifulSoup(exchange["html"], "html.parser").select(".pma-source")
    changed = {"Breast Pumps and Supplies", "Lactation Education and Support Services"}
    for src in sources:  # the note is on exactly the citations of changed pages
        title = src.select_one(".pma-link").text
        assert (src.select_one(".pma-changed") is not None) == (title in changed), title
    other = chat.ask("What must a corrected claim say about the original claim?", [])
    assert other["answer_id"] and 'pma-changed' not in other["html"]
    assert "## Removed pages" in chat.change_report()  # the latest report: sync 4
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=31)
    assert recent_changes(s.mirror_dir, 30, now=later) == {}
    assert set(recent_changes(s.mirror_dir, 30)) == {"benefits/maternity/breast-pump-supplies",
                                                     LACTATION_DOC}


# -- an index that already holds a live page from another file ----------------------------------------
def test_sync_refuses_to_index_a_page_twice_unless_rebuilding(tmp_path, embedder):
    from ingest.build import ingest
    from ingest.sync.crawl import SyncError

    shipped = tmp_path / "corpus" / "pumps.md"
    shipped.parent.mkdir()
    shipped.write_text(f"---\nurl: {REAL_PUMP_URL}\ntitle: Breast Pumps\n---\n"
                       "Members may keep a manual breast pump without prior authorization.\n")
    settings = sync_settings(tmp_path)
    ingest([shipped], settings, progress=False, embedder=embedder)
    site = TestSite().start()
    try:
        with pytest.raises(SyncError, match="benefits/maternity/breast-pump-supplies"):
            sync(settings, site.url(START), progress=False, embedder=embedder)
        store = IndexStore(settings)
        assert set(snapshot(store, store.current().name)) == {
            "benefits/maternity/breast-pump-supplies"}  # the index was not changed
        site.clear_log()
        out = sync(settings, site.url(START), progress=False, rebuild=True, embedder=embedder)
    finally:
        site.stop()
    docs = snapshot(store, store.current().name)
    assert docs["benefits/maternity/breast-pump-supplies"].source.startswith(
        str(settings.mirror_dir.resolve()))
    assert "forms/claim-form-guide" not in docs  # this site has no PDF
    assert set(docs) == DOCS - {"forms/claim-form-guide"}
    assert out.report["pages"]["changed"][0]["doc_id"] == "benefits/maternity/breast-pump-supplies"

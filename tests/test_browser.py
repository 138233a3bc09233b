"""End to end in headless Chromium (Playwright): ask, see the answer, badge and sources; refuse;
thumbs-down with a comment lands in the feedback log.

Set SCREENSHOT_TO=docs/screenshot.png to keep the screenshot of an answered question.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.test_web_app import RunningApp

expect = pytest.importorskip("playwright.sync_api").expect
sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
BILLING_QUESTION = ("Can a registered nurse with an IBCLC certification bill lactation support "
                    "under our Medi-Cal number?")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    running = RunningApp(tmp_path_factory.mktemp("web_browser")).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(app, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    pg.goto(app.url)
    pg.locator("#pma-question textarea").wait_for()
    yield pg
    context.close()


def ask(pg, question: str, *, button: bool = False):
    """Type a question, send it, wait for its reply; the reply's locator."""
    done = pg.locator("#pma-chat .pma-answer")
    before = done.count()
    box = pg.locator("#pma-question textarea")
    box.fill(question)
    if button:
        pg.locator("#pma-ask").click()
    else:
        box.press("Enter")
    pg.wait_for_function(
        "n => document.querySelectorAll('#pma-chat .pma-answer').length > n", arg=before)
    return done.nth(before)


def test_answer_badge_and_sources_render(page, tmp_path):
    reply = ask(page, BILLING_QUESTION)
    assert "pma-answered" in reply.get_attribute("class")
    badge = reply.locator(".pma-badge")
    badge.wait_for(state="visible")
    kinds = [k for k in ("eligible", "not_eligible", "conditional", "unknown")
             if f"pma-badge-{k}" in badge.get_attribute("class").split()]
    assert len(kinds) == 1 and badge.inner_text().strip()
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert reply.locator(".pma-text .pma-ref").count() >= 1
    sources = reply.locator(".pma-source")
    assert sources.count() >= 1
    first = sources.first
    assert first.locator("a.pma-link").get_attribute("href").startswith("https://")
    assert "last updated" in first.inner_text()
    quote = first.locator(".pma-quote blockquote")
    assert not quote.is_visible()  # folded until asked for
    first.locator(".pma-quote summary").click()
    quote.wait_for(state="visible")
    assert len(quote.inner_text()) > 20
    shot = tmp_path / "answer.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SCREENSHOT_TO"):
        Path(os.environ["SCREENSHOT_TO"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, os.environ["SCREENSHOT_TO"])


def test_refusal_looks_like_a_refusal(page):
    reply = ask(page, "What is the boiling point of mercury in Kelvin?", button=True)
    classes = reply.get_attribute("class").split()
    assert "pma-refusal" in classes and "pma-answered" not in classes
    assert reply.locator(".pma-refusal-head").is_visible()
    assert reply.locator(".pma-source").count() == 0
    assert reply.locator(".pma-badge").count() == 0


def test_markup_typed_by_a_user_is_shown_not_run(page):
    ask(page, 'Is <img src=x onerror="alert(1)"> <b>covered</b>?')
    assert page.locator("#pma-chat img[src=x]").count() == 0
    assert page.locator("#pma-chat .pma-question b").count() == 0
    assert "<b>covered</b>" in page.locator("#pma-chat .pma-question").last.inner_text()
    assert page.dialogs == []


def test_follow_up_and_new_conversation(page):
    ask(page, "Who can provide lactation education and support services?")
    reply = ask(page, "And can they bill Medi-Cal directly?")
    assert reply.locator(".pma-source").count() >= 1
    assert page.locator("#pma-chat .pma-question").count() == 2
    page.locator("#pma-new").click()
    page.wait_for_function("() => !document.querySelector('#pma-chat .pma-question')")


def test_thumbs_down_with_comment_lands_in_the_feedback_log(page, app):
    question = "Which lactation durable medical equipment is covered?"
    reply = ask(page, question)
    assert "pma-answered" in reply.get_attribute("class")
    bot = page.locator("#pma-chat [data-testid='bot']").last
    panel = page.locator("#pma-feedback")
    for attempt in range(3):  # on a loaded machine the chat may re-render under the first click
        bot.hover()
        page.locator("#pma-chat").get_by_role("button", name="Dislike").last.click()
        try:
            panel.wait_for(state="visible", timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.locator("#pma-fb-comment textarea").fill("It leaves out nipple shields.")
    page.locator("#pma-fb-correct textarea").fill("Breast pumps, breast shells, nipple shields.")
    expect(page.locator("#pma-fb-status")).to_contain_text("Rating saved")
    page.locator("#pma-fb-send").click()
    expect(page.locator("#pma-fb-status")).to_contain_text("Thanks")
    expect(page.locator("#pma-feedback")).to_be_hidden()
    log = app.data_dir / "feedback.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    mine = [e for e in entries if e["question"] == question]
    assert [e["rating"] for e in mine] == ["down", "down"]  # the click, then the details
    assert mine[0]["answer_id"] == mine[1]["answer_id"]
    assert mine[-1]["comment"] == "It leaves out nipple shields."
    assert mine[-1]["correct_answer"] == "Breast pumps, breast shells, nipple shields."
    assert mine[-1]["interface"] == "web" and mine[-1]["citations"]


def test_examples_and_filters_are_offered(page):
    example = page.get_by_text("What lactation durable medical equipment is covered?").first
    example.click()
    expect(page.locator("#pma-question textarea")).to_have_value(
        re.compile("durable medical equipment"))
    page.get_by_text("Filters").click()
    page.locator("#pma-docs").wait_for(state="visible")
    page.locator("#pma-provider").wait_for(state="visible")

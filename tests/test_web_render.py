"""Answer -> HTML: escaping, markers, badge, sources, refusals (pure functions)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from assistant.interfaces.web_render import (
    VERDICT_COLOURS,
    render_answer,
    render_badge,
    render_error,
    render_paragraphs,
    render_question,
    render_source,
    safe_url,
)
from core.types import Answer, Citation, Verdict

URL = "https://example.org/manual/page.html"


def cite(n=1, **kw) -> Citation:
    base = {"n": n, "chunk_id": f"c{n}", "doc_id": "page", "title": "A Page Title",
            "section": "Billing", "url": URL, "last_updated": "2024-12-04",
            "quote": "The quoted sentence."}
    base.update(kw)
    return Citation(**base)


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_answer_shows_text_markers_and_sources():
    a = Answer(question="q", answer="First fact [1]. Second fact [2].\n\nMore [1].",
               citations=[cite(1), cite(2, section="Referral", last_updated=None, url=None)])
    doc = soup(render_answer(a))
    assert doc.select_one(".pma-answer")["data-abstained"] == "false"
    assert "pma-answered" in doc.select_one(".pma-answer")["class"]
    assert [s["data-n"] for s in doc.select(".pma-text .pma-ref")] == ["1", "2", "1"]
    assert len(doc.select(".pma-text p")) == 2
    sources = doc.select(".pma-source")
    assert [s["data-n"] for s in sources] == ["1", "2"]
    first = sources[0]
    assert first.select_one("a.pma-link")["href"] == URL
    assert "noopener" in first.select_one("a.pma-link")["rel"]
    assert "Billing" in first.select_one(".pma-section").text
    assert "2024-12-04" in first.select_one(".pma-updated").text
    assert first.select_one("details.pma-quote blockquote").text == "The quoted sentence."
    second = sources[1]
    assert second.select_one("a") is None and second.select_one(".pma-updated") is None
    assert doc.select_one(".pma-badge") is None


def test_unknown_marker_is_left_as_plain_text():
    a = Answer(question="q", answer="Fact [1] and a stray [7].", citations=[cite(1)])
    doc = soup(render_answer(a))
    assert [s["data-n"] for s in doc.select(".pma-text .pma-ref")] == ["1"]
    assert "[7]" in doc.select_one(".pma-text").text


@pytest.mark.parametrize("payload", [
    '<script>alert("x")</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:x">y</a>',
])
def test_markup_from_pages_and_answers_is_escaped(payload):
    c = cite(1, title=f"Title {payload}", section=f"Sec {payload}", quote=f"Quote {payload}")
    v = Verdict(verdict="eligible", rule_id=f"r{payload}", explanation="e",
                missing_facts=[payload])
    a = Answer(question="q", answer=f"Answer {payload} [1]", citations=[c], verdict=v)
    html = render_answer(a)
    doc = soup(html)
    assert doc.find("script") is None and doc.find("img") is None
    assert all(not tag.get("href", "").startswith("javascript") for tag in doc.find_all("a"))
    assert not any(k.startswith("on") for tag in doc.find_all(True) for k in tag.attrs)
    # the text is still there, as text
    assert payload in doc.select_one(".pma-quote blockquote").text
    assert payload in doc.select_one(".pma-text").text


def test_rendered_message_is_one_html_line():
    a = Answer(question="q", answer="One.\nTwo [1].\n\nThree.", citations=[cite(1, quote="a\nb")])
    html = render_answer(a)
    assert "\n" not in html and html.startswith("<div") and html.endswith("</div>")
    assert "<br>" in html


@pytest.mark.parametrize("url,ok", [
    (URL, True), ("http://example.org/x", True), ("javascript:alert(1)", False),
    ("data:text/html,hi", False), ("/relative/path", False), ("", False), (None, False),
    ('https://example.org/"onmouseover="x', False), ("https:///nohost", False),
])
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) is ok


def test_badge_label_and_colour_differ_per_verdict():
    seen = set()
    for kind, label in [("eligible", "Eligible"), ("not_eligible", "Not eligible"),
                        ("conditional", "Conditional"), ("unknown", "Not settled by the manual")]:
        doc = soup(render_badge(Verdict(verdict=kind, rule_id="rule-x", explanation="e")))
        badge = doc.select_one(".pma-badge")
        assert badge["data-verdict"] == kind and badge.text == label
        assert f"pma-badge-{kind}" in badge["class"]
        assert VERDICT_COLOURS[kind][1] in badge["style"]
        assert "rule-x" in doc.select_one(".pma-rule").text
        seen.add(badge["style"])
    assert len(seen) == 4


def test_conditional_badge_lists_missing_facts():
    v = Verdict(verdict="conditional", rule_id="r", explanation="e",
                missing_facts=["who rendered the service", "certification"])
    doc = soup(render_badge(v))
    assert [li.text for li in doc.select(".pma-missing li")] == [
        "who rendered the service", "certification"]


def test_answer_with_verdict_puts_badge_first():
    v = Verdict(verdict="not_eligible", rule_id="r1", explanation="e", citation=cite(1))
    a = Answer(question="q", answer="No [1].", citations=[cite(1)], verdict=v)
    doc = soup(render_answer(a))
    first = doc.select_one(".pma-answer").find(True)
    assert "pma-verdict" in first["class"]
    assert doc.select_one(".pma-badge")["data-verdict"] == "not_eligible"


@pytest.mark.parametrize("reason,head", [
    ("no_passage", "Not found in the manual"), ("member_specific", "Member-specific question"),
    ("too_long", "Question too long"), ("something_new", "Not answered"),
])
def test_refusal_looks_like_a_refusal(reason, head):
    a = Answer(question="q", answer="I cannot answer that [1].", abstained=True,
               abstain_reason=reason, citations=[cite(1)])
    doc = soup(render_answer(a))
    box = doc.select_one(".pma-answer")
    assert "pma-refusal" in box["class"] and box["data-abstained"] == "true"
    assert box["data-reason"] == reason
    assert f"pma-reason-{reason}" in box["class"] and "pma-answered" not in box["class"]
    assert head in doc.select_one(".pma-refusal-head").text
    assert doc.select_one(".pma-sources") is None and doc.select_one(".pma-badge") is None
    assert doc.select(".pma-ref") == []


def test_error_and_question_are_escaped():
    doc = soup(render_error("<b>down</b>", "unavailable"))
    assert doc.find("b") is None and "<b>down</b>" in doc.text
    assert "unavailable" in doc.select_one(".pma-refusal-head").text.lower()
    q = soup(render_question("**bold** <i>x</i>"))
    assert q.find("i") is None and "<i>x</i>" in q.text


def test_paragraphs_skip_blank_and_mark_only_known():
    html = render_paragraphs("a [1]\n\n\n\nb [2]", known={2})
    doc = soup(html)
    assert len(doc.find_all("p")) == 2
    assert [s["data-n"] for s in doc.select(".pma-ref")] == ["2"]


def test_source_without_section_repeats_nothing():
    doc = soup(render_source(cite(3, section="A Page Title")))
    assert doc.select_one(".pma-section") is None


def test_a_follow_up_shows_how_it_was_read():
    read = Answer(question="does that include midwives?", answer="Yes, midwives. [1]",
                  citations=[cite()],
                  resolved_question="does that include midwives? (in the context of: who can "
                                    "write the rx for lactation DME)")
    box = soup(render_answer(read)).select_one(".pma-read-as")
    assert box is not None and "in the context of: who can write the rx" in box.text
    plain = Answer(question="q", answer="A. [1]", citations=[cite()])
    assert soup(render_answer(plain)).select_one(".pma-read-as") is None

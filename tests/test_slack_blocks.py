"""Block Kit rendering, thread history and token checks: pure parts of the Slack bot."""

import json

import pytest

from assistant.interfaces.slack import read_tokens
from assistant.interfaces.slack_blocks import (
    FEEDBACK_BLOCK_ID,
    answer_message,
    clean_text,
    history_from_replies,
    notice_message,
    thanks_blocks,
)
from assistant.interfaces.slack_dedupe import SeenSet
from core.errors import ConfigError
from core.types import Answer, Citation, Context, Verdict

URL = "https://example.test/manual/vision-care.html"


def _cite(n, section="Glasses", quote="Frames come from the state lab.", url=URL,
          updated="2025-01-31"):
    return Citation(n=n, chunk_id=f"vision::{section}::{n}", doc_id="vision", title="Vision Care",
                    section=section, url=url, last_updated=updated, quote=quote)


def _texts(blocks):
    out = []
    for b in blocks:
        if "text" in b and isinstance(b["text"], dict):
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            out.append(e["text"]["text"] if isinstance(e.get("text"), dict) else e.get("text", ""))
    return "\n".join(out)


def test_answer_has_markers_sources_with_section_date_link_and_feedback_buttons():
    a = Answer(question="q", answer="Frames come from the state lab [1]. Contacts need a TAR [2].",
               citations=[_cite(1), _cite(2, "Contacts", "Contacts need a TAR.", updated=None)])
    text, blocks = answer_message(a)
    assert clean_text(text) == a.answer  # the notification/history text is the answer itself
    body = _texts(blocks)
    assert "[1]" in body and "[2]" in body
    assert f"<{URL}|Vision Care>" in body
    assert "› Glasses" in body and "› Contacts" in body
    assert "Last updated 2025-01-31" in body and "not stated" in body
    assert "“Contacts need a TAR.”" in body
    buttons = next(b for b in blocks if b.get("block_id") == FEEDBACK_BLOCK_ID)["elements"]
    assert {e["value"] for e in buttons} == {a.id}
    assert len({e["action_id"] for e in buttons}) == 2
    json.dumps(blocks)  # serialisable as sent


def test_verdict_comes_first_with_rule_and_missing_facts():
    v = Verdict(verdict="conditional", rule_id="vision.frames", explanation="Only with a TAR.",
                citation=_cite(1), missing_facts=["whether a TAR was approved"])
    a = Answer(question="q", answer="It depends [1].", citations=[_cite(1)], verdict=v)
    _, blocks = answer_message(a)
    first = blocks[0]["text"]["text"]
    assert "Billing check: Conditional" in first and "Only with a TAR." in first
    assert "whether a TAR was approved" in first
    assert "vision.frames" in _texts(blocks[:2])


def test_refusal_says_where_to_go_and_lists_closest_pages_without_sources():
    a = Answer(question="q", answer="The manual does not answer this.", abstained=True,
               abstain_reason="no_passage",
               contexts=[Context(chunk_id="c", doc_id="vision", url=URL, title="Vision Care",
                                 section="Glasses", score=0.1)])
    _, blocks = answer_message(a)
    body = _texts(blocks)
    assert "Provider Services" in body and "provider portal" in body
    assert f"<{URL}|Vision Care>" in body
    assert "*Sources*" not in body


def test_mrkdwn_control_characters_are_escaped_and_long_answers_split():
    a = Answer(question="q", answer="Use <b> & " + "word " * 1500)
    _, blocks = answer_message(a)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections[0].startswith("Use &lt;b&gt; &amp; ")
    assert len(sections) >= 3 and all(len(s) <= 3000 for s in sections)
    assert len(blocks) <= 50


def test_a_url_with_pipe_or_angle_bracket_cannot_break_the_link():
    a = Answer(question="q", answer="x [1]", citations=[_cite(1, url="https://x.test/a|b>c")])
    body = _texts(answer_message(a)[1])
    assert "<https://x.test/a%7Cb%3Ec|Vision Care>" in body


def test_fallback_text_is_escaped_and_reads_back_the_same():
    a = Answer(question="q", answer="Use form <A> & B [1]")
    text, _ = answer_message(a)
    assert text == "Use form &lt;A&gt; &amp; B [1]"
    assert clean_text(text) == a.answer


def test_notice_has_no_feedback_buttons():
    _, blocks = notice_message("Too long.")
    assert all(b.get("block_id") != FEEDBACK_BLOCK_ID for b in blocks)


def test_thanks_replaces_only_the_buttons():
    a = Answer(question="q", answer="x [1]", citations=[_cite(1)])
    _, blocks = answer_message(a)
    after = thanks_blocks(blocks, "down", "UREP0001")
    assert len(after) == len(blocks)
    assert not any(b.get("block_id") == FEEDBACK_BLOCK_ID for b in after)
    assert "not helpful by <@UREP0001>" in _texts(after)


def test_clean_text_drops_mentions_and_unwraps_links():
    assert clean_text("<@UBOT1> can a PA bill &amp; <https://x.test|this page>?") == \
        "can a PA bill & this page?"


def test_history_from_replies_roles_order_and_cutoff():
    msgs = [
        {"ts": "3.0", "user": "UREP", "text": "<@UBOT> and PAs?"},  # the question itself
        {"ts": "1.0", "user": "UREP", "text": "<@UBOT> can an RN bill?"},
        {"ts": "2.0", "user": "UBOT", "bot_id": "BBOT", "text": "Yes, under the provider [1]."},
        {"ts": "2.5", "user": "UREP", "subtype": "channel_join", "text": "joined"},
        {"ts": "2.6", "bot_id": "BOTHER", "text": "other bot noise"},
        {"ts": "4.0", "user": "UREP", "text": "later"},
    ]
    turns = history_from_replies(msgs, bot_user_id="UBOT", bot_id="BBOT", before_ts="3.0")
    assert [(t.role, t.content) for t in turns] == [
        ("user", "can an RN bill?"), ("assistant", "Yes, under the provider [1].")]


def test_seen_set_answers_once_within_ttl():
    seen = SeenSet(ttl=60)
    assert seen.first_time("Ev1") and not seen.first_time("Ev1") and seen.first_time("Ev2")
    expired = SeenSet(ttl=0)
    assert expired.first_time("Ev1")
    assert expired.first_time("Ev1")  # older than the TTL: forgotten


@pytest.mark.parametrize("mode,env,missing", [
    ("http", {}, ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
    ("http", {"SLACK_BOT_TOKEN": "xoxb-1"}, ["SLACK_SIGNING_SECRET"]),
    ("socket", {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, ["SLACK_APP_TOKEN"]),
])
def test_missing_tokens_name_the_variable(mode, env, missing):
    with pytest.raises(ConfigError) as err:
        read_tokens(mode, env)
    for name in missing:
        assert name in str(err.value)
    for name in {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"} - set(missing):
        assert f"{name} (" not in str(err.value)


def test_tokens_present():
    t = read_tokens("socket", {"SLACK_BOT_TOKEN": "xoxb-1 ", "SLACK_APP_TOKEN": "xapp-1"})
    assert (t.bot_token, t.app_token, t.signing_secret) == ("xoxb-1", "xapp-1", None)


def test_a_follow_up_in_a_thread_shows_how_it_was_read():
    answer = Answer(question="and for NP?", answer="Yes. [1]", citations=[_cite(1)],
                    resolved_question="and for NP? (in the context of: can an RN bill)")
    _, blocks = answer_message(answer)
    assert "Read as: and for NP? (in the context of: can an RN bill)" in _texts(blocks)

"""The Slack bot end to end over real HTTP: real slack_bolt and slack_sdk, the real Assistant on the
seed index, signed events posted to the running bot, a local fake Slack Web API (bench/fake_slack.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from assistant.interfaces.slack import SlackTokens, build_bot
from assistant.interfaces.slack_blocks import (
    FEEDBACK_BLOCK_ID,
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    clean_text,
)
from bench.fake_slack import BOT_USER_ID, TEAM_ID, FakeSlack
from tests.conftest import make_settings

SECRET = "test-signing-secret-0123456789"
CHANNEL = "C0000001"
REP = "UREP0001"
CIN, DOB = "91234567A", "01/02/1990"


class RecordingAssistant:
    """The real Assistant, with each ask() call's arguments kept for the test to read."""

    def __init__(self, real, delay: float = 0.0):
        self.real, self.delay = real, delay
        self.calls: list[dict] = []

    def ask(self, question, history=None, filters=None, **kw):
        self.calls.append({"question": question, "history": list(history or []), **kw})
        time.sleep(self.delay)  # a slow model, when a test asks for one
        return self.real.ask(question, history, filters, **kw)


class Bot:
    """A SlackBot served over HTTP on a free port, and a signing client for it."""

    def __init__(self, fake: FakeSlack, assistant, settings):
        self.fake, self.settings = fake, settings
        self.assistant = RecordingAssistant(assistant)
        self.bot = build_bot(settings, self.assistant,
                             SlackTokens(bot_token="xoxb-test", signing_secret=SECRET))
        self.server = self.bot.http_server("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.server_port}/slack/events"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.bot.close()

    # -- requests -----------------------------------------------------------------------------
    def post(self, body: str, **kw) -> tuple[int, str]:
        return post_signed(self.url, body, **kw)

    def event(self, event: dict, *, event_id: str | None = None, **kw) -> tuple[int, str]:
        return self.post(json.dumps(event_body(event, event_id)), **kw)

    def mention(self, text: str, *, thread_ts: str | None = None, event_id=None, **kw):
        ts = self.fake.add_message(CHANNEL, f"<@{BOT_USER_ID}> {text}", user=REP,
                                   thread_ts=thread_ts)
        ev = {"type": "app_mention", "user": REP, "text": f"<@{BOT_USER_ID}> {text}", "ts": ts,
              "channel": CHANNEL, "event_ts": ts}
        if thread_ts:
            ev["thread_ts"] = thread_ts
        status, _ = self.event(ev, event_id=event_id, **kw)
        return status, ts


def post_signed(url: str, body: str, *, content_type="application/json", timestamp=None,
                secret=SECRET, sign_body=None, headers=None) -> tuple[int, str]:
    """POST body to url with a v0 Slack signature (of ``sign_body`` when given)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{sign_body or body}".encode(),
                      hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def event_body(event: dict, event_id: str | None = None) -> dict:
    return {"token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0000001", "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{time.time_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]}


def texts(blocks) -> str:
    out = []
    for b in blocks or []:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            out.append(e["text"]["text"] if isinstance(e.get("text"), dict) else e.get("text", ""))
    return "\n".join(out)


def quiet_period(fake: FakeSlack, method: str, expected: int, seconds: float = 1.5) -> None:
    """Nothing more of ``method`` arrives within ``seconds``."""
    time.sleep(seconds)
    assert len(fake.calls_of(method)) == expected


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def bot(fake, seed_assistant, tmp_path):
    fake.reset()
    settings = make_settings(tmp_path, slack={"api_url": fake.api_url})
    b = Bot(fake, seed_assistant, settings)
    yield b
    b.stop()


# ---------------------------------------------------------------- tests
def test_mention_gets_one_threaded_reply_with_citations(bot, fake):
    status, ts = bot.mention("who can write a prescription for a breast pump?")
    assert status == 200
    (post,) = fake.wait_for("chat.postMessage")
    quiet_period(fake, "chat.postMessage", 1)
    assert post.params["channel"] == CHANNEL and post.params["thread_ts"] == ts
    body = texts(post.params["blocks"])
    assert "[1]" in body
    assert "<https://providerlibrary.healthnetcalifornia.com/" in body  # a source link
    assert "Last updated 20" in body
    assert any(b.get("block_id") == FEEDBACK_BLOCK_ID for b in post.params["blocks"])
    assert bot.assistant.calls[0]["interface"] == "slack" and bot.assistant.calls[0]["user"] == REP
    assert bot.assistant.calls[0]["question"] == "who can write a prescription for a breast pump?"


def test_follow_up_in_thread_uses_the_thread_as_history(bot, fake):
    first = "can an RN with an IBCLC certificate bill Medi-Cal under our provider number?"
    _, root = bot.mention(first)
    (answer1,) = fake.wait_for("chat.postMessage")
    bot.mention("and what about physician assistants?", thread_ts=root)
    posts = fake.wait_for("chat.postMessage", 2)

    replies = fake.calls_of("conversations.replies")
    assert replies and replies[-1].params["ts"] == root
    history = bot.assistant.calls[1]["history"]
    assert [t.role for t in history] == ["user", "assistant"]
    assert history[0].content == first
    assert history[1].content == clean_text(answer1.params["text"])

    follow = posts[1].params
    assert follow["thread_ts"] == root
    first_sections = {c.section for c in bot.assistant.real.ask(first, []).citations}
    cited = texts(follow["blocks"])
    assert "[1]" in cited and any(f"› {s}" in cited for s in first_sections), cited
    # The thread is what makes these words a billing question: the reply gives the rule's
    # verdict first; the same words alone name no billing topic and get no verdict.
    assert "Billing check" in cited
    alone = bot.assistant.real.ask("and what about physician assistants?", [])
    assert alone.verdict is None


def test_long_thread_history_is_read_across_pages(bot, fake):
    root = fake.add_message(CHANNEL, "lactation questions for today", user=REP)
    for i in range(240):
        fake.add_message(CHANNEL, f"note {i}", user="UOTHER01", thread_ts=root)
    bot.mention("who can prescribe a breast pump?", thread_ts=root)
    fake.wait_for("chat.postMessage")
    assert len(fake.calls_of("conversations.replies")) == 2  # 200 + the rest
    history = bot.assistant.calls[0]["history"]
    assert len(history) == 241 and history[-1].content == "note 239"


@pytest.mark.parametrize("tamper", ["forged", "body_changed", "too_old"])
def test_bad_signatures_are_rejected_and_nothing_is_posted(bot, fake, tamper):
    ts = fake.add_message(CHANNEL, "who can prescribe a breast pump?", user=REP)
    body = json.dumps(event_body({"type": "app_mention", "user": REP, "ts": ts,
                                  "text": f"<@{BOT_USER_ID}> who can prescribe a breast pump?",
                                  "channel": CHANNEL, "event_ts": ts}))
    kw = {"forged": {"secret": "not-the-secret"},
          "body_changed": {"sign_body": body.replace("breast pump", "wheelchair")},
          "too_old": {"timestamp": int(time.time()) - 301}}[tamper]
    status, _ = bot.post(body, **kw)
    assert status == 401
    quiet_period(fake, "chat.postMessage", 0, seconds=1.0)
    assert not fake.calls_of("conversations.replies") and not bot.assistant.calls
    # The same request signed properly is accepted (the harness signs correctly).
    status, _ = bot.post(body)
    assert status == 200
    fake.wait_for("chat.postMessage")


def test_url_verification_challenge_is_answered_only_when_signed(bot, fake):
    body = json.dumps({"token": "legacy", "challenge": "c-3f9a1", "type": "url_verification"})
    status, text = bot.post(body)
    assert status == 200 and "c-3f9a1" in text
    status, text = bot.post(body, secret="forged")
    assert status == 401 and "c-3f9a1" not in text


def test_http_mode_refuses_to_serve_unverified(fake, seed_assistant, tmp_path):
    from core.errors import ConfigError

    fake.reset()
    settings = make_settings(tmp_path, slack={"api_url": fake.api_url})
    bot = build_bot(settings, seed_assistant, SlackTokens(bot_token="xoxb-test"))
    try:
        with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
            bot.http_server("127.0.0.1", 0)
    finally:
        bot.close()


def test_retried_event_is_answered_once(bot, fake):
    ts = fake.add_message(CHANNEL, "what breast pumps can members get?", user=REP)
    ev = {"type": "app_mention", "user": REP, "ts": ts, "channel": CHANNEL, "event_ts": ts,
          "text": f"<@{BOT_USER_ID}> what breast pumps can members get?"}
    body = json.dumps(event_body(ev, "Ev0RETRY1"))
    assert bot.post(body)[0] == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert bot.post(body, headers=retry)[0] == 200
    assert bot.post(body, headers={**retry, "X-Slack-Retry-Num": "2"})[0] == 200
    fake.wait_for("chat.postMessage")
    quiet_period(fake, "chat.postMessage", 1)
    assert len(bot.assistant.calls) == 1


def test_rate_limited_post_is_waited_out_and_delivered(bot, fake):
    fake.rate_limit_once("chat.postMessage", retry_after=1)
    _, ts = bot.mention("what breast pumps can members get?")
    (post,) = fake.wait_for("chat.postMessage", timeout=30)
    limited = fake.calls_of("chat.postMessage", status=429)
    assert len(limited) == 1
    assert post.at - limited[0].at >= 1.0  # Retry-After honoured
    assert post.params["thread_ts"] == ts and post.params["blocks"] == limited[0].params["blocks"]
    quiet_period(fake, "chat.postMessage", 1, seconds=0.5)


def click(bot, fake, action_id: str) -> str:
    """Post a block_actions payload for a feedback button of the last answer; its answer id."""
    posted = fake.messages[CHANNEL][-1]
    (buttons,) = [b for b in posted["blocks"] if b.get("block_id") == FEEDBACK_BLOCK_ID]
    answer_id = buttons["elements"][0]["value"]
    payload = {
        "type": "block_actions", "user": {"id": REP}, "api_app_id": "A0000001",
        "team": {"id": TEAM_ID}, "channel": {"id": CHANNEL}, "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": posted["ts"], "channel_id": CHANNEL,
                      "is_ephemeral": False},
        "message": posted, "response_url": fake.response_url("fb"),
        "actions": [{"action_id": action_id, "block_id": FEEDBACK_BLOCK_ID, "value": answer_id,
                     "type": "button", "action_ts": str(time.time())}],
    }
    status, _ = bot.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                         content_type="application/x-www-form-urlencoded")
    assert status == 200
    return answer_id


def feedback_rows(path, count: int) -> list[dict]:
    deadline = time.monotonic() + 10
    rows: list[dict] = []
    while time.monotonic() < deadline:
        if path.exists():
            rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            if len(rows) >= count:
                break
        time.sleep(0.05)
    assert len(rows) == count, rows
    return rows


def test_feedback_button_records_in_the_feedback_log(bot, fake):
    bot.mention("what breast pumps can members get?")
    fake.wait_for("chat.postMessage")
    posted_ts = fake.messages[CHANNEL][-1]["ts"]
    answer_id = click(bot, fake, FEEDBACK_UP)
    (update,) = fake.wait_for("chat.update")
    assert update.params["ts"] == posted_ts
    assert "marked helpful" in texts(update.params["blocks"])
    assert FEEDBACK_BLOCK_ID not in json.dumps(update.params["blocks"])  # buttons gone
    (row,) = feedback_rows(bot.settings.feedback_path, 1)
    assert row["answer_id"] == answer_id and row["rating"] == "up"
    assert row["interface"] == "slack"
    assert "breast pumps" in row["question"]
    assert row["citations"] and all("::" in c for c in row["citations"])
    assert not fake.calls_of("views.open")  # the form is only for "not helpful"


def test_not_helpful_opens_a_form_whose_comment_is_recorded_too(bot, fake):
    bot.mention("what breast pumps can members get?")
    fake.wait_for("chat.postMessage")
    answer_id = click(bot, fake, FEEDBACK_DOWN)
    (opened,) = fake.wait_for("views.open")
    view = opened.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["private_metadata"] == answer_id
    feedback_rows(bot.settings.feedback_path, 1)
    submitted = {**view, "id": "V0000001", "state": {"values": {
        "comment": {"value": {"type": "plain_text_input",
                              "value": f"It skipped the rental rule (member CIN {CIN})"}},
        "correct": {"value": {"type": "plain_text_input",
                              "value": "Hospital-grade pumps are rentals only."}}}}}
    payload = {"type": "view_submission", "user": {"id": REP}, "team": {"id": TEAM_ID},
               "api_app_id": "A0000001", "trigger_id": "4.5.6", "view": submitted}
    status, body = bot.post(urllib.parse.urlencode({"payload": json.dumps(payload)}),
                            content_type="application/x-www-form-urlencoded")
    assert status == 200 and "errors" not in body
    first, second = feedback_rows(bot.settings.feedback_path, 2)
    assert first["rating"] == second["rating"] == "down"
    assert second["answer_id"] == answer_id
    assert "rental rule" in second["comment"] and CIN not in second["comment"]
    assert second["correct_answer"] == "Hospital-grade pumps are rentals only."
    assert "breast pumps" in second["question"]


def test_direct_message_is_answered_in_the_conversation(bot, fake):
    ts = fake.add_message("D0000001", "who can prescribe lactation DME?", user=REP)
    ev = {"type": "message", "channel_type": "im", "channel": "D0000001", "user": REP,
          "text": "who can prescribe lactation DME?", "ts": ts, "event_ts": ts}
    assert bot.event(ev)[0] == 200
    (post,) = fake.wait_for("chat.postMessage")
    assert post.params["channel"] == "D0000001" and not post.params.get("thread_ts")
    assert "[1]" in texts(post.params["blocks"])
    # Messages in channels (without a mention) and edits are not answered.
    bot.event({**ev, "channel_type": "channel", "channel": CHANNEL, "ts": fake.next_ts()})
    bot.event({**ev, "subtype": "message_changed", "ts": fake.next_ts()})
    quiet_period(fake, "chat.postMessage", 1, seconds=1.0)


def test_slash_command_acks_at_once_and_answers_through_response_url(bot, fake):
    form = {"command": "/manual", "text": "who can prescribe lactation DME?", "user_id": REP,
            "channel_id": CHANNEL, "team_id": TEAM_ID, "trigger_id": "1.2.3",
            "response_url": fake.response_url("cmd")}
    started = time.monotonic()
    status, body = bot.post(urllib.parse.urlencode(form),
                            content_type="application/x-www-form-urlencoded")
    assert status == 200 and "Looking that up" in body
    assert time.monotonic() - started < 3
    (resp,) = fake.wait_for("response_url")
    assert resp.params["response_type"] == "ephemeral"
    assert "[1]" in texts(resp.params["blocks"])


def test_acks_stay_fast_while_answers_queue_up(bot, fake):
    bot.assistant.delay = 1.0  # each answer takes over a second; they run one at a time
    for i in range(6):
        status, _ = bot.mention(f"what breast pumps can members get? ({i})")
        assert status == 200
    form = {"command": "/manual", "text": "who can prescribe lactation DME?", "user_id": REP,
            "channel_id": CHANNEL, "response_url": fake.response_url("busy")}
    started = time.monotonic()
    status, body = bot.post(urllib.parse.urlencode(form),
                            content_type="application/x-www-form-urlencoded")
    assert status == 200 and "Looking that up" in body
    assert time.monotonic() - started < 1.0
    fake.wait_for("chat.postMessage", 6, timeout=60)
    fake.wait_for("response_url", 1, timeout=30)


def test_message_over_the_limit_gets_a_notice_and_no_model_call(fake, seed_assistant, tmp_path):
    fake.reset()
    settings = make_settings(tmp_path, slack={"api_url": fake.api_url},
                             limits={"max_slack_message_chars": 300})
    b = Bot(fake, seed_assistant, settings)
    try:
        _, ts = b.mention("can an RN bill for lactation support? " * 12)
        (post,) = fake.wait_for("chat.postMessage")
        assert "300" in post.params["text"] and "characters" in post.params["text"]
        assert post.params["thread_ts"] == ts
        assert b.assistant.calls == []
    finally:
        b.stop()


@pytest.fixture
def debug_logging(tmp_path):
    """The product's logging at DEBUG with a log file; restored afterwards."""
    from core.logging_setup import configure_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    log_file = tmp_path / "logs" / "bot.log"
    configure_logging("DEBUG", log_file=log_file)
    raw: list[logging.LogRecord] = []

    class Raw(logging.Handler):  # first in line: sees records before any redaction filter
        def emit(self, record):
            raw.append((record.name, record.getMessage()))

    root.handlers.insert(0, Raw(level=logging.DEBUG))
    yield log_file, raw
    for h in list(root.handlers):
        if h not in saved[0]:
            root.removeHandler(h)
            h.close()
    root.setLevel(saved[1])


def test_member_ids_leave_no_trace_in_logs(bot, fake, debug_logging, caplog, tmp_path):
    log_file, raw = debug_logging
    caplog.set_level(logging.DEBUG)
    question = f"member CIN {CIN}, DOB {DOB}: who can prescribe a breast pump for her?"
    _, _ts = bot.mention(question)
    fake.wait_for("chat.postMessage")
    # a forged request with the same text (bolt logs rejected bodies) and a slash command
    ev = event_body({"type": "app_mention", "user": REP, "ts": fake.next_ts(), "channel": CHANNEL,
                     "text": question})
    assert bot.post(json.dumps(ev), secret="forged")[0] == 401
    form = {"command": "/manual", "text": question, "user_id": REP, "channel_id": CHANNEL,
            "response_url": fake.response_url("cmd")}
    bot.post(urllib.parse.urlencode(form), content_type="application/x-www-form-urlencoded")
    fake.wait_for("response_url")
    bot.mention(f"CIN {CIN} " + "x" * 5000)  # over the limit
    fake.wait_for("chat.postMessage", 2)
    time.sleep(0.5)
    logging.getLogger().handlers[0].flush()

    assert raw, "nothing was logged at all: the capture is broken"
    assert any(name.startswith("assistant.interfaces") for name, _ in raw)
    needles = [CIN, DOB, DOB.replace("/", "%2F"), "91234567"]
    texts_seen = {
        "log file": log_file.read_text(encoding="utf-8"),
        "captured": caplog.text,
        "slack-related records before redaction": "\n".join(
            msg for name, msg in raw
            if name.startswith(("slack_bolt", "slack_sdk", "assistant.slack_lib",
                                  "assistant.interfaces"))),
    }
    audit = bot.assistant.real.settings.audit_path
    if audit.exists():
        texts_seen["audit log"] = audit.read_text(encoding="utf-8")
    for var in (bot.settings.data_dir).rglob("*"):
        if var.is_file():
            texts_seen[str(var)] = var.read_text(encoding="utf-8", errors="replace")
    for where, text in texts_seen.items():
        for needle in needles:
            assert needle not in text, f"{needle!r} found in {where}"


def test_billing_question_shows_the_verdict_first(bot, fake):
    bot.mention("can an IBCLC bill Medi-Cal directly for her lactation visits?")
    (post,) = fake.wait_for("chat.postMessage")
    verdict = bot.assistant.real.ask("can an IBCLC bill Medi-Cal directly for her lactation "
                                     "visits?", []).verdict
    assert verdict is not None, "the rule checker should settle this question"
    blocks = post.params["blocks"]
    assert blocks[0]["text"]["text"].splitlines()[0].startswith(":")  # the verdict line
    assert "Billing check" in blocks[0]["text"]["text"]
    assert verdict.rule_id in texts(blocks[:2])
    assert "*Sources*" in texts(blocks)


def test_socket_mode_answers_an_envelope_once(fake, seed_assistant, tmp_path):
    fake.reset()
    fake.start_socket_mode()
    settings = make_settings(tmp_path, slack={"api_url": fake.api_url, "mode": "socket"})
    assistant = RecordingAssistant(seed_assistant)
    bot = build_bot(settings, assistant, SlackTokens(bot_token="xoxb-test", app_token="xapp-t"))
    thread = threading.Thread(target=bot.serve_socket, args=("xapp-test",), daemon=True)
    thread.start()
    try:
        fake.wait_socket_client()
        ts = fake.add_message(CHANNEL, "who can prescribe a breast pump?", user=REP)
        body = event_body({"type": "app_mention", "user": REP, "ts": ts, "channel": CHANNEL,
                           "event_ts": ts, "text": f"<@{BOT_USER_ID}> who can prescribe a "
                           "breast pump?"}, "Ev0SOCKET1")
        fake.send_envelope(body, envelope_id="env-1")
        fake.send_envelope(body, envelope_id="env-2", retry_attempt=1)  # Slack's redelivery
        (post,) = fake.wait_for("chat.postMessage")
        quiet_period(fake, "chat.postMessage", 1, seconds=1.0)
        assert post.params["thread_ts"] == ts and "[1]" in texts(post.params["blocks"])
        assert {a.get("envelope_id") for a in fake.acks} >= {"env-1", "env-2"}
        assert len(assistant.calls) == 1
    finally:
        bot.close()
        thread.join(10)
    assert not thread.is_alive()


def test_cli_serves_the_bot_over_http_and_logs_no_member_ids(fake, tmp_path):
    """`python -m assistant slack --mode http` end to end, logging at DEBUG."""
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT, SEED
    from tests.support import free_port

    fake.reset()
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-cli", "SLACK_SIGNING_SECRET": SECRET,
           "PMA_SLACK__API_URL": fake.api_url, "PMA_LOG_LEVEL": "DEBUG",
           "PMA_CORPUS": json.dumps([str(SEED)]), "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "PYTHONFAULTHANDLER": "1"}
    env.pop("SLACK_APP_TOKEN", None)
    stderr = tmp_path / "bot.stderr"
    with stderr.open("wb") as err:
        # Ctrl-C's default disposition in the bot, as in a terminal: a suite started in the
        # background by a non-interactive shell inherits SIGINT ignored, and the bot would
        # rightly ignore it too (its thread stacks showed it still serving)
        proc = subprocess.Popen([sys.executable, "-m", "assistant", "slack", "--mode", "http",
                                 "--port", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, stderr.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the bot did not start"
                time.sleep(0.3)
        url = f"http://127.0.0.1:{port}/slack/events"
        question = f"CIN {CIN} DOB {DOB} who can prescribe a breast pump?"
        ts = fake.add_message(CHANNEL, question, user=REP)
        ev = event_body({"type": "app_mention", "user": REP, "ts": ts, "channel": CHANNEL,
                         "event_ts": ts, "text": f"<@{BOT_USER_ID}> {question}"})
        assert post_signed(url, json.dumps(ev), secret="forged")[0] == 401
        assert post_signed(url, json.dumps(ev))[0] == 200
        (post,) = fake.wait_for("chat.postMessage", timeout=60)
        assert post.params["thread_ts"] == ts and "[1]" in texts(post.params["blocks"])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack
            try:
                code = proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait(5)
    log_text = stderr.read_text(encoding="utf-8")
    assert code == 0, log_text[-6000:]
    assert "answered in" in log_text and "DEBUG" in log_text
    for needle in (CIN, DOB, "91234567", DOB.replace("/", "%2F")):
        assert needle not in log_text

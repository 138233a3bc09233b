"""WebChat: limits before the model, server-side history, filters, feedback, launch policy.

A scripted fake assistant (it records every call) stands in for the pipeline here; the app
tests (test_web_app.py) and the browser tests run the real one.
"""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from assistant.feedback import FeedbackLog
from assistant.interfaces.web import (
    MAX_EXCHANGES,
    WebChat,
    blocked_paths,
    chat_messages,
    exchange_number,
    history_turns,
    launch_kwargs,
)
from core.errors import IndexUnavailableError
from core.settings import Settings
from core.types import Answer, Citation


class FakeIndex:
    def doc_titles(self):
        return {"page-b": "Beta page", "page-a": "alpha page"}

    def provider_types(self):
        return ["Hospitals", "Physicians"]


class FakeAssistant:
    """Answers every question with one citation; can be told to raise."""

    def __init__(self, raises: Exception | None = None):
        self.index = FakeIndex()
        self.calls: list[dict] = []
        self.raises = raises

    def ask(self, question, history, filters, *, interface="api", user=None):
        self.calls.append({"question": question, "history": list(history), "filters": filters,
                           "interface": interface, "user": user})
        if self.raises is not None:
            raise self.raises
        c = Citation(n=1, chunk_id=f"chunk-{len(self.calls)}", doc_id="page-a", title="T",
                     section="S", quote="q")
        return Answer(question=question, answer=f"Answer {len(self.calls)} [1].",
                      citations=[c])


@pytest.fixture
def settings(tmp_path):
    return Settings(index_dir=tmp_path / "index", data_dir=tmp_path / "var",
                    limits={"max_question_chars": 50})


@pytest.fixture
def fake():
    return FakeAssistant()


@pytest.fixture
def chat(settings, fake):
    return WebChat(settings, fake)


def test_over_long_question_gets_a_message_and_no_model_call(chat, fake):
    ex = chat.ask("x" * 51, [])
    assert fake.calls == []
    doc = BeautifulSoup(ex["html"], "html.parser")
    assert doc.select_one(".pma-refusal")["data-reason"] == "too_long"
    assert "51" in doc.text and "50" in doc.text
    assert ex["answer_id"] is None
    assert ex["question"] == "x" * 50 + "…"  # a huge paste is not echoed back whole
    chat.ask("y" * 50, [])
    assert len(fake.calls) == 1


def test_empty_question_makes_no_call(chat, fake):
    ex = chat.ask("   ", [])
    assert fake.calls == [] and "pma-refusal" in ex["html"]


def test_follow_ups_get_earlier_answered_turns(chat, fake):
    conv = []
    conv.append(chat.ask("first question", conv, user="rep1"))
    conv.append(chat.ask("z" * 80, conv))  # refused before the model: not history
    conv.append(chat.ask("and then?", conv))
    last = fake.calls[-1]
    assert [(t.role, t.content) for t in last["history"]] == [
        ("user", "first question"), ("assistant", "Answer 1 [1].")]
    assert fake.calls[0]["interface"] == "web" and fake.calls[0]["user"] == "rep1"


def test_respond_shows_question_then_answer(chat):
    steps = list(chat.respond("what is covered?", []))
    assert len(steps) == 2
    pending_msgs, state, box = steps[0]
    assert state == [] and box == ""
    assert "Searching" in pending_msgs[-1]["content"]
    msgs, state, _ = steps[1]
    assert [m["role"] for m in msgs] == ["user", "assistant"]
    assert len(state) == 1 and "Answer 1" in msgs[1]["content"]


def test_conversation_length_is_limited(chat, fake):
    conv = [{"question": "q", "html": "", "answer_id": None, "answer_text": "",
             "abstained": True, "chunk_ids": []}] * MAX_EXCHANGES
    ex = chat.ask("one more", conv)
    assert fake.calls == [] and "New conversation" in ex["html"]


def test_filters_keep_only_known_values(chat, fake):
    assert chat.filters([], "Any") is None
    assert chat.filters(None, None) is None
    f = chat.filters(["page-a", "../../etc/passwd"], "Hospitals")
    assert f.doc_ids == ["page-a"] and f.provider_type == "Hospitals"
    assert chat.filters(["nope"], "Martians") is None
    chat.ask("question", [], ["page-b"], "Physicians")
    assert fake.calls[0]["filters"].doc_ids == ["page-b"]
    assert chat.doc_choices() == [("alpha page", "page-a"), ("Beta page", "page-b")]
    assert chat.provider_choices() == ["Any", "Hospitals", "Physicians"]


def test_index_unavailable_is_a_message_not_a_crash(settings):
    chat = WebChat(settings, FakeAssistant(IndexUnavailableError("http://127.0.0.1:9", "down")))
    doc = BeautifulSoup(chat.ask("question", [])["html"], "html.parser")
    assert doc.select_one(".pma-refusal")["data-reason"] == "unavailable"
    assert "Try again" in doc.text


def test_unexpected_error_shows_no_internals(settings):
    chat = WebChat(settings, FakeAssistant(RuntimeError("secret /srv/path details")))
    ex = chat.ask("question", [])
    assert "secret" not in ex["html"] and "internal error" in ex["html"]
    assert ex["answer_id"] is None


def test_feedback_entries_land_in_the_log(settings, fake):
    log = FeedbackLog(settings.feedback_path)
    chat = WebChat(settings, fake, feedback=log)
    conv = [chat.ask("first?", []), chat.ask("w" * 99, [])]
    conv.append(chat.ask("second?", conv))
    status = chat.record_feedback(conv, 3, "down", "Wrong age; SSN 123-45-6789", "Age one.",
                                  user="rep1")
    assert status.startswith("Thanks")
    entries = log.read()
    assert len(entries) == 1
    e = entries[0]
    assert e["rating"] == "down" and e["interface"] == "web"
    assert e["answer_id"] == conv[2]["answer_id"] and e["question"] == "second?"
    assert e["comment"].startswith("Wrong age") and e["correct_answer"] == "Age one."
    assert e["citations"] == conv[2]["chunk_ids"]
    assert "123-45-6789" not in settings.feedback_path.read_text()


@pytest.mark.parametrize("number,rating,comment,why", [
    (2, "down", "", "not an answer"),  # the over-long question has no answer
    (9, "down", "", "not in this conversation"),
    (0, "down", "", "not"),
    (1, "meh", "", "thumbs"),
    (1, "up", "c" * 5000, "characters"),
])
def test_bad_feedback_is_refused_with_a_reason(settings, fake, number, rating, comment, why):
    log = FeedbackLog(settings.feedback_path)
    chat = WebChat(settings, fake, feedback=log)
    conv = [chat.ask("first?", [])]
    conv.append(chat.ask("w" * 99, conv))
    status = chat.record_feedback(conv, number, rating, comment)
    assert status.startswith("Feedback not saved") and why in status
    assert log.read() == []


def test_chat_messages_and_exchange_numbers(chat):
    conv = [chat.ask("<b>one</b>", []), chat.ask("two", [])]
    msgs = chat_messages(conv)
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 2
    assert "<b>" not in msgs[0]["content"] and "&lt;b&gt;" in msgs[0]["content"]
    assert [exchange_number(i) for i in range(4)] == [None, 1, None, 2]
    assert exchange_number([3, 0]) == 2 and exchange_number("x") is None
    assert exchange_number(-1) is None
    assert len(history_turns(conv)) == 4


def test_launch_policy_blocks_data_and_settings(tmp_path):
    s = Settings(index_dir=tmp_path / "idx", data_dir=tmp_path / "data")
    kw = launch_kwargs(s)
    assert kw["auth"] is None and kw["allowed_paths"] == []
    blocked = blocked_paths(s)
    for p in (tmp_path / "idx", tmp_path / "data"):
        assert str(p.resolve()) in blocked
    assert any(b.endswith(".env") for b in blocked)
    assert kw["server_name"] == "127.0.0.1" and kw["run_history"] is False
    json.dumps(kw)  # plain values only


def test_login_comes_from_settings(tmp_path):
    s = Settings(index_dir=tmp_path / "i", data_dir=tmp_path / "d",
                 web={"username": "rep", "password": "s3cret", "port": 0})
    kw = launch_kwargs(s)
    assert kw["auth"] == ("rep", "s3cret") and kw["server_port"] is None


def test_serve_starts_while_the_index_is_unreachable_and_says_so(tmp_path, caplog):
    """A Chroma server that is down does not stop the page: it starts, and questions get the
    'index unavailable' message until the server answers again (tests/test_faults.py)."""
    from assistant.interfaces.web import serve

    s = Settings(index_dir=tmp_path / "i", data_dir=tmp_path / "d",
                 chroma_url="http://127.0.0.1:9", web={"port": 0})
    with caplog.at_level("WARNING"):
        page = serve(s, block=False)
    try:
        assert "unavailable" in caplog.text
    finally:
        page.close()


def test_serve_turns_an_index_built_with_other_settings_into_a_message(tmp_path, capsys,
                                                                      embedder):
    from assistant.interfaces.web import serve
    from ingest.build import ingest
    from tests.conftest import SEED

    built = Settings(index_dir=tmp_path / "i", data_dir=tmp_path / "d", corpus=[SEED])
    ingest(built.corpus, built, progress=False, embedder=embedder)
    other = built.model_copy(update={"chunking": built.chunking.model_copy(
        update={"max_chars": 600})})
    with pytest.raises(SystemExit) as exit_info:
        serve(other, block=False)
    assert exit_info.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("error: ") and "Re-ingest" in last and "Traceback" not in last

"""Logs never contain member identifiers, whatever the level or the way they are logged."""

from __future__ import annotations

import logging

import pytest

from core.errors import ConfigError
from core.logging_setup import NOISY_LOGGERS, RedactingFilter, configure_logging
from core.redact import scan_files

RAW = {
    "cin": "91234567A",
    "bic": "91234567A12345",
    "ssn": "123-45-6789",
    "dob": "01/02/1990",
    "name": "Maria Lopez",
    "phone": "(555) 123-4567",
    "email": "maria.lopez@gmail.com",
    "member_id": "R0123456789",
}
MESSAGE = (
    f"member {RAW['name']} CIN {RAW['cin']} BIC {RAW['bic']} SSN {RAW['ssn']} "
    f"DOB {RAW['dob']} phone {RAW['phone']} email {RAW['email']} member ID {RAW['member_id']}"
)


@pytest.fixture
def root_state():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    noisy = {n: logging.getLogger(n).level for n in NOISY_LOGGERS}
    yield root
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    for h in handlers:
        for f in [f for f in h.filters if isinstance(f, RedactingFilter)]:
            h.removeFilter(f)
    root.setLevel(level)
    for n, lvl in noisy.items():
        logging.getLogger(n).setLevel(lvl)


def _flush(root):
    for h in root.handlers:
        h.flush()


def test_no_identifier_reaches_the_log_file(tmp_path, root_state, capsys):
    log_file = tmp_path / "logs" / "app.log"
    configure_logging("DEBUG", log_file)
    log = logging.getLogger("assistant.pipeline")
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL):
        log.log(level, MESSAGE)  # plain text
        log.log(level, "question for patient %s: %s", RAW["name"], MESSAGE)  # %-args
        log.log(level, "fields %(q)s", {"q": MESSAGE})  # mapping args
        log.log(level, "with stack: %s", RAW["ssn"], stack_info=True)
    try:
        raise ValueError(f"could not parse {MESSAGE}")
    except ValueError:
        log.exception("failed for patient %s", RAW["name"])
        logging.getLogger("ingest").error("again", exc_info=True)  # noqa: G201
    logging.getLogger().info(MESSAGE)  # the root logger itself
    _flush(root_state)

    text = log_file.read_text(encoding="utf-8")
    stderr = capsys.readouterr().err
    for out in (text, stderr):
        for kind, raw in RAW.items():
            assert raw not in out, f"{kind} {raw!r} leaked into the log"
        assert "6789" not in out and "Lopez" not in out
    # The lines are there, redacted, at every level, with the traceback.
    for lvl in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        assert f" {lvl} assistant.pipeline: member [NAME] CIN [CIN]" in text
    assert "[SSN]" in text and "[DOB]" in text and "[EMAIL]" in text and "[PHONE]" in text
    assert "Traceback (most recent call last)" in text and "ValueError: could not parse" in text
    assert "Stack (most recent call last)" in text


def test_noisy_libraries_are_held_at_warning(tmp_path, root_state):
    log_file = tmp_path / "app.log"
    configure_logging("DEBUG", log_file)
    logging.getLogger("slack_sdk.web.base_client").debug(
        "Sending a request - body: %s", "secret-body"
    )
    logging.getLogger("httpx").info("HTTP Request: POST body secret-body")
    logging.getLogger("chromadb.telemetry").warning("chroma warning kept")
    _flush(root_state)
    text = log_file.read_text(encoding="utf-8")
    assert "secret-body" not in text
    assert "chroma warning kept" in text
    for name in ("slack_bolt", "slack_sdk", "urllib3", "httpx", "httpcore", "chromadb", "gradio"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING


def test_configure_is_idempotent(tmp_path, root_state):
    log_file = tmp_path / "app.log"
    configure_logging("INFO", log_file)
    configure_logging("INFO", log_file)
    ours = [h for h in root_state.handlers if getattr(h, "_pma_handler", False)]
    assert len(ours) == 2  # one stderr, one file
    logging.getLogger("x").info("one line %s", RAW["cin"])
    _flush(root_state)
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].endswith("one line [CIN]")
    assert all(
        sum(isinstance(f, RedactingFilter) for f in h.filters) == 1 for h in root_state.handlers
    )


def test_level_is_applied_and_validated(root_state):
    configure_logging("warning")
    assert root_state.level == logging.WARNING
    with pytest.raises(ConfigError, match="Unknown log level"):
        configure_logging("LOUD")


def test_filter_survives_a_bad_format_string():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "%d items for %s", ("n", RAW["ssn"]), None
    )
    assert RedactingFilter().filter(record)
    assert RAW["ssn"] not in record.getMessage() and "[SSN]" in record.getMessage()


READABLE = [  # log lines that hold no member data and must come out as they went in
    "ImportError in /work/main/.venv-3f2a9c1b7d/lib/python3.11/site-packages/x.py line 12",
    "loading /tmp/venv-12345678/lib/python3.11/site-packages/chromadb/api.py",
    "index /work/main/.index/provider_manual__g12/0a1b2c3d4e5f6a7b8c9d/data_level0.bin",
    "slack event Ev0123ABCD in channel C0123ABCD from U024BE7LH ts 1355517523.000005",
    "event Ev08MFMKH6 team T0123ABCD app A0123ABCD thread_ts 1712345678.123456",
    "answer 7b2c9e0f1a3d4b5c6d7e8f9a0b1c2d3e request 0b1f3a2c-1d2e-4f5a-8b9c-0d1e2f3a4b5c",
    "chunk sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 copied",
    "synced 2026-01-05T10:00:00.123Z pid 1234567 port 54321, took 1520 ms",
    "GET https://providerlibrary.healthnetcalifornia.com/medi-cal/provider-manual/claims/"
    "overview.html?v=20240115 304",
]


@pytest.mark.parametrize("line", READABLE)
def test_paths_hashes_and_slack_ids_stay_readable(line, tmp_path, root_state):
    log_file = tmp_path / "app.log"
    configure_logging("INFO", log_file)
    logging.getLogger("assistant.interfaces.slack").info(line)
    _flush(root_state)
    assert log_file.read_text(encoding="utf-8").rstrip("\n").endswith(line)
    assert scan_files([log_file]) == []  # the whole line, prefix and all, reads as no member


def test_member_data_next_to_readable_ids_is_still_redacted(tmp_path, root_state):
    log_file = tmp_path / "app.log"
    configure_logging("INFO", log_file)
    logging.getLogger("assistant.interfaces.slack").info(
        "event Ev0123ABCD channel C0123ABCD question: pt Maria Lopez CIN 91234567A")
    _flush(root_state)
    text = log_file.read_text(encoding="utf-8")
    assert "Ev0123ABCD" in text and "C0123ABCD" in text
    assert "Maria" not in text and "91234567A" not in text and "[CIN]" in text


def test_what_a_library_prints_is_redacted_line_by_line(tmp_path):
    """Gradio prints a failed event's traceback (with the failing value) instead of logging it;
    the redacting console stream catches that, even when a line comes in several writes."""
    import io

    from core.logging_setup import RedactingStream

    sink = io.StringIO()
    stream = RedactingStream(sink)
    stream.write(f"Error: member {RAW['name'][:3]}")  # a name split across writes
    assert sink.getvalue() == ""  # held until the line ends
    stream.write(f"{RAW['name'][3:]} CIN {RAW['cin']} failed\nprogress 10%\r")
    stream.write(f"tail SSN {RAW['ssn']}")
    stream.flush()
    out = sink.getvalue()
    assert "progress 10%\r" in out  # progress bars still redraw
    assert [v for v in (RAW["name"], RAW["cin"], RAW["ssn"]) if v in out] == []
    assert "[NAME]" in out and "[CIN]" in out and "[SSN]" in out
    assert stream.encoding == sink.encoding  # the rest is the wrapped stream's


def test_redact_console_covers_a_traceback_printed_to_stderr(tmp_path):
    import subprocess
    import sys

    script = (
        "import traceback\n"
        "from core.logging_setup import redact_console\n"
        "redact_console(); redact_console()\n"
        "try:\n"
        f"    raise ValueError('Value: member {RAW['name']} DOB {RAW['dob']} is not allowed')\n"
        "except ValueError:\n"
        "    traceback.print_exc()\n"
        f"print('done for CIN {RAW['cin']}')\n"
    )
    from tests.conftest import ROOT

    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "ValueError" in run.stderr and "done for" in run.stdout
    both = run.stdout + run.stderr
    assert [v for v in (RAW["name"], RAW["dob"], RAW["cin"]) if v in both] == []


@pytest.mark.parametrize("line", [
    "INFO:     Uvicorn running on http://127.0.0.1:7860 (Press CTRL+C to quit)",
    'gradio.exceptions.Error: "Value: Martians is not in the list of choices"',
    "slack_bolt.App: Bolt app is running!",
    "Traceback: Exception in ASGI application",
])
def test_log_lines_of_libraries_stay_readable(line):
    """A log level or logger name before a colon is not a person's field label."""
    from core.redact import redact

    assert redact(line) == line


def test_a_field_label_still_marks_a_name():
    from core.redact import redact

    assert "Lopez" not in redact("pt: Maria Lopez dob 3/4/88")

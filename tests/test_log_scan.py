"""Runs last (marked ``session_end``: a conftest hook moves it after every other test of the
session, whatever the file order): every log and JSON-lines file the test session wrote (under
pytest's basetemp) and the repo's var/ hold no structured member identifier, and none of the
identifiers of the independently written PHI set (``evals/datasets/phi_*.jsonl``) that the
redactor removes.

The suite feeds member identifiers to the assistant, the web page, the Slack bot, the audit and
feedback logs (``tests/test_phi_records.py`` feeds every PHI message to each record); what they
wrote must have been redacted. A few tests plant identifiers in a file on purpose (to prove a
scanner or a reader finds them); their folders are listed in PLANTED. The identifiers the
redactor misses are measured and listed by ``python -m evals.phi``, not looked for here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from core.redact import scan_files
from tests.conftest import ROOT
from tests.test_phi_records import phi_identifiers, present

pytestmark = pytest.mark.session_end

PATTERNS = ("*.log", "*.jsonl")
# tmp folders (test names, as pytest shortens them) whose files hold identifiers on purpose
PLANTED = (
    "test_scan_files_reports_place",  # tests/test_redact.py: the scanner's own test
    "scan_canary",  # this module's canary
    "test_import_feedback_keeps_mem",  # tests/test_evals_cli.py: raw input whose output is checked
)

def session_files(root: Path) -> list[Path]:
    files = [p for pattern in PATTERNS for p in root.rglob(pattern) if p.is_file()]
    return sorted(p for p in files
                  if not any(part.startswith(PLANTED) for part in p.relative_to(root).parts))


def test_the_scan_runs_after_every_other_test_of_the_session(request):
    items = request.session.items
    first = next(i for i, item in enumerate(items) if item.get_closest_marker("session_end"))
    assert all(item.get_closest_marker("session_end") for item in items[first:]), \
        [item.nodeid for item in items[first:] if not item.get_closest_marker("session_end")][:5]


def test_the_scan_finds_a_planted_identifier(tmp_path_factory):
    canary = tmp_path_factory.mktemp("scan_canary") / "planted.log"
    canary.write_text("INFO question: is member CIN 91234567A covered? ssn 123-45-6789\n")
    kinds = {f["kind"] for f in scan_files([canary])}
    assert {"CIN", "SSN"} <= kinds
    assert canary not in session_files(tmp_path_factory.getbasetemp())
    own = canary.parent / "own.log"
    own.write_text('{"id": "fb-35120030e5"} and CIN 91234567A\n{"id": "fb-35120030e5"}\n')
    found = scan_files([own])  # our own ids (evals' feedback ids) are not a member's
    assert [(f["kind"], f["line"]) for f in found] == [("CIN", 1)]


def test_no_member_identifier_in_any_log_or_feedback_file(tmp_path_factory):
    roots = [tmp_path_factory.getbasetemp()]
    if (ROOT / "var").is_dir():
        roots.append(ROOT / "var")
    files = [f for root in roots for f in session_files(root)]
    found = scan_files(files)
    print(f"\nlog scan: {len(files)} log/jsonl files, "
          f"{sum(f.stat().st_size for f in files):,} bytes, {len(found)} identifiers found")
    assert found == [], found[:20]


def test_no_identifier_of_the_phi_set_in_any_log_or_record(tmp_path_factory):
    _rows, removed, _missed = phi_identifiers()
    roots = [tmp_path_factory.getbasetemp()]
    if (ROOT / "var").is_dir():
        roots.append(ROOT / "var")
    files = [f for root in roots for f in session_files(root)]
    found = {}
    for f in files:
        hits = present(f.read_text(encoding="utf-8", errors="replace"), removed)
        if hits:
            found[str(f)] = sorted(hits)[:5]
    print(f"\nphi scan: {len(removed)} identifiers looked for in {len(files)} files, "
          f"{len(found)} files with one")
    assert found == {}, found

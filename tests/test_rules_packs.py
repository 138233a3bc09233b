"""The packs' own tests and checks: `python -m assistant rules test` (CI runs every example of every
shipped pack here) and `rules lint` (quotes against an index, unused facts, unreachable and
overlapping rules), on the shipped packs and on a small pack written for the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.rules import RuleBook
from assistant.rules.tools import format_examples, lint, run_examples
from tests.rules_support import PAGE, WIDGETS, widget_rules, write

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "corpus" / "rules"
LACTATION = ROOT / "corpus" / "lactation-education-and-support-services.txt"
DOULA = ROOT / "evals" / "corpus" / "benefits" / "maternity" / "doula-services.html"


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


# -- rules test ------------------------------------------------------------------------------------

def test_every_example_of_every_shipped_pack_passes():
    results = run_examples(RuleBook.load(RULES_DIR))
    assert {r.pack for r in results} == {"lactation", "doula-services"}
    assert len(results) > 300
    failed = [r for r in results if not r.ok]
    assert not failed, format_examples(failed)


def test_every_shipped_rule_has_an_example():
    book = RuleBook.load(RULES_DIR)
    for pack in book.packs:
        covered = {ex.rule for ex in pack.spec.examples}
        assert {r.id for r in pack.rules} <= covered, pack.id


def test_rules_test_command_passes_on_the_shipped_packs():
    proc = cli("rules", "test")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 failed" in proc.stdout


def test_a_failing_example_names_the_example_the_scenario_and_the_rule(tmp_path):
    widget_rules(tmp_path, WIDGETS.replace(
        '{question: "is a red widget covered", verdict: not_eligible, rule: widget_red}',
        '{question: "is a red widget covered", verdict: eligible, rule: widget_blue}'))
    proc = cli("rules", "test", "widgets", "--rules", str(tmp_path))
    assert proc.returncode == 1
    out = proc.stdout
    assert f"FAIL {tmp_path / 'widgets.yaml'}:" in out and "example 3 of widgets" in out
    assert "question: is a red widget covered" in out
    assert "expected: eligible (rule widget_blue)" in out
    assert "got:      not_eligible (rule widget_red of pack widgets)" in out
    assert "scenario read: kind=red" in out
    assert "4 examples of 1 pack(s) (widgets): 3 passed, 1 failed." in out


def test_a_none_example_that_fails_says_why_no_pack_applied(tmp_path):
    book = RuleBook.load(widget_rules(tmp_path, WIDGETS.replace(
        '{question: "how do i order a widget", verdict: none}',
        '{question: "how do i order a widget", verdict: eligible}')))
    failed = [r for r in run_examples(book) if not r.ok]
    assert len(failed) == 1
    assert "asks for information" in format_examples(failed)


def test_rules_test_names_an_unknown_pack(tmp_path):
    proc = cli("rules", "test", "gizmos", "--rules", str(widget_rules(tmp_path)))
    assert proc.returncode == 2 and "No pack named ['gizmos']" in proc.stderr


# -- rules lint on a pack written for the tests ----------------------------------------------------

@pytest.fixture()
def widgets(tmp_path) -> RuleBook:
    return RuleBook.load(widget_rules(tmp_path))


def test_lint_is_clean_when_every_quote_is_in_the_page(widgets):
    report = lint(widgets, {"benefits/widgets": PAGE})
    assert report.errors == [], report.format()
    assert report.warnings == [
        w for w in report.warnings if "has no example" in w]  # and nothing else


def test_lint_reports_a_quote_missing_from_the_indexed_page(widgets):
    report = lint(widgets, {"benefits/widgets": PAGE.replace("Red widgets are not covered.", "")})
    assert len(report.errors) == 1
    assert "rule widget_red: the quote is not in the indexed page" in report.errors[0]
    assert "widgets.yaml:" in report.errors[0]


def test_lint_says_clearly_when_the_page_is_not_indexed(widgets):
    report = lint(widgets, {"another/page": "text"})
    assert report.errors == [e for e in report.errors if "is not in the index" in e]
    assert len(report.errors) == 1 and "'benefits/widgets' is not in the index" in report.errors[0]
    report = lint(widgets, None, index_problem="no index at /x")
    assert "quotes not checked: no index at /x" in report.errors[0]


def test_lint_finds_an_unused_fact_an_unreachable_rule_and_overlaps(tmp_path):
    widgets = WIDGETS.replace("  hours:\n", "  colour:\n    yes: [painted]\n  hours:\n").replace(
        "  - id: widget_blue\n    when: {kind: blue}", "  - id: widget_blue\n    when: {kind: red}")
    book = RuleBook.load(widget_rules(tmp_path, widgets))
    report = lint(book, {"benefits/widgets": PAGE})
    text = report.format()
    assert "fact 'colour' is read but no rule uses it" in text
    assert any("rule widget_blue is unreachable" in e for e in report.errors), text
    assert any("widget_red (not_eligible) gives way where they overlap to: widget_too_old "
               "(not_eligible)" in n for n in report.notes) is False  # same verdict: no overlap
    assert any(n.split(": ", 1)[1].startswith("widget_role_certified (eligible) gives way")
               and "widget_untrained (not_eligible)" in n for n in report.notes), text


def test_lint_of_the_shipped_packs_against_their_pages():
    from core.settings import ChunkingSettings
    from ingest.chunk import chunk_document
    from ingest.load import load_document

    texts = {}
    for path in (LACTATION, DOULA):
        doc = load_document(path)
        _, chunks = chunk_document(doc, ChunkingSettings())
        texts[doc.doc_id] = "\n\n".join(c.text for c in chunks)
    report = lint(RuleBook.load(RULES_DIR), texts)
    assert report.errors == [] and report.warnings == [], report.format()


# -- the commands against a real index -------------------------------------------------------------

@pytest.fixture(scope="module")
def both_pages_index(tmp_path_factory, embedder):
    from ingest.build import ingest
    from tests.conftest import make_settings

    tmp = tmp_path_factory.mktemp("rules_lint_index")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for path in (LACTATION, DOULA):
        (corpus / path.name).write_bytes(path.read_bytes())
    settings = make_settings(tmp, corpus=[corpus])
    ingest([corpus], settings, progress=False, embedder=embedder)
    return settings


def test_rules_lint_command_against_the_index_from_settings(both_pages_index, seed_index):
    proc = cli("rules", "lint", "--index", str(both_pages_index.index_dir))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 error(s), 0 warning(s)." in proc.stdout
    assert "Overlaps (the first rule wins):" in proc.stdout
    # the index of the shipped corpus does not hold the doula page: said clearly, exit 1
    proc = cli("rules", "lint", "doula-services", "--index", str(seed_index.index_dir))
    assert proc.returncode == 1
    assert "the page 'benefits/maternity/doula-services' is not in the index" in proc.stdout
    proc = cli("rules", "lint", "lactation", "--index", str(seed_index.index_dir))
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_rules_lint_without_an_index(tmp_path):
    proc = cli("rules", "lint", "--index", str(tmp_path / "none"))
    assert proc.returncode == 1
    assert "quotes not checked: no index to check the quotes against" in proc.stdout


def test_a_schema_error_is_reported_by_the_commands_with_file_and_line(tmp_path):
    write(tmp_path, "shared.yaml", (ROOT / "corpus" / "rules" / "shared.yaml").read_text())
    write(tmp_path, "bad.yaml", "id: bad\nimports: [shared]\nscope:\n  pages: [p]\n"
          "  terms: [x]\nrules:\n  - id: r\n    when: {colour: red}\n    verdict: unknown\n"
          "    explanation: x\n")
    proc = cli("rules", "test", "--rules", str(tmp_path))
    assert proc.returncode == 2
    assert f"{tmp_path / 'bad.yaml'}:8: rules > r > when: unknown fact 'colour'" in proc.stderr

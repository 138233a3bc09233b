"""The PHI runner (``python -m evals.phi``): its metrics on small cases, and the runner itself on
a handful of dev messages so a broken runner fails the suite (CI runs the full test split through
``make evals``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from evals.phi import (
    KEEP_MIN,
    RECALL_MIN,
    apply_spans,
    covered_mask,
    gate,
    is_kept,
    is_removed,
    load_split,
    main,
    measure,
    occurrences,
    score,
)
from tests.conftest import ROOT


def test_a_member_item_is_removed_only_when_no_alphanumeric_survives():
    text = "pt lopez-garcia, ana mbr R0041873302"
    whole = [("NAME", 3, 20)]
    parts = [("NAME", 3, 8), ("NAME", 9, 15), ("NAME", 17, 20)]  # punctuation may survive
    half = [("NAME", 3, 8)]
    for spans, removed in ((whole, True), (parts, True), (half, False)):
        assert is_removed(text, "lopez-garcia, ana", covered_mask(len(text), spans)) is removed


def test_every_occurrence_must_go_and_words_inside_words_do_not_count():
    text = "pt Ana, mom says Ana is 4; Banana"
    assert occurrences(text, "Ana") == [(3, 6), (17, 20)]  # not the one inside "Banana"
    first_only = covered_mask(len(text), [("NAME", 3, 6)])
    assert not is_removed(text, "Ana", first_only)
    with pytest.raises(ValueError):
        is_removed(text, "Maria", first_only)


def test_a_keep_item_is_kept_when_still_verbatim():
    out = apply_spans("DOS 3/2/2025 code E0603 pt Maria", [("NAME", 27, 32)])
    assert out == "DOS 3/2/2025 code E0603 pt [NAME]"
    assert is_kept(out, "E0603") and is_kept(out, "3/2/2025") and not is_kept(out, "Maria")


class _Fixed:
    name = "fixed"

    def __init__(self, spans):
        self.spans = spans

    def find(self, text):
        return self.spans.get(text, [])


def test_score_counts_per_kind_and_lists_misses():
    rows = [
        {"id": "a", "text": "pt Maria DOB 3/14/88 code E0603",
         "member": [{"text": "Maria", "kind": "name"}, {"text": "3/14/88", "kind": "dob"}],
         "keep": [{"text": "E0603", "kind": "code"}]},
        {"id": "b", "text": "fax HN at 1-800-641-7761", "member": [],
         "keep": [{"text": "1-800-641-7761", "kind": "hn_contact"}]},
    ]
    spans = {rows[0]["text"]: [("DOB", 13, 20)], rows[1]["text"]: [("PHONE", 10, 24)]}
    res = score(rows, _Fixed(spans))
    assert res["recall"] == 0.5 and res["keep"] == 0.5
    assert res["recall_by_kind"]["name"]["rate"] == 0.0 and res["recall_by_kind"]["dob"]["ok"] == 1
    assert {(m["id"], m["type"], m["kind"]) for m in res["misses"]} == {
        ("a", "leaked", "name"), ("b", "lost", "hn_contact")}
    assert res["clean_messages"] == 1 and res["clean_unchanged"] == 0.0
    assert gate(res) == [f"recall 0.5 < {RECALL_MIN}", f"keep 0.5 < {KEEP_MIN}"]


def test_the_splits_load_and_every_item_is_in_its_message():
    dev, test = load_split("dev"), load_split("test")
    assert len(dev) >= 250 and len(test) >= 250
    assert {r["id"] for r in dev}.isdisjoint(r["id"] for r in test)


def test_the_runner_on_a_few_dev_messages(capsys):
    assert main(["--split", "dev", "--limit", "8", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    res = out["results"]["dev"]
    assert res["messages"] == 8 and res["member_items"] > 0 and res["keep_items"] > 0
    assert 0 <= res["recall"] <= 1 and 0 <= res["keep"] <= 1 and out["gate"]["split"] is None


def test_the_command_gates_the_test_split():
    cmd = [sys.executable, "-m", "evals.phi", "--split", "test", "--limit", "6", "--misses", "0"]
    ok = subprocess.run(cmd + ["--min-recall", "0", "--min-keep", "0"], cwd=ROOT,
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "member identifiers removed" in ok.stdout and "gate (test" in ok.stdout
    bad = subprocess.run(cmd + ["--min-recall", "1.01"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 1 and "FAILED" in bad.stdout


def test_measure_reports_misses_on_generated_messages():
    msgs = [
        {"text": "CIN 91234567A and zzz", "identifiers": [["CIN", 4, 13], ["NAME", 18, 21]]},
        {"text": "Is a pump covered?", "identifiers": []},
    ]
    res = measure(msgs)
    assert res["by_kind"]["CIN"]["rate"] == 1.0
    assert res["by_kind"]["NAME"]["rate"] == 0.0  # "zzz" has no cue: a miss, reported as one
    assert res["clean_unchanged_rate"] == 1.0 and res["messages"] == 2

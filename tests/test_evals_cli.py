"""The pure parts of the eval CLI: feedback import, report writing, the threshold gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals import __main__ as cli
from evals.feedback_import import import_feedback, question_key
from evals.gate import ThresholdsError, failures, load_thresholds, parse_thresholds
from evals.report import format_table, render_markdown, write_report
from evals.run import aggregate, score_case

# -- import-feedback ----------------------------------------------------------------------------

def _entry(answer_id: str, question: str, rating: str, **kw) -> dict:
    return {"time": "2025-01-05T10:00:00Z", "interface": "web", "answer_id": answer_id,
            "question": question, "answer": kw.get("answer", "Some answer [1]."),
            "rating": rating, "comment": kw.get("comment", ""),
            "correct_answer": kw.get("correct_answer"),
            "citations": kw.get("citations", [])}


@pytest.fixture
def feedback_file(tmp_path: Path) -> Path:
    lines = [
        _entry("a1", "Can a PA write the pump Rx?", "down",
               correct_answer="Yes, a physician assistant may write it.",
               comment="answer was about billing",
               citations=[{"n": 1, "chunk_id": "c7", "doc_id": "d", "section": "Billing"}]),
        _entry("a2", "toolkit how to order", "up"),
        _entry("a3", "can a pa write the pump rx", "down"),        # same question, other case
        _entry("a4", "Does the shield count as DME?", "down"),      # no correct answer given
        _entry("a5", "who can prescribe lactation DME", "down"),    # already in our datasets
    ]
    path = tmp_path / "feedback.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in lines) + "\nnot json\n", encoding="utf-8")
    return path


@pytest.fixture
def dataset_file(tmp_path: Path) -> Path:
    path = tmp_path / "answerable.jsonl"
    path.write_text(json.dumps({"id": "x1", "question": "Who can prescribe lactation DME?",
                                "doc_id": "d", "section": "s", "key_facts": ["f"]}) + "\n")
    return path


def test_import_feedback_keeps_new_thumbs_down_once(feedback_file, dataset_file, tmp_path):
    out = tmp_path / "cands" / "feedback.jsonl"
    summary = import_feedback(feedback_file, out, dataset_files=[dataset_file])
    assert (summary.read, summary.malformed, summary.thumbs_down) == (6, 1, 4)
    assert (summary.added, summary.duplicates) == (2, 2)
    cands = [json.loads(line) for line in out.read_text().splitlines()]
    assert [c["question"] for c in cands] == ["Can a PA write the pump Rx?",
                                              "Does the shield count as DME?"]
    first = cands[0]
    assert first["needs_review"] is True
    assert first["reference_answer"] == "Yes, a physician assistant may write it."
    assert first["comment"] == "answer was about billing"
    assert first["previous_citations"] == [{"doc_id": "d", "section": "Billing", "chunk_id": "c7"}]
    assert first["source"]["answer_id"] == "a1"
    assert cands[1]["reference_answer"] is None

    again = import_feedback(feedback_file, out, dataset_files=[dataset_file])
    assert (again.added, again.duplicates) == (0, 4)
    assert len(out.read_text().splitlines()) == 2


def test_import_feedback_cli_and_candidates_are_skipped_by_the_loader(feedback_file, tmp_path):
    out = tmp_path / "c.jsonl"
    rc = cli.main(["import-feedback", "--feedback", str(feedback_file), "--out", str(out)])
    assert rc == 0 and out.exists()
    from evals.cases import load

    cases, skipped = load([out])
    assert cases == [] and len(skipped) >= 2
    assert cli.main(["import-feedback", "--feedback", str(tmp_path / "none.jsonl"),
                     "--out", str(out)]) == 2


def test_import_feedback_keeps_member_ids_out(tmp_path):
    fb = tmp_path / "f.jsonl"
    fb.write_text(json.dumps(_entry("z", "is member 91234567A eligible for a pump", "down",
                                    comment="member 91234567A called")) + "\n")
    out = tmp_path / "c.jsonl"
    import_feedback(fb, out, dataset_files=[])
    assert "91234567A" not in out.read_text()


def test_question_key_ignores_case_punctuation_and_dashes():
    assert question_key("Hospital-grade pump: rental?") == question_key("hospital grade pump rental")
    assert question_key("rent a pump") != question_key("buy a pump")


# -- report writing -----------------------------------------------------------------------------

DOC = "benefits/maternity/lactation-education-and-support-services"
DME = "Lactation Durable Medical Equipment"


def _synthetic_result() -> dict:
    chunk = "Hospital-grade electric breast pump and kit - rentals only (prior authorization required)"
    chunks = {"c1": chunk}
    ans_case = {"id": "a1", "kind": "answerable", "dataset": "answerable",
                "question": "pump rental need auth?", "doc_id": DOC, "section": DME,
                "key_facts": ["prior authorization", "rentals only"]}
    good = {"answer": f"{chunk} [1]", "abstained": False,
            "contexts": [{"chunk_id": "c1", "doc_id": DOC, "section": DME, "score": 0.9}],
            "citations": [{"n": 1, "chunk_id": "c1", "section": DME, "quote": chunk}]}
    refusal_case = {"id": "u1", "kind": "unanswerable", "dataset": "unanswerable",
                    "question": "reimbursement rate?", "expect": "refuse"}
    refused = {"answer": "The manual does not say.", "abstained": True, "contexts": []}
    bill_case = {"id": "b1", "kind": "billing", "dataset": "billing",
                 "question": "can she buy a hospital grade pump", "verdict": "not_eligible"}
    wrong = {"answer": "Yes, she can buy it.", "abstained": False, "contexts": [],
             "verdict": {"verdict": "eligible", "rule_id": "dme.x"}}
    refused_bill = {"id": "b2", "kind": "billing", "dataset": "billing",
                    "question": "are breast shells covered", "verdict": "eligible"}
    rows = [score_case({"case": c, "answer": a, "error": None, "latency_ms": ms}, chunks)
            for c, a, ms in [(ans_case, good, 10.0), (refusal_case, refused, 20.0),
                             (bill_case, wrong, 30.0), (refused_bill, refused, 40.0)]]
    base_rows = [score_case({"case": ans_case, "answer": good, "error": None, "latency_ms": 5.0},
                            chunks)]
    return {"meta": {"started": "2025-01-01T00:00:00+00:00", "counts": {"answerable": 1}},
            "answerers": {"assistant:extractive": {"metrics": aggregate(rows), "cases": rows},
                          "baseline": {"metrics": aggregate(base_rows), "cases": base_rows}},
            "gate": {"answerer": "assistant:extractive", "thresholds": {},
                     "failures": ["verdict_accuracy = 0 is below its threshold min 0.5"]}}


def test_aggregate_on_synthetic_rows():
    metrics = _synthetic_result()["answerers"]["assistant:extractive"]["metrics"]
    assert metrics["recall_at_1_section"] == 1.0
    assert metrics["key_fact_coverage"] == 1.0
    assert metrics["citation_validity"] == 1.0
    # the refused billing case is outside the refusal metrics (they cover questions only)
    assert metrics["refusal_precision"] == 1.0 and metrics["refusal_recall"] == 1.0
    assert metrics["verdict_accuracy"] == 0.0
    # "Yes" against not_eligible contradicts; a refusal takes no stance, so it never does
    assert metrics["contradictions"] == 1 and metrics["self_contradictions"] == 0
    assert metrics["latency_p50_ms"] == 25.0
    assert metrics["n_cases"] == 4 and metrics["errors"] == 0


def test_write_report_json_markdown_chart(tmp_path):
    result = _synthetic_result()
    paths = write_report(result, tmp_path / "rep")
    assert json.loads(paths["json"].read_text())["answerers"].keys() == result["answerers"].keys()
    md = paths["markdown"].read_text()
    assert "| Metric | assistant:extractive | baseline | Margin |" in md
    assert "![metrics per answerer](chart.png)" in md
    assert "**FAILED**" in md and "verdict_accuracy" in md
    assert "`b1`" in md and "expected not_eligible" in md  # the miss is listed
    assert paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_table_has_margin_column_and_skips_unmeasured_rows():
    answerers = {"assistant:x": {"metrics": {"key_fact_coverage": 0.75}},
                 "baseline": {"metrics": {"key_fact_coverage": 0.5}}}
    table = format_table(answerers)
    assert "Margin" in table and "0.250" in table and "Recall@1" not in table
    md = render_markdown({"answerers": answerers, "gate": {"answerer": "assistant:x"}}, None)
    assert "Passed" in md and "chart.png" not in md


# -- thresholds ---------------------------------------------------------------------------------

def test_failures_name_each_metric_out_of_bounds():
    th = parse_thresholds({"key_fact_coverage": {"min": 0.6}, "contradictions": {"max": 0},
                           "recall_at_5_section": {"min": 0.5}, "mrr_doc": {"min": 0.1}})
    metrics = {"key_fact_coverage": 0.59, "contradictions": 2, "recall_at_5_section": 0.5}
    out = failures(metrics, th)
    assert len(out) == 3
    assert any(f.startswith("key_fact_coverage = 0.59 is below") for f in out)
    assert any(f.startswith("contradictions = 2 is above") for f in out)
    assert any(f.startswith("mrr_doc: not measured") for f in out)
    assert failures({"key_fact_coverage": 0.6, "contradictions": 0, "recall_at_5_section": 0.9,
                     "mrr_doc": 1.0}, th) == []


def test_thresholds_file_is_valid_and_bad_bounds_are_rejected(tmp_path):
    th = load_thresholds()
    assert th and all(set(b) <= {"min", "max"} for b in th.values())
    with pytest.raises(ThresholdsError):
        parse_thresholds({"x": {"minimum": 1}})
    with pytest.raises(ThresholdsError):
        parse_thresholds({"x": {"min": "high"}})
    bad = tmp_path / "t.yaml"
    bad.write_text("metrics:\n  recall_at_5_doc: 0.5\n")
    with pytest.raises(ThresholdsError):
        load_thresholds(bad)


def test_run_exits_2_on_bad_dataset_before_loading_anything(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "verdict": "maybe"}\n')
    assert cli.main(["--dataset", str(bad), "--out", str(tmp_path / "o")]) == 2


def test_import_reads_what_the_real_feedback_log_writes(tmp_path):
    from assistant.feedback import FeedbackLog

    log = FeedbackLog(tmp_path / "var" / "feedback.jsonl")
    log.record(answer_id="r1", question="can NP write rx for nipple shields", answer="...",
               rating="down", correct_answer="Yes, a nurse practitioner may.", interface="web",
               citations=["lactation-education-and-support-services#5"], user="rep-7")
    log.record(answer_id="r2", question="toolkit?", answer="...", rating="up", interface="slack")
    out = tmp_path / "c.jsonl"
    summary = import_feedback(log.path, out, dataset_files=[])
    assert (summary.thumbs_down, summary.added) == (1, 1)
    cand = json.loads(out.read_text())
    assert cand["reference_answer"] == "Yes, a nurse practitioner may."
    assert cand["previous_citations"] == [{"chunk_id": "lactation-education-and-support-services#5"}]
    assert "user_hash" not in json.dumps(cand) and cand["source"]["interface"] == "web"


def test_import_feedback_keeps_the_last_line_of_each_answer(tmp_path):
    from evals.feedback_import import import_feedback

    log = tmp_path / "feedback.jsonl"
    rows = [
        {"answer_id": "a1", "question": "can a doula bill?", "answer": "x", "rating": "down"},
        {"answer_id": "a1", "question": "can a doula bill?", "answer": "x", "rating": "down",
         "comment": "wrong", "correct_answer": "The manual does not say."},
        {"answer_id": "a2", "question": "who prescribes pumps?", "answer": "y", "rating": "up"},
    ]
    log.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "cands.jsonl"
    summary = import_feedback(log, out, dataset_files=[])
    assert summary.added == 1
    cand = json.loads(out.read_text().splitlines()[0])
    assert "does not say" in json.dumps(cand)

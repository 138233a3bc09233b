"""The full eval run against the real assistant (real index, real model) and the baseline.

Marked slow; always runs.
"""

from __future__ import annotations

import json

import pytest

from evals import __main__ as cli  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One run over the first cases of every dataset (the whole eval corpus is indexed), with a
    gate that only forbids crashes; CI's `make evals` runs every case."""
    tmp = tmp_path_factory.mktemp("evals")
    mp = pytest.MonkeyPatch()
    mp.setenv("PMA_DATA_DIR", str(tmp / "var"))
    mp.setenv("HF_HUB_OFFLINE", "1")
    gate = tmp / "gate.yaml"
    gate.write_text("metrics:\n  errors: {max: 0}\n")
    try:
        rc = cli.main(["--index", str(tmp / "index"), "--out", str(tmp / "out"),
                       "--thresholds", str(gate), "--quiet", "--limit", "4"])
    finally:
        mp.undo()
    return rc, tmp


def test_full_run_writes_reports_for_assistant_and_baseline(run):
    rc, tmp = run
    assert rc == 0
    out = tmp / "out"
    assert (out / "report.md").exists() and (out / "chart.png").exists()
    report = json.loads((out / "report.json").read_text())
    names = list(report["answerers"])
    assert names[0].startswith("assistant:") and "baseline" in names
    counts = report["meta"]["counts"]
    for run_ in report["answerers"].values():
        assert run_["splits"]["all"]["n_cases"] == sum(counts.values())
        assert run_["metrics"] == run_["splits"]["test"]  # the gate reads the test split
        assert run_["splits"]["all"]["errors"] == 0


def test_assistant_citations_quote_their_chunks_exactly(run):
    _, tmp = run
    report = json.loads((tmp / "out" / "report.json").read_text())
    metrics = report["answerers"][next(iter(report["answerers"]))]["metrics"]
    assert metrics["quote_exactness"] == 1.0
    assert metrics["recall_at_5_doc"] > 0


def test_gate_fails_the_run_and_names_the_metric(tmp_path, monkeypatch, capsys, run):
    _, tmp = run  # reuse the index built by the full run
    monkeypatch.setenv("PMA_DATA_DIR", str(tmp_path / "var"))
    gate = tmp_path / "gate.yaml"
    gate.write_text("metrics:\n  key_fact_coverage: {min: 1.01}\n")
    rc = cli.main(["--index", str(tmp / "index"), "--out", str(tmp_path / "out"),
                   "--thresholds", str(gate), "--limit", "2", "--no-baseline", "--quiet"])
    assert rc == 1
    assert "key_fact_coverage" in capsys.readouterr().err

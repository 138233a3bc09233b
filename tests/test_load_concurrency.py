"""A small run of bench/load_bench.py: the Gradio page and the Slack bot in their own processes,
concurrent questions and feedback from the bench's process on 127.0.0.1. Zero errors, every
request run within the time bound, no lost or corrupt feedback, p95 latency reported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

REQUESTS, WORKERS, SECONDS = 40, 4, 120


@pytest.mark.slow
def test_concurrent_web_and_slack_requests_lose_nothing(tmp_path):
    workdir = tmp_path / "load"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.load_bench", "--requests", str(REQUESTS), "--workers",
         str(WORKERS), "--seconds", str(SECONDS), "--workdir", str(workdir), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=SECONDS + 600, check=False)
    print(proc.stdout)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result["targets"]) == {"web", "slack"}
    for name, t in result["targets"].items():
        assert t["errors"] == 0, (name, t["error_samples"])
        assert t["not_run"] == 0 and t["ok"] == REQUESTS // 2, (name, t)
        assert t["p95_ms"] is not None and t["p95_ms"] >= t["p50_ms"] > 0
    for name, fb in result["feedback"].items():
        assert fb["sent"] > 0 and fb["lost"] == 0, (name, fb)
    assert result["feedback_corrupt_lines"] == 0
    assert result["audit_lines"] >= REQUESTS  # every answer audited (+ the warm-up ones)
    assert result["server_exit"] == {"web": None, "slack": None}  # neither crashed
    lines = (workdir / "var" / "feedback.jsonl").read_text().splitlines()
    assert len(lines) == sum(fb["sent"] for fb in result["feedback"].values())
    assert proc.returncode == 0

"""Calibrate the refusal thresholds on the eval set: python -m evals.calibrate [--index DIR]

Runs retrieval over answerable (and multi-turn) and unanswerable questions, records the two
evidence figures the pipeline refuses on (best cosine, best sentence coverage), and prints the
threshold pair that refuses most unanswerable questions while still answering at least
--min-answer-rate of the answerable ones. Copy the result into Settings (retrieval.*).
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from assistant.followup import retrieval_query
from assistant.routing import member_check
from assistant.types import Turn

DATASETS = Path(__file__).resolve().parent / "datasets"


def _cases(name: str) -> list[dict]:
    path = DATASETS / name
    return [json.loads(x) for x in path.open() if x.strip()] if path.exists() else []


def features(assistant, case: dict) -> dict[str, float] | None:
    question = case["question"]
    if member_check(question).only_member_specific:
        return None  # routed before retrieval; thresholds play no part
    history = [Turn(**t) for t in case.get("history", [])]
    query = retrieval_query(member_check(question).clean_question, history)
    return assistant.evidence(query, assistant.retriever.passages(query))


def choose(pos: list[dict], neg: list[dict], min_answer_rate: float) -> dict:
    dense_grid = sorted({round(f["dense"], 3) for f in pos + neg} | {-1.0})
    cov_grid = sorted({round(f["coverage"], 3) for f in pos + neg} | {0.0})
    best = None
    for d, c in itertools.product(dense_grid, cov_grid):
        answered = sum(f["dense"] >= d and f["coverage"] >= c for f in pos) / len(pos)
        refused = sum(f["dense"] < d or f["coverage"] < c for f in neg) / len(neg)
        if answered < min_answer_rate:
            continue
        key = (refused, answered, -d, -c)
        if best is None or key > best[0]:
            best = (key, {"min_dense_score": d, "min_coverage": c,
                          "answer_rate": answered, "refusal_rate": refused})
    return best[1] if best else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.calibrate")
    parser.add_argument("--index", type=Path)
    parser.add_argument("--min-answer-rate", type=float, default=0.95)
    args = parser.parse_args(argv)
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    settings = Settings(**({"index_dir": args.index} if args.index else {}))
    assistant = Assistant.from_settings(settings, audit=None)
    pos = [f for c in _cases("answerable.jsonl") + _cases("multiturn.jsonl")
           if (f := features(assistant, c)) is not None]
    neg = [f for c in _cases("unanswerable.jsonl") if (f := features(assistant, c)) is not None]
    result = choose(pos, neg, args.min_answer_rate)
    print(json.dumps({"answerable": len(pos), "unanswerable": len(neg), **result}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

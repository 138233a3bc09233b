"""Run an answerer over the cases and score it.

``run_cases`` is the only impure part (it calls the answerer and times it); ``score_case`` and
``aggregate`` are pure and turn answers into the numbers the report and the gate use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evals import metrics as m
from evals.cases import accepted_verdicts

AskFn = Callable[[str, list[dict[str, str]]], Any]
KS = (1, 3, 5)
RETRIEVAL_KINDS = ("answerable", "multiturn")
REFUSAL_KINDS = ("answerable", "multiturn", "unanswerable")


def as_dict(answer: Any) -> dict[str, Any]:
    """An Answer (pydantic) or an answer dict -> plain dict."""
    if isinstance(answer, Mapping):
        return dict(answer)
    if hasattr(answer, "to_json_dict"):
        return answer.to_json_dict()
    return answer.model_dump(mode="json")


def _verdict_kind(answer: Mapping[str, Any]) -> str | None:
    v = answer.get("verdict")
    return v.get("verdict") if isinstance(v, Mapping) else None


def run_cases(ask: AskFn, cases: Sequence[dict[str, Any]], *, desc: str = "",
              progress: bool = True) -> list[dict[str, Any]]:
    """Ask every case; keep the answer (dict), the wall-clock latency and any error."""
    from tqdm import tqdm

    out = []
    for case in tqdm(cases, desc=desc or "eval", unit="q", disable=not progress):
        t0 = time.perf_counter()
        try:
            answer, error = as_dict(ask(case["question"], list(case.get("history") or []))), None
        except Exception as exc:  # noqa: BLE001 - a crash is a result: it is counted, not hidden
            answer, error = {}, f"{type(exc).__name__}: {exc}"
        out.append({"case": case, "answer": answer, "error": error,
                    "latency_ms": (time.perf_counter() - t0) * 1000})
    return out


def score_case(result: dict[str, Any], chunk_texts: Mapping[str, str]) -> dict[str, Any]:
    """Per-case scores, JSON-ready: what was expected, what came back, and how it scored."""
    case, ans = result["case"], result["answer"]
    text, abstained = ans.get("answer") or "", bool(ans.get("abstained"))
    contexts = ans.get("contexts") or []
    row: dict[str, Any] = {
        "id": case["id"], "kind": case["kind"], "dataset": case["dataset"],
        "question": case["question"], "answer": text, "abstained": abstained,
        "error": result["error"], "latency_ms": round(result["latency_ms"], 3),
        "contexts": [{k: c.get(k) for k in ("chunk_id", "doc_id", "section", "score")}
                     for c in contexts],
        "citations": [{k: c.get(k) for k in ("n", "chunk_id", "section", "quote")}
                      for c in ans.get("citations") or []],
        "verdict": _verdict_kind(ans),
        "rule_id": (ans.get("verdict") or {}).get("rule_id"),
        "corrected_by_rule": bool(ans.get("corrected_by_rule")),
    }
    facts = case.get("key_facts") or []
    if case["kind"] in RETRIEVAL_KINDS:
        target = {"doc_id": case["doc_id"], "section": case["section"]}
        row["expected"] = {"doc_id": case["doc_id"], "section": case["section"], "key_facts": facts}
        row["rank_doc"] = m.first_hit_rank(contexts, target, "doc")
        row["rank_section"] = m.first_hit_rank(contexts, target, "section")
        row["key_fact_coverage"] = 0.0 if abstained else m.key_fact_coverage(text, facts)
        row["missing_facts"] = [f for f in facts if abstained or not m.fact_present(text, f)]
        if not abstained:
            row["citation_validity"] = m.citation_validity(ans, chunk_texts, facts)
    if ans.get("citations") and not abstained:
        row["quote_exactness"] = m.quote_exactness(ans, chunk_texts)
    if case["kind"] == "unanswerable":
        row["expected"] = {"refuse": True}
    if case["kind"] == "billing":
        accepted = accepted_verdicts(case)
        row["expected"] = {"verdict": accepted}
        row["verdict_ok"] = row["verdict"] in accepted
        # a refusal takes no stance, so it cannot contradict a verdict
        row["contradicts_expected"] = not abstained and m.contradicts(text, case["verdict"])
        row["contradicts_own_verdict"] = not abstained and m.contradicts(text, row["verdict"])
    return row


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, float | int]:
    """The run's metrics from scored rows (definitions: evals/README.md)."""
    ret = [r for r in rows if r["kind"] in RETRIEVAL_KINDS]
    refuse = [r for r in rows if r["kind"] in REFUSAL_KINDS]
    bill = [r for r in rows if r["kind"] == "billing"]
    out: dict[str, float | int] = {"n_cases": len(rows)}
    for level in ("doc", "section"):
        ranks = [r[f"rank_{level}"] for r in ret]
        for k in KS:
            out[f"recall_at_{k}_{level}"] = m.mean(rk is not None and rk <= k for rk in ranks)
        out[f"mrr_{level}"] = m.mean(1 / rk if rk else 0.0 for rk in ranks)
    out["key_fact_coverage"] = m.mean(r["key_fact_coverage"] for r in ret)
    out["citation_validity"] = m.mean(r["citation_validity"] for r in ret if "citation_validity" in r)
    out["quote_exactness"] = m.mean(r["quote_exactness"] for r in rows if "quote_exactness" in r)
    refused = [r["abstained"] for r in refuse]
    should = [r["kind"] == "unanswerable" for r in refuse]
    out["refusal_precision"] = m.refusal_precision(refused, should)
    out["refusal_recall"] = m.refusal_recall(refused, should)
    out["verdict_accuracy"] = m.mean(r["verdict_ok"] for r in bill)
    out["contradictions"] = sum(r["contradicts_expected"] for r in bill)
    out["self_contradictions"] = sum(r["contradicts_own_verdict"] for r in bill)
    out["corrected_by_rule"] = sum(r["corrected_by_rule"] for r in rows)
    lat = m.latency_percentiles([r["latency_ms"] for r in rows])
    out["latency_p50_ms"], out["latency_p95_ms"] = lat["p50"], lat["p95"]
    out["answer_chars_mean"] = m.mean(len(r["answer"]) for r in rows if not r["abstained"])
    out["errors"] = sum(r["error"] is not None for r in rows)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def evaluate(ask: AskFn, cases: Sequence[dict[str, Any]], chunk_texts: Callable[[], Mapping[str, str]],
             *, desc: str = "", progress: bool = True) -> dict[str, Any]:
    """Run, score and aggregate one answerer: {"metrics": ..., "cases": [...]}.

    ``chunk_texts`` is called after the run (the index exists by then)."""
    results = run_cases(ask, cases, desc=desc, progress=progress)
    texts = chunk_texts()
    rows = [score_case(r, texts) for r in results]
    return {"metrics": aggregate(rows), "cases": rows}

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
        "split": case.get("split", "dev"), "area": case.get("area"),
        "history": list(case.get("history") or []),
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
        row["all_facts"] = not row["missing_facts"]
        if case.get("parts"):
            row["parts_handled"] = not abstained and all(
                m.part_handled(text, p) for p in case["parts"])
        if ans.get("verdict"):
            cited = ((ans["verdict"] or {}).get("citation") or {}).get("doc_id")
            row["verdict_other_page"] = cited is not None and cited != case["doc_id"]
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
        row["verdict_out_of_scope"] = None in accepted and row["verdict"] is not None
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
    out["all_facts_rate"] = m.mean(r["all_facts"] for r in ret)
    out["parts_handled"] = m.mean(r["parts_handled"] for r in ret if "parts_handled" in r)
    out["false_refusal_rate"] = m.mean(r["abstained"] for r in ret)
    out["unanswerable_refused"] = m.mean(r["abstained"] for r in rows if r["kind"] == "unanswerable")
    follow = [r for r in rows if r["kind"] == "multiturn"]
    out["followup_recall_at_1_doc"] = m.mean(r["rank_doc"] == 1 for r in follow)
    out["followup_all_facts"] = m.mean(r["all_facts"] for r in follow)
    out["followup_refused"] = sum(r["abstained"] for r in follow)
    out["citation_validity"] = m.mean(r["citation_validity"] for r in ret if "citation_validity" in r)
    out["quote_exactness"] = m.mean(r["quote_exactness"] for r in rows if "quote_exactness" in r)
    refused = [r["abstained"] for r in refuse]
    should = [r["kind"] == "unanswerable" for r in refuse]
    out["refusal_precision"] = m.refusal_precision(refused, should)
    out["refusal_recall"] = m.refusal_recall(refused, should)
    out["verdict_accuracy"] = m.mean(r["verdict_ok"] for r in bill)
    out["verdicts_out_of_scope"] = sum(r["verdict_out_of_scope"] for r in bill) + sum(
        bool(r.get("verdict_other_page")) for r in ret)
    out["contradictions"] = sum(r["contradicts_expected"] for r in bill)
    out["self_contradictions"] = sum(r["contradicts_own_verdict"] for r in bill)
    out["corrected_by_rule"] = sum(r["corrected_by_rule"] for r in rows)
    lat = m.latency_percentiles([r["latency_ms"] for r in rows])
    out["latency_p50_ms"], out["latency_p95_ms"] = lat["p50"], lat["p95"]
    out["answer_chars_mean"] = m.mean(len(r["answer"]) for r in rows if not r["abstained"])
    out["answer_chars_median"] = m.percentile(
        [len(r["answer"]) for r in ret if not r["abstained"]], 50)
    out["errors"] = sum(r["error"] is not None for r in rows)
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def by_split(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int]]:
    """Metrics of each split (``dev``, ``test``) that has cases, and of all cases together."""
    out = {"all": aggregate(rows)}
    for split in ("dev", "test"):
        part = [r for r in rows if r.get("split", "dev") == split]
        if part:
            out[split] = aggregate(part)
    return out


def by_area(rows: Sequence[dict[str, Any]], split: str = "test") -> dict[str, dict[str, Any]]:
    """Per manual area (pages' ``area``): cases, key facts, all facts, refusals, recall@1."""
    areas: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r.get("split", "dev") == split and r.get("area"):
            areas.setdefault(r["area"], []).append(r)
    out = {}
    for area, rs in sorted(areas.items()):
        ret = [r for r in rs if r["kind"] in RETRIEVAL_KINDS]
        un = [r for r in rs if r["kind"] == "unanswerable"]
        out[area] = {
            "cases": len(rs),
            "key_fact_coverage": round(m.mean(r["key_fact_coverage"] for r in ret), 3),
            "all_facts_rate": round(m.mean(r["all_facts"] for r in ret), 3),
            "false_refusal_rate": round(m.mean(r["abstained"] for r in ret), 3),
            "unanswerable_refused": round(m.mean(r["abstained"] for r in un), 3) if un else None,
            "recall_at_1_doc": round(m.mean(r["rank_doc"] == 1 for r in ret), 3),
        }
    return out


def worst(rows: Sequence[dict[str, Any]], n: int = 20, split: str = "test") -> list[dict[str, Any]]:
    """The ``n`` worst answers of ``split``: answerable cases by key-fact coverage (refusals
    first), then unanswerable ones that were answered; each with what was missing."""
    ret = [r for r in rows if r.get("split", "dev") == split and r["kind"] in RETRIEVAL_KINDS
           and not r["all_facts"]]
    ret.sort(key=lambda r: (not r["abstained"], r["key_fact_coverage"], r["id"]))
    answered = [r for r in rows if r.get("split", "dev") == split
                and r["kind"] == "unanswerable" and not r["abstained"]]
    picked = (ret + answered)[:n]
    return [{"id": r["id"], "kind": r["kind"], "area": r.get("area"), "question": r["question"],
             "history": r.get("history") or [],
             "expected": r.get("expected"), "missing_facts": r.get("missing_facts", []),
             "refused": r["abstained"], "answer": r["answer"][:600],
             "top_context": (r["contexts"] or [{}])[0].get("chunk_id")} for r in picked]


def evaluate(ask: AskFn, cases: Sequence[dict[str, Any]], chunk_texts: Callable[[], Mapping[str, str]],
             *, desc: str = "", progress: bool = True) -> dict[str, Any]:
    """Run, score and aggregate one answerer: {"metrics": ..., "cases": [...]}.

    ``chunk_texts`` is called after the run (the index exists by then)."""
    results = run_cases(ask, cases, desc=desc, progress=progress)
    texts = chunk_texts()
    rows = [score_case(r, texts) for r in results]
    splits = by_split(rows)
    return {"metrics": splits.get("test", splits["all"]), "splits": splits,
            "areas": by_area(rows), "worst": worst(rows), "cases": rows}

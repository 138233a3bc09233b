"""Turn a run's result dict into a console table, report.json, report.md and chart.png.

The result dict: {"meta": {...}, "answerers": {name: {"metrics": {...}, "cases": [...]}},
"gate": {"answerer": name, "thresholds": {...}, "failures": [...]}}. Only ``write_chart``
touches matplotlib (Agg backend, imported lazily).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core.errors import MissingExtraError

# (metric, label, higher_is_better, on the 0..1 chart)
METRICS: list[tuple[str, str, bool, bool]] = [
    ("recall_at_1_doc", "Recall@1 (doc)", True, False),
    ("recall_at_3_doc", "Recall@3 (doc)", True, False),
    ("recall_at_5_doc", "Recall@5 (doc)", True, True),
    ("mrr_doc", "MRR (doc)", True, False),
    ("recall_at_1_section", "Recall@1 (section)", True, True),
    ("recall_at_3_section", "Recall@3 (section)", True, False),
    ("recall_at_5_section", "Recall@5 (section)", True, True),
    ("mrr_section", "MRR (section)", True, True),
    ("key_fact_coverage", "Key-fact coverage", True, True),
    ("all_facts_rate", "Answers with all key facts", True, True),
    ("parts_handled", "Multi-part: every part handled", True, True),
    ("false_refusal_rate", "False refusals (answerable refused)", False, False),
    ("unanswerable_refused", "Unanswerable refused", True, True),
    ("followup_recall_at_1_doc", "Follow-ups: right page first", True, False),
    ("followup_all_facts", "Follow-ups: all key facts", True, False),
    ("followup_refused", "Follow-ups refused", False, False),
    ("citation_validity", "Citation validity", True, True),
    ("quote_exactness", "Quote exactness", True, False),
    ("refusal_precision", "Refusal precision", True, True),
    ("refusal_recall", "Refusal recall", True, True),
    ("verdict_accuracy", "Verdict accuracy", True, True),
    ("verdicts_out_of_scope", "Verdicts out of scope", False, False),
    ("contradictions", "Contradictions (vs expected verdict)", False, False),
    ("self_contradictions", "Contradictions (vs own verdict)", False, False),
    ("corrected_by_rule", "Answers corrected by rule", False, False),
    ("latency_p50_ms", "Latency p50 (ms)", False, False),
    ("latency_p95_ms", "Latency p95 (ms)", False, False),
    ("answer_chars_mean", "Answer length (chars, mean)", False, False),
    ("answer_chars_median", "Answer length (chars, median)", False, False),
    ("errors", "Errors", False, False),
    ("n_cases", "Cases", True, False),
]


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3f}"
    return str(v)


def split_views(answerers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """{split: {answerer: {"metrics": ...}}} for every split the run measured (test first)."""
    splits: dict[str, dict[str, Any]] = {}
    for name, run in answerers.items():
        for split, metrics in (run.get("splits") or {"all": run["metrics"]}).items():
            splits.setdefault(split, {})[name] = {"metrics": metrics}
    order = {"test": 0, "dev": 1, "all": 2}
    return dict(sorted(splits.items(), key=lambda kv: order.get(kv[0], 3)))


def table_rows(answerers: Mapping[str, Mapping[str, Any]]) -> list[list[str]]:
    """Header + one row per metric: label, each answerer's value, and (with exactly one
    baseline and one other answerer) the margin of the other over the baseline."""
    names = list(answerers)
    margin = len(names) == 2 and "baseline" in names
    head = ["Metric", *names] + (["Margin"] if margin else [])
    rows = [head]
    for key, label, _, _ in METRICS:
        vals = [answerers[n]["metrics"].get(key) for n in names]
        if all(v is None for v in vals):
            continue
        row = [label, *map(_fmt, vals)]
        if margin:
            other = next(n for n in names if n != "baseline")
            a, b = answerers[other]["metrics"].get(key), answerers["baseline"]["metrics"].get(key)
            row.append(_fmt(a - b) if isinstance(a, int | float) and isinstance(b, int | float)
                       else "-")
        rows.append(row)
    return rows


def format_table(answerers: Mapping[str, Mapping[str, Any]]) -> str:
    """A fixed-width console table of the metrics per answerer."""
    rows = table_rows(answerers)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in
                       enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(out)


def _misses(cases: Sequence[Mapping[str, Any]], limit: int) -> list[str]:
    """Short lines for the cases that went wrong, worst kinds first."""
    lines = []
    for c in cases:
        why = None
        if c.get("error"):
            why = f"error: {c['error']}"
        elif c["kind"] == "unanswerable" and not c["abstained"]:
            why = "answered, should refuse"
        elif c["kind"] in ("answerable", "multiturn") and c["abstained"]:
            why = "refused, should answer"
        elif c["kind"] in ("answerable", "multiturn") and c.get("missing_facts"):
            why = "missing: " + "; ".join(c["missing_facts"])
        elif c["kind"] == "billing" and not c.get("verdict_ok"):
            why = (f"verdict {c.get('verdict') or 'none'}, expected "
                   f"{'/'.join(v or 'none' for v in c['expected']['verdict'])}")
        if why:
            lines.append(f"- `{c['id']}` {c['question']!r}: {why}")
    return lines[:limit] + ([f"- ... and {len(lines) - limit} more"] if len(lines) > limit else [])


def render_markdown(result: Mapping[str, Any], chart_name: str | None = "chart.png",
                    misses_per_answerer: int = 40) -> str:
    meta, gate = result.get("meta", {}), result.get("gate", {})
    parts = ["# Answer-quality evaluation", ""]
    for key in ("started", "git_commit", "index", "datasets", "counts"):
        if key in meta:
            parts.append(f"- **{key}**: {meta[key]}")
    for split, view in split_views(result["answerers"]).items():
        what = {"test": "test split (gated; never tuned on)", "dev": "dev split (tuned on)",
                "all": "all cases"}.get(split, split)
        parts += ["", f"## Metrics: {what}", "", markdown_table(table_rows(view)), ""]
    if chart_name:
        parts += [f"![metrics per answerer]({chart_name})", ""]
    parts += ["## Gate", ""]
    if gate.get("skipped"):
        parts.append(f"Not applied: {gate['skipped']}.")
    elif gate.get("failures"):
        parts.append(f"**FAILED** for `{gate.get('answerer')}`:")
        parts += [f"- {f}" for f in gate["failures"]]
    else:
        parts.append(f"Passed for `{gate.get('answerer')}` ({len(gate.get('thresholds', {}))} "
                     "thresholds).")
    gated = gate.get("answerer")
    run = result["answerers"].get(gated) or {}
    if run.get("areas"):
        rows = [["Area", "Cases", "Key facts", "All facts", "False refusals",
                 "Unanswerable refused", "Recall@1 (doc)"]]
        for area, a in run["areas"].items():
            rows.append([area, str(a["cases"]), _fmt(a["key_fact_coverage"]),
                         _fmt(a["all_facts_rate"]), _fmt(a["false_refusal_rate"]),
                         _fmt(a["unanswerable_refused"]), _fmt(a["recall_at_1_doc"])])
        parts += ["", f"## Per area (test split, `{gated}`)", "", markdown_table(rows)]
    if run.get("worst"):
        parts += ["", f"## The worst {len(run['worst'])} answers (test split, `{gated}`)", ""]
        for w in run["worst"]:
            why = ("refused" if w["refused"] else
                   "answered, should refuse" if w["kind"] == "unanswerable" else
                   "missing: " + "; ".join(w["missing_facts"]))
            hist = " / ".join(t["content"] for t in w["history"] if t.get("role") == "user")
            parts.append(f"- `{w['id']}` ({w.get('area') or '-'}) {w['question']!r}"
                         + (f" [after: {hist!r}]" if hist else "") + f" — {why}")
            if w["answer"] and not w["refused"]:
                parts.append(f"  - answer: {w['answer'][:300]!r}")
    for name, run in result["answerers"].items():
        misses = _misses(run.get("cases", []), misses_per_answerer)
        parts += ["", f"## Misses: {name}", ""] + (misses or ["None."])
    parts.append("")
    return "\n".join(parts)


def write_chart(answerers: Mapping[str, Mapping[str, Any]], path: Path) -> Path:
    """Grouped horizontal bars of the 0..1 metrics, one colour per answerer."""
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingExtraError("matplotlib", "evals") from exc

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [(k, label) for k, label, _, on_chart in METRICS if on_chart]
    names = list(answerers)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(keys) * max(1, len(names)) + 1.5))
    height = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        vals = [float(answerers[name]["metrics"].get(k) or 0.0) for k, _ in keys]
        ys = [j + i * height for j in range(len(keys))]
        ax.barh(ys, vals, height=height, label=name)
    ax.set_yticks([j + height * (len(names) - 1) / 2 for j in range(len(keys))])
    ax.set_yticklabels([label for _, label in keys])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("score (higher is better)")
    ax.legend(loc="lower right")
    ax.set_title("Answer quality per answerer")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(result: Mapping[str, Any], out_dir: Path, chart: bool = True) -> dict[str, Path]:
    """Write report.json, report.md and (with ``chart``) chart.png into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md"}
    paths["json"].write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    chart_name = None
    if chart:
        paths["chart"] = write_chart(result["answerers"], out_dir / "chart.png")
        chart_name = paths["chart"].name
    paths["markdown"].write_text(render_markdown(result, chart_name), encoding="utf-8")
    return paths

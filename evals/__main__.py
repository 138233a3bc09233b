"""python -m evals: score the assistant (and a plain LangChain baseline) on the eval datasets.

    python -m evals [--dataset FILE ...] [--index DIR] [--answerer extractive|openai]
                    [--out DIR] [--thresholds FILE] [--limit N] [--no-baseline]
    python -m evals import-feedback [--feedback FILE] [--out FILE]

Exit status: 0 when every gated metric meets evals/thresholds.yaml, 1 when one does not (each is
named), 2 when the run could not start (bad dataset, no index and no corpus, ...).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, get_args

from core.settings import AnswererName
from evals import cases as case_io
from evals.gate import THRESHOLDS_FILE, failures, load_thresholds
from evals.report import format_table, write_report
from evals.run import evaluate

DEFAULT_OUT = Path(__file__).resolve().parent / "reports"
EVAL_CORPUS = Path(__file__).resolve().parent / "corpus"  # test pages written for the project
DEFAULT_INDEX = Path(".index-evals")  # never the served index


def run_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m evals",
        description="Score the assistant and a plain LangChain baseline on the eval datasets. "
                    "Subcommand: 'python -m evals import-feedback --help'.")
    p.add_argument("--dataset", action="append", type=Path, metavar="FILE",
                   help="JSONL dataset (repeatable; default: evals/datasets/*.jsonl)")
    p.add_argument("--index", type=Path, default=DEFAULT_INDEX, metavar="DIR",
                   help=f"index folder (default: {DEFAULT_INDEX}); built from the corpus, "
                        "and brought up to date, before the run")
    p.add_argument("--corpus", type=Path, action="append", metavar="PATH",
                   help="pages to index (repeatable; default: Settings.corpus + "
                        "evals/corpus, the eval's own manual pages)")
    p.add_argument("--answerer", choices=get_args(AnswererName),
                   help="assistant answerer (default: Settings.answerer)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, metavar="DIR",
                   help=f"report folder (default: {DEFAULT_OUT})")
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS_FILE, metavar="FILE",
                   help="quality gate file (default: evals/thresholds.yaml)")
    p.add_argument("--limit", type=int, metavar="N",
                   help="only the first N cases of each dataset (smoke runs)")
    p.add_argument("--no-baseline", action="store_true", help="skip the LangChain baseline")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def feedback_parser() -> argparse.ArgumentParser:
    from evals.feedback_import import DEFAULT_OUT as CANDIDATES

    p = argparse.ArgumentParser(
        prog="python -m evals import-feedback",
        description="Turn thumbs-down feedback into candidate eval cases (needs_review: true).")
    p.add_argument("--feedback", type=Path, metavar="FILE",
                   help="feedback log (default: Settings.feedback_path)")
    p.add_argument("--out", type=Path, default=CANDIDATES, metavar="FILE",
                   help=f"candidates file, appended to (default: {CANDIDATES})")
    return p


def import_feedback_main(argv: list[str]) -> int:
    from evals.feedback_import import import_feedback

    args = feedback_parser().parse_args(argv)
    path = args.feedback
    if path is None:
        from core.settings import Settings

        path = Settings().feedback_path
    if not Path(path).exists():
        print(f"No feedback log at {path}. Pass --feedback FILE.", file=sys.stderr)
        return 2
    summary = import_feedback(path, args.out)
    print(f"{summary}. Candidates: {args.out}")
    return 0


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False, cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _limit(cases: list[dict[str, Any]], n: int | None) -> list[dict[str, Any]]:
    if n is None:
        return cases
    seen: Counter = Counter()
    out = []
    for c in cases:
        seen[c["dataset"]] += 1
        if seen[c["dataset"]] <= n:
            out.append(c)
    return out


def build_assistant(settings, progress: bool = True):
    """The assistant under test, over an index brought up to date with ``settings.corpus``
    (incremental: unchanged pages cost nothing). The audit log is left out: eval questions
    are not rep traffic."""
    from assistant.pipeline import Assistant
    from ingest.build import ingest

    report = ingest(settings.corpus, settings, progress=progress)
    if report.failures:
        raise ValueError("eval pages could not be ingested: " + "; ".join(
            f"{path}: {why}" for path, why in report.failures))

    try:
        return Assistant.from_settings(settings, audit=None)
    except TypeError:  # a from_settings without collaborator overrides
        return Assistant.from_settings(settings)


def assistant_chunk_texts(assistant, settings) -> dict[str, str]:
    """chunk_id -> stored text of the indexed chunks (what citations must quote exactly)."""
    chunks = getattr(getattr(assistant, "index", None), "chunks", None)
    if chunks is None:
        from core.store import IndexStore

        store = IndexStore(settings)
        chunks = store.chunks(store.open_current().name)
    return {c.chunk_id: c.text for c in chunks}


def run_main(argv: list[str]) -> int:
    args = run_parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        files = args.dataset or case_io.default_files()
        cases, skipped = case_io.load(files)
        thresholds = load_thresholds(args.thresholds)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    cases = _limit(cases, args.limit)
    if skipped:
        print(f"{len(skipped)} candidate case(s) with needs_review: true skipped.", file=sys.stderr)
    if not cases:
        print("error: no eval cases to run.", file=sys.stderr)
        return 2

    from core.errors import AssistantError
    from core.settings import Settings
    from core.types import Turn

    overrides: dict[str, Any] = {"index_dir": args.index}
    if args.answerer:
        overrides["answerer"] = args.answerer
    settings = Settings(**overrides)
    settings = settings.model_copy(update={
        "corpus": list(args.corpus or [*settings.corpus, EVAL_CORPUS])})
    try:
        assistant = build_assistant(settings, progress=not args.quiet)
    except (AssistantError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    def ask(question, history):
        return assistant.ask(question, [Turn(**t) for t in history])

    name = f"assistant:{settings.answerer}"
    ask(cases[0]["question"], [])  # warm-up, not timed
    answerers = {name: evaluate(ask, cases, lambda: assistant_chunk_texts(assistant, settings),
                                desc=name, progress=not args.quiet)}
    if not args.no_baseline:
        from evals.baseline import Baseline

        base = Baseline(settings.corpus, top_k=settings.retrieval.top_k).build()
        try:
            base.ask(cases[0]["question"])  # warm-up
            answerers["baseline"] = evaluate(base.ask, cases, base.chunk_texts, desc="baseline",
                                             progress=not args.quiet)
        finally:
            base.close()

    fails = failures(answerers[name]["metrics"], thresholds)
    result = {
        "meta": {
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "git_commit": _git_commit(),
            "index": str(settings.index_dir),
            "datasets": [str(Path(f).name) for f in files],
            "counts": dict(Counter(c["kind"] for c in cases)),
            "answerer": settings.answerer,
            "embedding_model": settings.embedding.model,
            "baseline": None if args.no_baseline else
            {"splitter": "RecursiveCharacterTextSplitter(1000, 100)", "top_k": settings.retrieval.top_k},
        },
        "answerers": answerers,
        "gate": {"answerer": name, "thresholds_file": str(args.thresholds),
                 "thresholds": thresholds, "failures": fails},
    }
    from evals.report import split_views

    for split, view in split_views(answerers).items():
        print(f"\n[{split}]")
        print(format_table(view))
    paths = write_report(result, args.out)
    print(f"\nReport: {paths['markdown']}  (JSON: {paths['json']}, chart: {paths.get('chart')})")
    if fails:
        print(f"\nQuality gate FAILED for {name}:", file=sys.stderr)
        for f in fails:
            print(f"  - {f}", file=sys.stderr)
        return 1
    print(f"\nQuality gate passed for {name} ({len(thresholds)} thresholds).")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "import-feedback":
        return import_feedback_main(argv[1:])
    return run_main(argv)


if __name__ == "__main__":
    sys.exit(main())

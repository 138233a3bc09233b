"""Command line: python -m assistant ask|check|slack ...

A thin adapter: parse arguments, build Settings and the Assistant, render the Answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import get_args

from core.errors import AssistantError


def build_parser() -> argparse.ArgumentParser:
    from core.settings import AnswererName

    parser = argparse.ArgumentParser(prog="python -m assistant",
                                     description="Answers from the Medi-Cal provider manual.")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or a batch) with cited passages")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--batch", type=Path, help="JSONL file of {question, id?, history?}")
    ask.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    ask.add_argument("--answerer", choices=get_args(AnswererName),
                     help="default: PMA_ANSWERER")
    ask.add_argument("--doc", action="append", default=[], help="only this page id (repeatable)")
    ask.add_argument("--provider-type", help="only pages for this provider type")
    _common(ask)

    check = sub.add_parser("check", help="billing-eligibility verdict for a scenario: which rule "
                           "pack applied, or why none did")
    check.add_argument("question")
    check.add_argument("--history", action="append", default=[], metavar="TEXT",
                       help="an earlier user message (repeatable, oldest first)")
    check.add_argument("--json", action="store_true", help="print scenario and verdict as JSON")
    check.add_argument("--rules", type=Path, help="rule packs folder (default: PMA_RULES_DIR)")
    _common(check)

    rules = sub.add_parser("rules", help="test or lint the rule packs (corpus/rules/*.yaml)")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    rtest = rules_sub.add_parser("test", help="run every pack's examples; exit 1 on a failure")
    rtest.add_argument("packs", nargs="*", metavar="PACK", help="pack ids (default: all)")
    rtest.add_argument("--rules", type=Path, help="rule packs folder (default: PMA_RULES_DIR)")
    rtest.add_argument("-v", "--verbose", action="store_true", help="show passing examples too")
    rlint = rules_sub.add_parser("lint", help="check quotes against the index, unused facts, "
                                 "unreachable and overlapping rules; exit 1 on an error")
    rlint.add_argument("packs", nargs="*", metavar="PACK", help="pack ids (default: all)")
    rlint.add_argument("--rules", type=Path, help="rule packs folder (default: PMA_RULES_DIR)")
    _common(rlint)

    slack = sub.add_parser("slack", help="run the Slack bot (Socket Mode or HTTP)")
    slack.add_argument("--mode", choices=["socket", "http"], help="default: PMA_SLACK__MODE")
    slack.add_argument("--port", type=int, help="HTTP port (default: PMA_SLACK__PORT)")
    _common(slack)
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, help="index folder (default: PMA_INDEX_DIR)")
    p.add_argument("--chroma-url", help="Chroma server URL instead of the local index")


def settings_from(args: argparse.Namespace):
    from core.settings import Settings

    overrides: dict = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    if getattr(args, "chroma_url", None):
        overrides["chroma_url"] = args.chroma_url
    if getattr(args, "answerer", None):
        overrides["answerer"] = args.answerer
    return Settings(**overrides)


def render_text(answer) -> str:
    from core.messages import verdict_label

    lines = []
    if answer.verdict is not None:
        lines.append(f"VERDICT: {verdict_label(answer.verdict.verdict)} "
                     f"(rule {answer.verdict.rule_id})")
    lines.append(answer.answer)
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            updated = f", last updated {c.last_updated}" if c.last_updated else ""
            lines.append(f"[{c.n}] {c.title} — {c.section}{updated}")
            if c.url:
                lines.append(f"    {c.url}")
            lines.append(f'    "{c.quote}"')
    return "\n".join(lines)


def _ask(args, settings) -> int:
    from assistant.interfaces.startup import open_assistant
    from assistant.retrieve import Filters
    from core.types import Turn

    assistant = open_assistant(settings)
    filters = Filters(doc_ids=args.doc, provider_type=args.provider_type) \
        if args.doc or args.provider_type else None
    if args.batch:
        with args.batch.open() as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    history = [Turn(**t) for t in item.get("history", [])]
                    answer = assistant.ask(item["question"], history, filters, interface="cli")
                except (ValueError, KeyError, TypeError) as exc:
                    print(json.dumps({"id": None, "line": line_no,
                                      "error": f"bad input line: {exc}"}))
                    continue
                out = answer.to_json_dict()
                if "id" in item:
                    out["id"] = item["id"]
                print(json.dumps(out), flush=True)
        return 0
    if not args.question:
        print("error: give a question or --batch FILE.jsonl", file=sys.stderr)
        return 2
    answer = assistant.ask(args.question, [], filters, interface="cli")
    print(json.dumps(answer.to_json_dict(), indent=2) if args.json else render_text(answer))
    return 0


def _check(args, settings) -> int:
    from assistant.rules import RuleChecker
    from core.types import Turn

    checker = RuleChecker.load(args.rules or settings.rules_dir, index=None)
    history = [Turn(role="user", content=h) for h in args.history]
    result = checker.check(args.question, history)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(checker.format(result))
    return 0


def _rules(args, settings) -> int:
    from assistant.rules import RuleBook
    from assistant.rules.tools import format_examples, lint, run_examples

    folder = args.rules or settings.rules_dir
    book = RuleBook.load(folder, only=args.packs or None)
    if args.rules_command == "test":
        results = run_examples(book, args.packs or None)
        print(format_examples(results, verbose=args.verbose))
        return 1 if any(not r.ok for r in results) else 0
    page_texts, problem = _indexed_pages(settings)
    report = lint(book, page_texts, args.packs or None, index_problem=problem)
    print(report.format())
    return 1 if report.errors else 0


def _indexed_pages(settings):
    """(doc id -> indexed text, None) of the index Settings names, or (None, why not)."""
    from assistant.index import LoadedIndex
    from core.errors import AssistantError

    where = settings.chroma_url or settings.index_dir
    try:
        index = LoadedIndex(settings)
        if index.generation is None:
            return None, f"the index at {where} could not be opened"
        texts = index.page_texts()
        return {d: texts[d] for d in texts}, None
    except (AssistantError, OSError) as exc:
        return None, (f"no index to check the quotes against at {where} ({exc}); build it with "
                      "`python -m ingest` or pass --index DIR")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        from core.logging_setup import configure_logging

        configure_logging(settings.log_level)
        if args.command == "ask":
            return _ask(args, settings)
        if args.command == "check":
            return _check(args, settings)
        if args.command == "rules":
            return _rules(args, settings)
        if args.command == "slack":
            from assistant.interfaces.slack import run

            return run(settings, mode=args.mode, port=args.port)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0

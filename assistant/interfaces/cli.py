"""Command line: python -m assistant ask|check|slack ...

A thin adapter: parse arguments, build Settings and the Assistant, render the Answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from assistant.errors import AssistantError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant",
                                     description="Answers from the Medi-Cal provider manual.")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", help="answer a question (or a batch) with cited passages")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--batch", type=Path, help="JSONL file of {question, id?, history?}")
    ask.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    ask.add_argument("--answerer", help="extractive | openai (default: PMA_ANSWERER)")
    ask.add_argument("--doc", action="append", default=[], help="only this page id (repeatable)")
    ask.add_argument("--provider-type", help="only pages for this provider type")
    _common(ask)

    check = sub.add_parser("check", help="billing-eligibility verdict for a scenario")
    check.add_argument("question")
    check.add_argument("--json", action="store_true", help="print scenario and verdict as JSON")
    _common(check)

    slack = sub.add_parser("slack", help="run the Slack bot (Socket Mode or HTTP)")
    slack.add_argument("--mode", choices=["socket", "http"], help="default: PMA_SLACK__MODE")
    slack.add_argument("--port", type=int, help="HTTP port (default: PMA_SLACK__PORT)")
    _common(slack)
    return parser


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, help="index folder (default: PMA_INDEX_DIR)")
    p.add_argument("--chroma-url", help="Chroma server URL instead of the local index")


def settings_from(args: argparse.Namespace):
    from assistant.settings import Settings

    overrides: dict = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    if getattr(args, "chroma_url", None):
        overrides["chroma_url"] = args.chroma_url
    if getattr(args, "answerer", None):
        overrides["answerer"] = args.answerer
    return Settings(**overrides)


def render_text(answer) -> str:
    lines = []
    if answer.verdict is not None:
        lines.append(f"VERDICT: {answer.verdict.verdict.upper()} (rule {answer.verdict.rule_id})")
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
    from assistant.pipeline import Assistant
    from assistant.retrieve import Filters
    from assistant.types import Turn

    assistant = Assistant.from_settings(settings)
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

    guard = RuleChecker.load(settings.rules_dir, index=None)
    result = guard.check(args.question, [])
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(guard.format(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        from assistant.logging_setup import configure_logging

        configure_logging(settings.log_level)
        if args.command == "ask":
            return _ask(args, settings)
        if args.command == "check":
            return _check(args, settings)
        if args.command == "slack":
            from assistant.interfaces.slack import run

            return run(settings, mode=args.mode, port=args.port)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0

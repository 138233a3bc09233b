"""python -m ingest PATH... [--index DIR] [--chroma-url URL] [--rebuild] [--quiet]
python -m ingest sync [URL] [--index DIR] [--chroma-url URL] [--mirror DIR] [--report DIR]
                     [--rebuild] [--quiet]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import AssistantError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Load manual pages (text, HTML, Markdown, PDF), chunk them along their "
        "sections, embed changed chunks and switch the index to the new version atomically.",
        epilog="To keep the index in step with the live manual: python -m ingest sync URL "
        "(see python -m ingest sync --help).",
    )
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders to ingest (default: the corpus in Settings)")
    parser.add_argument("--index", type=Path, help="index folder (default: PMA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rebuild", action="store_true",
                        help="embed everything again (after changing model or chunking)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def build_sync_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest sync",
        description="Bring the index in step with the live manual: crawl the pages below URL "
        "(robots.txt, sitemap, conditional requests), keep them in a local mirror, run the "
        "incremental ingest over it and write a change report. Exit 0 when the sync completed "
        "(pages gone from the site included), 1 when it completed but pages could not be "
        "fetched or ingested (their previous copies are kept) or the report could not be "
        "posted to Slack, 2 when nothing could be synced.",
    )
    parser.add_argument("url", nargs="?",
                        help="start URL; pages below its folder are synced (default: "
                        "PMA_SYNC__URL)")
    parser.add_argument("--index", type=Path, help="index folder (default: PMA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--mirror", type=Path,
                        help="mirror folder (default: PMA_SYNC__MIRROR_DIR or <data_dir>/mirror)")
    parser.add_argument("--report", type=Path,
                        help="change-report folder (default: PMA_SYNC__REPORT_DIR or "
                        "<data_dir>/sync)")
    parser.add_argument("--rebuild", action="store_true",
                        help="embed everything again and keep only the mirror's pages in the "
                        "index")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["sync"]:
        return sync_main(argv[1:])
    args = build_parser().parse_args(argv)
    from core.logging_setup import configure_logging
    from core.settings import Settings
    from ingest.build import ingest

    overrides = {}
    if args.index:
        overrides["index_dir"] = args.index
    if args.chroma_url:
        overrides["chroma_url"] = args.chroma_url
    try:
        settings = Settings(**overrides)
        configure_logging(settings.log_level)
        report = ingest(args.paths or settings.corpus, settings, progress=not args.quiet,
                        rebuild=args.rebuild)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if report.failures:
        print(f"{len(report.failures)} file(s) could not be ingested (see FAILED lines); "
              "fix or remove them and run the ingest again.", file=sys.stderr)
        return 1
    return 0


def sync_main(argv: list[str]) -> int:
    args = build_sync_parser().parse_args(argv)
    from core.logging_setup import configure_logging
    from core.settings import Settings
    from ingest.sync.run import sync

    overrides: dict = {}
    if args.index:
        overrides["index_dir"] = args.index
    if args.chroma_url:
        overrides["chroma_url"] = args.chroma_url
    try:
        settings = Settings(**overrides)
        if args.mirror or args.report:
            settings.sync = settings.sync.model_copy(update={
                k: v for k, v in (("mirror_dir", args.mirror), ("report_dir", args.report)) if v})
        configure_logging(settings.log_level)
        from assistant.rules.engine import RuleBook  # the CLI wires the assistant's rule book in

        outcome = sync(settings, args.url, progress=not args.quiet, rebuild=args.rebuild,
                       load_rules=RuleBook.load)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(outcome.summary())
    code = 1 if outcome.problems else 0
    if settings.sync.slack_channel and _worth_posting(outcome.report):
        from assistant.interfaces.slack import post_change_report

        try:
            post_change_report(settings, outcome.report)
            print(f"report posted to Slack channel {settings.sync.slack_channel}")
        except AssistantError as exc:
            print(f"warning: {exc}", file=sys.stderr)
            code = 1
    if outcome.problems:
        print("Some pages could not be fetched or ingested (see FAILED lines); their previous "
              "copies are kept. Run the sync again later.", file=sys.stderr)
    return code


def _worth_posting(report: dict) -> bool:
    s = report["summary"]
    return any(s[k] for k in ("added", "changed", "removed", "went_stale", "failed"))


if __name__ == "__main__":
    sys.exit(main())

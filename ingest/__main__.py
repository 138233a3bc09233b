"""python -m ingest PATH... [--index DIR] [--chroma-url URL] [--rebuild] [--quiet]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.errors import AssistantError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Load manual pages (text, HTML, Markdown, PDF), chunk them along their "
        "sections, embed changed chunks and switch the index to the new version atomically.",
    )
    parser.add_argument("paths", nargs="*", type=Path,
                        help="files or folders to ingest (default: the corpus in Settings)")
    parser.add_argument("--index", type=Path, help="index folder (default: PMA_INDEX_DIR)")
    parser.add_argument("--chroma-url", help="use a Chroma server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--rebuild", action="store_true",
                        help="embed everything again (after changing model or chunking)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from assistant.logging_setup import configure_logging
    from assistant.settings import Settings
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


if __name__ == "__main__":
    sys.exit(main())

"""Rebuild the two word lists taken from the manual's own pages (run after the pages change):

    python -m core.phi.build_data [PAGES_DIR ...]   (default: corpus/ and evals/corpus/)

- ``data/manual_words.txt``: every word the pages write in lower case (a manual's words are not
  member names);
- ``data/manual_numbers.txt``: the phone and fax numbers the pages give (Health Net's, DHCS's, a
  county's: never a member's), as their ten digits.

The detector only reads these files; nothing here runs at import or at run time.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
DEFAULT_PAGES = (ROOT / "corpus", ROOT / "evals" / "corpus")
SUFFIXES = {".txt", ".md", ".html", ".htm"}

_WORD = re.compile(r"(?<![\w'-])[a-z][a-z'-]*[a-z](?![\w'-])")
_PHONE = re.compile(r"(?<!\d)(?:1[ .-]?)?\(?(\d{3})\)?[ .-]?(\d{3})[ .-](\d{4})(?!\d)")


def page_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix in (".html", ".htm"):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(raw, "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        return soup.get_text(" ")
    return raw


def collect(dirs: list[Path]) -> tuple[set[str], set[str]]:
    words: set[str] = set()
    numbers: set[str] = set()
    for d in dirs:
        for path in sorted(p for p in d.rglob("*") if p.suffix in SUFFIXES and p.is_file()):
            text = page_text(path)
            words.update(_WORD.findall(text))
            numbers.update("".join(m.groups()) for m in _PHONE.finditer(text))
    return words, numbers


def write_list(path: Path, header: str, items: set[str]) -> None:
    lines = [f"# {line}" for line in header.strip().splitlines()]
    path.write_text("\n".join(lines + sorted(items)) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    dirs = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or list(DEFAULT_PAGES)
    words, numbers = collect(dirs)
    source = ", ".join(str(d.relative_to(ROOT)) if d.is_relative_to(ROOT) else str(d)
                       for d in dirs)
    write_list(DATA / "manual_words.txt", "Words the manual's pages write in lower case "
               f"(python -m core.phi.build_data; from {source}).", words)
    write_list(DATA / "manual_numbers.txt", "Phone and fax numbers given by the manual's pages, "
               f"ten digits (python -m core.phi.build_data; from {source}).", numbers)
    print(f"{len(words)} words, {len(numbers)} numbers from {source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

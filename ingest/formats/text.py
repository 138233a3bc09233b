"""Plain text as saved from the provider library site (and the text of PDFs).

Bytes -> str (UTF-8, else a clear complaint), optional YAML front matter, then lines -> blocks:
bullet lines are list items, a short line without final punctuation that is followed by more
text is a heading, other runs of lines are paragraphs.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from core.types import Block
from ingest.chrome import chrome_match, normalise
from ingest.structure import BadInput, RawPage

MAX_HEADING_WORDS = 12
MAX_HEADING_CHARS = 100

BULLET = re.compile(
    r"(?P<indent>[ \t]*)(?P<marker>[\u2022\u25e6\u25aa\u25ab\u2023\u2219\u25cf\u25cb\u25a0\u25a1"
    r"\u27a2\u27a4\u25ba\u2713\u2714\u2013\u2014\-*+]|o|\d{1,3}[.)]|[a-z][.)])[ \t]+(?P<text>\S.*)"
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n|[\r\f\v\x85\u2028\u2029]")
_SENTENCE_END = tuple(".!?:;")
_FRONT_MATTER_MAX = 64_000


def parse_text(data: bytes) -> RawPage:
    meta, body = split_front_matter(decode(data))
    blocks, hint = lines_to_blocks(body.split("\n"))
    return RawPage(format="text", blocks=blocks, meta=meta, lob_hint=hint)


def decode(data: bytes) -> str:
    """UTF-8 (or UTF-16 with a BOM; Windows-1252 as a last resort) -> text with \\n newlines."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise BadInput("is not valid UTF-16 text; save it as UTF-8") from None
    else:
        if b"\x00" in data:
            raise BadInput("looks like a binary file (it contains NUL bytes), not text")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise BadInput(
                    f"is not UTF-8 text (undecodable byte 0x{data[e.start]:02x} at offset "
                    f"{e.start}); it may be a binary file, or save it as UTF-8"
                ) from None
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise BadInput(f"looks like a binary file ({controls} control characters), not text")
    text = _CONTROL.sub(" ", _NEWLINES.sub("\n", text)).lstrip("\ufeff")
    if not text.strip():
        raise BadInput("is empty (nothing but whitespace)")
    return text


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter between '---' lines at the very top -> (metadata, rest)."""
    if not re.match(r"-{3,}[ \t]*\n", text):
        return {}, text
    import frontmatter
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    end = re.search(r"^-{3,}[ \t]*$", text[3:], re.MULTILINE)
    if end is None:
        return {}, text  # a rule line at the top, not front matter
    if end.start() > _FRONT_MATTER_MAX:
        raise BadInput(f"has front matter over {_FRONT_MATTER_MAX:,} characters; shorten it")
    try:
        meta, body = frontmatter.parse(text, handler=YAMLHandler())
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise BadInput(f"has front matter that is not valid YAML{line}; fix or remove it") from None
    except RecursionError:
        raise BadInput("has front matter nested too deeply to read") from None
    except (ValueError, OverflowError) as e:  # e.g. an impossible date such as 2024-02-30
        raise BadInput(f"has front matter with an invalid value ({e}); fix it") from None
    if not isinstance(meta, dict):
        meta = {}
    return {str(k): v for k, v in meta.items()}, body


@dataclass
class _Para:
    lines: list[str]


@dataclass
class _Row:
    cells: list[str]
    header: bool = False


@dataclass
class _Bullet:
    indent: int
    marker: str
    text: str
    last_len: int
    level: int = 1
    extra: list[str] = field(default_factory=list)
    number: str | None = None  # "1.", "2)", "a." of a numbered list, kept in the page text


def lines_to_blocks(raw_lines: list[str], wrapped: bool | None = None) -> tuple[list[Block], str | None]:
    """Lines -> blocks, dropping chrome lines. Returns (blocks, line-of-business hint).

    ``wrapped``: lines are hard-wrapped (PDF); None = guess from the line lengths.
    """
    units: list[_Para | _Bullet] = []
    hint: str | None = None
    cur: _Para | _Bullet | None = None
    width = max((len(x.rstrip()) for x in raw_lines), default=0) or 1
    if wrapped is None:
        wrapped = _looks_wrapped(raw_lines, width)
    for raw in raw_lines:
        line = raw.expandtabs(4).rstrip()
        stripped = line.strip()
        if not stripped:
            cur = None
            continue
        m = BULLET.fullmatch(line)
        hit = chrome_match(m.group("text") if m else stripped)
        if hit:
            hint = hint or hit[1]
            cur = None
            continue
        indent = len(line) - len(line.lstrip())
        cells = [c.strip() for c in raw.strip().split("\t") if c.strip()]
        if len(cells) >= 2:  # a row of a table saved as text (cells separated by tabs)
            cur = None
            units.append(_Row(cells, header=not units or not isinstance(units[-1], _Row)))
            continue
        if m:
            raw_marker = m.group("marker")
            cur = _Bullet(len(m.group("indent")), _marker_class(raw_marker),
                          m.group("text").strip(), len(line),
                          number=raw_marker if raw_marker[-1] in ".)" else None)
            units.append(cur)
        elif isinstance(cur, _Bullet) and (
            indent > cur.indent or (wrapped and cur.last_len >= 0.7 * width)
        ):
            cur.extra.append(stripped)
            cur.last_len = len(line)
        elif isinstance(cur, _Para):
            cur.lines.append(stripped)
        else:
            cur = _Para([stripped])
            units.append(cur)
    _set_levels(units)

    pieces: list[list[str] | _Bullet | _Row] = []
    for u in units:
        if isinstance(u, _Bullet | _Row):
            pieces.append(u)
        else:
            pieces.extend(_split_para(u.lines, width, wrapped))
    blocks: list[Block] = []
    for i, p in enumerate(pieces):
        if isinstance(p, _Row):
            blocks.append(Block(kind="table_row", text=normalise(" | ".join(p.cells)),
                                marker="header" if p.header else None))
        elif isinstance(p, _Bullet):
            blocks.append(Block(kind="list_item", text=_join([p.text, *p.extra], wrapped),
                                level=p.level, marker=p.number))
        elif len(p) == 1 and i + 1 < len(pieces) and heading_like(p[0]):
            blocks.append(Block(kind="heading", text=normalise(p[0]), level=1))
        else:
            blocks.append(Block(kind="paragraph", text=_join(p, wrapped), level=1))
    return blocks, hint


def heading_like(line: str) -> bool:
    text = normalise(line)
    words = text.split()
    return (
        0 < len(words) <= MAX_HEADING_WORDS
        and len(text) <= MAX_HEADING_CHARS
        and text[-1] not in ".:;?!,"
        and (text[0].isupper() or text[0].isdigit())
        and any(c.isalpha() for c in text)
        and BULLET.fullmatch(text) is None
    )


def _split_para(lines: list[str], width: int, wrapped: bool) -> list[list[str]]:
    """Split a run of lines at headings glued to text (and, if wrapped, at short final lines)."""
    out: list[list[str]] = [[]]
    short = 0.7 * width
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        prev = lines[i - 1] if i else None
        starts_block = prev is None or prev.endswith(_SENTENCE_END) or not out[-1]
        if (nxt is not None and starts_block and len(line) < short and heading_like(line)
                and (nxt[:1].isupper() or nxt[:1].isdigit())):
            if out[-1]:
                out.append([])
            out[-1].append(line)
            out.append([])
            continue
        out[-1].append(line)
        if wrapped and nxt is not None and len(line) < short and line.endswith(_SENTENCE_END):
            out.append([])
    return [p for p in out if p]


def _join(lines: list[str], wrapped: bool) -> str:
    parts: list[str] = []
    for line in lines:
        prev = parts[-1] if parts else ""
        if wrapped and prev.endswith("-") and prev[-2:-1].isalpha() and line[:1].islower():
            parts[-1] = prev + line  # a word hyphenated over a line break
        else:
            parts.append(line)
    return normalise(" ".join(parts))


def _looks_wrapped(lines: list[str], width: int) -> bool:
    """Hard-wrapped text: most lines that are followed by another line are near full width."""
    if width > 120:
        return False
    inner = [a.rstrip() for a, b in pairwise(lines) if a.strip() and b.strip()]
    if len(inner) < 3:
        return False
    return sum(len(a) >= 0.75 * width for a in inner) >= 0.6 * len(inner)


def _marker_class(marker: str) -> str:
    if marker[0].isdigit():
        return "1"
    if marker[0].isalpha() and marker != "o":
        return "a"
    return marker


def _set_levels(units: list[_Para | _Bullet]) -> None:
    """List nesting from indentation within each run of bullets (else from marker order)."""
    run: list[_Bullet] = []
    for u in [*units, None]:
        if isinstance(u, _Bullet):
            run.append(u)
            continue
        if run:
            indents = sorted({b.indent for b in run})
            if len(indents) > 1:
                for b in run:
                    b.level = indents.index(b.indent) + 1
            else:
                order = list(dict.fromkeys(b.marker for b in run))
                for b in run:
                    b.level = order.index(b.marker) + 1
            for b in run:
                b.level = min(b.level, 6)
        run = []

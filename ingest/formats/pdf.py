"""PDF -> RawPage: pypdf text per page, running headers/footers removed, then plain-text rules."""

from __future__ import annotations

import io
import math
import re

from ingest.chrome import normalise
from ingest.formats.text import lines_to_blocks
from ingest.structure import BadInput, RawPage

_PAGE_NUMBER = re.compile(
    r"(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]",
    re.IGNORECASE,
)
_EDGE = 3  # lines at the top and bottom of a page where running headers/footers live


def parse_pdf(data: bytes) -> RawPage:
    if b"%PDF-" not in data[:1024]:
        raise BadInput("is not a PDF (no %PDF- header); it may be mislabelled or corrupt")
    if b"%%EOF" not in data[-2048:]:
        raise BadInput("is a truncated or corrupt PDF (no %%EOF end marker); download it again")
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput("is an encrypted PDF; save a copy without a password")
        pages = [_page_lines(p) for p in reader.pages]
        meta_title = _meta_title(reader)
    except BadInput:
        raise
    except Exception as e:
        raise BadInput(f"is a corrupt PDF that pypdf cannot read ({type(e).__name__}: {e})") from e
    if not any(line.strip() for page in pages for line in page):
        raise BadInput("has no extractable text (a scanned image?); OCR it or use the web page")
    blocks, hint = lines_to_blocks(join_pages(strip_running_lines(pages)), wrapped=True)
    return RawPage(format="pdf", blocks=blocks, fallback_title=meta_title, lob_hint=hint)


def _page_lines(page) -> list[str]:
    try:
        text = page.extract_text(extraction_mode="layout")
    except Exception:  # noqa: BLE001 - layout mode is fussier; plain mode as fallback
        text = page.extract_text()
    lines = [line.rstrip() for line in (text or "").splitlines()]
    indent = min((len(x) - len(x.lstrip()) for x in lines if x.strip()), default=0)
    return [x[indent:] for x in lines]


def _meta_title(reader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - broken metadata is no reason to fail
        return None
    if not title:
        return None
    return normalise(str(title)) or None


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and lines repeated at the top/bottom of (nearly) every page."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", normalise(line).lower())

    def edges(lines: list[str]) -> set[int]:
        idx = [i for i, x in enumerate(lines) if x.strip()]
        return set(idx[:_EDGE] + idx[-_EDGE:])

    n = len(pages)
    counts: dict[str, int] = {}
    for lines in pages:
        for k in {key(lines[i]) for i in edges(lines)}:
            counts[k] = counts.get(k, 0) + 1
    need = n if n < 3 else max(2, math.ceil(0.8 * n))
    running = {k for k, c in counts.items() if n >= 2 and c >= need}
    out = []
    for lines in pages:
        at_edge = edges(lines)
        out.append([
            "" if i in at_edge and (key(x) in running or _PAGE_NUMBER.fullmatch(x.strip())) else x
            for i, x in enumerate(lines)
        ])
    return out


def join_pages(pages: list[list[str]]) -> list[str]:
    """Concatenate pages; a paragraph that runs over a page break stays one paragraph."""
    out: list[str] = []
    for lines in pages:
        body = list(lines)
        while body and not body[0].strip():
            body.pop(0)
        while body and not body[-1].strip():
            body.pop()
        if not body:
            continue
        if out:
            runs_on = not out[-1].rstrip().endswith((".", ":", "!", "?")) and body[0].lstrip()[
                :1].islower()
            if not runs_on:
                out.append("")
        out.extend(body)
    return out

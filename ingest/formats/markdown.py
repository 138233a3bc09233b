"""Markdown pages -> RawPage: front matter, then markdown-it-py renders HTML for the HTML cleaner.

Going through HTML means raw HTML inside Markdown (hidden spans, comments) is cleaned and
flagged exactly like an HTML page. The first '# ' heading is the title.
"""

from __future__ import annotations

from ingest.formats.html import html_to_page
from ingest.formats.text import decode, split_front_matter
from ingest.structure import RawPage


def parse_markdown(data: bytes) -> RawPage:
    from markdown_it import MarkdownIt

    meta, body = split_front_matter(decode(data))
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    page = html_to_page(md.render(body), fmt="markdown")
    page.meta = meta
    page.url = None  # only front matter gives a Markdown page its URL
    page.alt_title = None
    return page

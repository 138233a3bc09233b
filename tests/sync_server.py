"""The manual's site for the sync tests: bench/fake_site.py's local site serving tests/sync_site/
and the shipped lactation page (corpus/) in the site's HTML shape."""

from __future__ import annotations

from html import escape
from pathlib import Path

from bench.fake_site import LocalSite

SITE_DIR = Path(__file__).resolve().parent / "sync_site"
SEED = Path(__file__).resolve().parent.parent / "corpus" / "lactation-education-and-support-services.txt"
LACTATION = "/medi-cal/provider-manual/benefits/maternity/lactation-education-and-support-services.html"


class TestSite(LocalSite):
    """The local site; by default serving tests/sync_site/ with the lactation page added."""

    __test__ = False  # not a pytest test class

    def __init__(self, root: Path | None = SITE_DIR):
        super().__init__(root)

    def load(self, root: Path) -> None:
        super().load(root)
        if root == SITE_DIR:
            self.put(LACTATION, lactation_page())


# -- the shipped lactation page in the site's HTML shape ---------------------------------------------
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} | Health Net</title>
  <link rel="canonical" href="{canonical}">
</head>
<body>
  <a class="skip-link" href="#main">Skip to Main Content</a>
  <header class="site-header" role="banner">
    <nav aria-label="Main"><ul><li><a href="/medi-cal/">Home</a></li>
      <li><a href="/medi-cal/provider-manual/">Provider Manual</a></li></ul></nav>
  </header>
  <div class="search-widget" role="search">
    <label for="q">Search in Medi-Cal</label><input id="q" type="text" name="q">
  </div>
  <div class="breadcrumb">Home &gt; Medi-Cal &gt; Provider Manual &gt; Benefits &gt; Maternity</div>
  <main id="main">
    <h1>{title}</h1>
    <div class="provider-type"><h2>Provider Type</h2><ul>{types}</ul></div>
{body}
    <p class="last-updated">Last Updated: {updated}</p>
  </main>
  <footer class="site-footer"><p>Health Net Community Solutions, Inc.</p></footer>
</body>
</html>
"""


def lactation_page(replace: tuple[str, str] | None = None, updated: str | None = None) -> bytes:
    """corpus/'s lactation page as the site serves it (its blocks as HTML, its canonical URL);
    ``replace`` = (old sentence, new sentence) makes an edited revision."""
    from ingest.load import load_document

    doc = load_document(SEED)
    body, items = [], []
    for b in doc.blocks:
        text = b.text.replace(*replace) if replace else b.text
        if b.kind == "list_item":
            items.append(f"<li>{escape(text)}</li>")
            continue
        if items:
            body.append(f"<ul>{''.join(items)}</ul>")
            items = []
        tag = f"h{min(b.level + 1, 6)}" if b.kind == "heading" else "p"
        body.append(f"<{tag}>{escape(text)}</{tag}>")
    if items:
        body.append(f"<ul>{''.join(items)}</ul>")
    y, m, d = (doc.last_updated or "2024-12-04").split("-")
    return _PAGE.format(
        title=escape(doc.title), canonical=escape(doc.url or ""), updated=updated or f"{m}/{d}/{y}",
        types="".join(f"<li>{escape(t)}</li>" for t in doc.provider_types),
        body="\n".join("    " + x for x in body)).encode()

"""Keep the index in step with the live manual: ``python -m ingest sync URL``.

scope.py   which URLs are the manual's (start URL's host and folder), URL normalisation
fetch.py   httpx with pacing, conditional requests, size limits, tenacity retries
site.py    robots.txt (protego) and sitemaps
crawl.py   the crawl: frontier, what each answer means for the mirrored copy
mirror.py  pages on disk + manifest.json
changes.py what changed (pages, sentences, stale rules), as JSON and Markdown
reader.py  the latest report and recently changed pages, for the chat page and the bot
run.py     crawl -> incremental ingest over the mirror -> change report

Nothing is imported here: the chat page reads reports through reader.py without loading the
crawler's HTTP stack.
"""

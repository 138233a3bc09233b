"""Helpers several test modules use: ports, servers started as processes, a counting embedder,
a scripted answerer registered through the answerer registry.

The port and process helpers are bench/support.py's (the benches start the same servers);
fixtures stay in conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from assistant import answerers
from bench.support import free_port, http_status, stop_process, wait_http

__all__ = ["CountingEmbedder", "ScriptedAnswerer", "free_port", "http_status",
           "registered_answerer", "stop_process", "wait_http"]


class CountingEmbedder:
    """The real model, counting (and keeping) the documents it embeds and keeping the queries."""

    def __init__(self, inner):
        self.inner, self.documents, self.queries, self.texts = inner, 0, [], []

    def embed_documents(self, texts):
        self.documents += len(texts)
        self.texts += list(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        self.queries.append(text)
        return self.inner.embed_query(text)


class ScriptedAnswerer:
    """Drafts the answer it is given: each (lead, sentence) pair becomes a line citing the first
    retrieved passage holding ``sentence`` ("Yes. " or "" as the lead). Records each call."""

    name = "scripted"

    def __init__(self, lines: list[tuple[str, str]]):
        self.lines = lines
        self.calls: list[tuple[str, list, list]] = []

    def draft(self, question, passages, history=None, **_):
        self.calls.append((question, list(passages), list(history or [])))
        out = []
        for lead, sentence in self.lines:
            n = next(i + 1 for i, p in enumerate(passages) if sentence in p.chunk.text)
            out.append(f"{lead}{sentence} [{n}]")
        return "\n".join(out)


@contextmanager
def registered_answerer(name: str, factory) -> Iterator[None]:
    """``factory`` registered as answerer ``name`` for the duration of the block."""
    answerers.register(name, factory)
    try:
        yield
    finally:
        answerers.unregister(name)

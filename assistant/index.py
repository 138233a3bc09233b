"""The reader side of the index: the current generation, its BM25 twin and the query embedder.

Checks the fingerprint on open (other model or chunking settings -> a clear error) and follows
the generation pointer, so a finished ingest is picked up without restarting the service.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from assistant.errors import IndexMissingError, IndexUnavailableError
from assistant.retrieve import LexicalIndex
from assistant.settings import Settings
from assistant.store import IndexStore
from assistant.types import Chunk

log = logging.getLogger(__name__)


class LoadedIndex:
    def __init__(self, settings: Settings, store: IndexStore | None = None, embedder=None,
                 refresh_seconds: float = 5.0):
        from ingest.build import fingerprint  # the writer owns the fingerprint's definition

        self.settings = settings
        self.store = store or IndexStore(settings)
        self.expected = fingerprint(settings)
        self._embedder = embedder
        self.refresh_seconds = refresh_seconds
        self._checked = 0.0
        self._lock = threading.Lock()
        self.generation: str | None = None
        self.chunks: list[Chunk] = []
        self.lexical: LexicalIndex = LexicalIndex([])
        try:
            self.reload()
        except IndexUnavailableError as exc:  # a Chroma server that is down: open it later
            log.warning("%s It is opened when it answers.", exc)

    @property
    def embedder(self):
        if self._embedder is None:
            from assistant.embeddings import get_embeddings

            self._embedder = get_embeddings(self.settings.embedding)
        return self._embedder

    def reload(self) -> None:
        gen = self.store.open_current(self.expected)
        chunks = self.store.chunks(gen.name)
        lexical = LexicalIndex(chunks)
        with self._lock:
            self.generation, self.chunks, self.lexical = gen.name, chunks, lexical
            self._checked = time.monotonic()

    def maybe_refresh(self) -> None:
        """Follow the pointer when an ingest switched generations (checked every few seconds).
        Not opened yet (the server was down): try now (IndexUnavailableError while still down)."""
        if self.generation is None:
            self.reload()
            return
        if time.monotonic() - self._checked < self.refresh_seconds:
            return
        self._checked = time.monotonic()
        gen = self.store.current()
        if gen is None:
            raise IndexMissingError(self.store.where)
        if gen.name != self.generation:
            self.reload()

    def dense_search(self, query: str, k: int, where: dict[str, Any] | None):
        vector = self.embedder.embed_query(query)
        return self.store.query(self.generation, vector, k, where)

    def page_texts(self) -> dict[str, str]:
        """doc_id -> the indexed text of that page (its chunks in order)."""
        pages: dict[str, list[Chunk]] = {}
        for c in self.chunks:
            pages.setdefault(c.doc_id, []).append(c)
        return {d: "\n\n".join(c.text for c in sorted(cs, key=lambda c: c.ordinal))
                for d, cs in pages.items()}

    def doc_titles(self) -> dict[str, str]:
        return {c.doc_id: c.title for c in self.chunks}

    def provider_types(self) -> list[str]:
        return sorted({p for c in self.chunks for p in c.provider_types})

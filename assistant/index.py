"""The reader side of the index: the current state, its lexical segments and the query embedder.

Checks the fingerprint on open (other model or chunking settings -> a clear error), holds a lease
on the state it reads (so cleanup leaves it alone) and follows the pointer, so a finished ingest
is picked up without restarting the service: only the segments the reader has not opened yet are
opened (memory-mapped), nothing is rebuilt.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from assistant.unit_vectors import QueryVectors
from core.errors import IndexMissingError, IndexUnavailableError
from core.leases import Lease
from core.lexical import LexicalIndex, PageTexts, Segment, View, live_docs
from core.settings import Settings
from core.store import Generation, IndexStore, fingerprint
from core.types import Chunk

log = logging.getLogger(__name__)


class LoadedIndex:
    def __init__(self, settings: Settings, store: IndexStore | None = None, embedder=None,
                 refresh_seconds: float = 5.0):
        self.settings = settings
        self.store = store or IndexStore(settings)
        self.expected = fingerprint(settings)
        self._embedder = embedder
        self.refresh_seconds = refresh_seconds
        self._checked = 0.0
        self._lock = threading.Lock()
        self.generation: str | None = None
        self.state: Generation | None = None
        self.lexical: LexicalIndex = LexicalIndex([])
        self._segments: dict[str, Segment] = {}
        self._opened: tuple[Generation | None, dict[str, Segment]] = (None, {})
        self._lease: Lease | None = None
        self._docs: dict[str, tuple[str, list[str]]] | None = None
        self._model_lock = threading.Lock()
        self.query_vectors = QueryVectors(lambda text: self.embedder.embed_query(text))
        try:
            self.reload()
        except IndexUnavailableError as exc:  # a Chroma server that is down: open it later
            log.warning("%s It is opened when it answers.", exc)

    @property
    def embedder(self):
        if self._embedder is None:
            with self._model_lock:
                if self._embedder is None:
                    from core.embeddings import get_embeddings

                    self._embedder = get_embeddings(self.settings.embedding)
        return self._embedder

    @property
    def chunks(self):
        """The live chunks (a sequence decoded when touched)."""
        return self.lexical.chunks

    def _lease_current(self) -> tuple[Generation, Lease]:
        """Lease the current state, then check the pointer still names it (a cleanup that ran
        before the lease existed can only have followed a switch, which this check sees)."""
        for _ in range(20):
            gen = self.store.open_current(self.expected)
            lease = Lease(self.store.leases_dir, gen.name)
            again = self.store.current()
            if again is not None and again.name == gen.name:
                return gen, lease
            lease.release()
        raise IndexUnavailableError(self.store.where, "the index kept changing while opening")

    def reload(self) -> None:
        gen, lease = self._lease_current()
        try:
            if not (self.store.states_dir / f"{gen.name}.json").exists():
                self.store.save_state(gen)  # lets cleanup on this machine resolve the lease
            segments = {s.name: self._segments.get(s.name) or Segment(
                self.store.local_segment(s.name)) for s in gen.segments}
            lexical = LexicalIndex([View(segments[s.name], s.dead) for s in gen.segments])
        except BaseException:
            lease.release()
            raise
        with self._lock:
            old = self._lease
            self.generation, self.state, self.lexical = gen.name, gen, lexical
            self._segments, self._lease, self._docs = segments, lease, None
            self._opened = (gen, segments)  # read as one by queries running meanwhile
            self._checked = time.monotonic()
        if old is not None:
            old.release()

    def maybe_refresh(self) -> None:
        """Follow the pointer when an ingest switched states (checked every few seconds).
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

    def close(self) -> None:
        if self._lease is not None:
            self._lease.release()

    def dense_search(self, query: str, k: int, where: dict[str, Any] | None):
        vector = self.query_vectors(query)
        state, segments = self._opened
        if state is None:
            raise IndexMissingError(self.store.where)
        try:
            hits = self.store.query(state, vector, k, where)
        except IndexUnavailableError:
            raise
        except Exception:  # e.g. a server reader that stalled past the cleanup grace period
            if self.store.current() is None or self.store.current().name == state.name:
                raise
            self.reload()
            state, segments = self._opened
            hits = self.store.query(state, vector, k, where)
        return [(segments[name].chunk(row), sim) for name, row, sim in hits]

    def page_texts(self) -> PageTexts:
        """doc_id -> the indexed text of that page (its chunks in order), read when asked."""
        return PageTexts(self.lexical)

    def page_chunks(self, doc_id: str) -> list[Chunk]:
        return PageTexts(self.lexical).chunks_of(doc_id)

    def _live_docs(self) -> dict[str, tuple[str, list[str]]]:
        docs = self._docs
        if docs is None:
            docs = self._docs = live_docs(self.lexical)
        return docs

    def doc_titles(self) -> dict[str, str]:
        return {d: title for d, (title, _) in self._live_docs().items()}

    def provider_types(self) -> list[str]:
        return sorted({p for _, types in self._live_docs().values() for p in types})

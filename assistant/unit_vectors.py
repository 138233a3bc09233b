"""Embeddings the answer path reuses: the vectors of recent queries (retrieval embeds the
question; the answerer's unit scoring needs the same vector again) and of the manual's quotable
units, for the semantic half of unit scoring (assistant/answer.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Vector = list[float]


class QueryVectors:
    """The query embedder with a small memory of recent queries: a question embedded for
    retrieval is not embedded again when its parts are scored."""

    def __init__(self, embed_query: Callable[[str], Vector], max_items: int = 256):
        self.embed_query = embed_query
        self.max_items = max_items
        self._recent: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> Vector:
        found = self.get(text)
        if found is not None:
            return found
        vector = self.embed_query(text)
        with self._lock:
            self._recent[text] = vector
            while len(self._recent) > self.max_items:
                self._recent.popitem(last=False)
        return vector

    def get(self, text: str) -> Vector | None:
        """The vector of ``text`` if it was embedded recently, else None (never embeds)."""
        with self._lock:
            vector = self._recent.get(text)
            if vector is not None:
                self._recent.move_to_end(text)
            return vector


class UnitVectors:
    """Embeddings of quotable units and question parts, for the semantic half of unit scoring.
    A unit's vector comes from ``stored`` (the ones the ingest embedded and kept with the index:
    ``LexicalIndex.unit_vectors``) or, failing that, is embedded here; either way it is cached by
    text (a manual has a bounded number of units), so a warm process embeds only the question's
    parts, and not even those when ``known`` (the recent query vectors) already holds them."""

    def __init__(self, embed: Callable[[list[str]], list[Vector]], max_items: int = 20000,
                 known: Callable[[str], Vector | None] | None = None,
                 stored: Callable[[list[str]], dict[str, Any]] | None = None):
        self.embed = embed
        self.known = known or (lambda text: None)
        self.stored = stored or (lambda texts: {})
        self.max_items = max_items
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def similarities(self, parts: list[str], units: list[str]) -> list[list[float]]:
        """cos(part, unit) for every part (rows) and unit (columns)."""
        import numpy as np

        known = {p: v for p in dict.fromkeys(parts) if (v := self.known(p)) is not None}
        new_parts = [p for p in dict.fromkeys(parts) if p not in known]
        with self._lock:
            missing = list(dict.fromkeys(u for u in units if u not in self._cache))
        found = self.stored(missing) if missing else {}
        if found:
            with self._lock:
                for text, v in found.items():
                    self._cache[text] = np.asarray(v, dtype=np.float32)
            missing = [u for u in missing if u not in found]
        vecs = self.embed(new_parts + missing) if (new_parts or missing) else []
        part_vec = {**known, **dict(zip(new_parts, vecs[:len(new_parts)]))}
        part_vecs = np.asarray([part_vec[p] for p in parts], dtype=np.float32)
        with self._lock:
            for text, v in zip(missing, vecs[len(new_parts):]):
                self._cache[text] = np.asarray(v, dtype=np.float32)
            while len(self._cache) > self.max_items:
                self._cache.popitem(last=False)
            unit_vecs = np.stack([self._cache[u] for u in units]) if units else None
        if unit_vecs is None or not len(part_vecs):
            return [[0.0] * len(units) for _ in parts]
        return (part_vecs @ unit_vecs.T).tolist()

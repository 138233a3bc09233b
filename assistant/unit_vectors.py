"""Embeddings of the answer's quotable units and of the question's parts, for the semantic half
of unit scoring (assistant/answer.py)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class UnitVectors:
    """Embeddings of quotable units and question parts, for the semantic half of unit scoring.
    Unit vectors are cached by text (a manual has a bounded number of units), so a warm
    process embeds only the question's parts."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]], max_items: int = 20000):
        self.embed = embed
        self.max_items = max_items
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def similarities(self, parts: list[str], units: list[str]) -> list[list[float]]:
        """cos(part, unit) for every part (rows) and unit (columns)."""
        import numpy as np

        with self._lock:
            missing = list(dict.fromkeys(u for u in units if u not in self._cache))
        vecs = self.embed(list(parts) + missing) if (parts or missing) else []
        part_vecs = np.asarray(vecs[:len(parts)], dtype=np.float32)
        with self._lock:
            for text, v in zip(missing, vecs[len(parts):]):
                self._cache[text] = np.asarray(v, dtype=np.float32)
            while len(self._cache) > self.max_items:
                self._cache.popitem(last=False)
            unit_vecs = np.stack([self._cache[u] for u in units]) if units else None
        if unit_vecs is None or not len(part_vecs):
            return [[0.0] * len(units) for _ in parts]
        return (part_vecs @ unit_vecs.T).tolist()

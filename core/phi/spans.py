"""What the detectors return (``Finding``) and the ranges they keep track of (``Occupied``)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """A candidate member identifier: its kind ("CIN", "NAME", ...), where it is, and whether
    the detector is sure (an unsure one is removed only from what an outside LLM gets)."""

    kind: str
    start: int
    end: int
    sure: bool = True


class Occupied:
    """Character ranges taken so far, kept as a sorted disjoint union: adding a range and
    asking whether a range overlaps one both cost O(log n) (plus a list splice)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for s, e in spans:
            self.add(s, e)

    def add(self, s: int, e: int) -> None:
        if e <= s:
            return
        i = bisect_left(self.ends, s)
        j = bisect_right(self.starts, e)
        if i < j:
            s, e = min(s, self.starts[i]), max(e, self.ends[j - 1])
        self.starts[i:j] = [s]
        self.ends[i:j] = [e]

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_right(self.ends, s)
        return i < len(self.starts) and self.starts[i] < e

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return iter(zip(self.starts, self.ends))

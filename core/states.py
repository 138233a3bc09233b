"""Index states: what the pointer names.

A state ``<base>__g<N>`` is a short list of immutable segments and, for each segment, the rows the
state retired (core/store.py writes and reads them; core/chroma_backends.py keeps the pointer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SegmentRef:
    name: str
    rows: int
    dead: list[int] = field(default_factory=list)  # rows of the segment this state retired

    @property
    def live(self) -> int:
        return self.rows - len(self.dead)


@dataclass
class Generation:
    """An index state: what the pointer names."""

    name: str
    fingerprint: dict[str, Any]
    segments: list[SegmentRef] = field(default_factory=list)
    parent: str | None = None  # the state that was current when this one was written

    @property
    def number(self) -> int:
        return state_number(self.name)

    @property
    def live(self) -> int:
        return sum(s.live for s in self.segments)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "fingerprint": self.fingerprint, "parent": self.parent,
                "segments": [[s.name, s.rows, s.dead] for s in self.segments]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Generation:
        return cls(data["name"], data["fingerprint"],
                   [SegmentRef(n, r, list(d)) for n, r, d in data.get("segments", [])],
                   data.get("parent"))


def state_number(name: str) -> int:
    """N of a state or segment named ``<base>__g<N>`` (0 for any other name)."""
    try:
        return int(name.rsplit("__g", 1)[1])
    except (IndexError, ValueError):
        return 0

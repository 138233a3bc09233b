"""The index in Chroma: states of immutable segments, their rows, the pointer, cleanup.

The index is a sequence of **states** (core/states.py). A state is a short list of immutable
**segments** plus, for each segment, the rows it retired. A segment is a Chroma collection
``<base>__g<N>`` written once by the ingest that made state N (its changed chunks, and the live
rows of small segments merged into it) with a twin folder ``<index_dir>/segments/<name>/`` for the
lexical side (see core/lexical.py). An ingest that changes one page writes one small segment and a
new state record; nothing unchanged is copied. The pointer names the state and carries its whole
record; where it lives depends on the Chroma (core/chroma_backends.py: a file beside an embedded
Chroma, a collection's metadata on a server). Everything a new state adds is written before the
pointer moves, and nothing a state uses is changed, so a crash at any point leaves the old or the
new state serving, never a mix. Cleanup removes segments no protected state uses: the current
one, the one before it, the states readers hold a lease on (core/leases.py) and what the backend
keeps for readers it cannot see (on a Chroma server, states superseded a short while ago).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from core.chroma_backends import ChromaBackend, chroma_backend
from core.errors import IndexMismatchError, IndexMissingError
from core.files import atomic_write
from core.settings import Settings
from core.states import Generation, SegmentRef, state_number
from core.types import Chunk

# 2: page ids are the URL path below the manual root (were the last URL segment).
# 3: segments + states (core/store.py), lexical segments on disk (core/lexical.py).
SCHEMA_VERSION = 3


def fingerprint(settings: Settings) -> dict:
    """What built the index: a mismatch means the index must be rebuilt."""
    return {
        "schema": SCHEMA_VERSION,
        "embedding_model": settings.embedding.model,
        "chunking": settings.chunking.model_dump(),
    }


BATCH = 2000
_LIST_FIELDS = ("provider_types", "flags")


def chunk_metadata(chunk: Chunk, source: str | None = None,
                   file_hash: str | None = None) -> dict[str, Any]:
    """Chroma metadata for a chunk (no None values; lists of scalars are allowed)."""
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id, "title": chunk.title, "section": chunk.section,
        "start": chunk.start, "end": chunk.end, "ordinal": chunk.ordinal,
        "content_hash": chunk.content_hash, "sentences": json.dumps(chunk.sentences),
    }
    for key, value in (("url", chunk.url), ("last_updated", chunk.last_updated),
                       ("lob", chunk.line_of_business), ("source", source),
                       ("file_hash", file_hash)):
        if value:
            meta[key] = value
    for key in _LIST_FIELDS:
        values = getattr(chunk, key)
        if values:
            meta[key] = list(values)
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id, doc_id=meta["doc_id"], title=meta["title"], section=meta["section"],
        text=text, url=meta.get("url"), last_updated=meta.get("last_updated"),
        provider_types=list(meta.get("provider_types") or []),
        line_of_business=meta.get("lob"), start=meta["start"], end=meta["end"],
        ordinal=meta["ordinal"], content_hash=meta["content_hash"],
        sentences=[tuple(s) for s in json.loads(meta.get("sentences") or "[]")],
        flags=list(meta.get("flags") or []),
    )


def row_id(chunk_id: str, row: int) -> str:
    """Chroma id of a segment row: the chunk id and its row in the segment."""
    return f"{chunk_id}@{row}"


def parse_row_id(rid: str) -> tuple[str, int]:
    cid, _, row = rid.rpartition("@")
    return cid, int(row)


class IndexStore:
    """Chroma and the state files behind the few operations ingest and retrieval need."""

    def __init__(self, settings: Settings):
        self.base = settings.collection
        self.root = Path(settings.index_dir)
        self.backend: ChromaBackend = chroma_backend(settings)
        self.where = self.backend.where
        self._cols: dict[str, tuple[Any, Any]] = {}

    @property
    def client(self) -> Any:
        """The chromadb client (opened on first use)."""
        return self.backend.client

    # -- the pointer --------------------------------------------------------------------------
    def current(self) -> Generation | None:
        data = self.backend.read_pointer()
        if data is None:
            return None
        if data.get("state"):
            return Generation.from_json(data["state"])
        return Generation(data["current"], data["fingerprint"])  # an older layout: re-ingest

    def switch(self, gen: Generation) -> None:
        """Atomically make ``gen`` the state every reader opens."""
        self.save_state(gen)
        self.backend.write_pointer(gen)

    def open_current(self, expected_fingerprint: dict[str, Any] | None = None) -> Generation:
        gen = self.current()
        if gen is None:
            raise IndexMissingError(self.where)
        if expected_fingerprint is not None and gen.fingerprint != expected_fingerprint:
            raise IndexMismatchError(gen.fingerprint, expected_fingerprint)
        return gen

    # -- state records (local) --------------------------------------------------------------
    @property
    def states_dir(self) -> Path:
        return self.root / "states"

    @property
    def segments_dir(self) -> Path:
        return self.root / "segments"

    @property
    def leases_dir(self) -> Path:
        return self.root / "leases"

    def save_state(self, gen: Generation) -> None:
        atomic_write(self.states_dir / f"{gen.name}.json", json.dumps(gen.to_json()))

    def state(self, name: str) -> Generation | None:
        """A state by name: the current one, a local record, or (server) a recent one."""
        cur = self.current()
        if cur is not None and cur.name == name:
            return cur
        path = self.states_dir / f"{name}.json"
        if path.exists():
            return Generation.from_json(json.loads(path.read_text()))
        return None

    def generation_names(self) -> list[str]:
        """States that exist: the current one and every state record kept (a reader's, or one
        a killed ingest left, until the next ingest cleans up)."""
        names = {p.stem for p in self.states_dir.glob("*.json")} if self.states_dir.is_dir() \
            else set()
        cur = self.current()
        if cur is not None and cur.segments:
            names.add(cur.name)
        return sorted(names, key=state_number)

    def new_generation(self, fingerprint: dict[str, Any],
                       base: Generation | None = None) -> Generation:
        """Reserve the next state (recorded, not yet current), carrying ``base``'s segments."""
        numbers = [state_number(n) for n in self.generation_names()]
        numbers += [state_number(n) for n in self._collections()]
        cur = self.current()
        numbers += [cur.number] if cur is not None else []
        name = f"{self.base}__g{max(numbers, default=0) + 1}"
        gen = Generation(name, fingerprint, [SegmentRef(s.name, s.rows, list(s.dead))
                                             for s in (base.segments if base else [])],
                         parent=cur.name if cur is not None else None)
        self.save_state(gen)
        return gen

    # -- segments -----------------------------------------------------------------------------
    def _collections(self) -> list[str]:
        cols = self.backend.call(self.client.list_collections)
        names = [c if isinstance(c, str) else c.name for c in cols]
        return sorted(n for n in names if n.startswith(f"{self.base}__g") and _is_numbered(n))

    def create_segment(self, name: str, fingerprint: dict[str, Any]) -> None:
        self.backend.call(self.client.create_collection, name,
                          configuration={"hnsw": {"space": "cosine"}},
                          metadata={"fingerprint": json.dumps(fingerprint, sort_keys=True)})

    def _col(self, name: str):
        """A segment's collection handle (segments never change, so handles are kept)."""
        client = self.client
        cached = self._cols.get(name)
        if cached is not None and cached[0] is client:
            return cached[1]
        col = self.backend.call(client.get_collection, name)
        self._cols[name] = (client, col)
        return col

    def add(self, segment: str, ids: list[str], texts: list[str], metas: list[dict],
            embeddings: Sequence[Sequence[float]]) -> None:
        col = self._col(segment)
        for i in range(0, len(ids), BATCH):
            self.backend.call(col.add, ids=ids[i:i + BATCH], documents=texts[i:i + BATCH],
                              metadatas=metas[i:i + BATCH],
                              embeddings=list(embeddings[i:i + BATCH]))

    def count(self, segment: str) -> int:
        return self.backend.call(self._col(segment).count)

    def segment_rows(self, segment: str, ids: list[str] | None = None,
                     include_embeddings: bool = False
                     ) -> Iterator[tuple[str, int, str, dict, Any]]:
        """Yield (chunk id, row, text, metadata, embedding|None) of a segment's rows."""
        col = self._col(segment)
        include = ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
        if ids is not None:
            for i in range(0, len(ids), BATCH):
                yield from _rows(self.backend.call(col.get, ids=ids[i:i + BATCH],
                                                   include=include))
            return
        offset = 0
        while True:
            got = self.backend.call(col.get, include=include, limit=BATCH, offset=offset)
            if not got["ids"]:
                return
            yield from _rows(got)
            offset += len(got["ids"])

    def local_segment(self, name: str) -> Path:
        """The segment's lexical folder; on a Chroma server, built from its rows the first time
        this machine needs it (a cache keyed by the immutable segment's name)."""
        from core.lexical import segment_complete, write_segment

        path = self.segments_dir / name
        if segment_complete(path):
            return path
        rows = sorted(self.segment_rows(name), key=lambda r: r[1])
        if [r[1] for r in rows] != list(range(len(rows))):
            raise RuntimeError(f"segment {name} is incomplete in Chroma; run the ingest again")
        write_segment(path, [chunk_from_record(cid, text, meta) for cid, _, text, meta, _ in rows],
                      [meta for _, _, _, meta, _ in rows],
                      [meta.get("file_hash", "") for _, _, _, meta, _ in rows])
        return path

    # -- reading ------------------------------------------------------------------------------
    def query(self, gen: Generation, embedding: list[float], k: int,
              where: dict | None = None) -> list[tuple[str, int, float]]:
        """The ``k`` nearest live rows of the state: (segment, row, cosine similarity).
        Each segment is asked for ``k`` + its retired rows, so the live top ``k`` is exact."""
        hits: list[tuple[float, str, int]] = []
        for seg in gen.segments:
            if not seg.live:
                continue
            dead = set(seg.dead)
            n = min(seg.rows, k + len(dead))
            res = self.backend.call(self._col(seg.name).query, query_embeddings=[embedding],
                                    n_results=n, where=where or None, include=["distances"])
            for rid, dist in zip(res["ids"][0], res["distances"][0]):
                row = parse_row_id(rid)[1]
                if row not in dead:
                    hits.append((1.0 - float(dist), seg.name, row))
        hits.sort(key=lambda h: -h[0])
        return [(name, row, sim) for sim, name, row in hits[:k]]

    def records(self, name: str) -> Iterator[tuple[str, str, dict, None]]:
        """Yield (chunk id, text, metadata, None) for every live chunk of a state."""
        from core.lexical import Segment, View

        gen = self.state(name)
        if gen is None:
            raise IndexMissingError(self.where)
        for seg in gen.segments:
            view = View(Segment(self.local_segment(seg.name)), seg.dead)
            for row in view.rows():
                cid, text, meta = view.segment.record(int(row))
                yield cid, text, meta, None

    def chunks(self, name: str) -> list[Chunk]:
        """Every live chunk of a state."""
        return [chunk_from_record(cid, text, meta) for cid, text, meta, _ in self.records(name)]

    # -- cleanup ------------------------------------------------------------------------------
    def cleanup(self) -> list[str]:
        """Remove what no protected state uses: segments (collection and folder), state records
        and a killed ingest's leftovers. Returns the segments removed."""
        from core.leases import leased_states

        cur = self.current()
        keep_states = {cur.name} if cur else set()
        keep_segments = {cur.name} if cur else set()  # an older layout's single collection
        parent = {cur.parent} if cur is not None and cur.parent else set()
        # the state before the current one stays too (a sync report compares the two)
        for name in leased_states(self.leases_dir) | keep_states | parent:
            gen = self.state(name)
            if gen is not None:
                keep_states.add(name)
                keep_segments |= {s.name for s in gen.segments}
        keep_segments |= self.backend.recently_superseded()
        dropped = [n for n in self._collections() if n not in keep_segments]
        for name in dropped:
            self._cols.pop(name, None)
            self.backend.call(self.client.delete_collection, name)
        if self.segments_dir.is_dir():
            for path in self.segments_dir.iterdir():
                if path.name not in keep_segments:
                    shutil.rmtree(path, ignore_errors=True)
        if self.states_dir.is_dir():
            for path in self.states_dir.glob("*.json"):
                if path.stem not in keep_states:
                    path.unlink(missing_ok=True)
        return dropped


def _is_numbered(name: str) -> bool:
    return name.rsplit("__g", 1)[1].isdigit()


def _rows(got: dict) -> Iterator[tuple[str, int, str, dict, Any]]:
    embs = got.get("embeddings")
    for i, rid in enumerate(got["ids"]):
        cid, row = parse_row_id(rid)
        yield cid, row, got["documents"][i], got["metadatas"][i], (
            embs[i] if embs is not None else None)

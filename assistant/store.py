"""The only module that imports chromadb: an embedded (local folder) or server Chroma.

The index is versioned by generation: every ingest that changes something writes a complete new
collection ``<base>__g<N>`` and then switches a pointer to it in one atomic step. A crash before
the switch leaves the previous generation serving; readers never see a half-written index.
The pointer lives in ``<index_dir>/CURRENT.json`` for embedded Chroma (atomic file replace) and
in the metadata of a ``<base>__pointer`` collection on a Chroma server.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from assistant.errors import IndexMismatchError, IndexMissingError, IndexUnavailableError
from assistant.settings import Settings
from assistant.types import Chunk

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


@dataclass
class Generation:
    name: str
    fingerprint: dict[str, Any]


class IndexStore:
    """Chroma behind the few operations ingest and retrieval need."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.base = settings.collection
        self.where = settings.chroma_url or str(settings.index_dir)
        self._client = None

    # -- connection -------------------------------------------------------------------------
    @property
    def client(self):
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if self.settings.chroma_url:
                url = urlparse(self.settings.chroma_url)
                return chromadb.HttpClient(
                    host=url.hostname or "127.0.0.1", port=url.port or 8000,
                    ssl=url.scheme == "https", settings=chroma_settings,
                )
            path = Path(self.settings.index_dir) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain exceptions for connection failures
            raise IndexUnavailableError(self.where, _short(exc)) from exc

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (IndexMissingError, IndexMismatchError):
            raise
        except Exception as exc:
            if _is_connection_error(exc):
                self._client = None
                raise IndexUnavailableError(self.where, _short(exc)) from exc
            raise

    # -- the pointer --------------------------------------------------------------------------
    @property
    def _pointer_file(self) -> Path:
        return Path(self.settings.index_dir) / "CURRENT.json"

    def current(self) -> Generation | None:
        if self.settings.chroma_url:
            try:
                col = self._call(self.client.get_collection, f"{self.base}__pointer")
            except IndexUnavailableError:
                raise
            except Exception:
                return None
            meta = col.metadata or {}
            if "current" not in meta:
                return None
            return Generation(meta["current"], json.loads(meta.get("fingerprint", "{}")))
        if not self._pointer_file.exists():
            return None
        data = json.loads(self._pointer_file.read_text())
        return Generation(data["current"], data["fingerprint"])

    def switch(self, gen: Generation) -> None:
        """Atomically make ``gen`` the generation every reader opens."""
        if self.settings.chroma_url:
            col = self._call(self.client.get_or_create_collection, f"{self.base}__pointer")
            self._call(col.modify, metadata={
                "current": gen.name, "fingerprint": json.dumps(gen.fingerprint, sort_keys=True),
                "switched_at": time.time(),
            })
            return
        payload = json.dumps({"current": gen.name, "fingerprint": gen.fingerprint}, indent=1)
        _atomic_write(self._pointer_file, payload)

    # -- generations --------------------------------------------------------------------------
    def new_generation(self, fingerprint: dict[str, Any]) -> Generation:
        names = self.generation_names()
        numbers = [int(n.rsplit("__g", 1)[1]) for n in names] or [0]
        name = f"{self.base}__g{max(numbers) + 1}"
        self._call(
            self.client.create_collection, name,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"fingerprint": json.dumps(fingerprint, sort_keys=True)},
        )
        return Generation(name, fingerprint)

    def generation_names(self) -> list[str]:
        cols = self._call(self.client.list_collections)
        names = [c if isinstance(c, str) else c.name for c in cols]
        return sorted(n for n in names if n.startswith(f"{self.base}__g"))

    def drop_generations(self, keep: Sequence[str]) -> list[str]:
        dropped = [n for n in self.generation_names() if n not in keep]
        for name in dropped:
            self._call(self.client.delete_collection, name)
        return dropped

    def _col(self, name: str):
        return self._call(self.client.get_collection, name)

    # -- reading ------------------------------------------------------------------------------
    def open_current(self, expected_fingerprint: dict[str, Any] | None = None) -> Generation:
        gen = self.current()
        if gen is None:
            raise IndexMissingError(self.where)
        if expected_fingerprint is not None and gen.fingerprint != expected_fingerprint:
            raise IndexMismatchError(gen.fingerprint, expected_fingerprint)
        return gen

    def records(self, gen: str, include_embeddings: bool = False,
                ids: list[str] | None = None) -> Iterator[tuple[str, str, dict, Any]]:
        """Yield (id, text, metadata, embedding|None) for every chunk (or the given ids)."""
        col = self._col(gen)
        include = ["documents", "metadatas"] + (["embeddings"] if include_embeddings else [])
        if ids is not None:
            for i in range(0, len(ids), BATCH):
                yield from _rows(self._call(col.get, ids=ids[i:i + BATCH], include=include))
            return
        offset = 0
        while True:
            got = self._call(col.get, include=include, limit=BATCH, offset=offset)
            if not got["ids"]:
                return
            yield from _rows(got)
            offset += len(got["ids"])

    def hashes(self, gen: str) -> dict[str, tuple[str, str]]:
        """chunk_id -> (content_hash, source) for a generation."""
        return {cid: (m["content_hash"], m.get("source", "")) for cid, _, m, _ in
                self.records(gen)}

    def chunks(self, gen: str) -> list[Chunk]:
        return [chunk_from_record(cid, text, meta) for cid, text, meta, _ in self.records(gen)]

    def count(self, gen: str) -> int:
        return self._call(self._col(gen).count)

    def query(self, gen: str, embedding: list[float], k: int,
              where: dict | None = None) -> list[tuple[Chunk, float]]:
        col = self._col(gen)
        n = min(k, max(1, self._call(col.count)))
        res = self._call(col.query, query_embeddings=[embedding], n_results=n, where=where or None,
                         include=["documents", "metadatas", "distances"])
        out = []
        for cid, text, meta, dist in zip(res["ids"][0], res["documents"][0],
                                         res["metadatas"][0], res["distances"][0]):
            out.append((chunk_from_record(cid, text, meta), 1.0 - float(dist)))
        return out

    # -- writing ------------------------------------------------------------------------------
    def add(self, gen: str, ids: list[str], texts: list[str], metas: list[dict],
            embeddings: Sequence[Sequence[float]]) -> None:
        col = self._col(gen)
        for i in range(0, len(ids), BATCH):
            self._call(col.add, ids=ids[i:i + BATCH], documents=texts[i:i + BATCH],
                       metadatas=metas[i:i + BATCH], embeddings=list(embeddings[i:i + BATCH]))


def _rows(got: dict) -> Iterator[tuple[str, str, dict, Any]]:
    embs = got.get("embeddings")
    for i, cid in enumerate(got["ids"]):
        yield cid, got["documents"][i], got["metadatas"][i], (
            embs[i] if embs is not None else None)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _is_connection_error(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(w in text for w in ("connect", "timeout", "timed out", "refused", "unreachable",
                                   "could not connect", "remoteprotocol", "503", "502"))


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"

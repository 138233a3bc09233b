"""Write the index: the only writer.

Loads and chunks the given pages, embeds only chunks whose content hash changed, copies the
vectors of unchanged ones, drops chunks of pages that disappeared, and switches readers to the new
generation in one atomic step. One writer at a time (a file lock in the index folder).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout
from tqdm import tqdm

from assistant.errors import IngestLockedError, LoadError
from assistant.settings import Settings
from assistant.store import IndexStore, chunk_metadata
from assistant.types import Chunk
from ingest.chunk import chunk_document
from ingest.load import iter_files, load_document

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
EMBED_BATCH = 64


def fingerprint(settings: Settings) -> dict:
    """What built the index: a mismatch means the index must be rebuilt."""
    return {
        "schema": SCHEMA_VERSION,
        "embedding_model": settings.embedding.model,
        "chunking": settings.chunking.model_dump(),
    }


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[tuple[str, list[str]]] = field(default_factory=list)
    seconds: float = 0.0
    generation: str | None = None
    switched: bool = False

    def summary(self) -> str:
        lines = [
            f"{self.documents} documents, {self.chunks} chunks: {self.added} added, "
            f"{self.unchanged} unchanged, {self.removed} removed; "
            f"{len(self.failures)} failed; {self.seconds:.1f} s"
            + (f"; index {self.generation}" if self.generation else "")
        ]
        lines += [f"FAILED {path}: {reason}" for path, reason in self.failures]
        lines += [f"FLAGGED {doc}: {', '.join(flags)}" for doc, flags in self.flagged]
        return "\n".join(lines)


@dataclass
class _Loaded:
    chunks: list[Chunk] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # chunk_id -> source path
    file_hashes: dict[str, str] = field(default_factory=dict)  # source path -> sha256 of bytes
    unchanged_ids: list[str] = field(default_factory=list)  # chunks of byte-identical files
    failed_sources: set[str] = field(default_factory=set)


@dataclass
class _Indexed:
    """What the current generation holds, per chunk and per source file."""

    hashes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (hash, source)
    files: dict[str, tuple[str, str, list[str]]] = field(default_factory=dict)
    # source -> (file hash, doc_id, chunk ids)


def _indexed(store: IndexStore, generation: str | None) -> _Indexed:
    out = _Indexed()
    if generation is None:
        return out
    for cid, _, meta, _ in store.records(generation):
        source = meta.get("source", "")
        out.hashes[cid] = (meta["content_hash"], source)
        entry = out.files.setdefault(source, (meta.get("file_hash", ""), meta["doc_id"], []))
        entry[2].append(cid)
    return out


def _file_hash(path: Path, max_bytes: int) -> str | None:
    try:
        if path.stat().st_size > max_bytes:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _in_scope(source: str, roots: list[Path]) -> bool:
    return any(source == str(r) or source.startswith(str(r) + os.sep) for r in roots)


def load_corpus(paths: Iterable[Path], settings: Settings, report: IngestReport,
                progress: bool, indexed: _Indexed | None = None) -> _Loaded:
    """Load and chunk every page; a file whose bytes are unchanged since the current index
    was built is not parsed again (its chunks are kept as they are)."""
    loaded = _Loaded()
    seen_docs: dict[str, str] = {}
    indexed = indexed or _Indexed()
    files = iter_files([Path(p) for p in paths])
    for path in tqdm(files, desc="Reading pages", unit="page", disable=not progress):
        source = str(path.resolve())
        digest = _file_hash(path, settings.limits.max_upload_bytes)
        known = indexed.files.get(source)
        if digest and known and known[0] == digest and known[1] not in seen_docs:
            seen_docs[known[1]] = str(path)
            loaded.unchanged_ids += known[2]
            loaded.sources.update({cid: source for cid in known[2]})
            report.documents += 1
            continue
        try:
            doc = load_document(path, max_bytes=settings.limits.max_upload_bytes)
        except LoadError as exc:
            report.failures.append((str(path), exc.reason))
            loaded.failed_sources.add(source)
            continue
        if doc.doc_id in seen_docs:
            report.failures.append(
                (str(path), f"same page id {doc.doc_id!r} as {seen_docs[doc.doc_id]}; skipped"))
            loaded.failed_sources.add(source)
            continue
        seen_docs[doc.doc_id] = str(path)
        if digest:
            loaded.file_hashes[source] = digest
        if doc.flags:
            report.flagged.append((doc.doc_id, doc.flags))
        _, chunks = chunk_document(doc, settings.chunking)
        report.documents += 1
        for chunk in chunks:
            loaded.chunks.append(chunk)
            loaded.sources[chunk.chunk_id] = source
    report.chunks = len(loaded.chunks) + len(loaded.unchanged_ids)
    return loaded


def ingest(paths: Iterable[Path], settings: Settings, *, progress: bool = True,
           rebuild: bool = False, store: IndexStore | None = None,
           embedder=None, on_stage: Callable[[str], None] | None = None) -> IngestReport:
    """Bring the index up to date with the pages under ``paths``."""
    started = time.perf_counter()
    paths = [Path(p).resolve() for p in paths]
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.index_dir / "ingest.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IngestLockedError(str(settings.index_dir / "ingest.lock")) from exc
    try:
        report = IngestReport()
        store = store or IndexStore(settings)
        current = store.current()
        reuse = current is not None and current.fingerprint == fingerprint(settings) \
            and not rebuild
        indexed = _indexed(store, current.name if reuse else None)
        loaded = load_corpus(paths, settings, report, progress, indexed)
        _write(loaded, indexed, current if reuse else None, current, paths, settings, report,
               progress, store, embedder, on_stage or (lambda stage: None))
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _write(loaded: _Loaded, indexed: _Indexed, reused, current, roots: list[Path],
           settings: Settings, report: IngestReport, progress: bool, store: IndexStore,
           embedder, on_stage) -> None:
    fp = fingerprint(settings)
    reuse = reused is not None
    old = indexed.hashes
    new_ids = {c.chunk_id for c in loaded.chunks} | set(loaded.unchanged_ids)
    to_embed = [c for c in loaded.chunks if old.get(c.chunk_id, ("",))[0] != c.content_hash]
    to_copy = loaded.unchanged_ids + [c.chunk_id for c in loaded.chunks if c.chunk_id in old
                                      and old[c.chunk_id][0] == c.content_hash]
    kept_elsewhere = [cid for cid, (_, src) in old.items() if cid not in new_ids and (
        not _in_scope(src, roots) or src in loaded.failed_sources)]
    report.removed = len(old) - len(to_copy) - len(kept_elsewhere) - sum(
        1 for c in to_embed if c.chunk_id in old)
    report.unchanged = len(to_copy)
    report.added = len(to_embed)
    rehashed = any(src in indexed.files for src in loaded.file_hashes)  # bytes changed only
    if current is not None and reuse and not to_embed and report.removed == 0 and not rehashed:
        report.generation = current.name
        store.drop_generations(keep=[current.name] + _previous(store, current.name))
        return
    if not loaded.chunks and not loaded.unchanged_ids and not kept_elsewhere:
        log.warning("Nothing to index: no page could be loaded; the current index is kept.")
        report.generation = current.name if current else None
        return
    on_stage("new_generation")
    gen = store.new_generation(fp)
    _copy(store, current.name if current else "", gen.name, to_copy + kept_elsewhere, progress,
          loaded.file_hashes)
    on_stage("copied")
    _embed_and_add(store, gen.name, to_embed, loaded, settings, embedder, progress, on_stage)
    expected = len(to_copy) + len(kept_elsewhere) + len(to_embed)
    if store.count(gen.name) != expected:
        raise RuntimeError(
            f"Index check failed: {store.count(gen.name)} chunks written, {expected} expected. "
            "The previous index is still serving; run the ingest again.")
    on_stage("before_switch")
    store.switch(gen)
    report.generation, report.switched = gen.name, True
    on_stage("switched")
    store.drop_generations(keep=[gen.name] + ([current.name] if current else []))


def _previous(store: IndexStore, current: str) -> list[str]:
    """The generation before ``current`` (kept so a reader still on it can finish)."""
    older = [n for n in store.generation_names() if _number(n) < _number(current)]
    return [max(older, key=_number)] if older else []


def _number(name: str) -> int:
    return int(name.rsplit("__g", 1)[1])


def _copy(store: IndexStore, src: str, dst: str, ids: list[str], progress: bool,
          file_hashes: dict[str, str]) -> None:
    """Carry unchanged chunks (text, metadata, vectors) into the new generation; a chunk whose
    file changed elsewhere gets the file's new hash so the file is not parsed again next time."""
    if not ids:
        return
    bar = tqdm(total=len(ids), desc="Keeping unchanged", unit="chunk", disable=not progress)
    batch: list[tuple] = []
    for cid, text, meta, vector in store.records(src, include_embeddings=True, ids=ids):
        if meta.get("source") in file_hashes:
            meta = {**meta, "file_hash": file_hashes[meta["source"]]}
        batch.append((cid, text, meta, vector))
        if len(batch) >= 1000:
            _flush(store, dst, batch)
            bar.update(len(batch))
            batch = []
    _flush(store, dst, batch)
    bar.update(len(batch))
    bar.close()


def _flush(store: IndexStore, dst: str, rows: list[tuple]) -> None:
    if rows:
        store.add(dst, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows],
                  [r[3] for r in rows])


def _embed_and_add(store, gen, chunks, loaded: _Loaded, settings, embedder, progress,
                   on_stage) -> None:
    if not chunks:
        return
    if embedder is None:
        from assistant.embeddings import get_embeddings

        embedder = get_embeddings(settings.embedding)
    bar = tqdm(total=len(chunks), desc="Embedding", unit="chunk", disable=not progress)
    for i in range(0, len(chunks), EMBED_BATCH):
        part = chunks[i:i + EMBED_BATCH]
        vectors = embedder.embed_documents(
            [c.embed_text(settings.chunking.embed_prefix) for c in part])
        metas = []
        for c in part:
            source = loaded.sources.get(c.chunk_id)
            metas.append(chunk_metadata(c, source, loaded.file_hashes.get(source or "")))
        store.add(gen, [c.chunk_id for c in part], [c.text for c in part], metas, vectors)
        bar.update(len(part))
        on_stage(f"embedded:{i + len(part)}")
    bar.close()


def ensure_index(settings: Settings, progress: bool = True) -> IngestReport | None:
    """Build the index from ``settings.corpus`` when there is none yet."""
    if IndexStore(settings).current() is not None:
        return None
    return ingest(settings.corpus, settings, progress=progress)

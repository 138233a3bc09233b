"""Write the index: the only writer.

Loads and chunks the given pages, embeds only chunks whose content hash changed, copies the
vectors of unchanged ones, drops chunks of pages that disappeared, and switches readers to the new
generation in one atomic step. One writer at a time (a file lock in the index folder).
"""

from __future__ import annotations

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
    failed_sources: set[str] = field(default_factory=set)


def _in_scope(source: str, roots: list[Path]) -> bool:
    return any(source == str(r) or source.startswith(str(r) + os.sep) for r in roots)


def load_corpus(paths: Iterable[Path], settings: Settings, report: IngestReport,
                progress: bool) -> _Loaded:
    loaded = _Loaded()
    seen_docs: dict[str, str] = {}
    files = iter_files([Path(p) for p in paths])
    for path in tqdm(files, desc="Reading pages", unit="page", disable=not progress):
        source = str(path.resolve())
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
        if doc.flags:
            report.flagged.append((doc.doc_id, doc.flags))
        _, chunks = chunk_document(doc, settings.chunking)
        report.documents += 1
        for chunk in chunks:
            loaded.chunks.append(chunk)
            loaded.sources[chunk.chunk_id] = source
    report.chunks = len(loaded.chunks)
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
        loaded = load_corpus(paths, settings, report, progress)
        _write(loaded, paths, settings, report, progress, rebuild,
               store or IndexStore(settings), embedder, on_stage or (lambda stage: None))
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _write(loaded: _Loaded, roots: list[Path], settings: Settings, report: IngestReport,
           progress: bool, rebuild: bool, store: IndexStore, embedder, on_stage) -> None:
    fp = fingerprint(settings)
    current = store.current()
    reuse = current is not None and current.fingerprint == fp and not rebuild
    old = store.hashes(current.name) if reuse else {}
    new_ids = {c.chunk_id for c in loaded.chunks}
    to_embed = [c for c in loaded.chunks if old.get(c.chunk_id, ("",))[0] != c.content_hash]
    to_copy = [c.chunk_id for c in loaded.chunks if c.chunk_id in old
               and old[c.chunk_id][0] == c.content_hash]
    kept_elsewhere = [cid for cid, (_, src) in old.items() if cid not in new_ids and (
        not _in_scope(src, roots) or src in loaded.failed_sources)]
    report.removed = len(old) - len(to_copy) - len(kept_elsewhere) - sum(
        1 for c in to_embed if c.chunk_id in old)
    report.unchanged = len(to_copy)
    report.added = len(to_embed)
    if current is not None and reuse and not to_embed and report.removed == 0:
        report.generation = current.name
        return
    if not loaded.chunks and not kept_elsewhere:
        log.warning("Nothing to index: no page could be loaded; the current index is kept.")
        report.generation = current.name if current else None
        return
    on_stage("new_generation")
    gen = store.new_generation(fp)
    _copy(store, current.name if current else "", gen.name, to_copy + kept_elsewhere, progress)
    on_stage("copied")
    _embed_and_add(store, gen.name, to_embed, loaded.sources, settings, embedder, progress,
                   on_stage)
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


def _copy(store: IndexStore, src: str, dst: str, ids: list[str], progress: bool) -> None:
    if not ids:
        return
    bar = tqdm(total=len(ids), desc="Keeping unchanged", unit="chunk", disable=not progress)
    batch: list[tuple] = []
    for row in store.records(src, include_embeddings=True, ids=ids):
        batch.append(row)
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


def _embed_and_add(store, gen, chunks, sources, settings, embedder, progress, on_stage) -> None:
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
        store.add(gen, [c.chunk_id for c in part], [c.text for c in part],
                  [chunk_metadata(c, sources.get(c.chunk_id)) for c in part], vectors)
        bar.update(len(part))
        on_stage(f"embedded:{i + len(part)}")
    bar.close()


def ensure_index(settings: Settings, progress: bool = True) -> IngestReport | None:
    """Build the index from ``settings.corpus`` when there is none yet."""
    if IndexStore(settings).current() is not None:
        return None
    return ingest(settings.corpus, settings, progress=progress)

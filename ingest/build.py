"""Write the index: the only writer.

Loads and chunks the given pages, embeds only chunks whose content hash changed, and writes a new
index state: one new segment holding the changed chunks (plus the live rows of the small segments
it absorbs, see ``_absorbed``), the rows it retires from older segments, and the page manifest;
then switches readers to it in one atomic step. Unchanged chunks stay where they are, so the cost
follows the change, not the manual. One writer at a time (a file lock in the index folder).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout
from tqdm import tqdm

from core.errors import IngestLockedError, LoadError
from core.lexical import Segment, stored_unit_vectors, write_segment
from core.settings import Settings
from core.store import (Generation, IndexStore, SegmentRef, chunk_from_record, chunk_metadata,
                        fingerprint, row_id)
from core.types import Chunk
from core.units import unit_texts
from ingest.chunk import chunk_document
from ingest.load import iter_files, load_document

log = logging.getLogger(__name__)

EMBED_BATCH = 64
MAX_SEGMENTS = 8  # segments a state may have (each costs one vector query per question)
MERGE_FACTOR = 4  # the newest segments no larger than 4x what is written are absorbed into it
DEAD_MAX = 2000  # a segment with more retired rows is rewritten (queries over-fetch by these)


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
    units_embedded: int = 0  # quotable units embedded for the new segment (the rest were reused)

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
    """What the current state holds, per chunk and per source file."""

    hashes: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (hash, source)
    files: dict[str, list] = field(default_factory=dict)
    # source -> [file hash, doc_id, chunk ids]
    where: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (segment, row)


def _indexed(store: IndexStore, generation: Generation | None) -> _Indexed:
    out = _Indexed()
    if generation is None:
        return out
    for i, seg in enumerate(generation.segments):
        table = Segment(store.local_segment(seg.name)).row_table()
        dead = set(seg.dead)
        files = table["files"]
        for row, (cid, chash, f) in enumerate(zip(table["ids"], table["hashes"], table["file"])):
            if row in dead:
                continue
            source, fhash, doc_id = files[f]
            out.hashes[cid] = (chash, source)
            out.where[cid] = (i, row)
            entry = out.files.setdefault(source, [fhash, doc_id, []])
            entry[0] = fhash or entry[0]  # later segments are newer
            entry[2].append(cid)
    manifest = _read_manifest(store, generation.name)
    for source, fhash in manifest.items():
        if source in out.files:
            out.files[source][0] = fhash
    return out


def _manifest_path(store: IndexStore, name: str) -> Path:
    return store.root / "manifests" / f"{name}.json"


def _read_manifest(store: IndexStore, name: str) -> dict[str, str]:
    """source -> sha256 of its bytes when the state was written (absent: the rows' own)."""
    try:
        return json.loads(_manifest_path(store, name).read_text())
    except (OSError, ValueError):
        return {}


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
    from core import flags

    flags.configure_trusted_domains(settings.trusted_link_domains)
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
        store.cleanup()  # what a killed ingest left, states no reader uses any more
        indexed = _indexed(store, current if reuse else None)
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
    to_keep = loaded.unchanged_ids + [c.chunk_id for c in loaded.chunks if c.chunk_id in old
                                      and old[c.chunk_id][0] == c.content_hash]
    kept_elsewhere = [cid for cid, (_, src) in old.items() if cid not in new_ids and (
        not _in_scope(src, roots) or src in loaded.failed_sources)]
    report.removed = len(old) - len(to_keep) - len(kept_elsewhere) - sum(
        1 for c in to_embed if c.chunk_id in old)
    report.unchanged = len(to_keep)
    report.added = len(to_embed)
    rehashed = any(src in indexed.files and indexed.files[src][0] != digest
                   for src, digest in loaded.file_hashes.items())  # bytes changed only
    if current is not None and reuse and not to_embed and report.removed == 0 and not rehashed:
        report.generation = current.name
        return
    if not loaded.chunks and not loaded.unchanged_ids and not kept_elsewhere:
        log.warning("Nothing to index: no page could be loaded; the current index is kept.")
        report.generation = current.name if current else None
        return
    gen = store.new_generation(fp, base=current if reuse else None)
    on_stage("new_generation")
    live = set(to_keep) | set(kept_elsewhere)
    for cid in old:
        if cid not in live:  # removed, or replaced by its new version
            seg, row = indexed.where[cid]
            gen.segments[seg].dead.append(row)
    absorbed = _absorbed(gen.segments, len(to_embed))
    carried = [(s, sorted(set(range(s.rows)) - set(s.dead))) for s in absorbed]
    gen.segments = [s for s in gen.segments if s not in absorbed]
    for s in gen.segments:
        s.dead.sort()
    chunks, metas, hashes = [], [], []
    manifest = {src: entry[0] for src, entry in indexed.files.items()}
    manifest.update(loaded.file_hashes)
    n_rows = sum(len(rows) for _, rows in carried) + len(to_embed)
    if n_rows:
        store.create_segment(gen.name, fp)
    _carry(store, gen.name, carried, chunks, metas, progress)
    on_stage("copied")
    _embed_and_add(store, gen.name, to_embed, loaded, settings, embedder, progress, on_stage,
                   chunks, metas)
    if n_rows:
        if store.count(gen.name) != n_rows:
            raise RuntimeError(
                f"Index check failed: {store.count(gen.name)} chunks written, {n_rows} expected."
                " The previous index is still serving; run the ingest again.")
        hashes = [manifest.get(m.get("source", ""), "") for m in metas]
        units, report.units_embedded = _unit_vectors(
            store, chunks, gen.segments + [seg for seg, _ in carried], settings, embedder,
            progress)
        on_stage("units_embedded")
        write_segment(store.segments_dir / gen.name, chunks, metas, hashes, unit_vectors=units)
        gen.segments.append(SegmentRef(gen.name, n_rows))
    sources = {m.get("source", "") for m in metas} | {
        old[cid][1] for cid in live if cid in old}
    _write_manifest(store, gen.name, {s: manifest[s] for s in sources if s in manifest})
    store.save_state(gen)
    on_stage("segment_written")
    on_stage("before_switch")
    store.switch(gen)
    report.generation, report.switched = gen.name, True
    on_stage("switched")
    store.cleanup()


def _absorbed(segments: list[SegmentRef], incoming: int) -> list[SegmentRef]:
    """Segments the new one takes in (their live rows are copied, vectors and all): empty or
    mostly-retired ones, the newest ones no larger than ``MERGE_FACTOR`` times what is written
    (so sizes grow geometrically and each row is copied O(log n) times), and the smallest ones
    while there would be more than ``MAX_SEGMENTS``."""
    out = [s for s in segments if not s.live or len(s.dead) > DEAD_MAX or 2 * len(s.dead) > s.rows]
    size = incoming + sum(s.live for s in out)
    rest = [s for s in segments if s not in out]
    while rest and rest[-1].live <= MERGE_FACTOR * max(size, 1):
        size += rest[-1].live
        out.append(rest.pop())
    while len(rest) + 1 > MAX_SEGMENTS:
        smallest = min(rest, key=lambda s: s.live)
        rest.remove(smallest)
        out.append(smallest)
    return out


def _write_manifest(store: IndexStore, name: str, manifest: dict[str, str]) -> None:
    from core.files import atomic_write

    atomic_write(_manifest_path(store, name), json.dumps(manifest))


def _carry(store: IndexStore, dst: str, carried: list[tuple[SegmentRef, list[int]]],
           chunks: list[Chunk], metas: list[dict], progress: bool) -> None:
    """Copy the live rows of absorbed segments (text, metadata, vectors) into the new one."""
    total = sum(len(rows) for _, rows in carried)
    if not total:
        return
    bar = tqdm(total=total, desc="Merging segments", unit="chunk", disable=not progress)
    table_ids = {}
    for seg, rows in carried:
        ids = Segment(store.local_segment(seg.name)).row_table()["ids"]
        table_ids[seg.name] = [row_id(ids[r], r) for r in rows]
    for seg, _ in carried:
        batch: list[tuple] = []
        for cid, _, text, meta, vector in store.segment_rows(seg.name, ids=table_ids[seg.name],
                                                             include_embeddings=True):
            batch.append((cid, text, meta, vector))
        for i in range(0, len(batch), 1000):
            part = batch[i:i + 1000]
            start = len(chunks)
            store.add(dst, [row_id(r[0], start + j) for j, r in enumerate(part)],
                      [r[1] for r in part], [r[2] for r in part], [r[3] for r in part])
            chunks += [chunk_from_record(r[0], r[1], r[2]) for r in part]
            metas += [r[2] for r in part]
            bar.update(len(part))
    bar.close()


def _model(settings: Settings, embedder):
    if embedder is None:
        from core.embeddings import get_embeddings

        embedder = get_embeddings(settings.embedding)
    return embedder


def _unit_vectors(store: IndexStore, chunks: list[Chunk], segments: list[SegmentRef],
                  settings: Settings, embedder, progress: bool) -> tuple[dict[str, Any], int]:
    """The vectors of the new segment's quotable units (core/units.py), unit text -> vector:
    a unit an older segment already holds (a carried row, an unchanged sentence of an edited
    page) is reused from it, the rest are embedded; the answerer then never embeds a unit at
    query time. Returns them and how many were embedded."""
    texts = list(dict.fromkeys(t for c in chunks for t in unit_texts(c)))
    out: dict[str, Any] = stored_unit_vectors(
        [Segment(store.local_segment(seg.name)) for seg in segments], texts)
    missing = [t for t in texts if t not in out]
    if missing:
        embedder = _model(settings, embedder)
        bar = tqdm(total=len(missing), desc="Embedding units", unit="unit", disable=not progress)
        for i in range(0, len(missing), EMBED_BATCH):
            part = missing[i:i + EMBED_BATCH]
            # float16 rows of one array per batch, as stored: a bulk build holds every unit
            out.update(zip(part, np.asarray(embedder.embed_documents(part), dtype=np.float16)))
            bar.update(len(part))
        bar.close()
    return out, len(missing)


def _embed_and_add(store, segment, new, loaded: _Loaded, settings, embedder, progress,
                   on_stage, chunks: list[Chunk], metas: list[dict]) -> None:
    if not new:
        return
    embedder = _model(settings, embedder)
    bar = tqdm(total=len(new), desc="Embedding", unit="chunk", disable=not progress)
    for i in range(0, len(new), EMBED_BATCH):
        part = new[i:i + EMBED_BATCH]
        vectors = embedder.embed_documents(
            [c.embed_text(settings.chunking.embed_prefix) for c in part])
        part_metas = []
        for c in part:
            source = loaded.sources.get(c.chunk_id)
            part_metas.append(chunk_metadata(c, source, loaded.file_hashes.get(source or "")))
        start = len(chunks)
        store.add(segment, [row_id(c.chunk_id, start + j) for j, c in enumerate(part)],
                  [c.text for c in part], part_metas, vectors)
        chunks += part
        metas += part_metas
        bar.update(len(part))
        on_stage(f"embedded:{i + len(part)}")
    bar.close()


def ensure_index(settings: Settings, progress: bool = True) -> IngestReport | None:
    """Build the index from ``settings.corpus`` when there is none yet."""
    if IndexStore(settings).current() is not None:
        return None
    return ingest(settings.corpus, settings, progress=progress)

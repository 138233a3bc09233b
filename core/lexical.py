"""The lexical half of the index: immutable segments on local disk and BM25 over a state's rows.

A segment is written once, next to the Chroma collection holding the same rows (same row order),
and never changed: ``chunks.bin`` (one ``[chunk_id, text, metadata]`` JSON record per row,
addressed by ``offsets.npy``; the manual's text, not a log), term postings (``indptr.npy``,
``postings.npy``, ``tf.npy``, ``vocab.json``), document lengths, the pages it holds
(``docs.json``) and what the writer needs to see changes (``rows.json``). Readers memory-map
the arrays and decode a chunk only when it is a hit. A segment written by the ingest also holds
the vectors of its chunks' quotable units (``unit_keys.npy``: a sorted 64-bit hash of each unit's
text; ``unit_vecs.npy``: its float16 vector, same order), so the answerer scores units by meaning
without embedding them at query time; a segment without them (built on a machine that reads a
Chroma server, or by an older version) leaves that to the answerer, as before.

BM25 (the Lucene variant, k1=1.5, b=0.75, as bm25s scores it) is computed at query time from
raw term frequencies over the rows live in the state: a state that retires a few rows or adds a
small segment changes no stored score. (bm25s stores idf-weighted scores, so any change to the
corpus would mean rescoring every row: the cost would grow with the manual, not the change.)
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.store import chunk_from_record, chunk_metadata
from core.textnorm import tokens
from core.types import Chunk

SEGMENT_FORMAT = 1
K1, B = 1.5, 0.75
_FILES = ("meta.json", "chunks.bin", "offsets.npy", "doclen.npy", "indptr.npy",
          "postings.npy", "tf.npy", "vocab.json", "docs.json", "rows.json")


def doc_tokens(chunk: Chunk) -> list[str]:
    return tokens(f"{chunk.title} {chunk.section} {chunk.text}", expand=True)


def unit_key(text: str) -> int:
    """The 64-bit key a unit's vector is stored under (blake2b of its text)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def write_segment(path: Path, chunks: Sequence[Chunk], metas: Sequence[dict[str, Any]],
                  file_hashes: Sequence[str],
                  unit_vectors: Mapping[str, Sequence[float]] | None = None) -> None:
    """Write a segment folder atomically (a temp folder, every file fsynced, then renamed);
    ``unit_vectors`` (unit text -> vector) are stored with it when given."""
    path = Path(path)
    tmp = path.parent / f".tmp-{path.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    offsets = [0]
    with open(tmp / "chunks.bin", "wb") as fh:
        for c, meta in zip(chunks, metas):
            line = json.dumps([c.chunk_id, c.text, meta], ensure_ascii=False,
                              separators=(",", ":")).encode() + b"\n"
            fh.write(line)
            offsets.append(offsets[-1] + len(line))
    vocab: dict[str, int] = {}
    term_ids: list[int] = []
    rows: list[int] = []
    tfs: list[int] = []
    doclen = np.zeros(len(chunks), dtype=np.int32)
    docs: dict[str, list] = {}
    files: dict[tuple[str, str, str], int] = {}
    file_of: list[int] = []
    for row, (c, meta, fhash) in enumerate(zip(chunks, metas, file_hashes)):
        counts = Counter(doc_tokens(c))
        doclen[row] = sum(counts.values())
        for term, n in counts.items():
            term_ids.append(vocab.setdefault(term, len(vocab)))
            rows.append(row)
            tfs.append(n)
        entry = docs.setdefault(c.doc_id, [c.title, [], []])
        entry[1].append(row)
        entry[2] = sorted(set(entry[2]) | set(c.provider_types))
        key = (meta.get("source", ""), fhash or "", c.doc_id)
        file_of.append(files.setdefault(key, len(files)))
    tid = np.asarray(term_ids, dtype=np.int64)
    order = np.argsort(tid, kind="stable")
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(np.bincount(tid, minlength=len(vocab)), out=indptr[1:])
    np.save(tmp / "offsets.npy", np.asarray(offsets, dtype=np.int64))
    np.save(tmp / "doclen.npy", doclen)
    np.save(tmp / "indptr.npy", indptr)
    np.save(tmp / "postings.npy", np.asarray(rows, dtype=np.int32)[order])
    np.save(tmp / "tf.npy", np.asarray(tfs, dtype=np.float32)[order])
    _dump(tmp / "vocab.json", sorted(vocab, key=vocab.__getitem__))
    _dump(tmp / "docs.json", docs)
    _dump(tmp / "rows.json", {"ids": [c.chunk_id for c in chunks],
                              "hashes": [c.content_hash for c in chunks], "file": file_of,
                              "files": [list(k) for k in files]})
    names = list(_FILES)
    if unit_vectors:
        keys = np.fromiter((unit_key(t) for t in unit_vectors), dtype=np.uint64,
                           count=len(unit_vectors))
        vecs = np.asarray(list(unit_vectors.values()), dtype=np.float16)
        order = np.argsort(keys, kind="stable")
        np.save(tmp / "unit_keys.npy", keys[order])
        np.save(tmp / "unit_vecs.npy", vecs[order])
        names += ["unit_keys.npy", "unit_vecs.npy"]
    _dump(tmp / "meta.json", {"format": SEGMENT_FORMAT, "rows": len(chunks),
                              "unit_vectors": len(unit_vectors or ())})
    for name in names:
        _fsync(tmp / name)
    _fsync(tmp)
    if path.exists():  # a leftover of a killed writer under the same name
        shutil.rmtree(path)
    os.replace(tmp, path)
    _fsync(path.parent)


def _dump(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def segment_complete(path: Path) -> bool:
    meta = Path(path) / "meta.json"
    if not meta.exists():
        return False
    try:
        return json.loads(meta.read_text()).get("format") == SEGMENT_FORMAT
    except (OSError, ValueError):
        return False


class Segment:
    """One segment folder, memory-mapped; chunks are decoded on demand."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.rows = int(json.loads((self.path / "meta.json").read_text())["rows"])
        load = lambda name: np.load(self.path / name, mmap_mode="r")  # noqa: E731
        self.offsets, self.indptr = load("offsets.npy"), load("indptr.npy")
        self.postings, self.tf = load("postings.npy"), load("tf.npy")
        self.doclen = np.asarray(load("doclen.npy"), dtype=np.float32)
        with open(self.path / "chunks.bin", "rb") as fh:
            self._data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if self.rows \
                else b""
        self._vocab: dict[str, int] | None = None
        self._docs: dict[str, list] | None = None
        self._lock = threading.Lock()
        has_units = (self.path / "unit_keys.npy").exists()
        self.unit_keys = load("unit_keys.npy") if has_units else np.zeros(0, dtype=np.uint64)
        self.unit_vecs = load("unit_vecs.npy") if has_units else None

    def unit_vectors(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``keys`` this segment holds, their vectors as stored: float16)."""
        if not len(self.unit_keys) or not len(keys):
            return np.zeros(len(keys), dtype=bool), np.zeros((0, 0), dtype=np.float16)
        at = np.minimum(np.searchsorted(self.unit_keys, keys), len(self.unit_keys) - 1)
        found = self.unit_keys[at] == keys
        return found, np.asarray(self.unit_vecs[at[found]])

    @property
    def vocab(self) -> dict[str, int]:
        if self._vocab is None:
            with self._lock:
                if self._vocab is None:
                    terms = json.loads((self.path / "vocab.json").read_text())
                    self._vocab = {t: i for i, t in enumerate(terms)}
        return self._vocab

    @property
    def docs(self) -> dict[str, list]:
        """doc_id -> [title, rows, provider types]."""
        if self._docs is None:
            self._docs = json.loads((self.path / "docs.json").read_text())
        return self._docs

    def row_table(self) -> dict[str, list]:
        """What the writer compares against: ids, content hashes, (source, file hash, doc)."""
        return json.loads((self.path / "rows.json").read_text())

    def record(self, row: int) -> tuple[str, str, dict[str, Any]]:
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        cid, text, meta = json.loads(self._data[start:end])
        return cid, text, meta

    def chunk(self, row: int) -> Chunk:
        return chunk_from_record(*self.record(row))


def stored_unit_vectors(segments: Sequence[Segment], texts: Sequence[str]
                        ) -> dict[str, np.ndarray]:
    """unit text -> its vector (float16, as stored) for those ``texts`` one of ``segments``
    holds; each text is hashed once and looked up segment by segment until all are found."""
    wanted = list(dict.fromkeys(texts))
    keys = np.fromiter((unit_key(t) for t in wanted), dtype=np.uint64, count=len(wanted))
    out: dict[str, np.ndarray] = {}
    for segment in segments:
        if not wanted:
            break
        found, vecs = segment.unit_vectors(keys)
        if not found.any():
            continue
        out.update(zip((t for t, f in zip(wanted, found) if f), vecs))
        wanted = [t for t, f in zip(wanted, found) if not f]
        keys = keys[~found]
    return out


class View:
    """One segment as a state sees it: the segment and the rows the state retired from it."""

    def __init__(self, segment: Segment, dead: Sequence[int]):
        self.segment = segment
        self.dead = np.zeros(segment.rows, dtype=bool)
        if len(dead):
            self.dead[np.asarray(dead, dtype=np.int64)] = True
        self.n_dead = int(self.dead.sum())
        self.live_rows = np.flatnonzero(~self.dead) if self.n_dead else None

    @property
    def live(self) -> int:
        return self.segment.rows - self.n_dead

    def rows(self) -> np.ndarray:
        return self.live_rows if self.live_rows is not None else np.arange(self.segment.rows)

    def is_live(self, row: int) -> bool:
        return 0 <= row < self.segment.rows and not self.dead[row]


class ChunkView(Sequence):
    """The state's live chunks as a read-only sequence, decoded when touched."""

    def __init__(self, views: Sequence[View]):
        self.views = list(views)
        self._ends = np.cumsum([v.live for v in self.views]) if self.views else np.zeros(0)

    def __len__(self) -> int:
        return int(self._ends[-1]) if len(self._ends) else 0

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        s = int(np.searchsorted(self._ends, i, side="right"))
        before = int(self._ends[s - 1]) if s else 0
        view = self.views[s]
        return view.segment.chunk(int(view.rows()[i - before]))

    def __iter__(self) -> Iterator[Chunk]:
        for view in self.views:
            for row in view.rows():
                yield view.segment.chunk(int(row))


class DocFreq(Mapping):
    """term -> number of live chunks holding it (computed once per term, then remembered)."""

    def __init__(self, views: Sequence[View]):
        self.views = views
        self._cache: dict[str, int] = {}

    def __getitem__(self, term: str) -> int:
        if term not in self._cache:
            df = 0
            for v in self.views:
                tid = v.segment.vocab.get(term)
                if tid is None:
                    continue
                a, b = int(v.segment.indptr[tid]), int(v.segment.indptr[tid + 1])
                df += (b - a) if not v.n_dead else int(
                    np.count_nonzero(~v.dead[v.segment.postings[a:b]]))
            self._cache[term] = df
        if not self._cache[term]:
            raise KeyError(term)
        return self._cache[term]

    def get(self, term, default=None):
        try:
            return self[term]
        except KeyError:
            return default

    def __contains__(self, term) -> bool:
        return self.get(term) is not None

    def __iter__(self):
        seen: set[str] = set()
        for v in self.views:
            for t in v.segment.vocab:
                if t not in seen and t in self:
                    seen.add(t)
                    yield t

    def __len__(self) -> int:
        return sum(1 for _ in self)


class LexicalIndex:
    """BM25 over the live rows of a state's segments (or, for tests, over chunks in memory)."""

    def __init__(self, chunks_or_views: Sequence[Chunk] | Sequence[View] = ()):
        items = list(chunks_or_views)
        self._tmp = None
        if items and isinstance(items[0], Chunk):  # an in-memory index over a list of chunks
            import tempfile

            self._tmp = tempfile.TemporaryDirectory(prefix="pma-lexical-")
            path = Path(self._tmp.name) / "segment"
            write_segment(path, items, [chunk_metadata(c) for c in items], ["" for _ in items])
            items = [View(Segment(path), [])]
        self.views: list[View] = [v for v in items if v.live]
        self.chunks = ChunkView(self.views)
        self.doc_freq = DocFreq(self.views)
        self.n = len(self.chunks)
        total = sum(float(v.segment.doclen.sum() - (v.segment.doclen[v.dead].sum()
                                                     if v.n_dead else 0)) for v in self.views)
        self.avgdl = total / self.n if self.n else 1.0

    def unit_vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ``texts`` that are quotable units of the state's chunks
        (core/units.py); the rest are not in the result."""
        return stored_unit_vectors([v.segment for v in self.views], texts)

    def search(self, question: str, k: int) -> list[tuple[Chunk, float]]:
        return [(v.segment.chunk(row), s) for v, row, s in self.search_rows(question, k)]

    def search_rows(self, question: str, k: int) -> list[tuple[View, int, float]]:
        counts = Counter(tokens(question, expand=True))
        if not counts or not self.n:
            return []
        weights = {t: n * _idf(df, self.n) for t, n in counts.items()
                   if (df := self.doc_freq.get(t, 0))}
        if not weights:
            return []
        norm0, norm1 = K1 * (1 - B), K1 * B / self.avgdl
        hits: list[tuple[float, int, int]] = []
        for s, v in enumerate(self.views):
            seg = v.segment
            scores = None
            for term, w in weights.items():
                tid = seg.vocab.get(term)
                if tid is None:
                    continue
                a, b = int(seg.indptr[tid]), int(seg.indptr[tid + 1])
                rows = seg.postings[a:b]
                tf = seg.tf[a:b]
                if scores is None:
                    scores = np.zeros(seg.rows, dtype=np.float32)
                scores[rows] += w * tf / (tf + norm0 + norm1 * seg.doclen[rows])
            if scores is None:
                continue
            if v.n_dead:
                scores[v.dead] = 0.0
            top = np.argpartition(-scores, min(k, seg.rows - 1))[:k] if seg.rows > k \
                else np.arange(seg.rows)
            hits += [(float(scores[r]), s, int(r)) for r in top if scores[r] > 0]
        hits.sort(key=lambda h: (-h[0], h[1], h[2]))
        return [(self.views[s], row, score) for score, s, row in hits[:k]]


def _idf(df: int, n: int) -> float:
    import math

    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class PageTexts(Mapping):
    """doc_id -> the indexed text of that page (its live chunks in order), built when asked."""

    def __init__(self, index: LexicalIndex):
        self.index = index

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        out = []
        for v in self.index.views:
            entry = v.segment.docs.get(doc_id)
            if entry:
                out += [v.segment.chunk(r) for r in entry[1] if not v.dead[r]]
        return sorted(out, key=lambda c: c.ordinal)

    def __getitem__(self, doc_id: str) -> str:
        chunks = self.chunks_of(doc_id)
        if not chunks:
            raise KeyError(doc_id)
        return "\n\n".join(c.text for c in chunks)

    def __iter__(self):
        return iter(live_docs(self.index))

    def __len__(self) -> int:
        return len(live_docs(self.index))


def live_docs(index: LexicalIndex) -> dict[str, tuple[str, list[str]]]:
    """doc_id -> (title, provider types) of every page with a live chunk."""
    out: dict[str, tuple[str, list[str]]] = {}
    for v in index.views:
        for doc_id, (title, rows, ptypes) in v.segment.docs.items():
            if not v.n_dead or not v.dead[rows].all():
                prev = out.get(doc_id)
                out[doc_id] = (title, sorted(set(ptypes) | set(prev[1] if prev else [])))
    return out

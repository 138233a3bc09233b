"""Warm query latency (retrieve + answer + verify + rules) of the assistant beside a plain
LangChain + Chroma dense-only pipeline on the same queries in the same run; on the shipped corpus
and on a large synthetic index; plus cold start to first answer and serving memory.

Targets (2 cores, extractive): p95 < 30 ms on the default corpus, < 100 ms at 100k chunks;
cold start < 8 s; serving memory < 1.2 GB.
Usage: python bench/query_bench.py [--large 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.pipeline import Assistant  # noqa: E402
from bench.synthetic import write_corpus  # noqa: E402
from core.embeddings import get_embeddings  # noqa: E402
from core.lexical import write_segment  # noqa: E402
from core.settings import Settings  # noqa: E402
from core.store import (  # noqa: E402
    IndexStore,
    SegmentRef,
    chunk_metadata,
    fingerprint,  # noqa: E402
    row_id,
)
from ingest.build import ingest  # noqa: E402
from ingest.chunk import chunk_document  # noqa: E402
from ingest.load import iter_files, load_document  # noqa: E402


def questions() -> list[str]:
    out = []
    for name in ("answerable.jsonl", "billing.jsonl", "unanswerable.jsonl"):
        path = ROOT / "evals" / "datasets" / "seed" / name
        if path.exists():
            out += [json.loads(line)["question"] for line in path.open() if line.strip()]
    return out or ["Who can prescribe lactation DME?", "Can an IBCLC bill Medi-Cal directly?"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, qs: list[str], repeat: int) -> list[float]:
    for q in qs[:5]:
        fn(q)  # warm-up
    out = []
    for _ in range(repeat):
        for q in qs:
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
    return out


def baseline(settings: Settings):
    """Plain LangChain: RecursiveCharacterTextSplitter, Chroma, same model, dense top-k."""
    import frontmatter
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    texts = [frontmatter.load(p).content for p in iter_files(settings.corpus)]
    docs = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=100).create_documents(
        texts)
    store = Chroma.from_documents(docs, get_embeddings(settings.embedding),
                                  collection_name="baseline_bench")
    return lambda q: store.similarity_search(q, k=settings.retrieval.top_k)[0].page_content


def report(name: str, ours: list[float], base: list[float] | None) -> None:
    line = f"{name:<28} ours p50 {pct(ours, .5):6.1f} ms  p95 {pct(ours, .95):6.1f} ms"
    if base:
        line += (f"   baseline p50 {pct(base, .5):6.1f} ms  p95 {pct(base, .95):6.1f} ms"
                 f"   ratio p95 {pct(ours, .95) / pct(base, .95):4.2f}x")
    print(line)


def build_large(settings: Settings, n_chunks: int, real: int = 4000) -> None:
    """A large index: real chunks of synthetic pages; vectors of the first ``real`` are
    computed by the model, the rest reuse them with small noise (index size is what matters)."""
    import numpy as np

    folder = settings.index_dir.parent / "large_corpus"
    chunks = []
    pages = 0
    while len(chunks) < n_chunks:
        batch = write_corpus(folder, 200, seed=pages)
        for path in batch:
            _, cs = chunk_document(load_document(path), settings.chunking)
            for c in cs:
                chunks.append(c.model_copy(update={
                    "chunk_id": f"p{pages}-{c.chunk_id}", "doc_id": f"p{pages}-{c.doc_id}"}))
        pages += 1
        shutil.rmtree(folder)
    for path in iter_files(Settings().corpus):  # the real page too, so rules resolve
        chunks[: 0] = chunk_document(load_document(path), settings.chunking)[1]
    chunks = chunks[:n_chunks]
    emb = get_embeddings(settings.embedding)
    base = np.array(emb.embed_documents([c.embed_text() for c in chunks[:real]]), dtype="float32")
    rng = np.random.default_rng(0)
    store = IndexStore(settings)
    gen = store.new_generation(fingerprint(settings))
    store.create_segment(gen.name, gen.fingerprint)  # one segment holding every row
    for i in range(0, len(chunks), 2000):
        part = chunks[i:i + 2000]
        vecs = base[[j % real for j in range(i, i + len(part))]]
        vecs = vecs + rng.normal(0, 0.02, vecs.shape).astype("float32")
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        store.add(gen.name, [row_id(c.chunk_id, i + j) for j, c in enumerate(part)],
                  [c.text for c in part], [chunk_metadata(c) for c in part], vecs.tolist())
    write_segment(store.segments_dir / gen.name, chunks, [chunk_metadata(c) for c in chunks],
                  [""] * len(chunks))
    gen.segments = [SegmentRef(gen.name, len(chunks))]
    store.switch(gen)
    return gen.name


def large_baseline(settings: Settings, collection: str):
    """Plain LangChain dense top-k over the very same Chroma collection."""
    from langchain_chroma import Chroma

    store = Chroma(client=IndexStore(settings).client, collection_name=collection,
                   embedding_function=get_embeddings(settings.embedding))
    return lambda q: store.similarity_search(q, k=settings.retrieval.top_k)[0].page_content


COLD = """
import time, sys; t = time.perf_counter(); sys.path.insert(0, {root!r})
from core.settings import Settings; from assistant.interfaces.startup import open_assistant
a = open_assistant(Settings(index_dir={index!r}, data_dir={data!r}), progress=False)
a.ask("Who can prescribe lactation DME?")
first = time.perf_counter() - t
for q in ["Can an IBCLC bill Medi-Cal directly?", "What breast pumps can members get?"] * 20:
    a.ask(q)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(first, hwm)  # VmHWM: this process's own peak RSS (ru_maxrss would carry the parent's)
"""


def serving_process(index: Path, data: Path) -> tuple[float, float]:
    """Cold start to first answer (s) and peak RSS after 40 more answers (MB), measured in a
    fresh process that only serves."""
    out = subprocess.run(
        [sys.executable, "-c", COLD.format(root=str(ROOT), index=str(index), data=str(data))],
        capture_output=True, text=True, check=True).stdout.split()
    return float(out[-2]), int(out[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=100_000, help="chunks in the large index")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pma-qbench-"))
    try:
        settings = Settings(index_dir=tmp / "index", data_dir=tmp / "var")
        ingest(settings.corpus, settings, progress=False)
        qs = questions()
        assistant = Assistant.from_settings(settings, audit=None)
        ours = timed(lambda q: assistant.ask(q), qs, args.repeat)
        base = timed(baseline(settings), qs, args.repeat)
        print(f"queries: {len(qs)} x {args.repeat} (warm)")
        report("default corpus (extractive)", ours, base)

        seconds, rss = serving_process(settings.index_dir, settings.data_dir)
        print(f"serving process, default corpus: cold start to first answer {seconds:.2f} s "
              f"(target < 8 s); peak RSS {rss:.0f} MB (target < 1200 MB)")

        if args.large:
            large = Settings(index_dir=tmp / "large", data_dir=tmp / "var")
            t = time.perf_counter()
            collection = build_large(large, args.large)
            print(f"large index: {args.large} chunks built in {time.perf_counter() - t:.0f} s")
            t = time.perf_counter()
            big = Assistant.from_settings(large, audit=None)
            print(f"large index load (memory-mapped segments): {time.perf_counter() - t:.1f} s")
            report(f"{args.large} chunks (extractive)", timed(lambda q: big.ask(q), qs, 2),
                   timed(large_baseline(large, collection), qs, 2))
            del big
            seconds, rss = serving_process(large.index_dir, large.data_dir)
            print(f"serving process, {args.large} chunks: cold start to first answer "
                  f"{seconds:.2f} s; peak RSS {rss:.0f} MB")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this benchmark process: {rss:.0f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

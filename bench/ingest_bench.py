"""Ingest throughput beside raw embedding throughput of the same model on the same texts, and the
re-ingest time of an unchanged corpus — measured in one run, printed as figures and ratios.

Targets: pipeline overhead over raw embedding < 15%; unchanged re-ingest >= 50x faster.
Usage: python bench/ingest_bench.py [--pages 120]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.synthetic import write_corpus  # noqa: E402
from core.embeddings import get_embeddings  # noqa: E402
from core.settings import Settings  # noqa: E402
from ingest.build import ingest  # noqa: E402
from ingest.chunk import chunk_document  # noqa: E402
from ingest.load import iter_files, load_document  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "corpus"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=120)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pma-bench-"))
    try:
        corpus = tmp / "corpus"
        write_corpus(corpus, args.pages)
        shutil.copy(next(SEED.glob("*.txt")), corpus)
        settings = Settings(index_dir=tmp / "index", data_dir=tmp / "var", corpus=[corpus])
        embedder = get_embeddings(settings.embedding)
        texts = []
        for path in iter_files([corpus]):
            _, chunks = chunk_document(load_document(path), settings.chunking)
            texts += [c.embed_text(settings.chunking.embed_prefix) for c in chunks]
        embedder.embed_documents(texts[:64])  # load and warm the model outside the timings

        t = time.perf_counter()
        for i in range(0, len(texts), 64):
            embedder.embed_documents(texts[i:i + 64])
        raw1 = time.perf_counter() - t

        t = time.perf_counter()
        report = ingest([corpus], settings, progress=False, embedder=embedder)
        first = time.perf_counter() - t

        t = time.perf_counter()
        for i in range(0, len(texts), 64):
            embedder.embed_documents(texts[i:i + 64])
        raw2 = time.perf_counter() - t
        raw = (raw1 + raw2) / 2

        t = time.perf_counter()
        again = ingest([corpus], settings, progress=False, embedder=embedder)
        reingest = time.perf_counter() - t
        assert again.added == 0, "unchanged corpus re-embedded"

        n = report.added
        print(f"corpus: {report.documents} pages, {n} chunks")
        print(f"raw embedding      : {raw:7.2f} s  {n / raw:8.1f} chunks/s "
              f"(two runs: {raw1:.2f} s, {raw2:.2f} s)")
        print(f"ingest (first)     : {first:7.2f} s  {n / first:8.1f} chunks/s")
        print(f"pipeline overhead  : {100 * (first / raw - 1):6.1f} %   (target < 15 %)")
        print(f"re-ingest unchanged: {reingest:7.3f} s  -> {first / reingest:6.1f}x faster "
              "(target >= 50x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

"""What the index costs as the manual grows: at each size, a one-page change (embedded Chroma and a
Chroma server), cold start to first answer, serving memory and warm p95, beside the plain
LangChain dense-only baseline; and, with ``--old-tree DIR`` (a copy of the previous code, e.g.
``git archive <commit> | tar -x -C DIR``), the previous design measured the same way in the same
run, printed under ``previous_*`` keys.

The bulk of each index is written through the real ingest (synthetic pages in the site's text
format + the shipped lactation page) with a cheap deterministic embedder (token-hash vectors,
384-d), so the bench measures the index, not the model; the one changed page is embedded by the
real model, and that embedding time is reported apart (``embed_s``) and not counted in
``one_page_change_s``. Queries embed with the real model. ``p95_ms`` is a whole answer (retrieve,
answer, verify, rules, extractive answerer); ``retrieve_p95_ms`` the hybrid retrieval alone, the
figure to hold beside ``baseline_p95_ms`` (LangChain ``Chroma.similarity_search``, dense top-k,
over the state's largest collection, same model).

Targets at 100,000 chunks: one-page change <= 5 s beyond embedding (both stores); cold start
<= 5 s; serving memory <= 1,000 MB; warm p95 <= 50 ms.
Usage: python bench/index_bench.py [--sizes 1000,10000,100000] [--json] [--old-tree DIR]
       [--no-server] [--repeat 2]
Ends (with --json) with one JSON object per size, one a line.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent.parent
_CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv else _HERE
sys.path.insert(0, str(_CODE))  # the code under test: this tree, or --code (the previous one)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import zlib  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

try:  # this tree; an older one (--code) had these modules in assistant/
    from core.embeddings import get_embeddings  # noqa: E402
    from core.settings import Settings  # noqa: E402
    from core.store import IndexStore  # noqa: E402
except ImportError:
    from assistant.embeddings import get_embeddings  # noqa: E402
    from assistant.settings import Settings  # noqa: E402
    from assistant.store import IndexStore  # noqa: E402
from ingest.build import ingest  # noqa: E402

SEED_PAGE = _HERE / "corpus" / "lactation-education-and-support-services.txt"
KEYS = ("one_page_change_s", "one_page_change_server_s", "embed_s", "cold_start_s", "rss_mb",
        "p95_ms", "retrieve_p95_ms", "baseline_p95_ms", "build_s", "one_page_change_steps",
        "one_page_change_server_steps")


class HashEmbedder:
    """Cheap and deterministic: the normalised sum of one fixed random vector per word."""

    def __init__(self, dim: int = 384):
        self.dim = dim
        self._vectors: dict[str, np.ndarray] = {}

    def _word(self, word: str) -> np.ndarray:
        vec = self._vectors.get(word)
        if vec is None:
            rng = np.random.default_rng(zlib.crc32(word.encode()))
            vec = self._vectors[word] = rng.standard_normal(self.dim).astype(np.float32)
        return vec

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out = []
        for text in texts:
            words = text.lower().split()[:200] or ["empty"]
            v = np.sum([self._word(w) for w in words], axis=0)
            out.append((v / (np.linalg.norm(v) or 1.0)).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class TimedEmbedder:
    """The real model, timing what it embeds."""

    def __init__(self, inner):
        self.inner, self.seconds, self.count = inner, 0.0, 0

    def embed_documents(self, texts):
        t = time.perf_counter()
        out = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - t
        self.count += len(texts)
        return out

    def embed_query(self, text):
        return self.inner.embed_query(text)


def write_pages(folder: Path, chunks: int) -> tuple[list[Path], int]:
    """Synthetic pages (about ``chunks`` chunks with the real page) and their number."""
    from bench.synthetic import write_corpus

    per_page = 4.52  # measured on the synthetic generator with the default chunking
    pages = max(1, int(round((chunks - 7) / per_page)))
    paths = write_corpus(folder, pages, seed=11)
    shutil.copy(SEED_PAGE, folder / SEED_PAGE.name)
    return paths, pages


def edit_page(path: Path, i: int) -> None:
    from bench.synthetic import page

    path.write_text(page(i, random.Random(99_000 + i)))


def questions() -> list[str]:
    out = []
    for name in ("answerable.jsonl", "billing.jsonl", "unanswerable.jsonl"):
        path = _HERE / "evals" / "datasets" / "seed" / name
        if path.exists():
            out += [json.loads(line)["question"] for line in path.open() if line.strip()]
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def timed(fn, qs: list[str], repeat: int) -> list[float]:
    for q in qs[:5]:
        fn(q)
    out = []
    for _ in range(repeat):
        for q in qs:
            t = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - t) * 1000)
    return out


COLD = """
import time, sys; t = time.perf_counter(); sys.path.insert(0, {root!r})
try: from core.settings import Settings
except ImportError: from assistant.settings import Settings
from assistant.pipeline import Assistant
s = Settings(index_dir={index!r}, data_dir={data!r})
import inspect  # an older tree (--old-tree) built a missing index unless told not to
kw = dict(build_if_missing=False) if 'build_if_missing' in inspect.signature(Assistant.from_settings).parameters else {{}}
a = Assistant.from_settings(s, **kw)
a.ask("Who can prescribe lactation DME?")
first = time.perf_counter() - t
for q in ["Can an IBCLC bill Medi-Cal directly?", "What breast pumps can members get?"] * 20:
    a.ask(q)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(first, hwm)
"""


def serving_process(settings: Settings, runtime: str | None = None) -> tuple[float, float]:
    """Cold start to first answer (s) and this process's peak RSS after 40 more answers (MB).

    ``runtime`` sets the embedding runtime of the serving process (PMA_EMBEDDING__RUNTIME)."""
    script = COLD.format(root=str(_CODE), index=str(settings.index_dir),
                         data=str(settings.data_dir))
    env = dict(os.environ)
    if runtime:
        env["PMA_EMBEDDING__RUNTIME"] = runtime
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=str(_CODE), env=env).stdout.split()
    return float(out[-2]), int(out[-1]) / 1024


def biggest_collection(settings: Settings) -> str:
    gen = IndexStore(settings).current()
    segments = getattr(gen, "segments", None)
    return max(segments, key=lambda s: s.rows).name if segments else gen.name


def warm_p95(settings: Settings, repeat: int) -> tuple[float, float, float]:
    from langchain_chroma import Chroma

    from assistant.pipeline import Assistant

    qs = questions()
    assistant = Assistant.from_settings(settings, audit=None)
    ours = timed(lambda q: assistant.ask(q), qs, repeat)
    retrieve = timed(lambda q: assistant.retriever.passages(q), qs, repeat)
    store = Chroma(client=IndexStore(settings).client,
                   collection_name=biggest_collection(settings),
                   embedding_function=get_embeddings(settings.embedding))
    k = settings.retrieval.top_k
    base = timed(lambda q: store.similarity_search(q, k=k), qs, repeat)
    return pct(ours, .95), pct(base, .95), pct(retrieve, .95)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, path: Path):
        self.port = free_port()
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        self.log = open(path.parent / "chroma.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1)
                return
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("chroma server did not start") from None
                time.sleep(0.3)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)
        self.log.close()


def one_page_change(settings: Settings, corpus: Path, pages: int, model, n: int) -> dict:
    """Build the index (cheap vectors), then time an ingest after one page was edited."""
    t = time.perf_counter()
    built = ingest([corpus], settings, progress=False, embedder=HashEmbedder())
    build_s = time.perf_counter() - t
    i = pages // 2
    edit_page(corpus / f"synthetic-{i:05d}.txt", i + n)
    embedder = TimedEmbedder(model)
    marks: list[tuple[str, float]] = []
    t = time.perf_counter()
    report = ingest([corpus], settings, progress=False, embedder=embedder,
                    on_stage=lambda stage: marks.append((stage, time.perf_counter())))
    total = time.perf_counter() - t
    # where the change's time went: seconds from the previous stage call (or the start) to each
    steps, last = {}, t
    for stage, at in marks:
        name = stage.split(":")[0]
        steps[name] = round(steps.get(name, 0.0) + at - last, 3)
        last = at
    steps["after_switch"] = round(t + total - last, 3)
    # the changed chunks, then the quotable units whose text is new (a design that stores unit
    # vectors embeds them at ingest instead of at query time; the previous one has none)
    units = getattr(report, "units_embedded", 0)
    assert report.switched and report.added + units == embedder.count > 0, report.summary()
    return {"chunks": built.chunks, "build_s": build_s, "total_s": total,
            "embed_s": embedder.seconds, "change_s": total - embedder.seconds,
            "embedded": embedder.count, "units_embedded": units, "steps": steps}


def measure(n: int, tmp: Path, model, repeat: int, server: bool) -> dict:
    corpus = tmp / "corpus"
    _, pages = write_pages(corpus, n)
    settings = Settings(index_dir=tmp / "index", data_dir=tmp / "var", corpus=[corpus])
    change = one_page_change(settings, corpus, pages, model, n)
    out = {"chunks": change["chunks"], "one_page_change_s": round(change["change_s"], 3),
           "embed_s": round(change["embed_s"], 3), "build_s": round(change["build_s"], 1),
           "one_page_change_steps": change["steps"]}
    cold, rss = serving_process(settings)
    out.update(cold_start_s=round(cold, 2), rss_mb=round(rss))
    if "runtime" in type(settings.embedding).model_fields:  # this tree has the ONNX runtime
        cold, rss = serving_process(settings, "torch")
        out.update(cold_start_torch_s=round(cold, 2), rss_torch_mb=round(rss))
    p95, base, retrieve = warm_p95(settings, repeat)
    out.update(p95_ms=round(p95, 1), baseline_p95_ms=round(base, 1),
               retrieve_p95_ms=round(retrieve, 1))
    if server:
        srv = Server(tmp / "chroma-server")
        try:
            remote = Settings(index_dir=tmp / "index-server", data_dir=tmp / "var",
                              corpus=[corpus], chroma_url=srv.url)
            change = one_page_change(remote, corpus, pages, model, n + 1)
            out["one_page_change_server_s"] = round(change["change_s"], 3)
            out["one_page_change_server_steps"] = change["steps"]
        finally:
            srv.stop()
    return out


def run_previous(old_tree: Path, sizes: list[int], repeat: int, server: bool) -> dict[int, dict]:
    """The same measurements on the previous code, in a child process (its own imports)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--code", str(old_tree), "--json",
           "--sizes", ",".join(map(str, sizes)), "--repeat", str(repeat)]
    cmd += [] if server else ["--no-server"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(old_tree))
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit("the previous design's run failed")
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return {size: row for size, row in zip(sizes, rows)}


def line(label: str, row: dict) -> str:
    server = row.get("one_page_change_server_s")
    return (f"{label:<10} {row['chunks']:>7} chunks: one-page change "
            f"{row['one_page_change_s']:7.2f} s"
            f" (server {server if server is not None else '-':>6} s; + {row['embed_s']:.2f} s "
            f"embedding) | cold start {row['cold_start_s']:5.2f} s | RSS {row['rss_mb']:5.0f} MB"
            + (f" (model on torch: {row['cold_start_torch_s']:.2f} s, {row['rss_torch_mb']} MB)"
               if "cold_start_torch_s" in row else "")
            + f" | p95 answer {row['p95_ms']:5.1f} ms, retrieval {row['retrieve_p95_ms']:5.1f} ms"
            f" (baseline {row['baseline_p95_ms']:5.1f} ms)"
            f" | bulk build {row['build_s']:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--json", action="store_true", help="end with one JSON line per size")
    parser.add_argument("--old-tree", type=Path, help="a copy of the previous code to compare")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-server", action="store_true", help="skip the Chroma server runs")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    previous = run_previous(args.old_tree.resolve(), sizes, args.repeat, not args.no_server) \
        if args.old_tree else {}
    model = get_embeddings(Settings().embedding)
    model.embed_documents(["warm up"])
    results = []
    for n in sizes:
        tmp = Path(tempfile.mkdtemp(prefix=f"pma-ibench-{n}-"))
        try:
            row = measure(n, tmp, model, args.repeat, not args.no_server)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if n in previous:
            row.update({f"previous_{k}": previous[n][k] for k in KEYS if k in previous[n]})
        results.append(row)
        print(line("now", row), flush=True)
        if n in previous:
            print(line("previous", previous[n]), flush=True)
    if args.json:
        for row in results:
            print(json.dumps(row))


if __name__ == "__main__":
    main()

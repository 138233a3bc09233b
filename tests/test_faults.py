"""The index under faults, on real Chroma with the real model:

- ``kill -9`` of an ingest at every on_stage call and at random moments (>= 20 kills): each time
  the index still opens and answers, holds exactly the old or the new pages (never a mix), and a
  new ingest completes;
- two ingests at once: the second is refused with a clear message and a non-zero exit code, the
  first completes;
- a Chroma server that stops and comes back: answers say the index is unavailable (no exception),
  then the same Assistant answers again.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.index import LoadedIndex
from assistant.interfaces.startup import open_assistant
from assistant.pipeline import Assistant
from assistant.rules import RuleChecker
from bench.synthetic import page as synthetic_page
from bench.synthetic import write_corpus
from core.settings import ChunkingSettings
from core.store import IndexStore
from core.units import unit_texts
from ingest.build import ingest
from ingest.chunk import chunk_document
from ingest.load import iter_files, load_document
from tests.conftest import ROOT, SEED, SEED_DOC, ChromaServer, make_settings

QUESTION = "What types of breast pumps can members obtain?"
SYNTHETIC_PAGES = 40
PAGES_CHANGED = 5  # per killed ingest: >= 10 chunks, embedded in batches of KILL_BATCH
KILL_BATCH = 3
# killed at the n-th stage call (new_generation, copied, embedded batches), once the units are
# embedded (the segment with their vectors not yet written) and at the last two
STAGE_KILLS = [1, 2, 3, 4, 5, 6, 7, "units_embedded", "before_switch", "switched"]
TIMED_KILLS = 14
CHILD_TIMEOUT_S = 300

CHILD = """\
import json, os, signal, sys, time
cfg = json.loads(sys.argv[1])
sys.path.insert(0, cfg["root"])
import ingest.build as build
from core.settings import Settings
build.EMBED_BATCH = cfg["batch"]  # more batches, more places to die
settings = Settings(index_dir=cfg["index"], data_dir=cfg["data"])
from core.embeddings import get_embeddings
get_embeddings(settings.embedding).embed_query("warm up")  # the kill lands in ingest work
calls = 0
def on_stage(stage):
    global calls
    calls += 1
    print(f"STAGE {calls} {stage} {time.monotonic() - t0:.3f}", flush=True)
    if cfg.get("gate") and calls == 1:
        deadline = time.monotonic() + 120
        while not os.path.exists(cfg["gate"]) and time.monotonic() < deadline:
            time.sleep(0.05)
    if calls == cfg.get("kill_at") or stage == cfg.get("kill_stage"):
        os.kill(os.getpid(), signal.SIGKILL)
print("READY", flush=True)
t0 = time.monotonic()
report = build.ingest([cfg["corpus"]], settings, progress=False, on_stage=on_stage)
print("DONE", report.switched, report.generation, flush=True)
"""


def child(settings, corpus: Path, **cfg) -> subprocess.Popen:
    cfg = {"root": str(ROOT), "index": str(settings.index_dir), "data": str(settings.data_dir),
           "corpus": str(corpus), "batch": KILL_BATCH, **cfg}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(cfg)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})


def expected_chunks(corpus: Path) -> dict[str, str]:
    """chunk_id -> text the index must hold once ``corpus`` is ingested."""
    out = {}
    for path in iter_files([corpus]):
        _, chunks = chunk_document(load_document(path), ChunkingSettings())
        out.update({c.chunk_id: c.text for c in chunks})
    return out


def indexed(index: LoadedIndex) -> dict[str, str]:
    return {c.chunk_id: c.text for c in index.chunks}


class KillLab:
    """A corpus (seed + synthetic pages) and its index; each round edits a few pages."""

    def __init__(self, tmp: Path, embedder):
        self.embedder = embedder
        self.corpus = tmp / "corpus"
        write_corpus(self.corpus, SYNTHETIC_PAGES)
        shutil.copy(SEED, self.corpus / SEED.name)
        self.settings = make_settings(tmp, corpus=[self.corpus])
        self.round = 0
        self.kills = 0
        self.killed_at: list[str] = []
        self.killed_generations: set[str] = set()  # made by the last killed ingest
        self.stage_calls: list[str] = []
        self.full_seconds = 0.0
        report = ingest([self.corpus], self.settings, progress=False, embedder=embedder)
        assert report.switched and not report.failures

    def edit_pages(self) -> None:
        self.round += 1
        rng = random.Random(1000 + self.round)
        for k in range(PAGES_CHANGED):
            i = (self.round * PAGES_CHANGED + k) % SYNTHETIC_PAGES
            (self.corpus / f"synthetic-{i:05d}.txt").write_text(synthetic_page(i, rng))

    def generations(self) -> set[str]:
        return set(IndexStore(self.settings).generation_names())

    def check_after_kill(self, before: dict[str, str], after: dict[str, str]) -> None:
        index = LoadedIndex(self.settings, embedder=self.embedder)
        assert indexed(index) in (before, after), "the index holds a mix of old and new chunks"
        rules = RuleChecker.load(self.settings.rules_dir, index)
        answer = Assistant(self.settings, index, rules=rules).ask(QUESTION)
        assert not answer.abstained, answer.answer
        assert answer.citations and answer.citations[0].doc_id == SEED_DOC
        report = ingest([self.corpus], self.settings, progress=False, embedder=self.embedder)
        assert not report.failures
        recovered = LoadedIndex(self.settings, embedder=self.embedder)
        assert indexed(recovered) == after
        units = list(dict.fromkeys(t for c in recovered.chunks for t in unit_texts(c)))
        assert len(recovered.lexical.unit_vectors(units)) == len(units), "a unit lost its vector"
        store = IndexStore(self.settings)
        names, current = set(store.generation_names()), store.current().name
        assert not (names & (self.killed_generations - {current})), "a half-built generation left"
        assert len(names) <= 3, names


@pytest.fixture(scope="module")
def lab(tmp_path_factory, embedder):
    return KillLab(tmp_path_factory.mktemp("kill_lab"), embedder)


def _read_until_exit(proc: subprocess.Popen) -> tuple[list[str], str]:
    out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
    return out.splitlines(), err


@pytest.mark.slow
def test_stage_calls_of_a_full_ingest(lab):
    """One ingest run to the end in a child: the stage calls to kill at, and how long it takes."""
    lab.edit_pages()
    after = expected_chunks(lab.corpus)
    proc = child(lab.settings, lab.corpus)
    lines, err = _read_until_exit(proc)
    assert proc.returncode == 0, err[-2000:]
    stages = [line.split() for line in lines if line.startswith("STAGE")]
    lab.stage_calls = [s[2] for s in stages]
    lab.full_seconds = float(stages[-1][3])
    assert lab.stage_calls[0] == "new_generation" and lab.stage_calls[-1] == "switched"
    assert sum(s.startswith("embedded:") for s in lab.stage_calls) >= 4, lab.stage_calls
    assert indexed(LoadedIndex(lab.settings, embedder=lab.embedder)) == after


@pytest.mark.slow
@pytest.mark.parametrize("call", STAGE_KILLS)
def test_kill_at_each_stage_call(lab, call):
    if not lab.stage_calls:
        pytest.skip("test_stage_calls_of_a_full_ingest did not run")
    before = indexed(LoadedIndex(lab.settings, embedder=lab.embedder))
    lab.edit_pages()
    after = expected_chunks(lab.corpus)
    assert after != before
    by_name = isinstance(call, str)
    names_before = lab.generations()
    proc = child(lab.settings, lab.corpus, **{"kill_stage" if by_name else "kill_at": call})
    lines, err = _read_until_exit(proc)
    if proc.returncode == 0:  # this round's pages made fewer batches: nothing to kill at
        pytest.skip(f"the ingest made fewer than {call} stage calls")
    assert proc.returncode == -signal.SIGKILL, (lines, err[-2000:])
    last = [line for line in lines if line.startswith("STAGE")][-1].split()
    assert (last[2] if by_name else int(last[1])) == call
    lab.kills += 1
    lab.killed_at.append(last[2])
    lab.killed_generations = lab.generations() - names_before
    lab.check_after_kill(before, after)


@pytest.mark.slow
@pytest.mark.parametrize("n", range(TIMED_KILLS))
def test_kill_at_a_random_moment(lab, n):
    if not lab.full_seconds:
        pytest.skip("test_stage_calls_of_a_full_ingest did not run")
    before = indexed(LoadedIndex(lab.settings, embedder=lab.embedder))
    lab.edit_pages()
    after = expected_chunks(lab.corpus)
    delay = random.Random(n).uniform(0.0, 0.9 * lab.full_seconds)
    names_before = lab.generations()
    proc = child(lab.settings, lab.corpus)
    assert proc.stdout.readline().strip() == "READY", proc.stderr.read()[-2000:]
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    lines, err = _read_until_exit(proc)
    if proc.returncode == 0:  # it finished first: no kill, but still a valid round
        pytest.skip(f"the ingest finished within {delay:.2f} s, before the kill")
    assert proc.returncode == -signal.SIGKILL, err[-2000:]
    stages = [line.split()[2] for line in lines if line.startswith("STAGE")]
    lab.kills += 1
    lab.killed_at.append(f"{delay:.2f}s after {stages[-1] if stages else 'start'}")
    lab.killed_generations = lab.generations() - names_before
    lab.check_after_kill(before, after)


@pytest.mark.slow
def test_at_least_twenty_kills_survived(lab):
    assert lab.kills >= 20, f"only {lab.kills} ingests were killed"
    print(f"\nkill -9 points survived: {lab.kills}: {'; '.join(lab.killed_at)}")


# ---- two writers -----------------------------------------------------------------------------
@pytest.mark.slow
def test_second_ingest_at_once_is_refused_and_the_first_completes(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    shutil.copy(SEED, corpus / SEED.name)
    settings = make_settings(tmp_path, corpus=[corpus])
    gate = tmp_path / "go"
    first = child(settings, corpus, gate=str(gate))
    try:
        assert first.stdout.readline().strip() == "READY"
        assert first.stdout.readline().startswith("STAGE 1 new_generation")  # holds the lock
        second = subprocess.run(
            [sys.executable, "-m", "ingest", str(corpus), "--index", str(settings.index_dir),
             "--quiet"], capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, cwd=ROOT,
            check=False, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    finally:
        gate.touch()
    assert second.returncode != 0
    assert "Another ingest is already running" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    lines, err = _read_until_exit(first)
    assert first.returncode == 0, err[-2000:]
    assert lines[-1].startswith("DONE True")
    assert indexed(LoadedIndex(settings, embedder=embedder)) == expected_chunks(corpus)


# ---- a Chroma server that goes away and comes back -------------------------------------------
@pytest.fixture
def own_chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-data")
    server.start()
    yield server
    server.stop()
    server.log.close()


@pytest.mark.server
def test_chroma_server_down_then_back_answers_again_without_rebuilding(
        tmp_path, embedder, own_chroma):
    settings = make_settings(tmp_path, chroma_url=own_chroma.url)
    ingest(settings.corpus, settings, progress=False, embedder=embedder)
    index = LoadedIndex(settings, embedder=embedder, refresh_seconds=0.0)
    assistant = Assistant(settings, index, rules=RuleChecker.load(settings.rules_dir, index))
    assert not assistant.ask(QUESTION).abstained

    own_chroma.stop()
    for question in (QUESTION, "Can an IBCLC bill Medi-Cal directly?"):
        down = assistant.ask(question)
        assert down.abstained and down.abstain_reason == "unavailable"
        assert "unavailable" in down.answer and "Chroma server" in down.answer
        assert not down.citations
    # what the interfaces show for it (their own rendering of the same Answer)
    from assistant.interfaces.slack_blocks import answer_message
    from assistant.interfaces.web import WebChat

    page = WebChat(settings, assistant).ask(QUESTION, [])
    assert "Manual index unavailable" in page["html"] and "Chroma server" in page["html"]
    fallback, _ = answer_message(assistant.ask(QUESTION))
    assert "unavailable" in fallback and "Try again" in fallback

    own_chroma.start()  # same port, same data folder
    back = assistant.ask(QUESTION)
    assert not back.abstained, back.answer
    assert back.citations and back.citations[0].doc_id == SEED_DOC


@pytest.mark.server
def test_assistant_started_while_chroma_is_down_answers_once_it_is_up(
        tmp_path, embedder, own_chroma):
    settings = make_settings(tmp_path, chroma_url=own_chroma.url)
    ingest(settings.corpus, settings, progress=False, embedder=embedder)
    own_chroma.stop()
    assistant = open_assistant(settings, progress=False)
    down = assistant.ask("Can an IBCLC bill Medi-Cal directly?")
    assert down.abstained and down.abstain_reason == "unavailable"

    own_chroma.start()
    back = assistant.ask("Can an IBCLC bill Medi-Cal directly?")
    assert not back.abstained, back.answer
    assert back.verdict is not None and back.verdict.verdict == "not_eligible"
    assert back.citations and back.citations[0].doc_id == SEED_DOC

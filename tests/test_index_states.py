"""The index as states of immutable segments, on real Chroma with the real model: a change writes
only what changed, readers hold leases and follow the pointer, cleanup removes what no reader
uses, the lexical side matches bm25s, and a kill -9 on the merge path leaves one state serving."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from assistant.index import LoadedIndex
from bench.synthetic import write_corpus
from core.errors import IndexMismatchError
from core.leases import Lease, leased_states
from core.lexical import LexicalIndex, Segment, View
from core.store import IndexStore, SegmentRef, fingerprint
from ingest import build
from ingest.build import ingest
from ingest.chunk import chunk_document
from ingest.load import load_document
from tests.conftest import ROOT, SEED, make_settings
from tests.test_build import NEMT_PAGE


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    write_corpus(folder, 4)
    shutil.copy(SEED, folder / SEED.name)
    (folder / "nemt-test.txt").write_text(NEMT_PAGE)
    return folder


def texts(index: LoadedIndex) -> dict[str, str]:
    return {c.chunk_id: c.text for c in index.chunks}


def test_a_one_page_change_writes_one_small_segment_and_copies_nothing(
        tmp_path, corpus, embedder):
    settings = make_settings(tmp_path, corpus=[corpus])
    ingest([corpus], settings, progress=False, embedder=embedder)
    store = IndexStore(settings)
    first = store.current()
    [big] = first.segments
    (corpus / "nemt-test.txt").write_text(NEMT_PAGE.replace("two business days", "ten days"))
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert report.added == 1 and report.switched
    state = store.current()
    assert [s.name for s in state.segments] == [big.name, state.name]
    old, new = state.segments
    assert len(old.dead) == 1 and old.rows == big.rows  # one row retired, none copied
    assert new.rows == 1 and store.count(new.name) == 1
    assert store.count(big.name) == big.rows  # the first segment was not touched
    index = LoadedIndex(settings, embedder=embedder)
    assert len(index.chunks) == big.rows
    assert any("ten days" in t for t in texts(index).values())
    assert not any("two business days" in t for t in texts(index).values())
    hits = index.dense_search("how many days before the visit to call for a ride", 3, None)
    assert all(h[0].chunk_id in texts(index) for h in hits)
    assert [c.text for c, _ in index.lexical.search("ten days ride", 1)] == [
        t for t in texts(index).values() if "ten days" in t]


def test_readers_follow_the_pointer_and_cleanup_waits_for_their_lease(
        tmp_path, corpus, embedder):
    settings = make_settings(tmp_path, corpus=[corpus])
    ingest([corpus], settings, progress=False, embedder=embedder)
    store = IndexStore(settings)
    reader = LoadedIndex(settings, embedder=embedder, refresh_seconds=0.0)
    first = reader.state
    page = corpus / "nemt-test.txt"
    for n, words in enumerate(["ten days", "eleven days", "twelve days"]):
        page.write_text(NEMT_PAGE.replace("two business days", words))
        ingest([corpus], settings, progress=False, embedder=embedder)
        if n == 0:  # the new page is absorbed into the next segment from here on
            assert first.name in store.generation_names()
    # the reader never refreshed: its state and every segment of it are still there
    assert first.name in store.generation_names()
    assert {s.name for s in first.segments} <= set(store._collections())
    assert any("two business days" in t for t in texts(reader).values())
    assert reader.dense_search("wheelchair van certification", 3, None)
    reader.maybe_refresh()  # picks up the newest state without a restart
    assert reader.generation == store.current().name
    assert any("twelve days" in t for t in texts(reader).values())
    page.write_text(NEMT_PAGE.replace("two business days", "thirteen days"))
    ingest([corpus], settings, progress=False, embedder=embedder)
    names = store.generation_names()
    assert first.name not in names and len(names) <= 3, names
    live = {s.name for n in names for s in store.state(n).segments}
    assert set(store._collections()) == live
    assert {p.name for p in store.segments_dir.iterdir()} == live


def test_a_killed_readers_lease_does_not_hold_cleanup(tmp_path):
    folder = tmp_path / "leases"
    script = textwrap.dedent(f"""\
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from core.leases import Lease
        lease = Lease(Path({str(folder)!r}), "base__g1")
        print("HELD", flush=True)
        sys.stdin.readline()
        """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "HELD"
    mine = Lease(folder, "base__g2")
    assert leased_states(folder) == {"base__g1", "base__g2"}
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert leased_states(folder) == {"base__g2"}
    assert len(list(folder.glob("*.lease"))) == 1
    mine.release()
    assert leased_states(folder) == set()


def test_an_index_of_the_previous_layout_asks_for_a_reingest(tmp_path, corpus, embedder):
    settings = make_settings(tmp_path, corpus=[corpus])
    settings.index_dir.mkdir(parents=True)
    old_fp = {**fingerprint(settings), "schema": 2}
    (settings.index_dir / "CURRENT.json").write_text(
        json.dumps({"current": "provider_manual__g1", "fingerprint": old_fp}))
    with pytest.raises(IndexMismatchError, match="Re-ingest"):
        LoadedIndex(settings, embedder=embedder)
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert report.switched and LoadedIndex(settings, embedder=embedder).chunks


def test_lexical_scores_match_bm25s_and_retired_rows_drop_out(tmp_path):
    import bm25s
    import numpy as np

    from core.lexical import doc_tokens
    from core.settings import ChunkingSettings

    chunks = []
    for path in write_corpus(tmp_path / "pages", 12):
        chunks += chunk_document(load_document(path), ChunkingSettings())[1]
    ours = LexicalIndex(chunks)
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(t, len(vocab)) for t in doc_tokens(c)] for c in chunks]
    ref = bm25s.BM25()
    ref.index(bm25s.tokenization.Tokenized(ids=ids, vocab=vocab), show_progress=False)
    for question in ("who must submit the treatment authorization request for dialysis",
                     "oxygen supply order within days", "hospice visit notes"):
        from core.textnorm import tokens

        q = [vocab[t] for t in tokens(question, expand=True) if t in vocab]
        expected = ref.get_scores(q)
        got = {c.chunk_id: s for c, s in ours.search(question, len(chunks))}
        for c, score in zip(chunks, expected):
            assert got.get(c.chunk_id, 0.0) == pytest.approx(float(score), rel=1e-4, abs=1e-5)
    # a segment with retired rows scores exactly like a fresh index of the live rows
    path = tmp_path / "seg"
    from core.lexical import write_segment
    from core.store import chunk_metadata

    write_segment(path, chunks, [chunk_metadata(c) for c in chunks], [""] * len(chunks))
    dead = list(range(0, len(chunks), 3))
    retired = LexicalIndex([View(Segment(path), dead)])
    fresh = LexicalIndex([c for i, c in enumerate(chunks) if i not in set(dead)])
    question = "physicians must notify Health Net about the supply order"
    a = [(c.chunk_id, round(s, 4)) for c, s in retired.search(question, 10)]
    b = [(c.chunk_id, round(s, 4)) for c, s in fresh.search(question, 10)]
    assert a == b and a
    assert len(retired.chunks) == len(chunks) - len(dead)
    assert retired.doc_freq.get("physician") == fresh.doc_freq.get("physician")
    assert np.isclose(retired.avgdl, fresh.avgdl)


def test_small_segments_are_absorbed_geometrically():
    segs = [SegmentRef("a", 10_000), SegmentRef("b", 300), SegmentRef("c", 40),
            SegmentRef("d", 5)]
    assert [s.name for s in build._absorbed(segs, 2)] == ["d"]  # 5 <= 4 * 2; 40 > 4 * 7
    assert [s.name for s in build._absorbed(segs, 5)] == ["d", "c"]
    assert [s.name for s in build._absorbed(segs, 60)] == ["d", "c", "b"]  # never the big one
    gone = SegmentRef("e", 4, dead=[0, 1, 2, 3])
    half = SegmentRef("f", 100, dead=list(range(60)))
    assert {s.name for s in build._absorbed([segs[0], half, gone, segs[1]], 1)} == {"e", "f"}
    many = [SegmentRef(f"s{i}", 10 ** (8 - i)) for i in range(9)]
    kept = [s for s in many if s not in build._absorbed(many, 1_000_000)]
    assert len(kept) + 1 <= build.MAX_SEGMENTS


MERGE_KILLER = textwrap.dedent("""\
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from core.settings import Settings
    import ingest.build as build
    build.MERGE_FACTOR = 1000  # every earlier segment but the first is absorbed: a merge
    settings = Settings(index_dir={index!r}, data_dir={data!r})
    def on_stage(stage):
        if stage == {stage!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    build.ingest([{corpus!r}], settings, progress=False, on_stage=on_stage)
    """)


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["copied", "segment_written", "before_switch", "switched"])
def test_killed_merge_leaves_the_old_or_the_new_state_serving(tmp_path, corpus, embedder,
                                                             stage, monkeypatch):
    settings = make_settings(tmp_path, corpus=[corpus])
    ingest([corpus], settings, progress=False, embedder=embedder)
    page = corpus / "nemt-test.txt"
    page.write_text(NEMT_PAGE.replace("Wheelchair", "Gurney"))
    ingest([corpus], settings, progress=False, embedder=embedder)  # a second, small segment
    store = IndexStore(settings)
    assert len(store.current().segments) == 2
    before = texts(LoadedIndex(settings, embedder=embedder))
    page.write_text(NEMT_PAGE.replace("Wheelchair", "Stretcher"))
    script = MERGE_KILLER.format(root=str(ROOT), index=str(settings.index_dir),
                                 data=str(settings.data_dir), corpus=str(corpus), stage=stage)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    after_kill = texts(LoadedIndex(settings, embedder=embedder))
    if stage == "switched":
        assert any("Stretcher" in t for t in after_kill.values())
    else:
        assert after_kill == before
    monkeypatch.setattr(build, "MERGE_FACTOR", 1000)
    ingest([corpus], settings, progress=False, embedder=embedder)
    state = store.current()
    index = LoadedIndex(settings, embedder=embedder)
    assert any("Stretcher" in t for t in texts(index).values())
    assert not any("Gurney" in t or "Wheelchair" in t for t in texts(index).values())
    assert len(state.segments) <= 2
    live = {s.name for n in store.generation_names() for s in store.state(n).segments}
    assert set(store._collections()) == live  # nothing the killed ingest made is left


@pytest.mark.server
def test_server_one_page_change_and_a_reader_on_another_machine(
        tmp_path, corpus, embedder, chroma_server):
    settings = make_settings(tmp_path, corpus=[corpus], chroma_url=chroma_server.url,
                             collection=f"t{os.getpid()}st")
    ingest([corpus], settings, progress=False, embedder=embedder)
    (corpus / "nemt-test.txt").write_text(NEMT_PAGE.replace("two business days", "ten days"))
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    store = IndexStore(settings)
    state = store.current()
    assert report.added == 1 and state.segments[-1].rows == 1
    # another machine: its own (empty) index folder, the same server
    elsewhere = make_settings(tmp_path / "other", chroma_url=chroma_server.url,
                              collection=settings.collection)
    remote = LoadedIndex(elsewhere, embedder=embedder)
    local = LoadedIndex(settings, embedder=embedder)
    assert texts(remote) == texts(local)
    assert (elsewhere.index_dir / "segments" / state.segments[0].name).is_dir()
    assert [c.chunk_id for c, _ in remote.lexical.search("ten days", 3)] == [
        c.chunk_id for c, _ in local.lexical.search("ten days", 3)]
    assert remote.dense_search("ride to the appointment", 3, None)

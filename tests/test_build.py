"""Ingest on real Chroma with the real model: structure kept, incremental, crash-safe."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from filelock import FileLock

from assistant.index import LoadedIndex
from core.errors import IndexMismatchError, IngestLockedError
from core.store import IndexStore
from ingest.build import ingest
from tests.conftest import ROOT, SEED, SEED_DOC, make_settings
from tests.support import CountingEmbedder

CHROME = ["Skip to Main Content", "Search in Medi-Cal", "minimum of 4 and maximum of 60",
          "Please wait while", "Search Results for", "Displaying 0 of 0"]

NEMT_PAGE = textwrap.dedent("""\
    ---
    url: https://example.test/medi-cal/provider-manual/transportation/nemt-test.html
    title: Transportation Test Page
    last_updated: 2025-03-01
    ---
    Transportation Test Page

    Members can get rides to covered appointments when they have no other way to travel.

    Requesting a Ride

    Call the transportation line at least two business days before the visit. Wheelchair vans
    need a physician certification statement on file.

    Last Updated: 03/01/2025
    """)


NEMT_DOC = "transportation/nemt-test"  # the page id: its URL path below /provider-manual/


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "nemt-test.txt").write_text(NEMT_PAGE)
    return folder


def test_seed_ingests_with_sections_lists_metadata_and_no_chrome(seed_index):
    store = IndexStore(seed_index)
    chunks = store.chunks(store.current().name)
    assert chunks, "no chunks indexed"
    for c in chunks:
        for chrome in CHROME:
            assert chrome not in c.text
        assert c.doc_id == SEED_DOC and c.last_updated == "2024-12-04"
        assert c.url.endswith("lactation-education-and-support-services.html")
        assert "Hospitals" in c.provider_types and c.line_of_business == "Medi-Cal"
        assert "Last Updated" not in c.text
    sections = {c.section for c in chunks}
    for heading in ["Billing for Lactation Education and Support Services",
                    "Referral for Lactation Education and Support Services through CPSP Providers",
                    "Referral for Lactation Education and Support Services by Non-CPSP Providers",
                    "Lactation Durable Medical Equipment", "Breastfeeding Promotion Toolkit"]:
        assert heading in sections
    dme = "\n".join(c.text for c in chunks if c.section == "Lactation Durable Medical Equipment")
    lead = "A mother or baby may need lactation DME for one or more of the following reasons:"
    assert lead + "\n• Mother and infant are separated due to hospitalization" in dme
    assert dme.count("• ") == 16  # 13 reasons + 3 pump types, each in the chunk of its lead-in
    pumps = [c for c in chunks if "Manual breast pump" in c.text][0]
    assert "may obtain the following types of breast pumps:" in pumps.text


def test_reingest_of_unchanged_corpus_embeds_nothing(tmp_path, corpus, embedder):
    settings = make_settings(tmp_path)
    first = CountingEmbedder(embedder)
    report = ingest([corpus], settings, progress=False, embedder=first)
    assert report.documents == 2 and report.added > 0 and not report.failures
    assert first.documents == report.added + report.units_embedded  # chunks, then their units
    assert report.units_embedded >= report.added
    again = CountingEmbedder(embedder)
    report2 = ingest([corpus], settings, progress=False, embedder=again)
    assert again.documents == 0 and report2.added == 0 and not report2.switched
    assert report2.unchanged == report.added


def test_edited_page_replaces_only_its_chunks_and_removed_page_disappears(
        tmp_path, corpus, embedder):
    settings = make_settings(tmp_path)
    ingest([corpus], settings, progress=False, embedder=embedder)
    page = corpus / "nemt-test.txt"
    page.write_text(NEMT_PAGE.replace("two business days", "three business days"))
    counter = CountingEmbedder(embedder)
    report = ingest([corpus], settings, progress=False, embedder=counter)
    assert report.added == 1 and report.removed == 0
    # the edited chunk, then only its units that are new text: unchanged sentences keep the
    # vectors stored with the older segment
    assert counter.documents == 1 + report.units_embedded and report.units_embedded >= 1
    assert all("three business days" in t for t in counter.texts[1:]), counter.texts
    store = IndexStore(settings)
    texts = [c.text for c in store.chunks(store.current().name)]
    assert any("three business days" in t for t in texts)
    assert not any("two business days" in t for t in texts)
    page.unlink()
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert report.removed == 2
    docs = {c.doc_id for c in store.chunks(store.current().name)}
    assert docs == {SEED_DOC}


def test_bad_files_are_reported_and_the_rest_ingested(tmp_path, corpus, embedder):
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.pdf").write_bytes(b"%PDF-1.7\n\x00\x01garbage" * 10)
    (corpus / "noise.html").write_bytes(bytes(range(256)) * 4)
    settings = make_settings(tmp_path)
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    failed = {os.path.basename(p) for p, _ in report.failures}
    assert {"empty.txt", "binary.pdf"} <= failed
    assert all(reason for _, reason in report.failures)
    assert report.documents >= 2
    store = IndexStore(settings)
    assert {c.doc_id for c in store.chunks(store.current().name)} >= {SEED_DOC, NEMT_DOC}


def test_a_failed_page_keeps_its_previous_chunks(tmp_path, corpus, embedder):
    settings = make_settings(tmp_path)
    ingest([corpus], settings, progress=False, embedder=embedder)
    (corpus / "nemt-test.txt").write_bytes(b"\x00\xff\x00binary now")
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert [os.path.basename(p) for p, _ in report.failures] == ["nemt-test.txt"]
    store = IndexStore(settings)
    assert NEMT_DOC in {c.doc_id for c in store.chunks(store.current().name)}


def test_second_writer_is_refused_with_a_clear_message(tmp_path, corpus, embedder):
    settings = make_settings(tmp_path)
    settings.index_dir.mkdir(parents=True)
    with FileLock(str(settings.index_dir / "ingest.lock")):
        with pytest.raises(IngestLockedError, match="Another ingest is already running"):
            ingest([corpus], settings, progress=False, embedder=embedder)


def test_other_chunking_settings_give_a_clear_error(tmp_path, corpus, embedder):
    settings = make_settings(tmp_path)
    ingest([corpus], settings, progress=False, embedder=embedder)
    other = make_settings(tmp_path, chunking={"max_chars": 600})
    with pytest.raises(IndexMismatchError, match="Re-ingest"):
        LoadedIndex(other, embedder=embedder)
    ingest([corpus], other, progress=False, embedder=embedder)  # a rebuild fixes it
    assert LoadedIndex(other, embedder=embedder).chunks


KILLER = textwrap.dedent("""\
    import os, signal, sys
    sys.path.insert(0, {root!r})
    from core.settings import Settings
    from ingest.build import ingest
    settings = Settings(index_dir={index!r}, data_dir={data!r})
    def on_stage(stage):
        if stage == {stage!r}:
            os.kill(os.getpid(), signal.SIGKILL)
    ingest([{corpus!r}], settings, progress=False, on_stage=on_stage)
    """)


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["new_generation", "copied", "embedded:1", "before_switch"])
def test_killed_ingest_leaves_the_previous_index_serving(tmp_path, corpus, embedder, stage):
    settings = make_settings(tmp_path)
    ingest([corpus], settings, progress=False, embedder=embedder)
    before = IndexStore(settings).current().name
    (corpus / "nemt-test.txt").write_text(NEMT_PAGE.replace("Wheelchair", "Gurney"))
    script = KILLER.format(root=str(ROOT), index=str(settings.index_dir),
                           data=str(settings.data_dir), corpus=str(corpus), stage=stage)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    index = LoadedIndex(settings, embedder=embedder)
    assert index.generation == before
    assert any("Wheelchair" in c.text for c in index.chunks)
    assert index.dense_search("wheelchair van certification", 3, None)
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert report.switched and not report.failures
    assert any("Gurney" in c.text for c in LoadedIndex(settings, embedder=embedder).chunks)


@pytest.mark.server
def test_server_mode_ingests_and_answers(tmp_path, corpus, embedder, chroma_server):
    settings = make_settings(tmp_path, chroma_url=chroma_server.url,
                             collection=f"t{os.getpid()}srv")
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert report.switched and report.documents == 2
    index = LoadedIndex(settings, embedder=embedder)
    hits = index.dense_search("Who can prescribe a breast pump?", 3, None)
    assert hits and hits[0][0].doc_id == SEED_DOC
    assert index.lexical.search("IBCLC", 3)
    again = CountingEmbedder(embedder)
    assert ingest([corpus], settings, progress=False, embedder=again).added == 0
    assert again.documents == 0
    assert not (tmp_path / "index" / "chroma").exists() or not any(
        (tmp_path / "index" / "chroma").iterdir())


def test_unchanged_files_are_not_parsed_again(tmp_path, corpus, embedder, monkeypatch):
    import ingest.build as build

    settings = make_settings(tmp_path)
    ingest([corpus], settings, progress=False, embedder=embedder)
    calls = []
    real = build.load_document
    monkeypatch.setattr(build, "load_document", lambda p, **kw: calls.append(p) or real(p, **kw))
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert calls == [] and report.documents == 2 and report.added == 0
    (corpus / "nemt-test.txt").write_text(NEMT_PAGE + "\n")  # bytes change, text does not
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert [p.name for p in calls] == ["nemt-test.txt"] and report.added == 0
    calls.clear()
    ingest([corpus], settings, progress=False, embedder=embedder)
    assert calls == []


def test_unchanged_ingest_also_drops_a_half_built_generation(tmp_path, corpus, embedder):
    from core.store import fingerprint

    settings = make_settings(tmp_path)
    ingest([corpus], settings, progress=False, embedder=embedder)
    store = IndexStore(settings)
    orphan = store.new_generation(fingerprint(settings)).name  # as a killed ingest leaves it
    assert orphan in store.generation_names()
    report = ingest([corpus], settings, progress=False, embedder=embedder)
    assert not report.switched and orphan not in store.generation_names()
    assert store.current().name in store.generation_names()


def test_ingest_cli_reports_failures_in_its_exit_code(tmp_path, corpus):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    index = tmp_path / "cli-index"
    cmd = [sys.executable, "-m", "ingest", str(corpus), "--index", str(index), "--quiet"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "2 documents" in proc.stdout and "FAILED" in proc.stdout and "broken.pdf" in proc.stdout
    assert "could not be ingested" in proc.stderr
    with FileLock(str(index / "ingest.lock")):
        locked = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert locked.returncode == 2 and "Another ingest is already running" in locked.stderr

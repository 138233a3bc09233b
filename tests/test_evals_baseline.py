"""The LangChain baseline: heading inference (pure) and a real build over the seed page."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.baseline import Baseline, find_headings, page_files, read_page, section_of
from evals.metrics import citation_validity

SEED = Path(__file__).resolve().parent.parent / "corpus" / "lactation-education-and-support-services.txt"

PAGE = """---
title: Vision Kits for Clinics
---
Skip to Main Content

Menu Search Help

Vision Kits for Clinics

Clinics may order a vision screening kit once a year.

Ordering a Vision Kit

Kits are ordered through the supply portal:

  • Open the portal
  • Choose Vision Kit Order Form

Returns: kits cannot be returned.

Replacing Lost Kits

A lost kit is replaced after the clinic files a short report.
"""


def test_find_headings_skips_chrome_lists_and_labels(tmp_path):
    path = tmp_path / "vision-kits.md"
    path.write_text(PAGE)
    doc_id, title, body = read_page(path)
    assert (doc_id, title) == ("vision-kits", "Vision Kits for Clinics")
    assert "title:" not in body and body.startswith("Skip to Main Content")
    heads = [h for _, h in find_headings(body, title)]
    assert heads == ["Ordering a Vision Kit", "Replacing Lost Kits"]
    offsets = {h: off for off, h in find_headings(body, title)}
    assert body[offsets["Replacing Lost Kits"]:].startswith("Replacing Lost Kits")


def test_section_of_takes_the_section_with_most_characters():
    heads = [(100, "A"), (200, "B")]
    assert section_of(0, 90, heads, "Title") == "Title"
    assert section_of(90, 180, heads, "Title") == "A"
    assert section_of(150, 400, heads, "Title") == "B"


def test_page_files_finds_pages_not_rules(tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "r.yaml").write_text("id: x")
    (tmp_path / "p.txt").write_text("x")
    assert page_files([tmp_path]) == [tmp_path / "p.txt"]


@pytest.fixture(scope="module")
def baseline():
    base = Baseline([SEED], top_k=3).build()
    yield base
    base.close()


def test_baseline_answers_with_the_top_chunk_and_never_abstains(baseline):
    ans = baseline.ask("pump rental need auth?")
    assert not ans["abstained"] and ans["verdict"] is None
    assert len(ans["contexts"]) == 3
    assert ans["contexts"][0]["section"] == "Lactation Durable Medical Equipment"
    assert [c["score"] for c in ans["contexts"]] == sorted((c["score"] for c in ans["contexts"]),
                                                          reverse=True)
    top = ans["citations"][0]
    assert ans["answer"].startswith(top["quote"])
    assert citation_validity(ans, baseline.chunk_texts(), ["prior authorization"]) == 1.0


def test_baseline_chunks_keep_the_raw_page_text(baseline):
    body = read_page(SEED)[2]
    texts = baseline.chunk_texts()
    assert all(t in body for t in texts.values())
    assert any("Skip to Main Content" in t for t in texts.values())  # nothing cleaned
    sections = {c.section for c in baseline.chunks.values()}
    assert "Breastfeeding Promotion Toolkit" in sections
    assert "Lactation Education and Support Services" in sections


def test_baseline_close_removes_its_temp_dir():
    base = Baseline([SEED])
    folder = base.persist_dir
    assert folder.exists()
    base.close()
    assert not folder.exists()

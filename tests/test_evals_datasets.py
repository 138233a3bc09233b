"""The eval datasets are big enough, well-formed and grounded in the seed page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals import cases as case_io
from evals.baseline import find_headings, read_page
from evals.feedback_import import question_key
from evals.metrics import fact_present

SEED = Path(__file__).resolve().parent.parent / "corpus" / "lactation-education-and-support-services.txt"
MIN_SIZE = {"answerable": 40, "unanswerable": 30, "billing": 40, "multiturn": 20}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    loaded, skipped = case_io.load(case_io.default_files() + case_io.seed_files())
    assert not skipped, "candidate cases belong in evals/candidates/, not in datasets/"
    return loaded


@pytest.fixture(scope="module")
def seed_sections() -> dict[str, str]:
    """Heading -> text of that section in the seed page (text before the first heading
    belongs to the title, after the page chrome)."""
    _, title, body = read_page(SEED)
    heads = find_headings(body, title)
    bounds = [(body.index("\n" + title + "\n") + 1, title)] + heads + [(len(body), None)]
    return {name: body[start:bounds[i + 1][0]] for i, (start, name) in enumerate(bounds[:-1])}


def test_seed_headings_are_the_five_sections(seed_sections):
    assert list(seed_sections)[1:] == [
        "Billing for Lactation Education and Support Services",
        "Referral for Lactation Education and Support Services through CPSP Providers",
        "Referral for Lactation Education and Support Services by Non-CPSP Providers",
        "Lactation Durable Medical Equipment",
        "Breastfeeding Promotion Toolkit",
    ]


def test_each_kind_has_dozens_of_cases(cases):
    sizes = Counter(c["kind"] for c in cases)
    for kind, least in MIN_SIZE.items():
        assert sizes[kind] >= least, f"{kind}: {sizes[kind]} < {least}"


def test_questions_are_not_repeated(cases):
    keys = Counter(question_key(c["question"]) for c in cases if c["kind"] != "multiturn")
    assert [k for k, n in keys.items() if n > 1] == []


def test_every_answer_key_fact_is_stated_in_its_expected_section(cases, seed_sections):
    """On the seed page (the team's own cases), each key fact is in its expected section."""
    problems = []
    for c in (c for c in cases if c["kind"] in ("answerable", "multiturn")
              and c["dataset"] in ("answerable", "multiturn")):  # evals/datasets/seed/
        assert c["doc_id"] == "benefits/maternity/lactation-education-and-support-services"
        wanted = [c["section"]] if isinstance(c["section"], str) else c["section"]
        unknown = [s for s in wanted if s not in seed_sections]
        assert not unknown, f"{c['id']}: no such section {unknown}"
        text = " ".join(seed_sections[s] for s in wanted)
        problems += [f"{c['id']}: {f!r}" for f in c["key_facts"] if not fact_present(text, f)]
    assert problems == []


@pytest.fixture(scope="module")
def eval_pages() -> dict[str, str]:
    """doc_id -> cleaned text of every page the eval indexes (the real page + evals/corpus)."""
    from ingest.chunk import render
    from ingest.load import iter_files, load_document

    root = Path(__file__).resolve().parent.parent
    pages = {}
    for path in iter_files([root / "corpus", root / "evals" / "corpus"]):
        doc = load_document(path)
        pages[doc.doc_id] = render(doc)[0]
    return pages


def test_the_eval_corpus_is_a_manual(eval_pages):
    """At least 40 pages over at least 12 areas, several called 'overview' in other folders."""
    import json

    root = Path(__file__).resolve().parent.parent / "evals" / "corpus"
    areas = {json.loads(line)["area"] for m in root.glob("_manifest_*.jsonl")
             for line in m.read_text().splitlines() if line.strip()}
    assert len(eval_pages) >= 40 and len(areas) >= 12
    assert sum(d.endswith("/overview") for d in eval_pages) >= 4


def test_writer_cases_point_at_real_pages_and_state_their_facts(cases, eval_pages):
    """Every independent writer's answerable case names an indexed page that states each key
    fact (one alternative at least), so a correct extractive answer can hold them all."""
    problems = []
    for c in cases:
        if c["kind"] not in ("answerable", "multiturn") or not c["dataset"].startswith("qa_"):
            continue
        text = eval_pages.get(c["doc_id"])
        if text is None:
            problems.append(f"{c['id']}: no page {c['doc_id']}")
            continue
        problems += [f"{c['id']}: {f!r}" for f in c["key_facts"] if not fact_present(text, f)]
    assert problems == []


def test_the_writers_sets_are_big_enough_and_split_by_page(cases):
    writer = [c for c in cases if c["dataset"].startswith(("qa_", "billing_"))]
    kinds = Counter(c["kind"] for c in writer)
    assert kinds["answerable"] >= 250 and kinds["unanswerable"] >= 60
    assert kinds["multiturn"] >= 40 and kinds["billing"] >= 100
    assert sum(bool(c.get("parts")) for c in writer) >= 60
    moving = [c for c in writer if c["kind"] == "multiturn" and c.get("moves")]
    assert len(moving) >= len([c for c in writer if c["kind"] == "multiturn"]) // 3
    assert sum(c["verdict"] == "none" for c in writer if c["kind"] == "billing") >= 30
    splits: dict[str, set[str]] = {}
    for c in writer:
        if c.get("doc_id"):
            splits.setdefault(c["doc_id"], set()).add(c["split"])
    assert all(len(s) == 1 for s in splits.values()), "a page's questions must share one split"
    assert Counter(c["split"] for c in writer)["test"] >= 150


def test_billing_cases_cover_every_verdict_kind(cases):
    verdicts = Counter(c["verdict"] for c in cases if c["kind"] == "billing")
    assert verdicts["none"] >= 30
    assert all(verdicts[k] >= 3 for k in case_io.VERDICT_KINDS), verdicts
    with_history = [c for c in cases if c["kind"] == "billing" and c.get("history")]
    assert len(with_history) >= 5


def test_unanswerable_cases_expect_refusal_and_include_member_questions(cases):
    unans = [c for c in cases if c["kind"] == "unanswerable"]
    assert all(c["expect"] == "refuse" for c in unans)
    assert sum(c.get("category") == "member_specific" for c in unans) >= 3


def test_loader_reports_file_and_line_of_a_bad_case(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"id": "ok", "question": "q", "expect": "refuse"}\n'
                   '{"id": "b", "question": "q", "doc_id": "d", "section": "s", "key_facts": []}\n')
    with pytest.raises(case_io.DatasetError, match=r"x.jsonl:2: 'key_facts'"):
        case_io.load([bad])
    dup = tmp_path / "d.jsonl"
    dup.write_text('{"id": "a", "question": "q", "expect": "refuse"}\n' * 2)
    with pytest.raises(case_io.DatasetError, match="duplicate"):
        case_io.load([dup])

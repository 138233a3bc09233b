"""Turn the independent writers' files into eval datasets: add `doc_id`, `area` and `split`.

    python evals/writers/prepare.py

Pages are split, not questions: within each area of the manual the pages (sorted by path) go
alternately to `dev` and `test`, so the test split asks about pages nobody tuned on. A question's
split is its page's (a follow-up's, the page of its final question; an unanswerable question's,
the page it is nearest to). Billing scenarios alternate by id. The real lactation page, which
earlier work was tuned on, is `dev`. Idempotent: run it again after a writer adds lines.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ingest.structure import page_id  # noqa: E402

CORPUS = ROOT / "evals" / "corpus"
DATASETS = ROOT / "evals" / "datasets"
LACTATION_URL = ("https://providerlibrary.healthnetcalifornia.com/medi-cal/provider-manual/"
                 "benefits/maternity/lactation-education-and-support-services.html")


def manifest() -> dict[str, dict]:
    """doc_id -> manifest line (with area) of every eval page, plus the real lactation page."""
    pages = {}
    for path in sorted(CORPUS.glob("_manifest_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                pages[page_id(rec["url"], Path(rec["path"]))] = rec
    pages[page_id(LACTATION_URL, Path("x"))] = {"url": LACTATION_URL, "area": "maternity",
                                                "path": "corpus/lactation-education-and-"
                                                "support-services.txt"}
    return pages


def page_splits(pages: dict[str, dict]) -> dict[str, str]:
    by_area: dict[str, list[str]] = {}
    for doc_id, rec in pages.items():
        by_area.setdefault(rec["area"], []).append(doc_id)
    splits = {}
    for docs in by_area.values():
        for i, doc_id in enumerate(sorted(docs, key=lambda d: pages[d]["path"])):
            splits[doc_id] = "dev" if i % 2 == 0 else "test"
    splits[page_id(LACTATION_URL, Path("x"))] = "dev"
    return splits


def prepare_questions(path: Path, pages: dict[str, dict], splits: dict[str, str]) -> int:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        url = rec.get("doc_url") or rec.get("near_url")
        doc_id = page_id(url, Path("x")) if url else None
        if doc_id not in pages:
            raise SystemExit(f"{path.name}: {rec.get('id')}: no eval page at {url}")
        if rec.get("doc_url"):
            rec["doc_id"] = doc_id
        rec["area"] = pages[doc_id]["area"]
        rec["split"] = splits[doc_id]
        out.append(rec)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out),
                    encoding="utf-8")
    return len(out)


def prepare_billing(path: Path) -> int:
    """Scenarios alternate dev/test by line, except a batch named ``*_dev*`` (written to tune
    on after the test split was fixed), which is dev whole."""
    dev_only = "_dev" in path.stem
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            rec = json.loads(line)
            rec["split"] = "dev" if dev_only or n % 2 == 0 else "test"
            rec.setdefault("area", "billing")
            out.append(rec)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out),
                    encoding="utf-8")
    return len(out)


def main() -> None:
    pages = manifest()
    splits = page_splits(pages)
    for path in sorted(DATASETS.glob("qa_*.jsonl")):
        print(f"{path.name}: {prepare_questions(path, pages, splits)} cases")
    for path in sorted(DATASETS.glob("billing_*.jsonl")):
        print(f"{path.name}: {prepare_billing(path)} cases")
    counts = {s: sum(v == s for v in splits.values()) for s in ("dev", "test")}
    print(f"pages: {len(pages)} ({counts})")


if __name__ == "__main__":
    main()

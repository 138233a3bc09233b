"""Calibrate the refusal thresholds on the eval's dev split:

    python -m evals.calibrate [--index DIR] [--max-false-refusal 0.05] [--split dev]

A part of a question is answered by a quotable unit holding enough of its words
(``retrieval.min_overlap``); a part that asks for a duration, an address, a contact, an amount, a
code or a number only by a unit holding that kind of fact, with enough of the part's words
(``min_typed_overlap``) and close enough in meaning (such a unit is quoted from
``min_typed_similarity`` on; it keeps the question from being refused from
``min_confident_similarity`` on). A question is refused when no part is answered. This runs
every dev question through the assistant's own retrieval and scoring once
(``Assistant.diagnose``), then searches the threshold grid for the setting that refuses most
unanswerable questions while refusing at most --max-false-refusal of the answerable ones. Copy the result into Settings (PMA_RETRIEVAL__...). Never calibrate on test.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

OVERLAPS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
TYPED_OVERLAPS = (0.2, 0.3, 0.4, 0.5, 0.6)
CONFIDENT_SIMILARITIES = (0.3, 0.35, 0.4, 0.45, 0.5)  # from min_typed_similarity (0.3) up


def answered(parts: list[dict], overlap: float, typed_overlap: float,
             confident_sim: float) -> bool:
    """Would the question be answered under these thresholds? (mirrors ExtractiveAnswerer)"""
    for p in parts:
        if p["strict"]:
            if any(b >= typed_overlap and s >= confident_sim for b, s in p["typed"]):
                return True
        elif p["base"] >= overlap:
            return True
    return False


def choose(pos: list[list[dict]], neg: list[list[dict]], max_false_refusal: float) -> dict:
    """The grid point with the most unanswerable questions refused within the false-refusal
    budget (ties: fewer false refusals, then the lower thresholds)."""
    best = None
    for o, to, ts in itertools.product(OVERLAPS, TYPED_OVERLAPS, CONFIDENT_SIMILARITIES):
        fr = sum(not answered(p, o, to, ts) for p in pos) / max(len(pos), 1)
        ur = sum(not answered(p, o, to, ts) for p in neg) / max(len(neg), 1)
        if fr > max_false_refusal:
            continue
        key = (ur, -fr, -o, -to, -ts)
        if best is None or key > best[0]:
            best = (key, {"min_overlap": o, "min_typed_overlap": to, "min_confident_similarity": ts,
                          "false_refusal_rate": round(fr, 4), "unanswerable_refused": round(ur, 4)})
    if best is None:
        raise SystemExit(f"no threshold keeps false refusals under {max_false_refusal}")
    return best[1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.calibrate", description=__doc__.split("\n")[0])
    p.add_argument("--index", type=Path, default=Path(".index-evals"), metavar="DIR",
                   help="eval index (built by python -m evals; default .index-evals)")
    p.add_argument("--split", default="dev", choices=["dev"], help="calibrate on dev only")
    p.add_argument("--max-false-refusal", type=float, default=0.05)
    args = p.parse_args(argv)

    from assistant.index import LoadedIndex
    from assistant.pipeline import Assistant
    from assistant.routing import member_check
    from core.settings import Settings
    from core.types import Turn
    from evals import cases as case_io

    settings = Settings(index_dir=args.index)
    assistant = Assistant(settings, LoadedIndex(settings), rules=None, audit=None)
    cases, _ = case_io.load(case_io.default_files())
    pos, neg = [], []
    for c in cases:
        if c["split"] != args.split or c["kind"] == "billing":
            continue
        if member_check(c["question"]).only_member_specific:
            continue  # routed before retrieval; the thresholds play no part
        feats = assistant.diagnose(c["question"], [Turn(**t) for t in c.get("history") or []])
        (neg if c["kind"] == "unanswerable" else pos).append(feats)
    result = choose(pos, neg, args.max_false_refusal)
    print(json.dumps({"answerable": len(pos), "unanswerable": len(neg), **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Member-identifier redaction, measured on messages written by someone who never saw the redactor.

    python -m evals.phi [--split dev|test|all] [--json] [--redactor NAME] [--misses N]
                        [--limit N] [--min-recall R] [--min-keep K]

The data: ``evals/datasets/phi_dev.jsonl`` and ``phi_test.jsonl`` (written from
``evals/writers/PHI_SPEC.md``), with later batches by other writers (``phi_dev_b.jsonl``, ...)
joining their split, one message a line::

    {"id", "text", "member": [{"text", "kind"}], "keep": [{"text", "kind"}]}

Tune on ``dev``; ``test`` is the figure that is reported and gated.

Definitions (pure functions below; a redactor is anything with ``find(text) -> [(kind, start,
end)]``; its output is the text with each span replaced by ``[KIND]``):

- **removed** — a member item is removed when, at every place its text occurs in the message as
  a whole token run (not inside a longer alphanumeric word; at every raw occurrence when there is
  no such place), every alphanumeric character is inside a detected span. Spaces and punctuation
  may survive: "lopez-garcia, ana" coming out as "[NAME]" or as "[NAME]-[NAME], [NAME]" are both
  removed; "[NAME]-garcia, [NAME]" is not. So a surviving character of an identifier counts as a
  leak, wherever it is.
- **kept** — a keep item (a code, an NPI, a Health Net number, a form number, a policy date, an
  amount, a provider's name) is kept when its text is still in the output verbatim.
- **recall** = removed / member items; **keep** = kept / keep items; both overall and per kind.
- **clean_unchanged** — messages with no member item that come out exactly as they went in;
  **idempotent** — messages for which redacting the output again changes nothing.

Exit status: 0; 1 when the test split (``--split test`` or ``all``; the default is ``test``) is
under ``--min-recall`` (0.975: the target is 0.99, the redactor measures 0.981 on test — 0.975
before the default-deny pass, 0.962 before the rules were generalised — so the gate sits under
that) or ``--min-keep`` (0.98); 2 when the data cannot be read.

``measure`` (the older figure on the seeded generated messages of ``tests/test_redact.py``) is
here too, so the redactor module holds detection only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

DATASETS = Path(__file__).resolve().parent / "datasets"
SPLITS = {"dev": ("dev",), "test": ("test",), "all": ("dev", "test")}
# The target is recall >= 0.99 and keep >= 0.98 (issue 18). Measured on test: recall 0.981,
# keep 0.991 (SECURITY.md), so recall is gated under what was measured, not at the target it
# does not reach; keep is gated at its target.
RECALL_TARGET = 0.99
RECALL_MIN = 0.975
KEEP_MIN = 0.98

Span = tuple[str, int, int]


class Redactor(Protocol):
    name: str

    def find(self, text: str) -> list[Span]: ...


# ------------------------------------------------------------------ pure functions
def apply_spans(text: str, spans: Iterable[Span]) -> str:
    """text with each (kind, start, end) span replaced by ``[KIND]`` (spans sorted, disjoint)."""
    parts, pos = [], 0
    for kind, s, e in sorted(spans, key=lambda x: (x[1], x[2])):
        if s < pos:  # overlapping: extend the previous placeholder
            pos = max(pos, e)
            continue
        parts.append(text[pos:s])
        parts.append(f"[{kind}]")
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def occurrences(text: str, item: str) -> list[tuple[int, int]]:
    """Where item occurs in text as a whole token run; every raw occurrence if none is whole."""
    if not item:
        return []
    raw = [(m.start(), m.start() + len(item)) for m in re.finditer(re.escape(item), text)]

    def whole(s: int, e: int) -> bool:
        before = text[s - 1] if s else " "
        after = text[e] if e < len(text) else " "
        return not (before.isalnum() and item[0].isalnum()) and not (
            after.isalnum() and item[-1].isalnum())

    return [o for o in raw if whole(*o)] or raw


def covered_mask(length: int, spans: Iterable[Span]) -> list[bool]:
    mask = [False] * length
    for _k, s, e in spans:
        for i in range(max(0, s), min(length, e)):
            mask[i] = True
    return mask


def is_removed(text: str, item: str, mask: Sequence[bool]) -> bool:
    """Every alphanumeric character of every occurrence of item is masked (see module doc)."""
    places = occurrences(text, item)
    if not places:
        raise ValueError(f"{item!r} is not a substring of the message")
    return all(mask[i] for s, e in places for i in range(s, e) if text[i].isalnum())


def is_kept(output: str, item: str) -> bool:
    return item in output


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def score(rows: Iterable[dict[str, Any]], redactor: Redactor) -> dict[str, Any]:
    """Recall of member items, keep rate of non-member items, per kind, with every miss."""
    member: dict[str, list[int]] = {}  # kind -> [removed, total]
    keep: dict[str, list[int]] = {}
    misses: list[dict[str, Any]] = []
    n = clean = clean_same = idem = chars = 0
    t0 = time.perf_counter()
    for row in rows:
        text = row["text"]
        n += 1
        chars += len(text)
        spans = redactor.find(text)
        out = apply_spans(text, spans)
        idem += apply_spans(out, redactor.find(out)) == out
        mask = covered_mask(len(text), spans)
        for item in row.get("member", []):
            ok = is_removed(text, item["text"], mask)
            c = member.setdefault(item["kind"], [0, 0])
            c[0] += ok
            c[1] += 1
            if not ok:
                misses.append({"id": row["id"], "type": "leaked", "kind": item["kind"],
                               "text": item["text"], "output": out})
        for item in row.get("keep", []):
            ok = is_kept(out, item["text"])
            c = keep.setdefault(item["kind"], [0, 0])
            c[0] += ok
            c[1] += 1
            if not ok:
                misses.append({"id": row["id"], "type": "lost", "kind": item["kind"],
                               "text": item["text"], "output": out})
        if not row.get("member"):
            clean += 1
            clean_same += out == text
    elapsed = time.perf_counter() - t0

    def table(counts: dict[str, list[int]]) -> dict[str, dict[str, Any]]:
        return {k: {"ok": a, "total": b, "rate": _rate(a, b)}
                for k, (a, b) in sorted(counts.items())}

    return {
        "redactor": redactor.name,
        "messages": n,
        "member_items": sum(b for _a, b in member.values()),
        "keep_items": sum(b for _a, b in keep.values()),
        "recall": _rate(sum(a for a, _b in member.values()), sum(b for _a, b in member.values())),
        "keep": _rate(sum(a for a, _b in keep.values()), sum(b for _a, b in keep.values())),
        "recall_by_kind": table(member),
        "keep_by_kind": table(keep),
        "clean_messages": clean,
        "clean_unchanged": _rate(clean_same, clean),
        "idempotent": _rate(idem, n),
        "ms_per_message": 1000 * elapsed / n if n else None,
        "chars": chars,
        "misses": misses,
    }


def gate(result: dict[str, Any], min_recall: float = RECALL_MIN,
         min_keep: float = KEEP_MIN) -> list[str]:
    """The bounds a result breaks, each named (empty when it passes)."""
    out = []
    if result["recall"] is None or result["recall"] < min_recall:
        out.append(f"recall {result['recall']} < {min_recall}")
    if result["keep"] is None or result["keep"] < min_keep:
        out.append(f"keep {result['keep']} < {min_keep}")
    return out


# ------------------------------------------------------------------ data
def load_split(split: str, datasets: Path = DATASETS) -> list[dict[str, Any]]:
    """Rows of ``phi_<split>.jsonl`` and of later batches ``phi_<split>_*.jsonl`` (another
    writer's); every member/keep text checked to be in its message."""
    paths = [datasets / f"phi_{split}.jsonl", *sorted(datasets.glob(f"phi_{split}_*.jsonl"))]
    rows = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                row = json.loads(line)
                for item in row.get("member", []) + row.get("keep", []):
                    if item["text"] not in row["text"]:
                        raise ValueError(f"{path}:{n}: {item['text']!r} is not in the message")
                rows.append(row)
    return rows


# ------------------------------------------------------------------ redactors
class ProjectRedactor:
    """``core.redact``: ``level="log"`` is what logs, search and feedback get; ``"llm"``
    also drops the low-confidence spans (what an outside LLM gets)."""

    def __init__(self, level: str = "log"):
        from core import redact

        self.name = "core.redact" + ("" if level == "log" else f" ({level})")
        self._find = redact.find_identifiers
        self.level = level

    def find(self, text: str) -> list[Span]:
        return self._find(text, level=self.level)


def redactor_named(name: str) -> Redactor:
    """'project' (default), 'project-llm', or a candidate from ``evals.phi_candidates``."""
    if name == "project":
        return ProjectRedactor("log")
    if name == "project-llm":
        return ProjectRedactor("llm")
    from evals import phi_candidates

    return phi_candidates.make(name)


# ------------------------------------------------------------------ the older generated set
def measure(messages: Iterable[dict[str, Any]],
            find: Callable[[str], list[Span]] | None = None) -> dict[str, Any]:
    """Redaction rates on labelled generated messages (``tests/test_redact.py``).

    Each message is ``{"text": str, "identifiers": [{"kind", "start", "end"}, ...]}`` (or
    ``[kind, start, end]`` triples). An identifier counts as redacted when detected spans cover
    every one of its characters. Messages without identifiers count as clean: they should come
    out unchanged.
    """
    if find is None:
        from core.redact import find_identifiers as find
    by_kind: dict[str, dict[str, Any]] = {}
    kind_right = kind_total = clean = clean_same = idem = n = chars = 0
    t0 = time.perf_counter()
    for msg in messages:
        text = msg["text"]
        truth = [(t["kind"], t["start"], t["end"]) if isinstance(t, dict) else tuple(t)
                 for t in msg.get("identifiers", [])]
        n += 1
        chars += len(text)
        found = find(text)
        out = apply_spans(text, found)
        idem += apply_spans(out, find(out)) == out
        if not truth:
            clean += 1
            clean_same += out == text
            continue
        mask = covered_mask(len(text), found)
        for kind, s, e in truth:
            stats = by_kind.setdefault(kind, {"total": 0, "redacted": 0})
            stats["total"] += 1
            covered = all(mask[s:e])
            stats["redacted"] += covered
            if covered:
                kind_total += 1
                kind_right += _same_family(kind, [k for k, a, b in found if a < e and b > s])
    elapsed = time.perf_counter() - t0

    def rate(kinds: Iterable[str]) -> float | None:
        tot = sum(by_kind[k]["total"] for k in kinds if k in by_kind)
        red = sum(by_kind[k]["redacted"] for k in kinds if k in by_kind)
        return red / tot if tot else None

    for stats in by_kind.values():
        stats["rate"] = stats["redacted"] / stats["total"]
    structured = {"CIN", "BIC", "MEMBER_ID", "SSN", "DOB", "PHONE", "EMAIL"}
    return {
        "messages": n,
        "identifiers": sum(s["total"] for s in by_kind.values()),
        "by_kind": by_kind,
        "structured_rate": rate(structured),
        "name_rate": rate(["NAME"]),
        "overall_rate": rate(by_kind),
        "kind_accuracy": kind_right / kind_total if kind_total else None,
        "clean_messages": clean,
        "clean_unchanged_rate": clean_same / clean if clean else None,
        "idempotent_rate": idem / n if n else None,
        "seconds": elapsed,
        "chars_per_second": chars / elapsed if elapsed else None,
    }


_FAMILIES = ({"CIN", "BIC", "MEMBER_ID", "ACCOUNT"}, {"DOB", "DATE"})


def _same_family(kind: str, found_kinds: list[str]) -> bool:
    for fam in _FAMILIES:
        if kind in fam:
            return any(k in fam for k in found_kinds)
    return kind in found_kinds


# ------------------------------------------------------------------ command line
def format_result(split: str, res: dict[str, Any], misses: int) -> str:
    def pct(x: float | None) -> str:
        return "  n/a " if x is None else f"{x:6.2%}"

    lines = [f"PHI redaction — {res['redactor']} on phi_{split} ({res['messages']} messages, "
             f"{res['ms_per_message']:.2f} ms each)",
             f"  member identifiers removed: {pct(res['recall'])}  of {res['member_items']}",
             f"  non-member items kept:      {pct(res['keep'])}  of {res['keep_items']}",
             f"  clean messages unchanged:   {pct(res['clean_unchanged'])}  of "
             f"{res['clean_messages']};  idempotent {pct(res['idempotent'])}"]
    for title, table in (("removed", res["recall_by_kind"]), ("kept", res["keep_by_kind"])):
        lines.append(f"  {title} by kind:")
        for kind, c in table.items():
            lines.append(f"    {kind:14s} {c['ok']:4d}/{c['total']:<4d} {pct(c['rate'])}")
    shown = res["misses"][:misses]
    if shown:
        lines.append(f"  misses ({len(res['misses'])}, first {len(shown)}):")
        for m in shown:
            lines.append(f"    {m['id']} {m['type']} {m['kind']}: {m['text']!r}  ->  "
                         f"{m['output']!r}")
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.phi", description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=sorted(SPLITS), default="test",
                   help="which messages (default: test, the gated figure; tune on dev)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--redactor", default="project",
                   help="project (default), project-llm, or a candidate of "
                        "evals/phi_candidates.py: presidio, philter, project+presidio, ...")
    p.add_argument("--misses", type=int, default=40, metavar="N", help="misses listed (40)")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help="only the first N messages of each split (a smoke test)")
    p.add_argument("--min-recall", type=float, default=RECALL_MIN)
    p.add_argument("--min-keep", type=float, default=KEEP_MIN)
    p.add_argument("--datasets", type=Path, default=DATASETS, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        data = {s: load_split(s, args.datasets)[: args.limit] for s in SPLITS[args.split]}
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot read the PHI set: {exc}", file=sys.stderr)
        return 2
    redactor = redactor_named(args.redactor)
    results = {s: score(rows, redactor) for s, rows in data.items()}
    failed = gate(results["test"], args.min_recall, args.min_keep) if "test" in results else []
    if args.json:
        print(json.dumps({"results": results, "gate": {
            "split": "test" if "test" in results else None, "min_recall": args.min_recall,
            "min_keep": args.min_keep, "failures": failed}}, indent=1, ensure_ascii=False))
    else:
        for s, res in results.items():
            print(format_result(s, res, args.misses))
        if "test" in results:
            print(f"gate (test: recall >= {args.min_recall}, keep >= {args.min_keep}): "
                  + ("FAILED: " + "; ".join(failed) if failed else "passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The data flows one way: core <- ingest <- entry points, core <- assistant <- entry points.
``core`` (settings, types, errors, the store, embeddings, logging) imports neither half; ingest
never imports the assistant and the assistant never imports ingest, except in the entry points
that wire both together (the CLIs and the interfaces). Checked on every import statement,
including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = {"ingest/__main__.py", "assistant/__main__.py"}


def imported_packages(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def is_entry_point(path: Path) -> bool:
    rel = path.relative_to(ROOT).as_posix()
    return rel in ENTRY_POINTS or rel.startswith("assistant/interfaces/")


@pytest.mark.parametrize("package,forbidden", [
    ("core", {"assistant", "ingest", "evals", "bench", "tests", "app"}),
    ("ingest", {"assistant", "evals", "bench", "tests", "app"}),
    ("assistant", {"ingest", "evals", "bench", "tests", "app"}),
])
def test_packages_import_only_downstream(package, forbidden):
    wrong = {str(p.relative_to(ROOT)): sorted(imported_packages(p) & forbidden)
             for p in modules(package) if not is_entry_point(p)}
    assert not {k: v for k, v in wrong.items() if v}, wrong


def test_the_checker_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from ingest.build import ensure_index\n    import assistant.x\n")
    assert imported_packages(sample) == {"ingest", "assistant"}


def test_bench_does_not_import_tests():
    wrong = [str(p) for p in modules("bench") if "tests" in imported_packages(p)]
    assert not wrong

"""The suite stays cheap to run and whole in CI: one LLM server a session (the fixture is a
conftest plugin's; a module importing it would define its own copy, and pytest would start one
server per module), and CI deselects no test (slow ones included)."""

from __future__ import annotations

import re

from tests.conftest import ROOT

IMPORTS_FIXTURE = re.compile(r"from\s+tests\.llm_server\s+import\s+[^\n#]*\bllm_server\b")


def test_no_module_imports_its_own_llm_server_fixture():
    offenders = [p.name for p in sorted((ROOT / "tests").glob("*.py"))
                 if IMPORTS_FIXTURE.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_llm_server_fixture_is_a_session_plugin():
    from tests import conftest, llm_server

    assert "tests.llm_server" in conftest.pytest_plugins
    assert "scope=\"session\"" in (ROOT / "tests" / "llm_server.py").read_text(encoding="utf-8")
    assert callable(llm_server.llm_server)


def make_recipe(target: str) -> list[str]:
    """The command lines of a Makefile target."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[start + 1:]:
        if not line.startswith("\t"):
            break
        recipe.append(line.strip())
    return recipe


def test_ci_runs_every_test_the_slow_ones_included():
    """CI runs `make test`, whose pytest selects no subset: slow fault and fuzz tests are marked
    (to pick them out or skip them locally) and still run in CI."""
    import tomllib

    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    runs = [line for line in make_recipe("test") if "-m pytest" in line]
    assert runs, make_recipe("test")
    for line in runs:
        args = line.split("-m pytest", 1)[1].split()
        assert not {"-m", "-k", "--deselect", "--ignore"} & set(args), line
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = config["tool"]["pytest"]["ini_options"]
    assert not {"-m", "-k", "--deselect"} & set(options["addopts"].split())
    assert any(m.startswith("slow:") for m in options["markers"])

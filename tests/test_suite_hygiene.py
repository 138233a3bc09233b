"""The suite stays cheap to run: one LLM server a session (the fixture is a conftest plugin's;
a module importing it would define its own copy, and pytest would start one server per module)."""

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

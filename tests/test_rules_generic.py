"""The rule engine is generic: no page, role or item is named in its Python code (docstrings and
field descriptions may use them as examples); what a page says lives in corpus/rules/*.yaml."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

RULES_CODE = Path(__file__).resolve().parent.parent / "assistant" / "rules"
DOMAIN = re.compile(r"lactat|ibclc|\blecs?\b|clec|doula|pump|cpsp|breast|midwi|nurse|physician|"
                    r"\brn\b|\bnp\b|\bcphw\b|pave|hipaa|\bcpr\b|referr|infant|baby|prescri",
                    re.IGNORECASE)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
        if isinstance(node, ast.keyword) and node.arg == "description":
            for sub in ast.walk(node.value):
                ids.add(id(sub))
    return ids


@pytest.mark.parametrize("path", sorted(RULES_CODE.glob("*.py")), ids=lambda p: p.name)
def test_no_page_role_or_item_is_named_in_the_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if DOMAIN.search(node.value):
                found.append((node.lineno, node.value[:60]))
        elif isinstance(node, ast.Name) and DOMAIN.search(node.id):
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and DOMAIN.search(node.attr):
            found.append((node.lineno, node.attr))
    assert found == [], found

"""Rule packs are validated when they load: every problem is reported with its file and line."""

from __future__ import annotations

import pytest

from assistant.rules import RuleBook
from core.errors import RulesError
from tests.rules_support import SHARED, WIDGETS, widget_rules, write


def _line_of(text: str, needle: str) -> int:
    import textwrap

    body = textwrap.dedent(text).lstrip("\n")
    for i, line in enumerate(body.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _load_error(tmp_path, widgets: str = WIDGETS, shared: str = SHARED) -> str:
    widget_rules(tmp_path, widgets, shared)
    with pytest.raises(RulesError) as err:
        RuleBook.load(tmp_path)
    return str(err.value)


def test_the_test_pack_loads(tmp_path):
    book = RuleBook.load(widget_rules(tmp_path))
    assert [p.id for p in book.packs] == ["widgets"]
    assert book.order[0] == "widget_too_old"
    pack = book.pack("widgets")
    assert set(pack.facts["role"].values) == {"RN", "MA", "physician", "fitter"}  # shared + own


@pytest.mark.parametrize("old,new,needle,message", [
    ("verdict: not_eligible\n    explanation: Red", "verdict: maybe\n    explanation: Red",
     "verdict: maybe", "Input should be 'eligible', 'not_eligible', 'conditional' or 'unknown'"),
    ("    when: {kind: red}", "    when: {kind: red}\n    colour: red", "colour: red",
     "unknown key 'colour'"),
    ("  - id: widget_red", "  - id: Widget Red", "id: Widget Red", "lower_snake_case"),
    ("    verdict: conditional\n    condition: the prior authorization is approved",
     "    verdict: conditional", "id: widget_auth_unsure", "must state its 'condition'"),
    (("    explanation: Blue widgets are covered.\n    citation: {doc_id: benefits/widgets, "
     "quote: Blue widgets are covered.}"), "    explanation: Blue widgets are covered.",
     "id: widget_blue", "needs a 'citation'"),
    ("    when: {kind: red}", "    when: {colour: red}", "when: {colour: red}",
     "unknown fact 'colour'"),
    ("    when: {kind: red}", "    when: {kind: purple}", "when: {kind: purple}",
     "'purple' is not one of"),
    ("    when: {age: {gt: 12}}", "    when: {age: {gt: twelve}}", "when: {age: {gt: twelve}}",
     "needs a number"),
    ("    when: {kind: red}", "    when: {kind: {gt: 3}}", "when: {kind: {gt: 3}}",
     "only applies to number facts"),
    ("    when: {kind: red}", "    when: {kind: {near: red}}", "when: {kind: {near: red}}",
     "unknown operator"),
    ("    when: {kind: red}", "    when: {any: []}", "when: {any: []}",
     "'any' must be a non-empty list"),
    ("Red widgets are not covered.\n", "Red {colour} widgets are not covered.\n",
     "Red {colour} widgets", "unknown placeholder {colour}"),
    ("citation: {doc_id: benefits/widgets, quote: Red widgets are not covered.}",
     "citation: {doc_id: benefits/other-page, quote: Red widgets are not covered.}",
     "benefits/other-page", "is not one of the pack's scope pages"),
    ("      red: {rank: 1, words: [red widget], negated: blue}",
     "      red: {rank: 1, words: [red widget], negated: green}", "negated: green",
     "negated 'green' is not one of its values"),
    ("        implies: {certified: true}", "        implies: {certified: maybe}",
     "implies: {certified: maybe}", "'maybe' is not one of"),
    ("    yes: [prior auth approved,", "    yes: [{re: 'prior (auth'},", "re: 'prior (auth'",
     "not a valid regular expression"),
    ("    patterns: ['{num}", "    patterns: ['", "patterns: ['\\s*(?:hrs",
     "must contain {num}"),
    ("  - {question: \"is a red widget covered\", verdict: not_eligible, rule: widget_red}",
     "  - {question: \"is a red widget covered\", verdict: not_eligible, rule: widget_pink}",
     "rule: widget_pink", "rule 'widget_pink' is not a rule of this pack"),
    ("  role:\n    like: shared.role", "  role:\n    like: shared.roles", "like: shared.roles",
     "no such fact in an imported shared pack"),
    (("scope:\n  pages: [benefits/widgets]\n  terms: [widget, widgets, gizmo]\n  exclude: "
     "[vaccine]\n"), "", "id: widgets", "a pack needs a 'scope'"),
])
def test_a_schema_error_names_file_line_and_problem(tmp_path, old, new, needle, message):
    assert old in WIDGETS, old
    widgets = WIDGETS.replace(old, new, 1)
    text = _load_error(tmp_path, widgets)
    line = _line_of(widgets, needle)
    assert f"{tmp_path / 'widgets.yaml'}:{line}:" in text, (line, text)
    assert message in text, text


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    widgets = WIDGETS.replace("verdict: not_eligible\n    explanation: Red",
                              "verdict: maybe\n    explanation: Red").replace(
        "    when: {kind: blue}", "    when: {kind: blue}\n    colour: blue")
    text = _load_error(tmp_path, widgets)
    assert "rules > widget_red > verdict: Input should be 'eligible'" in text
    assert "rules > widget_blue > colour: unknown key 'colour'" in text


def test_every_problem_a_schema_cannot_see_is_reported_at_once(tmp_path):
    widgets = WIDGETS.replace("    when: {kind: red}", "    when: {colour: red}").replace(
        "    when: {kind: blue}", "    when: {kind: purple}")
    text = _load_error(tmp_path, widgets)
    assert "unknown fact 'colour'" in text and "'purple' is not one of" in text


def test_not_valid_yaml_names_the_line(tmp_path):
    widgets = WIDGETS.replace("  terms: [widget, widgets, gizmo]", "  terms: [widget, 'gizmo]")
    text = _load_error(tmp_path, widgets)
    assert "not valid YAML" in text and f"{tmp_path / 'widgets.yaml'}:" in text


def test_a_shared_pack_holds_vocabulary_only(tmp_path):
    text = _load_error(tmp_path, shared=SHARED + "rules:\n  - id: x\n")
    assert "shared.yaml" in text


def test_imports_must_name_a_shared_pack(tmp_path):
    text = _load_error(tmp_path, WIDGETS.replace("imports: [shared]", "imports: [common]"))
    assert "no such fact in an imported shared pack" in text or "imports ['common']" in text


def test_duplicate_rule_ids_across_packs(tmp_path):
    widget_rules(tmp_path)
    write(tmp_path, "gizmos.yaml", WIDGETS.replace("id: widgets", "id: gizmos"))
    with pytest.raises(RulesError, match="Duplicate rule ids"):
        RuleBook.load(tmp_path)


def test_missing_or_empty_rules_folder(tmp_path):
    with pytest.raises(RulesError, match="does not exist"):
        RuleBook.load(tmp_path / "nope")
    with pytest.raises(RulesError, match="No rule packs found"):
        RuleBook.load(tmp_path)


def test_yes_no_keys_read_as_words_not_booleans(tmp_path):
    """YAML 1.1 reads `yes:` as True; a pack's `yes:`/`no:` words still load."""
    book = RuleBook.load(widget_rules(tmp_path))
    fact = book.pack("widgets").facts["certified"]
    assert fact.yes == ["certified", "widget certified"] and fact.no == ["uncertified"]


def test_shipped_packs_load_and_name_only_their_pages():
    from pathlib import Path

    book = RuleBook.load(Path(__file__).resolve().parent.parent / "corpus" / "rules")
    assert {p.id for p in book.packs} == {"lactation", "doula-services"}
    for pack in book.packs:
        assert all(r.citation is None or r.citation.doc_id in pack.pages for r in pack.rules)

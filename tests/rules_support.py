"""A small rule pack written for the tests (and helpers to write packs into a temp folder)."""

from __future__ import annotations

import textwrap
from pathlib import Path

SHARED = """
id: shared
shared: true
normalise:
  - {re: '\\bw/o\\b', to: without}
negation:
  before: [not, "no", never, without, "isn't", "hasn't", "doesn't", "don't", no longer, not yet]
  after: [pending, "isn't done", expired]
  uncertain: [not sure, unsure]
question:
  asks: [can, bill, covered]
  information: [{re: '^\\W*how do (?:i|we)\\b'}, {re: '^\\W*where\\b'}]
numbers: {one: 1, two: 2, three: 3}
guard:
  subjects: [provider, member]
  actions: [bill, covered, paid]
facts:
  role:
    pick: rank
    values:
      RN: {rank: 2, words: [rn, registered nurse]}
      MA: {rank: 2, words: [ma, medical assistant]}
      physician: {rank: 1, words: [physician, doctor]}
  age:
    unit: month
    patterns: ['{num}[\\s-]*{unit}[\\s-]*old']
    units: {week: 0.25, month: 1, year: 12}
"""

WIDGETS = """
id: widgets
title: Widget Services
imports: [shared]
scope:
  pages: [benefits/widgets]
  terms: [widget, widgets, gizmo]
  exclude: [vaccine]
facts:
  role:
    like: shared.role
    values:
      fitter:
        rank: 0
        words: [widget fitter, fitter]
        implies: {certified: true}
        ignore_after: [is a, is an]
  certified:
    belongs_to: role
    yes: [certified, widget certified]
    no: [uncertified]
  age:
    like: shared.age
  kind:
    pick: rank
    values:
      blue: {rank: 1, words: [blue widget]}
      red: {rank: 1, words: [red widget], negated: blue}
  prior_auth:
    yes: [prior auth approved, {words: [approved], after: [auth], within: 3}]
    no: [auth denied]
  hours:
    unit: hour
    patterns: ['{num}\\s*(?:hrs?|hours?)\\s+(?:of\\s+)?training']
  trained:
    true: {hours: {gte: 10}}
    false: {hours: {lt: 10}}
rules:
  - id: widget_too_old
    when: {age: {gt: 12}}
    verdict: not_eligible
    explanation: Widgets are for members up to a year old ({age}).
    citation: {doc_id: benefits/widgets, quote: Widgets are covered up to age one.}
  - id: widget_red
    when: {kind: red}
    verdict: not_eligible
    explanation: Red widgets are not covered.
    citation: {doc_id: benefits/widgets, quote: Red widgets are not covered.}
  - id: widget_untrained
    when: {trained: false}
    verdict: not_eligible
    explanation: A fitter needs ten hours of training.
    citation: {doc_id: benefits/widgets, quote: A fitter needs ten hours of training.}
  - id: widget_auth_unsure
    when: {prior_auth: unsure}
    verdict: conditional
    condition: the prior authorization is approved
    explanation: Widgets need prior authorization.
    ask: Is the prior authorization approved?
    citation: {doc_id: benefits/widgets, quote: Widgets need prior authorization.}
  - id: widget_role_uncertified
    when: {role: [RN, MA], certified: [false, null]}
    verdict: conditional
    condition: the {role} is widget certified
    explanation: Then the provider bills under its number.
    ask: Is the {role} widget certified?
    citation: {doc_id: benefits/widgets, quote: A certified RN or MA may fit widgets.}
  - id: widget_role_certified
    when: {role: [RN, MA, fitter], certified: true}
    verdict: eligible
    explanation: "{a_role} who is widget certified may fit widgets."
    citation: {doc_id: benefits/widgets, quote: A certified RN or MA may fit widgets.}
  - id: widget_blue
    when: {kind: blue}
    verdict: eligible
    explanation: Blue widgets are covered.
    citation: {doc_id: benefits/widgets, quote: Blue widgets are covered.}
  - id: widget_physician
    when: {role: physician}
    verdict: unknown
    explanation: The page does not say whether a physician fits widgets.
examples:
  - {question: "can our RN bill for a widget", verdict: conditional, rule: widget_role_uncertified}
  - question: "our RN is widget certified, can we bill the widget visit"
    verdict: eligible
    rule: widget_role_certified
  - {question: "is a red widget covered", verdict: not_eligible, rule: widget_red}
  - {question: "how do i order a widget", verdict: none}
"""

PAGE = ("Widgets are covered up to age one. Red widgets are not covered. Blue widgets are "
        "covered. Widgets need prior authorization. A certified RN or MA may fit widgets. A fitter "
        "needs ten hours of training.")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def widget_rules(folder: Path, widgets: str = WIDGETS, shared: str = SHARED) -> Path:
    write(folder, "shared.yaml", shared)
    write(folder, "widgets.yaml", widgets)
    return folder

"""Every rule's examples run as tests: each bad example is flagged by that rule, and no
good example is flagged by any rule (LanguageTool-style)."""

from __future__ import annotations

import functools

import pytest

from mtqa.api import Checker
from mtqa.checks.rulebook import CATEGORIES, all_rules
from mtqa.config import Config
from mtqa.document import Document, InputFailure

RULES = all_rules()


@functools.cache
def checker(extra: str = "") -> Checker:
    # Examples are single sentences, some deliberately foreign: no document language gate.
    return Checker(Config(min_french_share=0.0, select=(extra,) if extra else ()))


def findings(rule_code: str, default_on: bool, text: str) -> list[tuple[str, str]]:
    doc = checker("" if default_on else rule_code).check(Document("example", text))
    assert not isinstance(doc, InputFailure)
    return [(f.rule, f.text) for f in doc.findings]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_bad_examples_are_flagged_by_their_rule(rule) -> None:
    for example in rule.bad:
        found = findings(rule.code, rule.default_on, example)
        assert rule.code in {code for code, _ in found}, f"{rule.code} missed: {example!r} (found {found})"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_good_examples_are_flagged_by_no_rule(rule) -> None:
    for example in rule.good:
        found = findings(rule.code, rule.default_on, example)
        assert found == [], f"{rule.code} good example flagged: {example!r} -> {found}"


def test_rule_codes_are_stable_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for r in RULES:
        assert r.code.startswith("MTQA") and len(r.code) == 7 and r.code[4:].isdigit()
        assert r.category in CATEGORIES
        assert r.message and r.doc and r.bad


def test_there_are_at_least_80_calque_and_false_friend_rules() -> None:
    lexicon = [r for r in RULES if r.file == "calques.yaml"]
    assert len(lexicon) >= 80

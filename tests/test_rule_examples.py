"""Every rule's examples run as tests: each bad example is flagged by that rule, and no
good example is flagged by any rule (LanguageTool-style).

The hand-written rules are tested with the model off, so that a rule's examples test the
rule; the model's own rules (MTQA9xx) are tested with it on, and the model's false alarms
on all the good examples are bounded separately.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

import mtqa
from mtqa.api import Checker
from mtqa.checks.rulebook import CATEGORIES, PIPELINE, Rule, RuleExample, all_rules
from mtqa.config import Config
from mtqa.document import Document, InputFailure

RULES = all_rules()
MODEL_CODES = {r.code for r in RULES if r.check == "model"}


# The glossary rules' examples run with the glossary shipped as an example.
EXAMPLE_GLOSSARY = Path(mtqa.__file__).parent / "glossaries" / "us-uk-institutions.tsv"


@functools.cache
def checker(extra: str = "", model: bool = False, glossary: bool = False) -> Checker:
    # Examples are single sentences, some deliberately foreign: no document language gate.
    return Checker(
        Config(
            min_french_share=0.0,
            select=(extra,) if extra else (),
            model=model,
            glossary=(EXAMPLE_GLOSSARY,) if glossary else (),
        )
    )


def findings(rule: Rule, example: RuleExample, model: bool | None = None) -> list[tuple[str, str]]:
    use_model = rule.check == "model" if model is None else model
    c = checker("" if rule.default_on else rule.code, use_model, rule.check == "glossary")
    doc = c.check(Document("example", example.text, source=example.source))
    assert not isinstance(doc, InputFailure)
    return [(f.rule, f.text) for f in doc.findings]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_bad_examples_are_flagged_by_their_rule(rule: Rule) -> None:
    # The model's two codes split one judgement (words named, or the sentence as a whole)
    # at thresholds calibrated on real text: either one counts for the model's examples.
    accepted = MODEL_CODES if rule.check == "model" else {rule.code}
    for example in rule.bad:
        found = findings(rule, example)
        assert accepted & {code for code, _ in found}, f"{rule.code} missed: {example} (found {found})"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_good_examples_are_flagged_by_no_rule(rule: Rule) -> None:
    for example in rule.good:
        found = findings(rule, example)
        assert found == [], f"{rule.code} good example flagged: {example} -> {found}"


def test_model_rarely_flags_good_examples() -> None:
    """The good examples are near-misses written to trap rules: hard cases for the model too."""
    examples = [(r, x) for r in RULES for x in r.good]
    flagged = [(r.code, str(x)) for r, x in examples if findings(r, x, model=True)]
    assert len(flagged) <= 0.02 * len(examples), flagged


def test_rule_codes_are_stable_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for r in RULES:
        assert r.code.startswith("MTQA") and len(r.code) == 7 and r.code[4:].isdigit()
        assert r.category in CATEGORIES
        assert r.message and r.doc and (r.bad or r.check == PIPELINE)


def test_there_are_at_least_80_calque_and_false_friend_rules() -> None:
    lexicon = [r for r in RULES if r.file == "calques.yaml"]
    assert len(lexicon) >= 80

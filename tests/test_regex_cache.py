"""Rule patterns compiled from mtqa's cache behave exactly as re.compile's (mtqa.regex_cache)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mtqa import regex_cache
from mtqa.checks.patterns import compile_rules
from mtqa.checks.rulebook import all_rules

SAMPLES = [
    "Le secrétaire d'État Antony Blinken a rencontré mardi son homologue chinois à Pékin.",
    "Les soldats ukrainiens ont perdu le nombre face aux troupes russes près de Bakhmut.",
    "The minister said 1,500 people were evacuated at 10 a.m. on Nov. 13.",
    "Le sénateur s’est démissionné après 3.5 % de hausse, selon le Département d'État.",
]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MTQA_HOME", str(tmp_path))
    regex_cache._directory.cache_clear()
    yield tmp_path
    regex_cache._directory.cache_clear()


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert (a.pattern, a.flags, a.groups, a.groupindex) == (b.pattern, b.flags, b.groups, b.groupindex)
    for text in SAMPLES:
        assert [m.span() + m.groups() for m in a.finditer(text)] == [
            m.span() + m.groups() for m in b.finditer(text)
        ]


def test_every_rule_pattern_compiles_the_same_from_the_cache(cache_home: Path) -> None:
    rules = compile_rules([r for r in all_rules() if r.check == "pattern"])
    patterns = [(p, c.flags) for c in rules for p in (c.pattern, c._requires, c._unless) if p]
    first = [regex_cache.compile(p, f) for p, f in patterns]  # compiled, then stored
    stored = list(cache_home.glob("regex-*/*.json"))
    assert len(stored) == len(set(patterns))
    for (p, f), a, b in zip(patterns, first, (regex_cache.compile(p, f) for p, f in patterns), strict=True):
        expected = re.compile(p, f)
        _same(a, expected)
        _same(b, expected)  # read back from the cache


def test_a_damaged_or_foreign_cache_file_is_compiled_again(cache_home: Path) -> None:
    pattern = r"(?P<n>\d+)\s*(?:km|kilomètres)\b"
    regex_cache.compile(pattern, re.IGNORECASE)
    (path,) = cache_home.glob("regex-*/*.json")
    flags = int(re.IGNORECASE)
    for damage in (
        "not json",
        json.dumps(["another pattern", flags, flags, [], 0, {}, []]),
        json.dumps([pattern, flags, flags, [17, 2, 99], 1, {"n": 1}, [None, "n"]]),  # invalid code
    ):
        path.write_text(damage, encoding="utf-8")
        _same(regex_cache.compile(pattern, re.IGNORECASE), re.compile(pattern, re.IGNORECASE))


def test_a_bad_pattern_is_an_error_as_with_re(cache_home: Path) -> None:
    with pytest.raises(re.error):
        regex_cache.compile("(unclosed")


def test_a_read_only_cache_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("MTQA_HOME", str(blocker / "below-a-file"))
    regex_cache._directory.cache_clear()
    try:
        _same(regex_cache.compile(r"\bvingt\b"), re.compile(r"\bvingt\b"))
    finally:
        regex_cache._directory.cache_clear()

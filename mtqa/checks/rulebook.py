"""Rules as data: every rule, pattern-based or backed by code, is described in a YAML
file under ``mtqa/rules/`` with its code, message, suggestions, documentation and
good/bad examples. The examples run as tests.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from mtqa.cache import cached_json
from mtqa.document import Finding, SegmentKind, Severity

CATEGORIES = (
    "mistranslation",
    "wrong-institution-or-title",
    "calque",
    "grammar",
    "untranslated",
    "named-entity-spelling",
    "typography",
    "garbled",
    "omission",
    "addition",
    "number-mismatch",
    "boilerplate",
)


# libyaml's safe loader is ten times faster than the pure-Python one (a second per start-up).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RuleFileError(ValueError):
    pass


@dataclass(frozen=True)
class RuleExample:
    """A sentence (or article) for a rule's tests, with its English source for source checks."""

    text: str
    source: str | None = None

    def __str__(self) -> str:
        return self.text if self.source is None else f"{self.text}  [source: {self.source}]"


def _example(item: str | dict[str, str]) -> RuleExample:
    if isinstance(item, str):
        return RuleExample(item)
    return RuleExample(item["text"], item.get("source"))


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: Severity
    message: str
    doc: str
    check: str = "pattern"  # "pattern", or the name of the code check that emits it
    suggestions: tuple[str, ...] = ()
    bad: tuple[RuleExample, ...] = ()
    good: tuple[RuleExample, ...] = ()
    pattern: str | None = None
    requires: str | None = None  # regex that must occur in the sentence
    unless: str | None = None  # regex that vetoes the finding when it occurs in the sentence
    kinds: frozenset[SegmentKind] | None = None  # segment kinds it applies to (None: all)
    case_sensitive: bool = False
    default_on: bool = True
    # A choice French-language newsrooms disagree on (straight quotes, « tarifs » for tariffs):
    # off by default, on with the ``house-style`` preset.
    house_style: bool = False
    file: str = ""
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)

    def finding(self, text: str, start: int, end: int, **fields: str) -> Finding:
        """A finding of this rule on ``text[start:end]``, its message filled: ``{match}`` with
        the flagged words, ``{name}`` with ``fields[name]``."""
        words = text[start:end]
        message = self.message.replace("{match}", words)
        for key, value in fields.items():
            message = message.replace("{" + key + "}", value)
        return Finding(self.code, self.category, self.severity, start, end, words, message, self.suggestions)


_REQUIRED = ("code", "name", "category", "severity", "message", "doc")


# Rules whose findings the pipeline itself emits (mtqa/api.py), not a check.
PIPELINE = "pipeline"


def _rule_from(entry: dict[str, Any], file: str, lists: dict[str, tuple[str, ...]]) -> Rule:
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise RuleFileError(f"{file}: rule {entry.get('code', '?')} lacks {', '.join(missing)}")
    if entry["category"] not in CATEGORIES:
        raise RuleFileError(f"{file}: rule {entry['code']} has unknown category {entry['category']!r}")
    check = entry.get("check", "pattern")
    if check == "pattern" and not entry.get("pattern"):
        raise RuleFileError(f"{file}: rule {entry['code']} needs a pattern or a check")
    examples = entry.get("examples") or {}
    # The pipeline's own findings (a limit reached) have no text example: tests/test_limits.py.
    if not examples.get("bad") and check != PIPELINE:
        raise RuleFileError(f"{file}: rule {entry['code']} has no bad example")
    kinds = entry.get("kinds")
    return Rule(
        code=entry["code"],
        name=entry["name"],
        category=entry["category"],
        severity=Severity.parse(entry["severity"]),
        message=entry["message"].strip(),
        doc=" ".join(entry["doc"].split()),
        check=check,
        suggestions=tuple(entry.get("suggestions") or ()),
        bad=tuple(_example(x) for x in examples.get("bad") or ()),
        good=tuple(_example(x) for x in examples.get("good") or ()),
        pattern=entry.get("pattern"),
        requires=entry.get("requires"),
        unless=entry.get("unless"),
        kinds=frozenset(SegmentKind(k) for k in kinds) if kinds else None,
        case_sensitive=bool(entry.get("case_sensitive", False)),
        default_on=bool(entry.get("default_on", not entry.get("house_style", False))),
        house_style=bool(entry.get("house_style", False)),
        file=file,
        lists=lists,
    )


def _rule_files() -> list[tuple[str, dict[str, Any]]]:
    """Each rule file's name and parsed content, in name order.

    Parsed YAML is kept in mtqa's cache under the files' digest: JSON loads in a tenth of
    the time, and every check starts by reading the rules."""
    folder = resources.files("mtqa") / "rules"
    texts = [
        (item.name, item.read_text(encoding="utf-8"))
        for item in sorted(folder.iterdir(), key=lambda p: p.name)
        if item.name.endswith(".yaml")
    ]
    key = {"files": [(name, hashlib.sha256(text.encode()).hexdigest()) for name, text in texts], "v": 1}

    def parse() -> list[tuple[str, dict[str, Any]]]:
        return [(name, yaml.load(text, Loader=_Loader) or {}) for name, text in texts]

    return cached_json("rule-files", key, parse)


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule shipped with mtqa, in code order. Codes are stable: never reuse one."""
    rules: dict[str, Rule] = {}
    for name, data in _rule_files():
        lists = {k: tuple(str(x) for x in v) for k, v in (data.get("lists") or {}).items()}
        for entry in data.get("rules") or ():
            rule = _rule_from(entry, name, lists)
            if rule.code in rules:
                raise RuleFileError(f"{name}: duplicate rule code {rule.code}")
            rules[rule.code] = rule
    return tuple(sorted(rules.values(), key=lambda r: r.code))


@functools.cache
def pattern_codes() -> frozenset[str]:
    """Codes of the hand-written pattern rules (as opposed to detectors and the model)."""
    return frozenset(r.code for r in all_rules() if r.check == "pattern")


def rule(code: str) -> Rule:
    for r in all_rules():
        if r.code == code.upper():
            return r
    raise KeyError(code)

r"""Pattern rules: regular expressions over the text, written with lemma macros.

A rule's ``pattern`` is a Python regex with three conveniences, so that one rule
catches every inflection and typographic variant:

- ``<prendre>`` matches any inflected form of the lemma (from DELA); ``<prendre:V>``
  restricts it to one part of speech (V, N, A, ADV...);
- ``<@name>`` matches any item of the rule file's list ``name`` (items may use macros);
- an apostrophe matches ``'`` or ``’``, and a space matches any run of spaces
  (including non-breaking ones).

The match is bounded by non-word characters at both ends. A named group ``span``
narrows the highlighted part of the match.

Gotchas for rule authors: since a space means ``\s+``, write ``\s?`` for an optional
space, ``\s`` inside a look-behind (which must keep a fixed width), and ``[^\S\n]`` in
rules anchored to a line. A pattern that starts with look-behinds runs them at every
position; a leading ``(?=word)`` makes it several times faster.
"""

from __future__ import annotations

import bisect
import functools
import re
import re._compiler as _compiler
import re._constants as sre
import re._parser as _parser
import sys
from collections.abc import Iterable, Iterator

from mtqa import lexicon, regex_cache
from mtqa.cache import cached_json
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, Sentence

# Not after "(?P" or "(?", so named groups and lookbehinds stay plain regex.
_MACRO = re.compile(r"(?<!\?P)(?<!\(\?)<(@?)([^\W\d][\w'’-]*)(?::([A-Z]+))?>")


def _lemma_refs(pattern: str, lists: dict[str, tuple[str, ...]]) -> Iterator[tuple[str, str]]:
    for at, name, pos in _MACRO.findall(pattern):
        if at:
            for item in lists.get(name, ()):
                yield from _lemma_refs(item, lists)
        else:
            yield name, pos


# The rules' plans and lemma forms are cached per rule selection (defaults, --select, house
# style…): a CI job that runs several keeps one version of each, not just the last two.
RULE_SELECTIONS_KEPT = 8


@functools.cache
def _forms_table(refs: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    """Inflected forms for every ``lemma:POS`` the rules use, cached on disk."""
    try:
        stamp = lexicon.dela_stamp()
    except lexicon.LexiconMissing:
        stamp = None

    def build() -> dict[str, list[str]]:
        known = lexicon.forms_of(lemma for lemma, _ in refs)
        return {f"{lemma}:{pos}": lexicon.forms(lemma, pos or None, known) for lemma, pos in refs}

    if stamp is None:
        return {f"{lemma}:{pos}": [lemma] for lemma, pos in refs}
    return cached_json("lemma-forms", {"refs": refs, "dela": stamp, "v": 1}, build, kept=RULE_SELECTIONS_KEPT)


def _translate(
    pattern: str,
    lists: dict[str, tuple[str, ...]],
    table: dict[str, list[str]],
    memo: dict[str, str] | None = None,
) -> str:
    """Expand the macros, and let spaces and apostrophes match their typographic variants.

    A list is expanded once per ``memo`` (one per file's lists): rules share big lists."""
    memo = {} if memo is None else memo
    out, last = [], 0
    for m in _MACRO.finditer(pattern):
        out.append(_typographic(pattern[last : m.start()]))
        last = m.end()
        at, name, pos = m.groups()
        if at:
            if name not in lists:
                raise ValueError(f"unknown list <@{name}>")
            if name not in memo:
                items = sorted(lists[name], key=len, reverse=True)
                memo[name] = "(?:" + "|".join(_translate(i, lists, table, memo) for i in items) + ")"
            out.append(memo[name])
        else:
            out.append(
                _typographic("(?:" + "|".join(re.escape(f) for f in table[f"{name}:{pos or ''}"]) + ")")
            )
    out.append(_typographic(pattern[last:]))
    return "".join(out)


# An escape, a character class (to its first unescaped "]"), a space or an apostrophe.
_TYPOGRAPHIC = re.compile(r"(\\.?)|(\[(?:\\.?|[^\]\\])*\]?)|( )|(['’])", re.DOTALL)


def _typographic(text: str) -> str:
    """Spaces and apostrophes outside character classes become typographic-variant tolerant."""
    return _TYPOGRAPHIC.sub(lambda m: r"\s+" if m[3] else "['’]" if m[4] else m[0], text)


class CompiledRule:
    """A rule's regexes, compiled on first use: a document that lacks every word the pattern
    needs (``needles``) never pays for compiling it, and most rules need words most articles lack."""

    def __init__(
        self,
        rule: Rule,
        pattern: str,
        flags: int,
        needles: tuple[str, ...] | None,
        requires: str | None,
        unless: str | None,
    ) -> None:
        self.rule = rule
        self.pattern = pattern
        self.flags = flags
        self.needles = needles  # a match holds one of these (lower-cased unless case-sensitive)
        self._requires = requires
        self._unless = unless

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return regex_cache.compile(self.pattern, self.flags)

    @functools.cached_property
    def requires(self) -> re.Pattern[str] | None:
        return regex_cache.compile(self._requires, self.flags) if self._requires else None

    @functools.cached_property
    def unless(self) -> re.Pattern[str] | None:
        return regex_cache.compile(self._unless, self.flags) if self._unless else None

    def may_match(self, text: str, folded: str | None) -> bool:
        """False only if no match is possible: ``folded`` is the text lower-cased (None when
        lower-casing cannot stand for the regex's case folding, see ``_fold``)."""
        if self.needles is None:
            return True
        if self.flags & re.IGNORECASE:
            if folded is None:
                return True
            text = folded
        return any(n in text for n in self.needles)


def _fold(text: str) -> str | None:
    """``text`` lower-cased for needle tests, or None where ``str.lower`` differs from the
    regex engine's case folding (İ, ı, ſ, Greek and Cyrillic variants): no pre-filter then."""
    folded = text.lower()
    if len(folded) != len(text) or not _UNFOLDABLE.isdisjoint(text):
        return None
    return folded


# Characters that IGNORECASE matches with a letter of another lower-case form: the stdlib
# compiler's extra cases, less the ASCII letters (i, s) whose partners are listed.
_UNFOLDABLE = frozenset(chr(c) for k, v in _compiler._EXTRA_CASES.items() for c in (k, *v) if c >= 128)


def compile_rules(rules: Iterable[Rule]) -> list[CompiledRule]:
    """Translate every pattern rule (macros, spaces, apostrophes); compiling waits for first use.

    The translation and the stdlib parser's analysis of each pattern (first characters,
    needed words) are kept in mtqa's cache, keyed by the rules' own text, their lists and the
    DELA file: they cost a tenth of a second at every start otherwise."""
    rules = [r for r in rules if r.pattern]
    try:
        stamp = lexicon.dela_stamp()
    except lexicon.LexiconMissing:
        stamp = None
    key = {
        "rules": [(r.file, r.code, r.pattern, r.requires, r.unless, r.case_sensitive) for r in rules],
        "lists": {r.file: r.lists for r in rules},
        "dela": stamp,
        "python": sys.version_info[:2],
        "v": 3,
    }
    plans = cached_json("rule-plans", key, lambda: _plans(rules), kept=RULE_SELECTIONS_KEPT)
    return [
        CompiledRule(r, pattern, flags, None if needles is None else tuple(needles), req, unl)
        for r, (pattern, flags, req, unl, needles) in zip(rules, plans, strict=True)
    ]


def _plans(rules: list[Rule]) -> list[tuple[str, int, str | None, str | None, list[str] | None]]:
    """For each rule: its pattern behind a first-character look-ahead, its flags, its
    ``requires`` and ``unless`` patterns, all translated, and the words one of which every
    match holds (None if the pattern needs no particular word). Every regex is compiled once
    here, so a bad rule fails at load."""
    refs: set[tuple[str, str]] = set()
    for r in rules:
        for text in (r.pattern, r.requires, r.unless):
            if text:
                refs.update(_lemma_refs(text, r.lists))
    table = _forms_table(tuple(sorted(refs)))
    memos: dict[str, dict[str, str]] = {}  # each file's expanded lists

    out = []
    for r in rules:
        name = f"{r.file}: rule {r.code}"
        try:
            body, requires, unless = (
                _translate(text, r.lists, table, memos.setdefault(r.file, {})) if text else None
                for text in (r.pattern, r.requires, r.unless)
            )
        except (ValueError, KeyError) as e:
            raise ValueError(f"{name}: bad pattern: {e}") from e
        pattern = rf"(?<![\w])(?:{body})(?![\w])"
        flags = re.UNICODE if r.case_sensitive else re.UNICODE | re.IGNORECASE
        try:
            parsed = _parser.parse(pattern, flags & ~re.UNICODE)
        except re.error as e:
            raise ValueError(f"{name}: bad pattern: {e}") from e
        needles = _needles(parsed.data)
        if needles is not None and parsed.state.flags & re.IGNORECASE:
            needles = {n.lower() for n in needles}
        pattern = _with_first_chars(pattern, parsed)
        for regex in (pattern, requires, unless):
            try:
                if regex:
                    re.compile(regex, flags)
            except re.error as e:
                raise ValueError(f"{name}: bad pattern: {e}") from e
        out.append((pattern, flags, requires, unless, None if needles is None else sorted(needles)))
    return out


_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}
_ZERO_WIDTH = (sre.AT, sre.ASSERT, sre.ASSERT_NOT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class _Unbounded(Exception):
    """The first character of a match cannot be told from the pattern."""


def _class_item(op: object, av: object) -> str:
    if op is sre.LITERAL:
        return re.escape(chr(av))  # type: ignore[arg-type]
    if op is sre.RANGE:
        lo, hi = av  # type: ignore[misc]
        return f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
    if op is sre.CATEGORY and av in _CATEGORIES:
        return _CATEGORIES[av]  # type: ignore[index]
    raise _Unbounded


def _first(items: Iterable[tuple[object, object]]) -> tuple[set[str], bool]:
    """Character classes one of which the first consumed character matches, and whether the
    sequence can match without consuming anything."""
    classes: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue  # a look-around or anchor consumes nothing: the next item decides
        if op is sre.LITERAL or op is sre.NOT_LITERAL:
            classes.add(("[^{}]" if op is sre.NOT_LITERAL else "[{}]").format(_class_item(sre.LITERAL, av)))
            return classes, False
        if op is sre.IN:
            negate = bool(av) and av[0][0] is sre.NEGATE  # type: ignore[index]
            body = "".join(_class_item(o, a) for o, a in av[negate:])  # type: ignore[index]
            classes.add(f"[^{body}]" if negate else f"[{body}]")
            return classes, False
        if op is sre.BRANCH:
            nullable = False
            for alternative in av[1]:  # type: ignore[index]
                found, empty = _first(alternative)
                classes |= found
                nullable |= empty
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av  # type: ignore[misc]
            if add_flags or del_flags:
                raise _Unbounded  # (?i:…) inside a case-sensitive rule: keep it simple
            found, nullable = _first(sub)
            classes |= found
        elif op is sre.ATOMIC_GROUP:
            found, nullable = _first(av)  # type: ignore[arg-type]
            classes |= found
        elif op in _REPEATS:
            low, _high, sub = av  # type: ignore[misc]
            found, empty = _first(sub)
            classes |= found
            nullable = low == 0 or empty
        else:
            raise _Unbounded  # ".", back-references, …
        if not nullable:
            return classes, False
    return classes, True


def _with_first_chars(pattern: str, parsed: _parser.SubPattern) -> str:
    """``pattern`` behind a look-ahead on the characters a match can start with.

    A pattern that opens on a look-behind (the word bound) is tried at every position of
    the text; a first-character test rejects most positions at once, which makes rules
    several times faster on text they cannot match, such as 100,000 dots. The result
    matches exactly what ``pattern`` matches. Uses the stdlib's regex parser (``re._parser``);
    where the first character is open, ``pattern`` is returned unchanged.
    """
    try:
        classes, nullable = _first(parsed.data)
    except _Unbounded:
        return pattern
    if nullable or not classes:
        return pattern
    positive = sorted(k[1:-1] for k in classes if not k.startswith("[^"))
    alternatives = ([f"[{''.join(positive)}]"] if positive else []) + sorted(
        k for k in classes if k.startswith("[^")
    )
    return f"(?=(?:{'|'.join(alternatives)}))(?:{pattern})"


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The more selective of two needle sets: longest shortest word, then fewest words."""
    if a is None or b is None:
        return a if b is None else b
    return a if (min(map(len, a)), -len(a)) >= (min(map(len, b)), -len(b)) else b


def _needles(items: Iterable[tuple[object, object]]) -> set[str] | None:
    """Strings one of which any text the parsed sequence matches must contain, or None.

    Runs of literal characters give one string; alternatives give the union of theirs; a
    positive look-around's words must be in the text too. Anything else (classes, optional
    parts, inline flags) gives no constraint, which is always safe."""
    best: set[str] | None = None
    run: list[str] = []

    def flush() -> None:
        nonlocal best
        if run:
            best = _better(best, {"".join(run)})
            run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))  # type: ignore[arg-type]
            continue
        flush()
        found: set[str] | None = None
        if op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av  # type: ignore[misc]
            found = None if add_flags or del_flags else _needles(sub)
        elif op is sre.ATOMIC_GROUP:
            found = _needles(av)  # type: ignore[arg-type]
        elif op is sre.BRANCH:
            alternatives = [_needles(alt) for alt in av[1]]  # type: ignore[index]
            if all(a is not None for a in alternatives):
                found = set().union(*alternatives)  # type: ignore[arg-type]
        elif op in _REPEATS:
            low, _high, sub = av  # type: ignore[misc]
            found = _needles(sub) if low >= 1 else None
        elif op is sre.ASSERT:
            _direction, sub = av  # type: ignore[misc]
            found = _needles(sub)
        best = _better(best, found)
    flush()
    return best


def _context_allows(c: CompiledRule, sentence: str) -> bool:
    """The rule's ``requires`` occurs in the sentence and its ``unless`` does not."""
    if c.requires and not c.requires.search(sentence):
        return False
    return not (c.unless and c.unless.search(sentence))


def sentence_at(doc: Document, starts: list[int], start: int, end: int) -> Sentence | None:
    """The sentence that wholly contains [start, end), if any; ``starts`` are the sentence starts."""
    i = bisect.bisect_right(starts, start) - 1
    if i >= 0 and doc.sentences[i].end >= end:
        return doc.sentences[i]
    return None


class PatternCheck:
    """Runs every enabled pattern rule over a document."""

    name = "pattern"

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.compiled = compile_rules(rules)

    def run(self, doc: Document) -> Iterator[Finding]:
        starts = [s.start for s in doc.sentences]  # once per document, not per match
        folded = _fold(doc.text)
        for c in self.compiled:
            if not c.may_match(doc.text, folded):
                continue
            # The sentence context is tested once per rule and sentence, not per match: a
            # sentence of 4,000 "10 p.m." would otherwise be rescanned 4,000 times.
            context_ok: dict[int, bool] = {}
            for m in c.regex.finditer(doc.text):
                if m.end() == m.start():
                    continue
                sentence = sentence_at(doc, starts, m.start(), m.end())
                if sentence is None:
                    continue
                rule = c.rule
                if rule.kinds is not None and sentence.kind not in rule.kinds:
                    continue
                ok = context_ok.get(sentence.index)
                if ok is None:
                    ok = context_ok[sentence.index] = _context_allows(c, sentence.text)
                if not ok:
                    continue
                start, end = m.span("span") if "span" in c.regex.groupindex and m.group("span") else m.span()
                text = doc.text[start:end]
                yield Finding(
                    rule=rule.code,
                    category=rule.category,
                    severity=rule.severity,
                    start=start,
                    end=end,
                    text=text,
                    message=rule.message.replace("{match}", text),
                    suggestions=rule.suggestions,
                )

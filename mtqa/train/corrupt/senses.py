"""Wrong word senses through an English pivot: « une blessure au mollet » → « une blessure
au veau » (both 'calf'), « les piliers » → « les piles ».

Real MT errors are mostly fluent French with the wrong meaning, and the commonest kind is
a polysemous source word translated in its other sense. The hand-written tables of
``lexical.word_sense`` hold a few dozen such pairs; this generator finds thousands in a
bilingual dictionary: two French words listed under different numbered senses of one
English headword (« calf: 1. veau 2. mollet ») are a wrong-sense pair, unless some entry
lists them as synonyms or they share two English translations. The dictionary is FreeDict
English–French (Debian's ``dict-freedict-eng-fra``, GPL-2+), read at training time only:
nothing of it ships, and without it the generator simply never applies.

Trained into the model it did not help on real articles (``models/README.md``), so it runs
only when asked for by name.
"""

from __future__ import annotations

import functools
import gzip
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

from mtqa import lexicon
from mtqa.train.corrupt.base import (
    _LEX,
    FUNCTION_WORDS,
    Corruption,
    _inflect_like,
    _make,
    _match_case,
    _noun_gender,
    _splice,
    dela,
)

FREEDICT = Path(os.environ.get("MTQA_FREEDICT", "/usr/share/dictd"))
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_SENSE = re.compile(r"^\d+\.\s*")
# Too common or too vague to make a telling error, or forms DELA reads as several words.
_SKIP = frozenset("être avoir faire aller chose fait partie part point sorte genre".split())
MIN_ZIPF = 2.5  # the wrong word must itself be ordinary French, not a rare or archaic form
# After an auxiliary a verb form is a participle (« a pris », not the simple past « je pris »).
_AUXILIARIES = frozenset(
    "a ai as avons avez ont avait avais avaient aura auront aurait auraient ait aient eu avoir est es "
    "suis sommes êtes sont était étais étaient sera seront serait seraient soit soient été être".split()
)
_REFLEXIVE = frozenset("se s me m te t nous vous".split())


def _b64(code: str) -> int:
    n = 0
    for c in code:
        n = n * 64 + _B64.index(c)
    return n


def entries(name: str) -> Iterator[tuple[str, list[list[str]]]]:
    """(headword, senses) of a dictd dictionary: each sense is its list of translations."""
    index, data = FREEDICT / f"{name}.index", FREEDICT / f"{name}.dict.dz"
    if not index.exists() or not data.exists():
        return
    with gzip.open(data) as fh:  # dictzip is gzip with a seek table
        raw = fh.read()
    for line in index.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        try:
            start, size = _b64(parts[1]), _b64(parts[2])
            body = raw[start : start + size].decode("utf-8").strip().split("\n")[1:]
        except ValueError:  # a damaged line or entry: one headword less, not a failed training run
            continue
        senses = [[t.strip() for t in _SENSE.sub("", s).split(",") if t.strip()] for s in body if s.strip()]
        yield parts[0], [s for s in senses if s]


@functools.cache  # wrong_senses asks for the same words once per pair they are in
def _lemmas(word: str, pos: str) -> frozenset[str]:
    return frozenset(lem for lem, p, _ in dela().analyses(word) if p == pos)


@functools.cache
def wrong_senses() -> dict[tuple[str, str], tuple[str, ...]]:
    """(French lemma, POS) → French lemmas of the same POS that translate one English word in
    another of its senses, sorted. Pairs that any entry gives as synonyms (in one sense) are
    left out: « accumulateur » is no wrong sense for « batterie »."""
    same_sense: set[tuple[str, str]] = set()
    across: set[tuple[str, str, str]] = set()
    for _, senses in entries("freedict-eng-fra"):
        words = [[w for w in sense if " " not in w and w.islower()] for sense in senses]
        for sense in words:
            same_sense.update((a, b) for a in sense for b in sense)
        for i, a_sense in enumerate(words):
            for j, b_sense in enumerate(words):
                if i == j:
                    continue
                for a in a_sense:
                    for b in b_sense:
                        for pos in ("N", "V"):
                            if a not in _lemmas(a, pos) or b not in _lemmas(b, pos):
                                continue  # both must be lemmas (headword forms) of that POS
                            across.add((a, b, pos))
    english: dict[str, set[str]] = {}  # French headword → its English translations
    for head, senses in entries("freedict-fra-eng"):
        english.setdefault(head, set()).update(t.lower() for sense in senses for t in sense)
    table: dict[tuple[str, str], set[str]] = {}
    for a, b, pos in sorted(across):
        if a == b or (a, b) in same_sense or a in _SKIP or b in _SKIP:
            continue
        if len(english.get(a, set()) & english.get(b, set())) >= 2:
            continue  # two shared translations: near-synonyms (« affirmer », « déclarer »)
        if _lemmas(a, pos) & _lemmas(b, pos) - {a} or lexicon.french_frequency(b) < MIN_ZIPF:
            continue
        table.setdefault((a, pos), set()).add(b)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def _options(fr: str) -> list[tuple[int, int, str]]:
    """(start, end, wrong word) for every noun or verb of ``fr`` that has a wrong sense."""
    table = wrong_senses()
    words = list(_LEX.finditer(fr))
    opts = []
    for i, m in enumerate(words):
        w = m.group(0)
        if not w.islower() or len(w) < 3 or w in FUNCTION_WORDS:
            continue  # names, acronyms and the first word's capital stay untouched
        analyses = dela().analyses(w)
        prev = words[i - 1].group(0).lower() if i else ""
        kinds = {p for _, p, _ in analyses} - {"A"}
        if prev in _AUXILIARIES and any(
            p == "V" and any(t[0] == "K" for t in tags) for _, p, tags in analyses
        ):
            kinds = {"V"}  # « a licencié » is the verb, whatever else DELA reads in « licencié »
        if len(kinds) != 1 or not kinds <= {"N", "V"}:
            continue  # « hausse » (noun or verb), « par »: which sense is meant is unclear
        pos = kinds.pop()
        if pos == "N" and any(p == "A" for _, p, _ in analyses):
            continue  # « étrangères » is an adjective far more often than a noun
        if pos == "V" and prev in _REFLEXIVE:
            continue  # the other verb need not be pronominal
        for lemma in sorted({lem for lem, p, _ in analyses if p == pos}):
            for bad in table.get((lemma, pos), ()):
                if pos == "N" and _noun_gender(lemma) != _noun_gender(bad):
                    continue  # an adjective after it would betray the swap by its agreement
                new = _inflect_like(w, lemma, pos, bad, participle=pos == "V" and prev in _AUXILIARIES)
                if new and new != w:
                    opts.append((m.start(), m.end(), new))
    return sorted(set(opts))


def pivot_sense(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """A noun or verb replaced by a French word for another sense of its English translation."""
    opts = _options(fr)
    if not opts:
        return None
    s, e, new = rng.choice(opts)
    text, place = _splice(fr, s, e, _match_case(new, fr[s:e]))
    return _make(fr, text, [place], "mistranslation", "major", "pivot_sense")

"""Words that are not French: impossible conjugations (« déployeraient ») and non-words.

A lower-case word is flagged when neither DELA nor wordfreq's French list knows it AND a
known form lies within a small edit of it: that is the signature of a broken inflection.
An unknown word with no close neighbour is more likely a neologism (« mpox ») and is left
alone, as are capitalised words (names), acronyms, words with digits and English words
(the untranslated check's business).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator

from mtqa import lexicon
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, SegmentKind
from mtqa.limits import MAX_WORD_CHARS

_TOKEN = re.compile(r"(?<![\w@#/.-])[^\W\d_]+(?:-[^\W\d_]+)*(?![\w@/])")
_ELISION = re.compile(r"^(?:[ldjmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)


def suggest(word: str) -> list[str]:
    """Close lexicon forms sharing the word's first three letters, closest and commonest first."""
    close = difflib.get_close_matches(word, lexicon.forms_with_prefix(word[:3]), n=10, cutoff=0.8)
    ranked = sorted(close, key=lambda w: (edit_distance(word, w), -lexicon.french_frequency(w)))
    return [w for w in ranked[:2] if edit_distance(word, w) <= 2]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance; the strings are single words, so the quadratic table is cheap."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@functools.lru_cache(maxsize=65536)
def is_unknown(word: str) -> bool:
    if not 5 <= len(word) <= MAX_WORD_CHARS or not word.islower():
        return False
    if lexicon.is_french_word(word):
        return False
    if lexicon.english_frequency(word) >= 2.5:
        return False
    # Compounds: accept when every part is a word (« franco-allemand », « ex-président »).
    parts = word.split("-")
    if len(parts) > 1 and all(len(p) < 4 or lexicon.is_french_word(p) for p in parts):
        return False
    return not _regular_coinage(word)


_PREFIXES = (
    "anti", "auto", "bio", "co", "contre", "cyber", "éco", "ex", "extra", "hyper", "inter", "méga",
    "micro", "mini", "multi", "néo", "non", "post", "pré", "pro", "re", "semi", "sous", "super",
    "sur", "télé", "ultra",
)  # fmt: skip


def _regular_coinage(word: str) -> bool:
    """News French coins words DELA lacks by regular means: a prefix on a known word
    (« antivaccin »), or an agent noun from a known verb (« bipeur » from « biper »)."""
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 4 and lexicon.is_french_word(rest):
            return True
    stem = re.sub(r"(?:eur|euse|eurs|euses)$", "", word)
    return stem != word and bool(lexicon.lemmas(stem + "er", "V"))


class NonWordCheck:
    name = "nonword"

    def __init__(self, rules: list[Rule]) -> None:
        self.rule = rules[0]

    def run(self, doc: Document) -> Iterator[Finding]:
        for s in doc.sentences:
            if s.kind is SegmentKind.DATELINE:
                continue
            for m in _TOKEN.finditer(s.text):
                token = m.group()
                word = _ELISION.sub("", token)
                if not is_unknown(word):
                    continue
                fixes = suggest(word)
                if not fixes:
                    continue
                start = s.start + m.end() - len(word)
                end = s.start + m.end()
                yield Finding(
                    self.rule.code,
                    self.rule.category,
                    self.rule.severity,
                    start,
                    end,
                    word,
                    self.rule.message.replace("{match}", word),
                    tuple(fixes),
                )


# A lower-case run glued to capitalised words: « mlMinggunya », « españolItaliano ». Brands
# written that way (« easyJet », « bioMérieux », « airBaltic ») are in wordfreq's lists.
_LOWER = "a-zà-öø-ÿ"
_GLUED = re.compile(rf"(?<![\w@#/.:-])[{_LOWER}]{{2,}}(?:[A-ZÀ-ÖØ-Þ][{_LOWER}]+)+(?![\w@/-])")


class GluedWordsCheck:
    """Words glued together without a space, a capital inside: a token the translation or the
    page extraction broke, or a site's menu (languages, sections) run into the text."""

    name = "glued-words"

    def __init__(self, rules: list[Rule]) -> None:
        self.rule = rules[0]

    def run(self, doc: Document) -> Iterator[Finding]:
        for s in doc.sentences:
            for m in _GLUED.finditer(s.text):
                token = m.group()
                low = token.lower()
                if (
                    len(token) > MAX_WORD_CHARS
                    or lexicon.french_frequency(low)
                    or lexicon.english_frequency(low)
                ):
                    continue
                yield self.rule.finding(doc.text, s.start + m.start(), s.start + m.end())

"""Untranslated text: whole sentences in another language, and English runs inside French.

langdetect is slow and noisy on short strings, so a cheap test on French function
words settles most sentences first, and only the doubtful rest go to langdetect,
seeded for determinism.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from mtqa import lexicon
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, SegmentKind, Sentence
from mtqa.limits import MAX_WORD_CHARS

# Function words frequent in French and absent from English (no "a", "on", "en").
_FRENCH_MARKERS = frozenset(
    "le la les des du de et est une un pour dans qui que sur par au aux avec ne pas il elle ils elles ont "
    "sont cette ce ces ses son sa leur leurs été être mais ou où selon lors après depuis très plus "
    "nous vous je tu lui y dont entre sans sous vers chez aussi encore déjà".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# An opening mark stops the scan of the one before it, so unclosed marks cost linear time.
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"]*\"|\([^()]*\)")


@functools.cache
def _detector_factory() -> None:
    from langdetect import DetectorFactory

    DetectorFactory.seed = 0


def detect(text: str) -> dict[str, float]:
    """Language probabilities for ``text`` (deterministic)."""
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _detector_factory()
    try:
        return {lang.lang: lang.prob for lang in detect_langs(text)}
    except LangDetectException:
        return {}


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def french_marker_share(tokens: list[str]) -> float:
    if not tokens:
        return 0.0
    return sum(1 for t in tokens if t.lower() in _FRENCH_MARKERS) / len(tokens)


def foreign_language(text: str) -> tuple[str, float] | None:
    """(language, probability) when ``text`` is confidently not French, else None."""
    # Asked twice per sentence (document gate, then the check); long texts are not worth
    # keeping in memory for that.
    return _foreign_language_cached(text) if len(text) <= 2_000 else _foreign_language(text)


@functools.lru_cache(maxsize=4096)
def _foreign_language_cached(text: str) -> tuple[str, float] | None:
    return _foreign_language(text)


def _foreign_language(text: str) -> tuple[str, float] | None:
    tokens = words(text)
    letters = sum(len(t) for t in tokens)
    if len(tokens) < 4 or letters < 20:
        return None
    markers = french_marker_share(tokens)
    if markers >= 0.12:
        return None
    french, english = _word_votes(tokens)
    if french > english:
        return None  # headlines of names and French words fool langdetect (« Macron nomme … »)
    if french == 0 and english >= 4 and markers == 0:
        # Plain English, the usual leftover of MT: no need to load langdetect's 55 profiles.
        return "en", 1.0
    if sum(1 for t in tokens if t.islower() and len(t) >= 3) < 3:
        return None  # names, acronyms and credits (« ERIC DUPONT/Hans Lucas via AFP »): nothing to detect
    probs = detect(text)
    if not probs:
        return None
    lang, prob = max(probs.items(), key=lambda kv: kv[1])
    if lang != "fr" and prob >= 0.90 and probs.get("fr", 0.0) < 0.05:
        return lang, prob
    return None


def _word_votes(tokens: list[str]) -> tuple[int, int]:
    """Lower-case words more frequent in French, and those more frequent in English."""
    french = english = 0
    for t in tokens:
        if not t.islower() or len(t) < 3:
            continue
        fr, en = lexicon.french_frequency(t), lexicon.english_frequency(t)
        if fr > en:
            french += 1
        elif en > fr:
            english += 1
    return french, english


def french_share(doc: Document) -> float | None:
    """Share of the document's letters in sentences that read as French; None if too short to tell."""
    french = total = 0
    for s in doc.sentences:
        if s.kind is SegmentKind.DATELINE:
            continue
        n = sum(len(t) for t in words(s.text))
        total += n
        if foreign_language(s.text) is None:
            french += n
    if total < 60:
        return None
    return french / total


_LANGUAGE_NAMES = {
    "en": "anglais",
    "id": "indonésien",
    "es": "espagnol",
    "de": "allemand",
    "it": "italien",
    "pt": "portugais",
    "nl": "néerlandais",
    "ms": "malais",
    "tl": "tagalog",
    "ru": "russe",
    "vi": "vietnamien",
}


@functools.lru_cache(maxsize=65536)
def _is_englishish(token: str) -> bool:
    """An English word that is not also ordinary French (loanwords such as week-end pass)."""
    if len(token) > MAX_WORD_CHARS:
        return False
    low = token.lower()
    en = lexicon.english_frequency(low)
    if en < 3.0:
        return False
    fr = lexicon.french_frequency(low)
    return fr < 3.0 or en - fr > 2.5


class UntranslatedCheck:
    name = "untranslated"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        for s in doc.sentences:
            if s.kind is SegmentKind.DATELINE:
                continue
            found = foreign_language(s.text)
            if found and "MTQA101" in self.rules:
                rule = self.rules["MTQA101"]
                lang = _LANGUAGE_NAMES.get(found[0], found[0])
                yield _finding(rule, s.start, s.end, s.text, rule.message.replace("{language}", lang))
            elif not found and ("MTQA102" in self.rules or "MTQA103" in self.rules):
                # Quoted titles and names are left alone by both word-level checks.
                masked = _QUOTED.sub(lambda m: " " * len(m.group()), s.text)
                if "MTQA102" in self.rules:
                    yield from self._english_runs(s, masked, self.rules["MTQA102"])
                if "MTQA103" in self.rules:
                    yield from self._source_words(s, masked, self.rules["MTQA103"])

    def _source_words(self, s: Sentence, masked: str, rule: Rule) -> Iterator[Finding]:
        """Words of a source language other than English, left untranslated."""
        for m in _WORD.finditer(masked):
            lang = source_language_of(m.group())
            if lang:
                text = s.text[m.start() : m.end()]
                message = rule.message.replace("{match}", text).replace("{language}", _LANGUAGE_NAMES[lang])
                yield _finding(rule, s.start + m.start(), s.start + m.end(), text, message)

    def _english_runs(self, s: Sentence, masked: str, rule: Rule) -> Iterator[Finding]:
        """Runs of three or more English words inside a French sentence, outside quotes and names."""
        run: list[re.Match[str]] = []
        for m in [*_WORD.finditer(masked), None]:
            if m is not None and _is_englishish(m.group()):
                run.append(m)
                continue
            if len(run) >= 3 and not all(w.group()[0].isupper() for w in run):
                start, end = s.start + run[0].start(), s.start + run[-1].end()
                text = s.text[run[0].start() : run[-1].end()]
                yield _finding(rule, start, end, text, rule.message.replace("{match}", text))
            run = []


_ELIDED = re.compile(r"^[^\W\d_]{1,2}['’]")
# Languages much MT into French comes from, whose words wordfreq knows and French does not share.
SOURCE_LANGUAGES = ("id", "vi")


@functools.lru_cache(maxsize=65536)
def source_language_of(token: str) -> str | None:
    """The language a lower-case word belongs to when it is a word of a SOURCE_LANGUAGES
    language and not of French or English; else None."""
    if len(token) < 3 or len(token) > MAX_WORD_CHARS or not token.islower():
        return None
    word = _ELIDED.sub("", token)  # « l'infaq »
    if len(word) < 3 or lexicon.is_french_word(word):
        return None
    fr = lexicon.french_frequency(word)
    if fr >= 1.5 or lexicon.english_frequency(word) >= 3.0:
        return None
    for lang in SOURCE_LANGUAGES:
        if (f := lexicon.frequency(word, lang)) >= 3.0 and f > fr + 1.5:
            return lang
    return None


def _finding(rule: Rule, start: int, end: int, text: str, message: str) -> Finding:
    return Finding(rule.code, rule.category, rule.severity, start, end, text, message, rule.suggestions)

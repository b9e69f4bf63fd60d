"""Untranslated text: whole sentences in another language, and English runs inside French.

A cheap test on French function words and word frequencies settles most sentences; only
the doubtful rest go to a language detector (lingua's trigram models of the languages
below: a fifth of a second to load, once per process, and the same answer every time), and
what it finds foreign must then be mostly words of the language found (wordfreq).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator

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
# Quotations, brackets, web addresses and e-mails are left alone by the word-level checks. An
# opening mark stops the scan of the one before it, and an address starts a word, so unclosed
# marks and long words cost linear time.
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"]*\"|\([^()]*\)|(?:https?://|www\.)\S+|(?<!\S)[^\s@]++@\S+")


# French, and the languages French news is machine-translated from or mistaken for.
DETECTED_LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "id", "ms", "vi", "tl", "ru")
DETECT_CHARS = 1_000
# Share of a sentence's lower-case words that are French forms (DELA) above which it is French.
FRENCH_WORD_SHARE = 0.6


@functools.cache
def _detector(languages: tuple[str, ...] = DETECTED_LANGUAGES):  # lingua: imported on use
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in languages]
    return LanguageDetectorBuilder.from_languages(*chosen).with_low_accuracy_mode().build()


def detect(text: str, languages: tuple[str, ...] = DETECTED_LANGUAGES) -> dict[str, float]:
    """Language probabilities for ``text`` among ``languages`` (deterministic).

    Trigrams only: lingua's full models would cost a third of a second to load per language,
    and on a French sentence full of foreign names trigrams can read Portuguese or Indonesian,
    which ``_mostly_words_of`` then rules out. Malay counts as Indonesian: the two are hard to
    tell apart, and news MT into French comes from Indonesian."""
    probs: dict[str, float] = {}
    # A language shows in its first few hundred letters; lingua's cost grows fast beyond.
    for v in _detector(languages).compute_language_confidence_values(text[:DETECT_CHARS]):
        code = v.language.iso_code_639_1.name.lower()
        code = "id" if code == "ms" else code
        probs[code] = probs.get(code, 0.0) + v.value
    return probs


def _confidently_foreign(text: str) -> tuple[str, float] | None:
    probs = detect(text)
    if not probs:
        return None
    lang, prob = max(probs.items(), key=lambda kv: kv[1])
    if lang != "fr" and prob >= 0.90 and probs.get("fr", 0.0) < 0.05:
        return lang, prob
    return None


# wordfreq's code where it differs from lingua's; Russian is told apart by its alphabet.
_WORDFREQ_CODES = {"tl": "fil"}
_OWN_ALPHABET = frozenset({"ru"})
MOSTLY = 0.6  # share of the lower-case words that must belong to the language found


def _screened_and_confirmed(text: str) -> tuple[str, float] | None:
    """The trigram screen over every language clears most doubtful French; what it finds
    foreign stands only if most of the lower-case words (three at least; addresses and
    quotations aside) are more frequent in the language found than in French (and, for
    another language than English, than in English). That rules out what trigrams misread:
    a web address (« Ref: https://www.reuters.com »), a shortcode, a caption of names."""
    screened = _confidently_foreign(text)
    if screened is None or not (screened[0] in _OWN_ALPHABET or _mostly_words_of(text, screened[0])):
        return None
    return screened


def _mostly_words_of(text: str, lang: str) -> bool:
    common = [t for t in words(_QUOTED.sub(" ", text)) if t.islower() and len(t) >= 2]
    code = _WORDFREQ_CODES.get(lang, lang)
    theirs = 0
    for t in common:
        f = lexicon.frequency(t, code)
        # Beating English too: Tagalog web text is full of English words.
        if (
            f >= 3.0
            and f > lexicon.french_frequency(t)
            and (lang == "en" or f > lexicon.english_frequency(t))
        ):
            theirs += 1
    return theirs >= 3 and theirs >= MOSTLY * len(common)


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
    if markers >= 0.2:
        # A fifth of the words are French function words: French (in real human French, only
        # 5 % of sentences fall below, and the detector finds none of those foreign).
        return None
    common = [t for t in tokens if t.islower() and len(t) >= 3]
    if len(common) < 3:
        return None  # names, acronyms and credits (« ERIC DUPONT/Hans Lucas via AFP »): nothing to detect
    french, english = _word_votes(common)
    if french == 0 and english >= 4 and english >= 0.8 * len(common) and markers == 0:
        return "en", 1.0  # plain English, the usual leftover of MT: no detector needed
    if french > english and _french_forms(common) >= FRENCH_WORD_SHARE * len(common):
        # Few function words, but most words French forms and more French than English (a
        # caption, a list of names and titles): no other language shares that many inflected
        # forms with French, and the detector costs a fifth of a second to load.
        return None
    return _screened_and_confirmed(text)


def _french_forms(common: list[str]) -> int:
    """How many of the lower-case words are French inflected forms (DELA)."""
    return sum(1 for t in common if lexicon.is_dela_form(t))


def _word_votes(common: list[str]) -> tuple[int, int]:
    """Words more frequent in French, and common English words more frequent in English."""
    french = english = 0
    for t in common:
        fr, en = lexicon.french_frequency(t), lexicon.english_frequency(t)
        if fr > en:
            french += 1
        elif en > fr and en >= 3.0:
            english += 1
    return french, english


def language_shares(doc: Document) -> tuple[float | None, str | None]:
    """The share of the document's letters in French sentences (None if too short to tell),
    and the language most of the rest is in."""
    french = total = 0
    other: dict[str, int] = {}
    for s in doc.sentences:
        if s.kind is SegmentKind.DATELINE:
            continue
        n = sum(len(t) for t in words(s.text))
        total += n
        found = foreign_language(s.text)
        if found is None:
            french += n
        else:
            other[found[0]] = other.get(found[0], 0) + n
    main = max(other, key=other.__getitem__) if other else None
    if total < 60:
        return None, main
    return french / total, main


def language_name(code: str) -> str:
    """The French name of a language code (« allemand »), or the code itself."""
    return _LANGUAGE_NAMES.get(code, code)


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
                message = rule.message.replace("{language}", language_name(found[0]))
                yield _finding(rule, s.start, s.end, s.text, message)
            elif not found and ("MTQA102" in self.rules or "MTQA103" in self.rules):
                # Quoted titles and names are left alone by both word-level checks.
                masked = _QUOTED.sub(lambda m: " " * len(m.group()), s.text)
                if "MTQA102" in self.rules:
                    yield from self._english_runs(s, masked, self.rules["MTQA102"])
                    yield from self._foreign_runs(s, masked, self.rules["MTQA102"])
                if "MTQA103" in self.rules:
                    yield from self._source_words(s, masked, self.rules["MTQA103"])

    def _source_words(self, s: Sentence, masked: str, rule: Rule) -> Iterator[Finding]:
        """Words of a source language other than English, left untranslated."""
        for m in _WORD.finditer(masked):
            lang = source_language_of(m.group())
            if lang:
                text = s.text[m.start() : m.end()]
                message = rule.message.replace("{match}", text).replace("{language}", language_name(lang))
                yield _finding(rule, s.start + m.start(), s.start + m.end(), text, message)

    def _english_runs(self, s: Sentence, masked: str, rule: Rule) -> Iterator[Finding]:
        """Runs of three or more English words inside a French sentence, outside quotes and names."""
        for run in _runs(_WORD.finditer(masked), _is_englishish):
            yield self._run_finding(s, run, rule, "en")

    def _foreign_runs(self, s: Sentence, masked: str, rule: Rule) -> Iterator[Finding]:
        """Runs of three or more words that are not French (nor English: see above), in one of
        the other languages French news is translated from; the detector names the language."""
        for run in _foreign_candidate_runs(masked):
            text = s.text[run[0].start() : run[-1].end()]
            if sum(1 for w in run if w.group().islower()) < 2:
                continue  # names (« Sri Mulyani Indrawati ») and titles, not a clause
            # Trigrams alone: three to six words are too few for ``_mostly_words_of``
            # (benchmarks/languages.py).
            found = _confidently_foreign(text)
            if found and found[0] in RUN_LANGUAGES:
                yield self._run_finding(s, run, rule, found[0])

    @staticmethod
    def _run_finding(s: Sentence, run: list[re.Match[str]], rule: Rule, lang: str) -> Finding:
        start, end = s.start + run[0].start(), s.start + run[-1].end()
        text = s.text[run[0].start() : run[-1].end()]
        message = rule.message.replace("{match}", text).replace("{language}", language_name(lang))
        return _finding(rule, start, end, text, message)


# The languages whose runs inside French the detector names (English has its own test).
RUN_LANGUAGES = ("de", "es", "it", "pt", "nl", "id")


def _runs(words: Iterable[re.Match[str]], belongs: Callable[[str], bool]) -> Iterator[list[re.Match[str]]]:
    """Runs of three or more consecutive ``words`` that ``belongs`` accepts, not all capitalised."""
    run: list[re.Match[str]] = []
    for m in [*words, None]:
        if m is not None and belongs(m.group()):
            run.append(m)
            continue
        if len(run) >= 3 and not all(w.group()[0].isupper() for w in run):
            yield run
        run = []


def _foreign_candidate_runs(masked: str) -> Iterator[list[re.Match[str]]]:
    """Runs of three or more words French text does not use much (« die », « sehr », « sigue »:
    German and English words are frequent in French web text, hence the high bar) and DELA
    does not know. The frequency test is cheap; DELA is scanned only inside such runs."""
    for rough in _runs(_WORD.finditer(masked), _rare_in_french):
        yield from _runs(rough, _not_in_dela)


@functools.lru_cache(maxsize=65536)
def _rare_in_french(token: str) -> bool:
    return len(token) <= MAX_WORD_CHARS and lexicon.french_frequency(token.lower()) < 4.5


def _not_in_dela(token: str) -> bool:
    return not lexicon.is_dela_form(token.lower())


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

"""Names written in lower case (MTQA594, MTQA595): « des ukrainiens », « Vladimir zelensky ».

MT from languages that capitalise differently, or a pipeline that lower-cases titles, drops
the capital of a people's name or of the second half of a person's name. DELA tells the
adjective « ukrainien » from the noun « Ukrainien », and knows no lower-case « zelensky ».
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from mtqa import lexicon
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding

# Only a plural determiner and a masculine plural: « le russe » is the language, « les
# russes » can only be people.
_PLURAL_DETERMINERS = frozenset(
    "les des aux ces deux trois quatre cinq six sept huit neuf dix plusieurs nombreux quelques".split()
)
_AFTER_PLURAL_DETERMINER = re.compile(
    rf"(?<![\w'’-])(?i:{'|'.join(sorted(_PLURAL_DETERMINERS))}) (?P<word>[^\W\d_A-ZÀ-Þ]+)(?![\w'’-])"
)
# A capitalised word after a word or a comma (not at the start of a sentence or after a
# quote, where any word takes a capital), then a lower-case word.
_NAME_THEN_LOWER = re.compile(
    r"(?<=[\w,] )(?P<name>[A-ZÀ-Þ][^\W\d_A-ZÀ-Þ]+) (?P<word>[^\W\d_A-ZÀ-Þ]{3,})(?![\w'’-])"
)
# The word after a match, to tell a name from a title in another language.
_NEXT_WORD = re.compile(r"[ \u00a0]([^\W\d_]+)(?![\w'’-])")
# A noun and a people's adjective: « les marchés européens » (the lookahead lets pairs overlap).
_ADJECTIVE_AFTER_WORD = re.compile(
    r"(?<![\w'’-])(?P<prev>[^\W\d_]+) (?=(?P<word>[^\W\d_A-ZÀ-Þ]+)(?![\w'’-]))"
)


def _people_noun(word: str) -> str | None:
    """The capitalised noun of a people when ``word`` is its adjective (« ukrainiens » →
    « Ukrainiens »); None otherwise."""
    readings = lexicon.analyses(word)
    if not readings or any(pos != "A" for _, pos, _ in readings):
        return None
    # Feminine plurals name elections as often as women: « aux européennes », « les législatives ».
    if not any("mp" in features.split(":") for _, _, features in readings):
        return None
    capital = _capital(word)
    return capital if any(pos == "N" for _, pos, _ in lexicon.analyses(capital)) else None


def _capital(word: str) -> str:
    return word[0].upper() + word[1:]


def _first_adjective(text: str) -> int:
    """Where the first people's adjective after a noun starts (« les marchés européens »), or
    the text's length. A lower-case people after it (« … et les américains ») is an ellipsis
    of that noun, rightly in lower case."""
    for m in _ADJECTIVE_AFTER_WORD.finditer(text):
        if m["prev"].lower() not in _PLURAL_DETERMINERS and _people_noun(m["word"]):
            return m.start("word")
    return len(text)


def _a_name(word: str) -> bool:
    """A capitalised word that is no French word: a first name or a surname."""
    rest = word[1:]
    return word[:1].isupper() and rest.isalpha() and rest.islower() and not lexicon.analyses(word.lower())


def _unknown_lower(word: str) -> bool:
    return (
        len(word) >= 3
        and word.isalpha()
        and word.islower()
        and not lexicon.analyses(word)
        and lexicon.french_frequency(word) < 2.0
        and lexicon.english_frequency(word) < 2.5
    )


def _foreign_after(text: str, end: int) -> bool:
    """Another unknown lower-case word follows: a title or a slogan in another language
    (« Ndawi askan wi », a Senegalese coalition), where lower case is that language's."""
    m = _NEXT_WORD.match(text, end)
    return bool(m) and m[1].islower() and not lexicon.analyses(m[1])


class CapitalsCheck:
    name = "capitals"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        for sentence in doc.sentences:
            at = sentence.start
            if "MTQA594" in self.rules:
                first_adjective: int | None = None  # found once per sentence, only if needed
                for m in _AFTER_PLURAL_DETERMINER.finditer(sentence.text):
                    noun = _people_noun(m["word"])
                    if noun and first_adjective is None:
                        first_adjective = _first_adjective(sentence.text)
                    if noun and m.start() < first_adjective:
                        rule = self.rules["MTQA594"]
                        finding = rule.finding(doc.text, at + m.start("word"), at + m.end("word"), noun=noun)
                        yield dataclasses.replace(finding, suggestions=(noun,))
            if "MTQA595" in self.rules:
                for m in _NAME_THEN_LOWER.finditer(sentence.text):
                    name, word = m["name"], m["word"]
                    if _unknown_lower(word) and _a_name(name) and not _foreign_after(sentence.text, m.end()):
                        rule = self.rules["MTQA595"]
                        capital = _capital(word)
                        finding = rule.finding(doc.text, at + m.start("name"), at + m.end(), name=capital)
                        yield dataclasses.replace(finding, suggestions=(f"{name} {capital}",))

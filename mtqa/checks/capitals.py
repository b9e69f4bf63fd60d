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

_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\S")
# Only a plural determiner and a masculine plural: « le russe » is the language, « les
# russes » can only be people.
_PLURAL_DETERMINERS = frozenset(
    "les des aux ces deux trois quatre cinq six sept huit neuf dix plusieurs nombreux quelques".split()
)
_SENTENCE_BREAK = frozenset('.!?:;«»"“”()–—')


def _people_noun(word: str) -> str | None:
    """The capitalised noun of a people when ``word`` is its adjective (« ukrainiens » →
    « Ukrainiens »); None otherwise."""
    readings = lexicon.analyses(word)
    if not readings or any(pos != "A" for _, pos, _ in readings):
        return None
    # Feminine plurals name elections as often as women: « aux européennes », « les législatives ».
    if not any("mp" in features.split(":") for _, _, features in readings):
        return None
    capital = word[0].upper() + word[1:]
    return capital if any(pos == "N" for _, pos, _ in lexicon.analyses(capital)) else None


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


class CapitalsCheck:
    name = "capitals"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        for sentence in doc.sentences:
            tokens = [(m.group(), sentence.start + m.start(), sentence.start + m.end())
                      for m in _TOKEN.finditer(sentence.text)]  # fmt: skip
            adjectives = False  # a people's adjective after a noun: « les marchés européens »
            for i in range(1, len(tokens)):
                prev, word = tokens[i - 1][0], tokens[i][0]
                after_determiner = prev.lower() in _PLURAL_DETERMINERS
                if "MTQA594" in self.rules and word.islower() and (noun := _people_noun(word)):
                    # « … et les américains » after « les marchés européens » is an ellipsis
                    # of the noun, rightly in lower case.
                    adjectives = adjectives or not after_determiner
                    if after_determiner and not adjectives:
                        rule = self.rules["MTQA594"]
                        finding = rule.finding(doc.text, tokens[i][1], tokens[i][2], noun=noun)
                        yield dataclasses.replace(finding, suggestions=(noun,))
                if (
                    "MTQA595" in self.rules
                    and i >= 2
                    and tokens[i - 2][0] not in _SENTENCE_BREAK
                    and _a_name(prev)
                    and _unknown_lower(word)
                ):
                    rule = self.rules["MTQA595"]
                    capital = word[0].upper() + word[1:]
                    finding = rule.finding(doc.text, tokens[i - 1][1], tokens[i][2], name=capital)
                    yield dataclasses.replace(finding, suggestions=(f"{prev} {capital}",))

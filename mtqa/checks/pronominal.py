"""Intransitive verbs used pronominally (« s'est démissionné »).

A regex finds a reflexive pronoun followed by a verb form, and the DELA lexicon gives
the form's verb lemmas. (spaCy's French lemmatiser gives the same lemmas for these forms
but costs 6 s to load, twice the budget of a whole one-article check.) Only verbs that
never take a direct object, and so can be neither reflexive, reciprocal nor
passive-pronominal, are flagged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from mtqa import lexicon
from mtqa.cache import cached_json
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding

# Verbs that are intransitive in every sense and have no pronominal form. « s'en aller »,
# « se mourir », « se retourner », « se parler » and the like are deliberately absent.
NEVER_PRONOMINAL = frozenset(
    """
    abdiquer agoniser atterrir bavarder capituler coexister cohabiter coïncider coopérer culminer
    décéder démissionner dîner divorcer émigrer exceller exister immigrer naître péricliter persister
    pâtir résider séjourner sévir sombrer stagner subsister succomber survenir transiter trébucher
    triompher voyager déjeuner grelotter frissonner transpirer éternuer
    """.split()
)

_PRONOUN = r"(?:\b(?:[mts]e|nous|vous)\s+|\b[mts]['’]\s*)"
_AUX = (
    r"(?:suis|es|est|sommes|êtes|sont|étais|était|étions|étiez|étaient|serai|seras|sera|serons|serez|seront|"
    r"serais|serait|serions|seriez|seraient|sois|soit|soyons|soyez|soient|fut|furent|être|étant)"
)
_ADVERB = r"(?:(?:pas|jamais|plus|déjà|alors|ensuite|finalement|rapidement|vite|aussi|même|donc|bien)\s+)?"
_CANDIDATE = re.compile(
    rf"(?P<span>{_PRONOUN}(?:{_AUX}\s+{_ADVERB})?(?P<verb>[^\W\d_]+))", re.IGNORECASE | re.UNICODE
)


@functools.cache
def _lemma_of_form() -> dict[str, str]:
    """Every inflected form of the listed verbs, from DELA (cached on disk after the first run)."""
    key = {"verbs": sorted(NEVER_PRONOMINAL), "dela": lexicon.dela_stamp(), "v": 1}

    def build() -> dict[str, str]:
        known = lexicon.forms_of(NEVER_PRONOMINAL)
        return {f: lemma for lemma in sorted(NEVER_PRONOMINAL) for f in lexicon.forms(lemma, "V", known)}

    return cached_json("never-pronominal", key, build)


def _verb_lemma(form: str) -> str | None:
    """The listed verb a form belongs to. MT agrees the participle of intransitive verbs
    (« voyagés »), forms DELA lacks, so agreement endings are also tried off a final « é »."""
    table = _lemma_of_form()
    if form in table:
        return table[form]
    for ending in ("es", "e", "s"):
        if form.endswith("é" + ending) and form[: -len(ending)] in table:
            return table[form[: -len(ending)]]
    return None


class PronominalCheck:
    name = "pronominal"

    def __init__(self, rules: list[Rule]) -> None:
        self.rule = rules[0]

    def run(self, doc: Document) -> Iterator[Finding]:
        for s in doc.sentences:
            for m in _CANDIDATE.finditer(s.text):
                form = m.group("verb")
                # "s'en aller" and friends are idioms; the pronoun before "en" is not reflexive.
                if form.lower() in ("en", "y"):
                    continue
                lemma = _verb_lemma(form.lower())
                if lemma is None:
                    continue
                start, end = s.start + m.start("span"), s.start + m.end("span")
                text = doc.text[start:end]
                yield Finding(
                    self.rule.code,
                    self.rule.category,
                    self.rule.severity,
                    start,
                    end,
                    text,
                    self.rule.message.replace("{match}", text).replace("{lemma}", lemma),
                    self.rule.suggestions,
                )

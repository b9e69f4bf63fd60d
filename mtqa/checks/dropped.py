"""Meaning the French drops from its aligned source sentence: a qualifier (« au moins »,
« présumé », « par intérim »), an attribution (« selon… »), a weekday or a figure.

Each French sentence is compared with the English the alignment gives it; French
sentences that translate one English sentence together (a 1-2 link) are read as one.
The qualifiers are data (``qualifiers.yaml``); the French side of each is broad, since
a translator has many ways to render a hedge and a false alarm costs more than a miss.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import yaml

from mtqa.checks.rulebook import Rule
from mtqa.checks.source import _EN_DAYS, _EN_SCALE, _FR_SCALE, _value
from mtqa.document import Document, Finding, Sentence, source_text

_LEXICON = Path(__file__).resolve().parent / "qualifiers.yaml"

# A weekday can become a date, « hier », « ce week-end »…: any of these keeps the time.
_FR_WHEN = re.compile(
    r"\b(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier|aujourd['’]hui|avant-hier|demain"
    r"|la veille|le lendemain|week-end|ce jour|cette semaine|janvier|février|mars|avril|mai|juin|juillet"
    r"|août|septembre|octobre|novembre|décembre|soir|matin|nuit|\d{1,2}(?:er)? (?:\w+))\b",
    re.IGNORECASE,
)
_FR_VALUE = re.compile(
    r"(?<![\w.,-])(?P<int>\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:,(?P<dec>\d+))?"
    r"(?:\s(?P<scale>milliers|mille|millions?|milliards?))?",
)
_FR_WORDS = {
    w: float(i)
    for i, w in enumerate(
        "zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze"
        " seize".split()
    )
}
_FR_WORDS |= {
    "une": 1,
    "vingt": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
}
_FR_WORDS |= {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30}
_FR_WORDS |= {"quarantaine": 40, "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000}
_FR_WORDS |= {"moitié": 0.5, "demi": 0.5}
_FR_WORDS |= {"mille": 1000, "premier": 1, "première": 1, "deuxième": 2, "second": 2, "troisième": 3}
# English figures that a translator converts or rewrites: units, clock times, ordinals, ranges.
_EN_SKIP = re.compile(
    r"\d(?:\.\d+)?\s?(?:(?:thousand|million|billion)\s)?(?:miles?|mph|feet|foot|ft|inch|pounds?|lbs?|acres?|gallons?|yards?|°?F\b|degrees|[ap]\.?m\b|st\b|nd\b"
    r"|rd\b|th\b|s\b|-year|-day|-month|-week|-hour|-minute|%|\s?(?:GMT|UTC|[ECMP][SD]?T|BST|CET)\b|:\d\d)"
    r"|[$£€]\s?\d|\d+\s?(?:-|–|to)\s?\d",
    re.IGNORECASE,
)
# A whole figure ("1,500", "2.5"), never a piece of one ("1.55C", "3,000-year-old").
_EN_FIGURE = re.compile(
    r"(?<![\w.,$£€-])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w-])|(?<![\w.,$£€-])\d+(?:\.\d+)?(?![\w.-]|,\d)"
)
_EN_SCALE_WORD = re.compile(r"\s(thousand|million|billion|trillion)\b", re.IGNORECASE)


@cache
def _lexicon() -> dict[str, list[tuple[str, re.Pattern[str], re.Pattern[str]]]]:
    data = yaml.safe_load(_LEXICON.read_text(encoding="utf-8"))
    return {
        group: [
            (e["name"], re.compile(e["en"], re.IGNORECASE), re.compile(e["fr"], re.IGNORECASE)) for e in items
        ]
        for group, items in data.items()
    }


def _groups(doc: Document) -> list[tuple[list[Sentence], str]]:
    """French sentences with the English they translate; those sharing one English read as one."""
    out: list[tuple[list[Sentence], str]] = []
    for s in doc.sentences:
        english = source_text(doc, s)
        if english is None:
            continue
        if out and out[-1][0][-1].source_spans == s.source_spans:
            out[-1][0].append(s)
        else:
            out.append(([s], english))
    return out


def _french_values(text: str) -> set[float]:
    values = set()
    for m in _FR_VALUE.finditer(text):
        scale = _FR_SCALE.get((m.group("scale") or "").lower(), 1.0)
        values.add(_value(m.group("int"), m.group("dec"), scale))
    for word in re.findall(r"[a-zéèà]+(?:-[a-zéèà]+)*", text.lower()):
        parts = word.replace("quatre-vingt", "quatrevingt").split("-")
        known = [80.0 if p.startswith("quatrevingt") else _FR_WORDS.get(p.rstrip("s")) for p in parts]
        if all(k is not None for k in known):  # « soixante-cinq » = 65
            values.add(sum(known))  # type: ignore[arg-type]
            values.update(known)  # type: ignore[arg-type]
    return values


def _dropped_figures(english: str, french: str) -> list[str]:
    """English figures written in digits that the French gives in no form."""
    skip = [(m.start(), m.end()) for m in _EN_SKIP.finditer(english)]
    have = _french_values(french)
    dropped = []
    for m in _EN_FIGURE.finditer(english):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in skip):
            continue
        scale = _EN_SCALE_WORD.match(english, m.end())
        value = float(m.group().replace(",", "")) * (_EN_SCALE[scale.group(1).lower()] if scale else 1)
        if not any(abs(v - value) <= 0.005 * value for v in have):
            dropped.append(m.group())
    return dropped


class DroppedCheck:
    name = "dropped"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        if not doc.source:
            return
        lexicon = _lexicon()
        for sentences, english in _groups(doc):
            french = " ".join(s.text for s in sentences)
            first = sentences[0]
            if "MTQA015" in self.rules:
                for name, en, fr in lexicon["qualifiers"]:
                    m = en.search(english)
                    if m and not fr.search(french):
                        yield self.rules["MTQA015"].finding(
                            doc.text, first.start, first.end, english=m.group().strip(), expected=name
                        )
                        break
            if "MTQA016" in self.rules:
                for _, en, fr in lexicon["attributions"]:
                    m = en.search(english)
                    if m and not fr.search(french):
                        yield self.rules["MTQA016"].finding(
                            doc.text, first.start, first.end, english=m.group()
                        )
            if "MTQA017" in self.rules:
                days = [d for d in _EN_DAYS if re.search(rf"\b{d}\b", english, re.IGNORECASE)]
                if days and not _FR_WHEN.search(french):
                    yield self.rules["MTQA017"].finding(
                        doc.text, first.start, first.end, english=days[0].capitalize()
                    )
                elif figures := _dropped_figures(english, french):
                    yield self.rules["MTQA017"].finding(doc.text, first.start, first.end, english=figures[0])

"""Checks against the English source, when the input carries one (JSONL ``source``).

A number, weekday or month in the French that the source does not contain, after
normalising formats (« 1,5 milliard » = 1.5 billion, « 10 000 » = 10,000) and allowing
the unit conversions a translator makes (miles → km, °F → °C, p.m. → 24-hour clock),
is a likely translation error. The comparison is over the whole source, so it needs no
sentence alignment: a figure the source never mentions cannot be a faithful one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mtqa.checks.quantities import QUANTITY_CHECKS
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding, aligned_sources, content_sentences

_FR_NUMBER = re.compile(
    r"(?<![\w.,-])(?P<int>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(?P<dec>\d+))?"
    r"(?:\s(?P<scale>milliers|mille|millions?|milliards?|billions?))?(?![\w-])",
)
# The source is the reference, so its numbers are read generously: "42C", "34-year-old", "2030s".
_EN_NUMBER = re.compile(
    r"(?<![\d.,])(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?"
    # "$200m", "£3bn", "5 billion"; "200 m" with a space is metres.
    r"(?P<scale>\s?(?:thousand|million|billion|trillion|bn)|(?:m|k)\b)?"
    r"(?:\s?(?P<unit>miles?|mph|feet|foot|ft|inch(?:es)?|pounds? of|lbs?|acres?|gallons?|yards?"
    r"|°?F\b|degrees Fahrenheit))?"
    r"(?P<pm>\s?p\.?m\.?)?",
    re.IGNORECASE,
)
_EN_CLOCK = re.compile(
    r"\b(?P<h>\d{1,2})[:.]\d{2}\s?(?:(?P<pm>p\.?m\.?)|a\.?m\.?)|\b(?P<hh>[01]\d|2[0-3])[0-5]\d\s?(?:GMT|UTC)\b",
    re.IGNORECASE,
)
_FR_SCALE = {
    "mille": 1e3,
    "milliers": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "milliard": 1e9,
    "milliards": 1e9,
}
_FR_SCALE |= {"billion": 1e12, "billions": 1e12}
_EN_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_EN_WORDS = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_EN_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_EN_WORDS |= {"hundred": 100, "dozen": 12, "half": 0.5, "first": 1, "second": 2, "third": 3, "fourth": 4}
# The metric values a translator converts an imperial unit to.
_CONVERSIONS: dict[str, tuple[float, ...]] = {
    "mile": (1.609344,), "mph": (1.609344,), "feet": (0.3048,), "foot": (0.3048,), "ft": (0.3048,),
    "inch": (2.54, 25.4), "pound": (0.453592,), "lb": (0.453592,), "acre": (0.404686,),
    "gallon": (3.78541,), "yard": (0.9144,),
}  # fmt: skip
_CURRENCIES = {  # French name: (English pattern, French pattern)
    "dollars": (r"\$|\bdollars?\b|\bUSD\b", r"\bdollars?\b"),
    "euros": (r"€|\beuros?\b|\bEUR\b", r"\beuros?\b"),
    "livres": (r"£|\bsterling\b|\bGBP\b", r"\blivres?\b"),
    "yens": (r"¥|\byen\b", r"\byens?\b"),
    "yuans": (r"\byuan\b|\brenminbi\b|\bRMB\b", r"\byuans?\b"),
    "roupies": (r"\brupees?\b", r"\broupies?\b"),
    "roubles": (r"\b(?:rubles?|roubles?)\b", r"\broubles?\b"),
    "francs": (r"\bfrancs?\b", r"\bfrancs?\b"),
}

_FR_DAYS = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
_EN_DAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_FR_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
_EN_MONTHS = "january february march april may june july august september october november december".split()


# "no" only as a determiner ("no evidence"), not "No. 1" or "no-fly zone".
_EN_NEGATION = re.compile(
    r"\b(?:not|never|nobody|nothing|none|neither|nor|cannot)\b|n't\b|\bno(?![-.\w])(?! (?:doubt|longer)\b)",
    re.IGNORECASE,
)
_FR_NEGATION = re.compile(
    r"\b(?:ne|pas|jamais|aucune?|rien|personne|guère|nullement|non|ni|sans|plus)\b|\bn['’]|\bimpossible|\brefus",
    re.IGNORECASE,
)


def _value(integer: str, decimal: str | None, scale: float) -> float:
    digits = re.sub(r"[^\d]", "", integer)
    return float(f"{digits}.{decimal}" if decimal else digits) * scale


def source_values(text: str) -> tuple[set[float], set[float]]:
    """The source's numbers: (as written, after the unit conversions a translator would make)."""
    exact: set[float] = set()
    converted: set[float] = set()
    for m in _EN_NUMBER.finditer(text):
        scale = _EN_SCALE.get((m.group("scale") or "").strip().lower(), 1.0)
        v = _value(m.group("int"), m.group("dec"), scale)
        exact.add(v)
        if m.group("pm") and v < 12:
            exact.add(v + 12)
        unit = (m.group("unit") or "").lower().removesuffix(" of").rstrip("s").replace("inche", "inch")
        if unit.endswith("f") or "fahrenheit" in unit:
            converted.add((v - 32) * 5 / 9)
        converted.update(v * k for k in _CONVERSIONS.get(unit, ()))
    # Clock times a translator writes on the 24-hour clock: "11:52 p.m." → 23 h 52, "1400 GMT" → 14 h.
    for m in _EN_CLOCK.finditer(text):
        hour = int(m.group("h") or m.group("hh"))
        exact.add(float(hour + 12 if m.group("pm") and hour < 12 else hour))
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _EN_WORDS:
            exact.add(_EN_WORDS[word])
        # "$3 a gallon" is often glossed « (3,8 litres) »: one unit, converted.
        converted.update(_CONVERSIONS.get(word.rstrip("s"), ()))
    return exact, converted


def _matches(v: float, exact: set[float], converted: set[float]) -> bool:
    # Figures as written must agree; converted ones are usually rounded.
    return any(abs(v - u) <= 0.005 * abs(u) for u in exact) or any(
        abs(v - u) <= max(0.03 * abs(u), 0.51) for u in converted
    )


class SourceCheck:
    name = "source"

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = {r.code: r for r in rules}

    def run(self, doc: Document) -> Iterator[Finding]:
        if not doc.source:
            return
        if "MTQA001" in self.rules:
            yield from self._numbers(doc, self.rules["MTQA001"])
        if "MTQA002" in self.rules:
            yield from self._names(doc, self.rules["MTQA002"], _FR_DAYS, _EN_DAYS)
            yield from self._names(doc, self.rules["MTQA002"], _FR_MONTHS, _EN_MONTHS)
        if "MTQA003" in self.rules:
            yield from self._negations(doc, self.rules["MTQA003"])
        if "MTQA004" in self.rules:
            yield from self._currencies(doc, self.rules["MTQA004"])
        for code, check in QUANTITY_CHECKS.items():
            if code in self.rules:
                yield from check(self.rules[code], doc)

    def _currencies(self, doc: Document, rule: Rule) -> Iterator[Finding]:
        """A currency the source never mentions (« dollars » for €2.4 billion)."""
        named = {fr for fr, (en, _) in _CURRENCIES.items() if re.search(en, doc.source or "", re.IGNORECASE)}
        if not named:
            return
        for fr, (_, pattern) in _CURRENCIES.items():
            if fr not in named:
                for m in re.finditer(pattern, doc.text, re.IGNORECASE):
                    yield rule.finding(doc.text, m.start(), m.end(), expected=", ".join(sorted(named)))

    def _negations(self, doc: Document, rule: Rule) -> Iterator[Finding]:
        """A negated English sentence whose French has no negation at all: a dropped « ne … pas »."""
        targets = content_sentences(doc)
        for sentence, source in zip(targets, aligned_sources(doc, targets), strict=True):
            if source and _EN_NEGATION.search(source) and not _FR_NEGATION.search(sentence.text):
                yield rule.finding(doc.text, sentence.start, sentence.end)

    def _numbers(self, doc: Document, rule: Rule) -> Iterator[Finding]:
        exact, converted = source_values(doc.source or "")
        for m in _FR_NUMBER.finditer(doc.text):
            scale = _FR_SCALE.get((m.group("scale") or "").lower(), 1.0)
            v = _value(m.group("int"), m.group("dec"), scale)
            if not _matches(v, exact, converted):
                yield rule.finding(doc.text, m.start(), m.end())

    def _names(self, doc: Document, rule: Rule, fr: list[str], en: list[str]) -> Iterator[Finding]:
        source = (doc.source or "").lower()
        said = {fr[i] for i, name in enumerate(en) if re.search(rf"\b{name}\b", source)}
        if not said:
            return  # the source names none: the translator may have resolved "yesterday"
        for m in re.finditer(rf"\b({'|'.join(fr)})\b", doc.text, re.IGNORECASE):
            if m.group(1).lower() not in said:
                expected = ", ".join(sorted(said))
                yield rule.finding(doc.text, m.start(), m.end(), expected=expected)

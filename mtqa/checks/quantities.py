"""Source checks on quantities whose *figure* survives translation while its meaning does not
(MTQA005-MTQA010): percentage points turned into per cent, a unit swapped without
conversion, "halved" rendered « doublé », "one in three" rendered « un sur deux », "end of
the century" rendered « fin de la décennie », a score printed the wrong way round.

Each check compares the French with the whole source and flags only a French form that
the source contradicts *and* that no faithful reading of the source explains, so that
correct (converted, rephrased, rounded) translations pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from mtqa import lexicon
from mtqa.checks.rulebook import Rule
from mtqa.document import Document, Finding

_EN_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
_FR_WORDS = "zéro un deux trois quatre cinq six sept huit neuf dix onze douze".split()
_EN_NUM = {w: float(i) for i, w in enumerate(_EN_WORDS)} | {"a": 1.0, "an": 1.0}
_FR_NUM = {w: float(i) for i, w in enumerate(_FR_WORDS)} | {"une": 1.0}
_EN_FRACTION = {"quarter": 0.25, "half": 0.5, "three-quarters": 0.75, "three quarters": 0.75}
_FR_FRACTION = {"un quart": 0.25, "un demi": 0.5, "une demi": 0.5, "la moitié": 0.5, "trois quarts": 0.75}

_EN_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FR_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_EN_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_FR_SCALES = {"mille": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9, "milliards": 1e9}


def _en_float(text: str) -> float:
    text = text.lower()
    if text in _EN_NUM:
        return _EN_NUM[text]
    return float(text.replace(",", ""))


def _fr_float(text: str) -> float:
    text = text.lower()
    if text in _FR_NUM:
        return _FR_NUM[text]
    return float(re.sub(r"[ \u00a0\u202f]", "", text).replace(",", "."))


def _fr_format(v: float) -> str:
    """A figure as a French editor writes it: 3,2 ; 25 ; 1 500."""
    if v >= 100:
        return f"{round(v):,}".replace(",", "\u00a0")
    text = f"{v:.1f}".rstrip("0").rstrip(".") if v >= 1 else f"{v:.2g}"
    return text.replace(".", ",")


def _close(a: float, b: float, tolerance: float = 0.005) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def _finding(
    rule: Rule, doc: Document, start: int, end: int, suggestions: list[str], **fields: str
) -> Finding:
    text = doc.text[start:end]
    message = rule.message.replace("{match}", text)
    for key, value in fields.items():
        message = message.replace("{" + key + "}", value)
    found = suggestions or list(rule.suggestions)
    return Finding(rule.code, rule.category, rule.severity, start, end, text, message, tuple(found))


# --- MTQA005: percentage points rendered as per cent --------------------------------------------

_EN_POINTS = re.compile(
    rf"\b(?:(?P<num>{_EN_DIGITS}|{'|'.join(_EN_WORDS[1:])})[\s-]percentage[\s-]points?"
    rf"|(?P<frac>quarter|half|three[\s-]quarters)(?: of)? an?[\s-](?:percentage[\s-])?point"
    rf"|an? (?P<frac2>quarter|half)[\s-](?:percentage[\s-])?point)\b",
    re.IGNORECASE,
)
_EN_PERCENT = re.compile(rf"(?<![\d.,])({_EN_DIGITS})\s?(?:%|per ?cent\b)", re.IGNORECASE)
_FR_PERCENT = re.compile(
    rf"(?<![\w,])(?P<num>{_FR_DIGITS}|{'|'.join(_FR_WORDS[1:])}|une|{'|'.join(_FR_FRACTION)})"
    r"(?P<unit>\s?%|\s(?:de\s|d['’])?pour[\s-]cent\b)",
    re.IGNORECASE,
)


def percentage_points(rule: Rule, doc: Document) -> Iterator[Finding]:
    """« de trois pour cent » for "three percentage points": a rate's change, not its level."""
    points: set[float] = set()
    for m in _EN_POINTS.finditer(doc.source or ""):
        frac = (m.group("frac") or m.group("frac2") or "").lower().replace("-", " ")
        points.add(_EN_FRACTION[frac] if frac else _en_float(m.group("num")))
    if not points:
        return
    # A figure the source also gives as a per cent may be a faithful « 3 % ».
    percents = {_en_float(m.group(1)) for m in _EN_PERCENT.finditer(doc.source or "")}
    for m in _FR_PERCENT.finditer(doc.text):
        num = m.group("num").lower()
        v = _FR_FRACTION.get(num) or _fr_float(num)
        if any(_close(v, p) for p in points) and not any(_close(v, p) for p in percents):
            number = m.group("num")
            if num in _FR_FRACTION:
                fixed = [f"{number} de point", f"{number} de point de pourcentage"]
            else:
                s = "s" if v >= 2 else ""
                fixed = [f"{number} point{s} de pourcentage", f"{number} point{s}"]
            yield _finding(rule, doc, m.start(), m.end(), fixed)


# --- MTQA006: a unit changed, its figure kept -----------------------------------------------------

# unit: (dimension, size in the dimension's base unit: metre, kilogram, litre, m², km/h, °C)
_UNITS: dict[str, tuple[str, float]] = {
    "mm": ("length", 0.001), "cm": ("length", 0.01), "m": ("length", 1.0), "km": ("length", 1000.0),
    "inch": ("length", 0.0254), "foot": ("length", 0.3048), "yard": ("length", 0.9144),
    "mile": ("length", 1609.344), "nautical mile": ("length", 1852.0),
    "g": ("mass", 0.001), "kg": ("mass", 1.0), "tonne": ("mass", 1000.0), "pound": ("mass", 0.453592),
    "l": ("volume", 1.0), "gallon": ("volume", 3.78541),
    "m2": ("area", 1.0), "km2": ("area", 1e6), "hectare": ("area", 1e4), "acre": ("area", 4046.86),
    "sq mile": ("area", 2.58999e6), "sq foot": ("area", 0.092903),
    "km/h": ("speed", 1.0), "mph": ("speed", 1.609344), "knot": ("speed", 1.852),
    "celsius": ("temperature", 1.0), "fahrenheit": ("temperature", 1.0),
}  # fmt: skip
_FR_UNIT_NAMES = {
    "mm": "millimètres", "cm": "centimètres", "m": "mètres", "km": "kilomètres", "inch": "pouces",
    "foot": "pieds", "mile": "miles", "nautical mile": "milles nautiques", "kg": "kilos", "tonne": "tonnes",
    "l": "litres", "gallon": "gallons", "m2": "mètres carrés", "km2": "kilomètres carrés",
    "hectare": "hectares", "acre": "acres", "km/h": "km/h", "mph": "miles à l'heure", "knot": "nœuds",
    "celsius": "°C", "fahrenheit": "°F",
}  # fmt: skip
_METRIC = {"mm", "cm", "m", "km", "g", "kg", "tonne", "l", "m2", "km2", "hectare", "km/h", "celsius"}

# Longest alternatives first: "square kilometres" before "kilometres", "km/h" before "km".
_EN_UNIT_FORMS: list[tuple[str, str]] = [
    (r"square kilomet(?:re|er)s?|sq\.? ?km|km2|km²", "km2"), (r"square met(?:re|er)s?|m2|m²", "m2"),
    (r"square miles?|sq\.? ?miles?", "sq mile"), (r"square f(?:ee|oo)t|sq\.? ?ft", "sq foot"),
    (r"nautical miles?", "nautical mile"), (r"miles? (?:an|per) hour|mph", "mph"),
    (r"kilomet(?:re|er)s? (?:an|per) hour|km/h|kph|km per hour", "km/h"), (r"knots?", "knot"),
    (r"millimet(?:re|er)s?|mm", "mm"), (r"centimet(?:re|er)s?|cm", "cm"), (r"kilomet(?:re|er)s?|km", "km"),
    (r"met(?:re|er)s?", "m"), (r"inch(?:es)?|in\.", "inch"), (r"f(?:ee|oo)t|ft", "foot"),
    (r"yards?", "yard"), (r"miles?", "mile"), (r"kilo(?:gram(?:me)?)?s?|kg", "kg"), (r"grams?|g", "g"),
    (r"(?:metric )?tonnes?|tons?", "tonne"), (r"pounds?|lbs?", "pound"), (r"lit(?:re|er)s?", "l"),
    (r"gallons?", "gallon"), (r"hectares?|ha", "hectare"), (r"acres?", "acre"),
    (r"°C|degrees? Celsius|C(?=\b)", "celsius"), (r"°F|degrees? Fahrenheit|F(?=\b)", "fahrenheit"),
]  # fmt: skip
_FR_UNIT_FORMS: list[tuple[str, str]] = [
    (r"kilomètres? carrés?|km2|km²", "km2"), (r"mètres? carrés?|m2|m²", "m2"), (r"miles? carrés?", "sq mile"),
    (r"pieds? carrés?", "sq foot"), (r"milles? (?:nautiques?|marins?)|nœuds? marins?", "nautical mile"),
    (r"miles? (?:à|par) l['’]heure|miles? par heure|mph", "mph"),
    (r"kilomètres? (?:à|par) l['’]heure|km/h", "km/h"), (r"nœuds?", "knot"),
    (r"millimètres?|mm", "mm"), (r"centimètres?|cm", "cm"), (r"kilomètres?|km", "km"), (r"mètres?|m", "m"),
    (r"pouces?", "inch"), (r"pieds?", "foot"), (r"yards?", "yard"), (r"miles?", "mile"),
    (r"kilo(?:gramme)?s?|kg", "kg"), (r"grammes?|g", "g"), (r"tonnes?", "tonne"), (r"litres?|l", "l"),
    (r"gallons?", "gallon"), (r"hectares?|ha", "hectare"), (r"acres?", "acre"),
    (r"°C|degrés? Celsius", "celsius"), (r"°F|degrés? Fahrenheit", "fahrenheit"),
]  # fmt: skip


def _unit_regex(number: str, scales: str, link: str, forms: list[tuple[str, str]]) -> re.Pattern[str]:
    units = "|".join(f"(?P<u{i}>{form})" for i, (form, _) in enumerate(forms))
    return re.compile(
        rf"(?<![\w.,])(?P<num>{number})(?:\s(?P<scale>{scales}))?{link}(?:{units})(?![\w²])",
        re.IGNORECASE,
    )


# "25 centimetres", "25cm", "a 6-foot wall", "2 million miles"
_EN_QUANTITY = _unit_regex(_EN_DIGITS, "thousand|million|billion", r"(?:\s|-)?", _EN_UNIT_FORMS)
# « 25 cm », « 2 millions de kilomètres », « 1 500 mètres »
_FR_QUANTITY = _unit_regex(
    _FR_DIGITS, "mille|millions?|milliards?", r"(?:\s(?:de\s|d['’]))?\s?", _FR_UNIT_FORMS
)


def _quantities(
    text: str, regex: re.Pattern[str], forms: list[tuple[str, str]], fr: bool
) -> Iterator[tuple[re.Match[str], float, str]]:
    for m in regex.finditer(text):
        unit = next(forms[int(k[1:])][1] for k, v in m.groupdict().items() if k.startswith("u") and v)
        if unit in {"celsius", "fahrenheit"} and not re.search(r"°|degr", m.group(0)) and fr:
            continue
        if unit == "m" and fr and m.group(0)[-1] == "M":
            continue  # « 5 M€ »: millions
        scale = m.group("scale")
        factor = (_FR_SCALES if fr else _EN_SCALES).get((scale or "").lower(), 1.0)
        yield m, (_fr_float(m.group("num")) if fr else _en_float(m.group("num"))) * factor, unit


def _base(value: float, unit: str) -> float:
    if unit == "fahrenheit":
        return (value - 32) * 5 / 9
    return value * _UNITS[unit][1]


def unconverted_units(rule: Rule, doc: Document) -> Iterator[Finding]:
    """« 25 pouces » for "25 centimetres": the figure kept, the unit swapped."""
    source = [(v, u) for _, v, u in _quantities(doc.source or "", _EN_QUANTITY, _EN_UNIT_FORMS, fr=False)]
    if not source:
        return
    for m, v, unit in _quantities(doc.text, _FR_QUANTITY, _FR_UNIT_FORMS, fr=True):
        dim = _UNITS[unit][0]
        same_dim = [(sv, su) for sv, su in source if _UNITS[su][0] == dim]
        # Kept, or converted with a translator's rounding (±10 %, or a degree either way).
        slack = 1.0 if dim == "temperature" else 0.0
        base = _base(v, unit)
        if any(abs(base - _base(sv, su)) <= max(0.1 * abs(_base(sv, su)), slack) for sv, su in same_dim):
            continue
        swapped = [(sv, su) for sv, su in same_dim if _close(v, sv)]
        if not swapped:
            continue  # a different figure altogether: MTQA001's business
        sv, su = swapped[0]
        fixed = []
        if unit in _METRIC:
            scale_word = (m.group("scale") or "").lower()
            converted = _base(sv, su) / _UNITS[unit][1] if unit != "celsius" else _base(sv, su)
            div = _FR_SCALES.get(scale_word, 1.0)
            scale = (
                f" {'millions' if div == 1e6 else 'milliards' if div == 1e9 else 'mille'} de"
                if div > 1
                else ""
            )
            fixed.append(f"{_fr_format(converted / div)}{scale} {_FR_UNIT_NAMES.get(unit, '')}".strip())
        if su in _FR_UNIT_NAMES:
            fixed.append(f"{m.group('num')}{' ' + m.group('scale') + ' de' if m.group('scale') else ''} "
                         f"{_FR_UNIT_NAMES[su]}")  # fmt: skip
        yield _finding(rule, doc, m.start(), m.end(), fixed, expected=_FR_UNIT_NAMES.get(su, su))


# --- MTQA007: doubled / halved --------------------------------------------------------------------

_EN_FACTORS: list[tuple[float, str]] = [
    (2.0, r"doubl(?:ed|ing|es)|(?:to|will|would|could|may|might|should) (?:more than |nearly |almost )?double"
     r"|twice|two-?fold"),
    (3.0, r"tripl(?:ed|ing|es)|(?:to|will|would|could|may|might) (?:more than |nearly |almost )?triple"
     r"|three-?fold|three times"),
    (4.0, r"quadrupl(?:ed|ing|es)|(?:to|will|would|could|may|might) quadruple|four-?fold|four times"),
    (0.5, r"halv(?:ed|ing|e)|(?:cut|fell|fall(?:en|s|ing)?|dropp?(?:ed|s|ing)?|declin(?:ed|es|ing)"
     r"|reduc(?:ed|es|ing)|shr[aiu]nk|slash(?:ed|es|ing)|plung(?:ed|es|ing)|decreas(?:ed|es|ing))"
     r" (?:by |in |nearly |almost |more than |roughly |about )*half|by (?:a )?half|50 ?%|fifty per ?cent"),
]  # fmt: skip
_FR_FACTORS: list[tuple[float, str]] = [
    (2.0, r"doubl(?:é|ée|és|ées|er|ent|ait|aient|era|eront|erait|eraient|ant)|multipliée?s? par deux"),
    (3.0, r"tripl(?:é|ée|és|ées|er|ent|ait|aient|era|eront|erait|eraient|ant)|multipliée?s? par trois"),
    (4.0, r"quadrupl(?:é|ée|és|ées|er|ent|ait|aient|era|eront|erait|eraient|ant)|multipliée?s? par quatre"),
    (0.5, r"divisée?s? par deux|(?:réduit|diminué|baissé|chuté|reculé|fondu|amputé|recul|baisse|chute"
     r"|diminution|réduction)e?s? (?:de (?:près de )?|d['’](?:environ )?)?(?:la )?moitié|moitié moins"),
]  # fmt: skip
_FR_FACTOR_NAMES = {2.0: "a doublé", 3.0: "a triplé", 4.0: "a quadruplé", 0.5: "a été divisé par deux"}


def factor_verbs(rule: Rule, doc: Document) -> Iterator[Finding]:
    """« a doublé » for "halved": the direction or size of a change, inverted."""
    source = doc.source or ""
    said = {f for f, pattern in _EN_FACTORS if re.search(rf"\b(?:{pattern})\b", source, re.IGNORECASE)}
    if not said:
        return
    for factor, pattern in _FR_FACTORS:
        if factor in said:
            continue
        for m in re.finditer(rf"(?<!\w)(?:{pattern})(?!\w)", doc.text, re.IGNORECASE):
            expected = sorted(said, reverse=True)
            names = [_FR_FACTOR_NAMES[f] for f in expected]
            yield _finding(rule, doc, m.start(), m.end(), names, expected=" / ".join(names))


# --- MTQA008: "one in three" ----------------------------------------------------------------------

_EN_RATIO = re.compile(
    rf"(?<![\w.,])(?P<a>{'|'.join(_EN_WORDS[1:])}|\d{{1,2}}) (?:in|out of) (?:every )?"
    rf"(?P<b>{'|'.join(_EN_WORDS[2:])}|\d{{1,3}})\b(?![.,]\d)",
    re.IGNORECASE,
)
_FR_RATIO = re.compile(
    rf"(?<![\w.,])(?P<a>{'|'.join(_FR_WORDS[1:])}|une|\d{{1,2}})(?P<words>(?: [^\W\d]+[\w-]*){{0,3}}?) sur "
    rf"(?P<b>{'|'.join(_FR_WORDS[2:])}|\d{{1,3}})(?![\w,]| ?%)(?P<next> [^\W\d]+)?",
    re.IGNORECASE,
)
# Words that turn « un débat sur deux projets » into a prepositional phrase, not a ratio.
_FR_NOT_RATIO_WORDS = {"de", "des", "du", "la", "le", "les", "l", "d", "et", "à", "au", "aux", "en", "pour"}


def _is_plural_noun(word: str) -> bool:
    found = lexicon.analyses(word.lower())
    # A third-person verb reading (« sur deux votent ») keeps the ratio reading.
    plural = any(p == "N" and "p" in f for _, p, f in found)
    return plural and not any(p == "V" and "3" in f for _, p, f in found)


def _fr_number(v: float, like: str = "") -> str:
    """A small count in words (« trois »), keeping the gender of the word it replaces."""
    word = (
        _FR_WORDS[int(v)] if v == int(v) and v < len(_FR_WORDS) and not like[:1].isdigit() else _fr_format(v)
    )
    word = "une" if word == "un" and like.lower() == "une" else word
    return word.capitalize() if like[:1].isupper() else word


def ratios(rule: Rule, doc: Document) -> Iterator[Finding]:
    """« un adulte sur deux » for "one in three adults"."""
    said = {(_en_float(m.group("a")), _en_float(m.group("b"))) for m in _EN_RATIO.finditer(doc.source or "")}
    said = {(a, b) for a, b in said if a < b}
    if not said:
        return
    for m in _FR_RATIO.finditer(doc.text):
        a, b = _fr_float(m.group("a")), _fr_float(m.group("b"))
        words = m.group("words").lower().split()
        if a >= b or set(words) & _FR_NOT_RATIO_WORDS:
            continue  # « 24 heures sur 24 », « un accord de paix sur … »
        if m.group("next") and _is_plural_noun(m.group("next").strip()):
            continue  # « un accord sur trois points »: a count, not a ratio
        if (a, b) not in said and not any(_close(a / b, x / y, 0.02) for x, y in said):
            expected = ", ".join(f"{_fr_number(x)} sur {_fr_number(y)}" for x, y in sorted(said))
            fixed = [
                f"{_fr_number(x, m.group('a'))}{m.group('words')} sur {_fr_number(y)}"
                for x, y in sorted(said)
            ]
            yield _finding(rule, doc, m.start(), m.end("b"), fixed, expected=expected)


# --- MTQA009: decade / century --------------------------------------------------------------------

# French span word: (its English counterparts, the English spans it is confused with)
_SPANS: dict[str, tuple[str, str]] = {
    "décennie": (r"decades?|ten years|10 years|ten-year|10-year|\d0s|'\d0s", r"century|centuries"),
    "siècle": (r"century|centuries|hundred years|100 years|\d\d00s|centenary|centennial", r"decades?"),
}
_FR_SPAN = re.compile(r"\b(décennies?|siècles?)\b", re.IGNORECASE)
# « la fin de l'année » for "the end of the month": only in this construction, since « an »
# and « année » render far more than "year".
_FR_END = re.compile(r"\bfin (?:de l['’]|du |de la |de cette |de ce )(année|mois|semaine)\b", re.IGNORECASE)
_EN_END = re.compile(
    r"\b(?:end of (?:the |this |next )?|by )(decade|century|year|month|week)(?:-end)?\b", re.I
)
_END_WORDS = {"année": "year", "mois": "month", "semaine": "week"}


def time_spans(rule: Rule, doc: Document) -> Iterator[Finding]:
    """« d'ici la fin de la décennie » for "by the end of the century"."""
    source = doc.source or ""
    for m in _FR_SPAN.finditer(doc.text):
        word = m.group(1).lower().rstrip("s")
        own, confused = _SPANS[word]
        if not re.search(rf"\b(?:{own})\b", source, re.I) and re.search(rf"\b(?:{confused})\b", source, re.I):
            other = "siècle" if word == "décennie" else "décennie"
            yield _finding(
                rule, doc, m.start(), m.end(), [other], expected=re.search(confused, source, re.I)[0]
            )
    ends = {e.group(1).lower() for e in _EN_END.finditer(source)}
    for m in _FR_END.finditer(doc.text):
        english = _END_WORDS[m.group(1).lower()]
        if ends and english not in ends and not re.search(rf"\b{english}s?\b", source, re.I):
            yield _finding(rule, doc, m.start(1), m.end(1), [], expected=" / ".join(sorted(ends)))


# --- MTQA010: a score reversed --------------------------------------------------------------------

_SCORE = re.compile(r"(?<![\w.,/–—-])(\d{1,3}) ?[-–—] ?(\d{1,3})(?![\w/–—-]|[.,]\d|\s?%)")


def reversed_scores(rule: Rule, doc: Document) -> Iterator[Finding]:
    """« 24-28 » for "28-24": a result inverted. Years (4 digits) and "2020-24" never match."""
    said = {(int(a), int(b)) for a, b in _SCORE.findall(doc.source or "")}
    written = {(int(a), int(b)) for a, b in _SCORE.findall(doc.text)}
    for m in _SCORE.finditer(doc.text):
        a, b = int(m.group(1)), int(m.group(2))
        if a != b and (b, a) in said and (a, b) not in said and (b, a) not in written:
            yield _finding(rule, doc, m.start(), m.end(), [f"{b}-{a}"], expected=f"{b}-{a}")


QUANTITY_CHECKS: dict[str, Callable[[Rule, Document], Iterator[Finding]]] = {
    "MTQA005": percentage_points,
    "MTQA006": unconverted_units,
    "MTQA007": factor_verbs,
    "MTQA008": ratios,
    "MTQA009": time_spans,
    "MTQA010": reversed_scores,
}

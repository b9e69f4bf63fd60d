"""Content that differs from the source: numbers, omissions and additions."""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable

from mtqa.train.corrupt.base import (
    _LEX,
    _SPACE,
    Corruption,
    _apply,
    _cap,
    _gap,
    _make,
    _match_case,
    _restyle,
    _words,
    dela,
)
from mtqa.train.corrupt.grammar import _AUXILIARIES, _GN
from mtqa.train.corrupt.lexical import _NOUN_DETS

# ---------------------------------------------------------------------------- 9. number

WEEKDAYS = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
NUMBER_WORDS = (
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt "
    "trente quarante cinquante soixante cent mille"
).split()
_WORD_SWAPS = {
    "million": ["milliard"],
    "millions": ["milliards"],
    "milliard": ["million"],
    "milliards": ["millions"],
    "premier": ["deuxième", "troisième"],
    "première": ["deuxième", "troisième"],
    "deuxième": ["troisième", "première"],
    "troisième": ["deuxième", "quatrième"],
    "second": ["troisième"],
    "seconde": ["troisième"],
    "moitié": ["tiers", "quart"],
    "tiers": ["quart", "moitié"],
    "quart": ["tiers"],
    "dizaines": ["centaines"],
    "centaines": ["dizaines", "milliers"],
    "milliers": ["centaines", "millions"],
    "douzaine": ["vingtaine"],
    "vingtaine": ["trentaine", "dizaine"],
    "dizaine": ["vingtaine"],
    "centaine": ["dizaine"],
}
# Numbers not glued to letters (G7, Covid-19, 1er stay out); thousands may be space-grouped.
_NUMBER = re.compile(
    r"(?<![^\W\d_])(?<![^\W\d_]-)(?<![\d,.])"
    r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?!\w)|\d+(?:,\d+)?(?![^\W\d_])(?!,\d))"
)


def _change_number(text: str, rng: random.Random) -> str:
    sep = next((c for c in text if c in _SPACE), None)
    whole, _, dec = text.partition(",")
    digits = re.sub(r"\D", "", whole)
    if dec:
        i = rng.randrange(len(dec))
        dec = dec[:i] + rng.choice([d for d in "0123456789" if d != dec[i]]) + dec[i + 1 :]
        return text.partition(",")[0] + "," + dec
    n = int(digits)
    if len(digits) == 4 and 1800 <= n <= 2099 and not sep:
        return str(n + rng.choice([-3, -2, -1, 1, 2, 3]))
    ops = ["digit", "times10"]
    if len(digits) > 1 and len(set(digits)) > 1:
        ops.append("swap")
    if n <= 12:
        ops.append("plusminus")
    op = rng.choice(ops)
    if op == "times10":
        new = digits + "0"
    elif op == "plusminus":
        new = str(n + 1 if n <= 1 else n + rng.choice([-1, 1]))
    elif op == "swap":
        pairs = [
            i
            for i in range(len(digits) - 1)
            if digits[i] != digits[i + 1] and not (i == 0 and digits[1] == "0")
        ]
        if not pairs:
            new = digits + "0"
        else:
            i = rng.choice(pairs)
            new = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    else:
        i = rng.randrange(len(digits))
        pool = [d for d in "0123456789" if d != digits[i] and not (i == 0 and d == "0" and len(digits) > 1)]
        new = digits[:i] + rng.choice(pool) + digits[i + 1 :]
    if sep and len(new) > 3:
        groups = []
        while len(new) > 3:
            groups.insert(0, new[-3:])
            new = new[:-3]
        new = sep.join([new, *groups])
    return new


def number(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """A number, date or quantity word that no longer matches the source."""
    sites: list[tuple[int, int, Callable[[], str]]] = []
    for m in _NUMBER.finditer(fr):
        sites.append((m.start(), m.end(), functools.partial(_change_number, m.group(0), rng)))
    for m in _LEX.finditer(fr):
        w = m.group(0)
        low = w.lower()
        nxt = fr[m.end() : m.end() + 9]
        if low in WEEKDAYS or low in MONTHS:
            pool = WEEKDAYS if low in WEEKDAYS else MONTHS
            if low == "mai" and not re.match(r"\s*\d{4}|\s", nxt):
                continue
            alts = [d for d in pool if d != low]
        elif low in NUMBER_WORDS:
            alts = [d for d in NUMBER_WORDS if d != low and d not in ("cent", "mille")]
        elif low in _WORD_SWAPS:
            if low.startswith("premi") and nxt.strip().startswith("ministre"):
                continue
            alts = _WORD_SWAPS[low]
        else:
            continue
        choice = rng.choice(alts)
        sites.append((m.start(), m.end(), functools.partial(_match_case, choice, w)))
    if not sites:
        return None
    s, e, make = rng.choice(sites)
    new = make()
    if new == fr[s:e]:
        return None
    text, places = _apply(fr, [(s, e, new)])
    return _make(fr, text, places, "number-mismatch", "major", "number", needs_source=True)


# ---------------------------------------------------------------------------- 10. omission

_NEGATION = re.compile(
    r"(?<![\w’'-])(?:ne\s+|n[’'])((?:(?:[sml][’']|se |me |le |la |les |lui |leur |y |en |l[’'])\s*)*"
    r"[^\W\d_]+(?:-[^\W\d_]+)*)\s+(pas|plus|jamais)\b"
)
_MODIFIERS = re.compile(
    r"(?<![\w’'-])(au moins|près d(?:e |[’'])|presque|environ|plus de(?= \d)|moins de(?= \d)|"
    r"seulement|déjà|également|très|largement|notamment|toujours|encore|officiellement)(?:\s|(?<=[’']))"
)
_APPOSITIVE_START = re.compile(
    r"^(?:qui|que|qu[’']|dont|où|selon|lequel|laquelle|lesquels|lesquelles|notamment|toutefois|"
    r"cependant|pourtant|néanmoins|en revanche|par ailleurs|d[’']après|de son côté|il y a|"
    r"s[’']exprimant|a-t-il|a-t-elle|ont-ils|ont-elles|a-t-on|[a-zé]+-t-(?:il|elle)|estime-t-il|"
    r"âgée?s? de|ancien|ancienne|elle aussi|lui aussi)\b"
)


def omission(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """Drop a negation, a hedge (« au moins », « près de ») or a comma-delimited segment."""
    options: list[Callable[[], Corruption | None]] = []
    for m in _NEGATION.finditer(fr):
        options.append(functools.partial(_drop_negation, fr, m))
    for m in _MODIFIERS.finditer(fr):
        options.append(functools.partial(_drop_modifier, fr, m))
    for s, e in _segments(fr):
        options.append(functools.partial(_drop_segment, fr, s, e))
    rng.shuffle(options)
    for make in options:
        done = make()
        if done:
            return done
    return None


def _drop_negation(fr: str, m: re.Match[str]) -> Corruption | None:
    start_verb = m.start(1)
    edits = [(m.start(), start_verb, ""), (m.end(1), m.end(2), "")]
    # « Il n’a pas » → « Il a »; at sentence start the verb takes the capital.
    text, places = _apply(fr, edits)
    verb_s = places[0][1]
    verb_e = verb_s + (m.end(1) - start_verb)
    if m.start() == 0:
        text = _cap(text)
    return _make(fr, text, [(verb_s, verb_e)], "omission", "major", "omission", needs_source=True)


def _drop_modifier(fr: str, m: re.Match[str]) -> Corruption | None:
    s, e = m.start(1), m.end(0)
    if s == 0:
        return None
    text, _ = _apply(fr, [(s, e, "")])
    return _make(fr, text, _gap(text, s), "omission", "major", "omission", needs_source=True)


# A final segment that is an adjunct or an inverted attribution can go without breaking the
# sentence: « …, a annoncé lundi le ministère », « …, selon la police », « …, estimant que… ».
_DROPPABLE_TAIL = re.compile(
    r"^(?:selon|d[’']après|alors qu|tandis qu|après|avant|malgré|notamment|dont|soit|avec|sans|lors|"
    r"depuis|contre|faisant|[a-zéèêîô]+ant\b|(?:a|ont|avait|avaient)(?:-t-\w+)? (?:[a-zé]+ )?"
    r"(?:annoncé|indiqué|déclaré|affirmé|précisé|estimé|rapporté|expliqué|ajouté|souligné|averti|"
    r"confirmé|assuré|dit|fait savoir|rapporté|dénoncé|jugé|reconnu|promis)\b(?!.*\bqu))"
)


def _starts_with_verb(text: str) -> bool:
    first = _LEX.match(text)
    if not first:
        return False
    w = first.group(0).lower()
    return w in _AUXILIARIES or any(
        p == "V" and any(re.match(r"^[PIJFC][123][sp]$", t) for t in tags)
        for _, p, tags in dela().analyses(w)
    )


def _segments(fr: str) -> list[tuple[int, int]]:
    """Comma-delimited stretches that can go, as (start, end) to delete."""
    end = len(fr.rstrip())
    m_end = re.search(r"[.!?…]+[\s»”\"]*$", fr[:end])
    body_end = m_end.start() if m_end else end
    commas = [m.start() for m in re.finditer(r",\s", fr[:body_end])]
    bounds = [*commas, body_end]
    total = len(_words(fr))
    out = []
    for i, c in enumerate(commas):
        nxt = bounds[i + 1]
        seg = fr[c + 2 : nxt]
        n = len(_words(seg))
        if not 2 <= n <= 14 or seg.count("«") != seg.count("»") or seg.count("(") != seg.count(")"):
            continue
        if total - n < 5:
            continue
        if nxt == body_end:
            if _DROPPABLE_TAIL.match(seg):
                out.append((c, nxt))
        elif _APPOSITIVE_START.match(seg) or _starts_with_verb(fr[nxt + 2 :]):
            out.append((c, nxt + 1))  # « Ce sommet, qui …, réunit » → « Ce sommet réunit »
        elif n <= 4 and re.match(r"[^,]*\bet\b", fr[nxt + 2 :]):
            out.append((c, nxt))  # a list item: « la France, l’Italie et l’Espagne »
    return out


def _drop_segment(fr: str, s: int, e: int) -> Corruption | None:
    text, _ = _apply(fr, [(s, e, "")])
    return _make(fr, text, _gap(text, s), "omission", "major", "omission", needs_source=True)


# ---------------------------------------------------------------------------- 11. addition

TAIL_ADDITIONS = (
    ", selon des sources proches du dossier",
    ", selon une source diplomatique",
    ", a annoncé {day} le ministère",
    ", a indiqué {day} un porte-parole",
    ", selon les autorités locales",
    ", d'après plusieurs médias",
    " au cours du dernier trimestre",
    " depuis le début de l'année",
    " pour la première fois",
    " la semaine dernière",
    " dans la capitale",
    " en fin de journée",
    ", une première depuis 2015",
    " malgré l'opposition de Washington",
)
ADJECTIVES = (
    ("important", "importante", "importants", "importantes"),
    ("majeur", "majeure", "majeurs", "majeures"),
    ("historique", "historique", "historiques", "historiques"),
    ("international", "internationale", "internationaux", "internationales"),
    ("récent", "récente", "récents", "récentes"),
    ("massif", "massive", "massifs", "massives"),
    ("inédit", "inédite", "inédits", "inédites"),
)
ADDED_ADVERBS = (
    "finalement également rapidement officiellement déjà discrètement brusquement aussitôt".split()
)
_AUX_PARTICIPLE = re.compile(r"(?<![\w’'-])(a|ont|avait|avaient|est|sont|a été|ont été) (?=([^\W\d_]+)\b)")


def addition(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """An unsourced phrase, adjective or adverb that the English does not contain."""
    ops = ["tail", "adjective", "adverb"]
    rng.shuffle(ops)
    for op in ops:
        if op == "tail":
            phrase = _restyle(rng.choice(TAIL_ADDITIONS).format(day=rng.choice(WEEKDAYS)), fr)
            if phrase.strip(", ") in fr:
                continue
            # Before the final punctuation (after a closing quote), or at the end of a headline.
            stripped = fr.rstrip()
            end = re.search(r"[.!?…]+\s*[»”\"]?$", stripped)
            pos = end.start() if end else len(stripped)
            text, places = _apply(fr, [(pos, pos, phrase)])
            s, e = places[0]
            s += len(phrase) - len(phrase.lstrip(", "))
            return _make(fr, text, [(s, e)], "addition", "major", "addition", needs_source=True)
        if op == "adjective":
            toks = list(_LEX.finditer(fr))
            idx = list(range(1, len(toks)))
            rng.shuffle(idx)
            for i in idx:
                w = toks[i].group(0)
                if toks[i - 1].group(0).lower() not in _NOUN_DETS or not w.islower():
                    continue
                an = dela().analyses(w)
                if any(p in ("V", "A") for _, p, _ in an):
                    continue
                tags = sorted({t for _, p, ts in an if p == "N" for t in ts if _GN.match(t)})
                if len(tags) != 1:
                    continue
                forms = rng.choice(ADJECTIVES)
                adj = forms[["ms", "fs", "mp", "fp"].index(tags[0])]
                if adj in fr or re.match(r" (?:de |du |des |d[’'])?(?:la |l[’'])?[A-Z]", fr[toks[i].end() :]):
                    continue
                pos = toks[i].end()
                text, places = _apply(fr, [(pos, pos, " " + adj)])
                return _make(fr, text, places, "addition", "major", "addition", needs_source=True)
        if op == "adverb":
            sites = [m for m in _AUX_PARTICIPLE.finditer(fr) if dela().has_pos(m.group(2).lower(), "V")]
            sites = [
                m
                for m in sites
                if any(t.startswith("K") for _, p, ts in dela().analyses(m.group(2)) if p == "V" for t in ts)
            ]
            if not sites:
                continue
            m = rng.choice(sites)
            adv = rng.choice([a for a in ADDED_ADVERBS if a not in fr] or ADDED_ADVERBS)
            pos = m.end()
            text, places = _apply(fr, [(pos, pos, adv + " ")])
            return _make(fr, text, places, "addition", "major", "addition", needs_source=True)
    return None

"""Typography that betrays MT, and web page furniture left in the text."""

from __future__ import annotations

import random
import re

from mtqa.train.corrupt.base import Corruption, _apply, _cap, _make, _restyle
from mtqa.train.corrupt.content import WEEKDAYS

# ---------------------------------------------------------------------------- 12. typography

_EN_MONTHS = {
    "janvier": "Jan.", "février": "Feb.", "mars": "March", "avril": "April", "mai": "May", "juin": "June",
    "juillet": "July", "août": "Aug.", "septembre": "Sept.", "octobre": "Oct.", "novembre": "Nov.",
    "décembre": "Dec.",
}  # fmt: skip
NATIONALITIES = (
    "américain américaine américains américaines français française britannique britanniques allemand "
    "allemande russe russes ukrainien ukrainienne ukrainiens chinois chinoise japonais japonaise "
    "européen européenne européens européennes israélien israélienne palestinien palestinienne "
    "iranien iranienne italien italienne espagnol espagnole turc turque syrien syrienne indien "
    "indienne canadien canadienne brésilien brésilienne africain africaine sud-coréen nord-coréen "
    "saoudien saoudienne égyptien égyptienne polonais polonaise"
).split()


def _ordinal_en(n: str) -> str:
    if n.endswith(("11", "12", "13")):
        return n + "th"
    return n + {"1": "st", "2": "nd", "3": "rd"}.get(n[-1], "th")


def typography(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """English typography that betrays MT: decimal point, thousands comma, dates, times, Mr,
    capitals. Not what newsrooms disagree on (quotes, a glued colon or %): the model reads
    text through ``mtqa.qe.normalize``, which erases those, so they would teach it nothing."""
    opts: list[list[tuple[int, int, str]]] = []
    for m in re.finditer(r"(?<![\d,])(\d+),(\d+)(?:[\s\u00a0\u202f]?(%))?", fr):
        opts.append([(m.start(), m.end(), f"{m.group(1)}.{m.group(2)}{m.group(3) or ''}")])
    for m in re.finditer(r"(?<![\d,])\d{1,3}(?:[\s\u00a0\u202f]\d{3})+(?!\d)", fr):
        opts.append([(m.start(), m.end(), re.sub(r"[\s\u00a0\u202f]", ",", m.group(0)))])
    month_re = "|".join(_EN_MONTHS)
    for m in re.finditer(rf"\b(\d{{1,2}}|1er) ({month_re})\b", fr):
        day = "1" if m.group(1) == "1er" else m.group(1)
        month = m.group(2)
        new = rng.choice((f"{_EN_MONTHS[month]} {day}", f"{month} {day}", f"{_ordinal_en(day)} {month}"))
        opts.append([(m.start(), m.end(), new)])
    for m in re.finditer(r"\b(\d{1,2})[\s\u00a0]?h[\s\u00a0]?(\d{2})?\b|\b(\d{1,2}) heures\b", fr):
        h = int(m.group(1) or m.group(3))
        mins = m.group(2)
        if h > 23:
            continue
        suffix = "a.m." if h < 12 else "p.m."
        h12 = h if h <= 12 else h - 12
        new = f"{h12}:{mins} {suffix}" if mins else rng.choice((f"{h12} {suffix}", f"{h}:00"))
        if new.endswith(".") and fr[m.end() : m.end() + 1] == ".":
            new = new[:-1]  # « à 10 a.m. » ends the sentence: one period, not two
        opts.append([(m.start(), m.end(), new)])
    for m in re.finditer(r"(?<![\w.])M\.(?= [A-Z])", fr):
        opts.append([(m.start(), m.end(), rng.choice(("Mr", "Mr.")))])
    for m in re.finditer(r"(?<![\w.])Mme(?= [A-Z])", fr):
        opts.append([(m.start(), m.end(), rng.choice(("Mrs", "Ms")))])
    caps = WEEKDAYS + list(_EN_MONTHS) + NATIONALITIES
    for m in re.finditer(rf"(?<=[\w,’'] )({'|'.join(caps)})\b", fr):
        opts.append([(m.start(1), m.end(1), _cap(m.group(1)))])
    for m in re.finditer(r"\b(\d[\d\s\u00a0\u202f,]*?) (dollars|euros)\b", fr):
        sym = "$" if m.group(2) == "dollars" else "€"
        opts.append([(m.start(), m.end(), sym + re.sub(r"[\s\u00a0\u202f]", ",", m.group(1)))])
    for m in re.finditer(r"(\d)[\s\u00a0\u202f]?°C\b", fr):
        opts.append([(m.start(), m.end(), m.group(1) + "C")])
    for m in re.finditer(r"\b(\d{1,2})e\b", fr):
        opts.append([(m.start(), m.end(), _ordinal_en(m.group(1)))])
    for m in re.finditer(r"(?<=[a-zé\d»)]{2}[.!?] )([A-ZÉ][a-zé]+)", fr):
        opts.append([(m.start(1), m.end(1), m.group(1)[0].lower() + m.group(1)[1:])])
    if not opts:
        return None
    text, places = _apply(fr, rng.choice(opts))
    return _make(fr, text, places, "typography", "minor", "typography")


# ---------------------------------------------------------------------------- 13. boilerplate

BOILERPLATE = (
    "Lire aussi : {headline}",
    "Lire aussi :",
    "Partager sur Facebook",
    "Partager sur X",
    "Partager sur WhatsApp",
    "Publicité",
    "Laisser un commentaire",
    "Abonnez-vous à notre newsletter",
    "Cet article vous a été utile ?",
    "Article réservé aux abonnés",
    "Contenu sponsorisé",
    "Accepter les cookies",
    "Suivez-nous sur Instagram",
    "© AFP",
    "Crédit photo : AFP",
    "Mis à jour le {date} à {hour}h{minute:02d}",
    "Temps de lecture : {n} min",
    "Continuer la lecture",
    "Cliquez ici pour en savoir plus",
    "Veuillez résoudre le calcul : {a} + {b} =",
    "{a} + {b} = ?",
    "Vous avez aimé cet article ? Partagez-le !",
    "Recevez nos alertes",
)
HEADLINES = (
    "Climat : les négociations reprennent à Bonn",
    "Ukraine : ce que l'on sait de l'offensive",
    "Présidentielle américaine : les derniers sondages",
    "Inflation : la BCE maintient ses taux",
    "JO 2024 : le programme de la journée",
    "Santé : les hôpitaux sous tension",
)
_NUMBER_NAMES = "un deux trois quatre cinq six sept huit neuf dix".split()


def boilerplate(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """A web leftover glued to the sentence: « Lire aussi », share buttons, a captcha."""
    tmpl = rng.choice(BOILERPLATE)
    junk = tmpl.format(
        headline=rng.choice(HEADLINES),
        date=f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(19, 25)}",
        hour=rng.randint(6, 22),
        minute=rng.choice((0, 5, 12, 30, 47)),
        n=rng.randint(2, 9),
        a=rng.choice(_NUMBER_NAMES),
        b=rng.choice(_NUMBER_NAMES),
    )
    junk = _restyle(junk, fr)
    body = fr.strip()
    if not body:
        return None
    if rng.random() < 0.5:
        new = f"{body} {junk}"
        span = (len(body) + 1, len(new))
    else:
        new = f"{junk} {body}"
        span = (0, len(junk))
    # Keep the original's surrounding whitespace so only the junk differs.
    lead = fr[: len(fr) - len(fr.lstrip())]
    trail = fr[len(fr.rstrip()) :]
    new = lead + new + trail
    span = (span[0] + len(lead), span[1] + len(lead))
    return _make(fr, new, [span], "boilerplate", "minor", "boilerplate")

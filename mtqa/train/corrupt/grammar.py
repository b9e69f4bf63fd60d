"""Wrong grammar: reflexive auxiliaries, agreement, conjugation and prepositions."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from mtqa import lexicon
from mtqa.train.corrupt.base import (
    _LEX,
    FUNCTION_WORDS,
    Corruption,
    _apos,
    _apply,
    _make,
    _match_case,
    _starts_vowel,
    dela,
)

# ---------------------------------------------------------------------------- 2. reflexive

INTRANSITIVE_PARTICIPLES = (
    "démissionné voyagé atterri participé réagi répondu survécu succombé abdiqué riposté témoigné "
    "insisté hésité renoncé siégé régné résisté échoué abouti progressé reculé chuté grimpé bondi "
    "plongé voté travaillé vécu dormi marché couru agi menti plaidé triomphé persisté sévi transité "
    "coopéré culminé déjeuné dîné pleuré souri tremblé explosé sombré obtempéré fui augmenté diminué "
    "grandi vieilli circulé navigué atterri péri récidivé capitulé démarré"
).split()
_AUX_PRONOMINAL = {
    "a": "est",
    "ont": "sont",
    "avait": "était",
    "avaient": "étaient",
    "aura": "sera",
    "auront": "seront",
    "aurait": "serait",
    "auraient": "seraient",
    "avoir": "être",
    "ayant": "étant",
}
_PRONOMINAL_PARTICIPLES = (
    "déroulé tenu produit exprimé rendu retiré engagé effondré réuni imposé félicité".split()
)
_ADVERB = r"(?:pas|plus|jamais|déjà|encore|aussi|également|finalement|enfin|bien|toujours|[a-zéè]+ment)"
_REFLEXIVE_AVOIR = re.compile(
    rf"(?<![\w’'-])(?:(n[’']|ne )?)({'|'.join(_AUX_PRONOMINAL)})\s+(?:{_ADVERB}\s+)?"
    rf"({'|'.join(sorted(set(INTRANSITIVE_PARTICIPLES)))})(?![\w-])"
)
_ETRE_FORMS = r"s[’']est|se sont|s[’']était|s[’']étaient|se sera|se seront|se serait|se seraient|s[’']être"
_REFLEXIVE_RENDU = re.compile(rf"(?<![\w’'-])({_ETRE_FORMS})\s+(rendue?s?)(?![\w-])")
_REFLEXIVE_DROP = re.compile(
    rf"(?<![\w’'-])({_ETRE_FORMS})\s+((?:{'|'.join(_PRONOMINAL_PARTICIPLES)})(?:e|s|es)?)(?![\w-])"
)
_ETRE_TO_AVOIR = {
    "est": "a",
    "sont": "ont",
    "était": "avait",
    "étaient": "avaient",
    "sera": "aura",
    "seront": "auront",
    "serait": "aurait",
    "seraient": "auraient",
    "être": "avoir",
}


def _shifted(edits: Sequence[tuple[int, int, str]], pos: int) -> int:
    """Where an original position untouched by `edits` lands after applying them."""
    return pos + sum(len(rep) - (e - s) for s, e, rep in edits if e <= pos)


def reflexive(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """Wrong pronominal use: « a démissionné » → « s'est démissionné », « s'est tenu » → « a tenu »."""
    apos = _apos(fr)
    # Each option: the edits, and original (start, end) of unchanged words that are part of the error.
    options: list[tuple[list[tuple[int, int, str]], list[tuple[int, int]]]] = []
    for m in _REFLEXIVE_AVOIR.finditer(fr):
        etre = _AUX_PRONOMINAL[m.group(2)]
        pron = "s" + apos if _starts_vowel(etre) else "se "
        start = m.start(1) if m.group(1) else m.start(2)
        neg = "ne " if m.group(1) else ""
        new_aux = _match_case(neg + pron + etre, fr[start])
        options.append(([(start, m.end(2), new_aux)], [(m.start(3), m.end(3))]))
    for m in _REFLEXIVE_RENDU.finditer(fr):
        new = rng.choice(["voyagé", "allé", "venu", "démissionné"])
        options.append(([(m.start(2), m.end(2), new)], [(m.start(1), m.end(1))]))
    for m in _REFLEXIVE_DROP.finditer(fr):
        aux = re.split(r"[’' ]", m.group(1))[-1]
        new_aux = _match_case(_ETRE_TO_AVOIR[aux], m.group(1))
        options.append(([(m.start(1), m.end(1), new_aux)], [(m.start(2), m.end(2))]))
    if not options:
        return None
    edits, kept = rng.choice(options)
    text, places = _apply(fr, edits)
    spans = places + [(_shifted(edits, s), _shifted(edits, e)) for s, e in kept]
    return _make(fr, text, spans, "grammar", "major", "reflexive")


# ---------------------------------------------------------------------------- 3. agreement

_DET_SWAPS = {
    "le": ("la", "les"),
    "la": ("le", "les"),
    "les": ("le", "la"),
    "un": ("une",),
    "une": ("un",),
    "son": ("sa", "ses"),
    "sa": ("son", "ses"),
    "ses": ("son", "sa"),
    "leur": ("leurs",),
    "leurs": ("leur",),
    "ce": ("cette", "ces"),
    "cette": ("ce", "ces"),
    "ces": ("ce", "cette"),
    "du": ("de la", "des"),
    "au": ("à la", "aux"),
    "aux": ("au", "à la"),
}
_DET_TAGS = {
    "le": {"ms"},
    "la": {"fs"},
    "les": {"mp", "fp"},
    "un": {"ms"},
    "une": {"fs"},
    "son": {"ms"},
    "sa": {"fs"},
    "ses": {"mp", "fp"},
    "leur": {"ms", "fs"},
    "leurs": {"mp", "fp"},
    "ce": {"ms"},
    "cette": {"fs"},
    "ces": {"mp", "fp"},
    "de la": {"fs"},
    "des": {"mp", "fp"},
    "à la": {"fs"},
    "du": {"ms"},
    "au": {"ms"},
    "aux": {"mp", "fp"},
}
_GN = re.compile(r"^[mf][sp]$")


def _gn_tags(word: str, pos: Sequence[str]) -> set[str]:
    return {t for _, p, tags in dela().analyses(word.lower()) if p in pos for t in tags if _GN.match(t)}


def _det_alternatives(det: str, next_word: str) -> list[str]:
    tags = _gn_tags(next_word, ("N", "A"))
    if not tags:
        return []
    return [alt for alt in _DET_SWAPS[det.lower()] if not (_DET_TAGS[alt] & tags)]


def _word_alternatives(word: str) -> list[str]:
    """Other forms of the word's lemma that cannot agree where the word stood."""
    out: list[str] = []
    for lemma, pos, tags in dela().analyses(word):
        if pos == "A":
            mine = {t for t in tags if _GN.match(t)}
            if mine:
                out += [f for f, t in dela().paradigm(lemma, "A") if not (t & mine) and f != word]
        elif pos == "V":
            parts = {t for t in tags if t.startswith("K")}
            finite = {t for t in tags if re.match(r"^[PIJFCS]3[sp]$", t)}
            all_v = {t for lem, p, ts in dela().analyses(word) if p == "V" for t in ts}
            if parts:
                out += [
                    f
                    for f, t in dela().paradigm(lemma, "V")
                    if t & {"Kms", "Kfs", "Kmp", "Kfp"} and not (t & all_v)
                ]
            elif finite and not any(p == "N" for _, p, _ in dela().analyses(word)):
                # Same tense and person, other number: « réuniront » → « réunira ».
                flip = {t[:2] + ("p" if t[2] == "s" else "s") for t in finite}
                out += [f for f, t in dela().paradigm(lemma, "V") if t & flip and not (t & all_v)]
    return sorted(set(out) - {word})


def agreement(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """Break agreement: another form of the same lemma (determiner, adjective, participle, verb)."""
    tokens = list(_LEX.finditer(fr))
    cands = []
    for i, m in enumerate(tokens):
        w = m.group(0)
        low = w.lower()
        if m.end() < len(fr) and fr[m.end()] in "’'":
            continue  # elided (l’, d’, qu’…)
        if low in _DET_SWAPS and (w.islower() or m.start() == 0):
            if i + 1 < len(tokens) and fr[m.end() : tokens[i + 1].start()] == " ":
                cands.append(i)
        elif w.islower() and len(w) > 2 and low not in FUNCTION_WORDS:
            cands.append(i)
    rng.shuffle(cands)
    for i in cands[:12]:
        m = tokens[i]
        w = m.group(0)
        if w.lower() in _DET_SWAPS:
            alts = _det_alternatives(w, tokens[i + 1].group(0))
        else:
            alts = _word_alternatives(w)
        if not alts:
            continue
        new = _match_case(rng.choice(alts), w)
        text, places = _apply(fr, [(m.start(), m.end(), new)])
        return _make(fr, text, places, "grammar", "minor", "agreement")
    return None


# ---------------------------------------------------------------------------- 4. conjugation

# (name, pattern on the lower-cased form, replacement, regex on the verb's lemma, required tag regex)
_STEM_RULES: tuple[tuple[str, re.Pattern[str], str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(p), r, re.compile(lemma), re.compile(tag))
    for name, p, r, lemma, tag in (
        ("oyer", r"oi(?=e(?:s|nt|r[a-z]*)?$)", "oy", r"oyer$", r"."),  # déploieraient → déployeraient
        ("uyer", r"ui(?=e(?:s|nt|r[a-z]*)?$)", "uy", r"uyer$", r"."),  # appuie → appuye
        ("oyer", r"oy(?=(?:ons|ez|ait|aient|ais|é|ée|és|ées|er|ant|ions|iez)$)", "oi", r"oyer$", r"."),
        ("eler", r"ell(?=e(?:s|nt|r[a-z]*)?$)", "el", r"eler$", r"."),  # appelle → appele
        ("eter", r"ett(?=e(?:s|nt|r[a-z]*)?$)", "et", r"eter$", r"."),  # rejette → rejete
        (
            "eler",
            r"el(?=(?:ons|ez|ait|aient|é|ée|és|ées|er|ant)$)",
            "ell",
            r"eler$",
            r".",
        ),  # appelé → appellé
        (
            "eter",
            r"et(?=(?:ons|ez|ait|aient|é|ée|és|ées|er|ant)$)",
            "ett",
            r"eter$",
            r".",
        ),  # rejeté → rejetté
        ("cer", r"ç(?=[aoâ])", "c", r"cer$", r"."),  # lançait → lancait
        ("ger", r"ge(?=[aoâ])", "g", r"ger$", r"."),  # partageait → partagait
        (
            "accent",
            r"è(?=[^aeiouyéèê]+(?:e|es|ent)$)",
            "é",
            r"é[^aeiouyé]+er$",
            r".",
        ),  # considère → considére
        ("ending", r"(?<!ai)ent$", "ont", r"er$", r"^P3p$"),  # arrivent → arrivont
        ("ending", r"ront$", "rent", r"(?:ir|re|er|oir)$", r"^F3p$"),  # seront → serent
        ("ending", r"ent$", "e", r"er$", r"^P3p$"),  # ils arrivent → ils arrive (heard alike, MT-typical)
        ("ending", r"aient$", "ait", r".", r"^[IC]3p$"),  # étaient → était is a word: filtered out
    )
)
IRREGULAR = {
    "pris": "prendu", "prise": "prendue", "mis": "mettu", "mise": "mettue", "dit": "disé",
    "écrit": "écrivé", "ouvert": "ouvri", "offert": "offri", "couvert": "couvri",
    "découvert": "découvri", "peint": "peindu", "craint": "craindu", "rejoint": "rejoindu",
    "conduit": "conduisé", "produit": "produisé", "détruit": "détruisé", "construit": "construisé",
    "traduit": "traduisé", "résolu": "résoudu", "mort": "mouru", "vécu": "vivé",
    "connu": "connaissé", "reconnu": "reconnaissé", "apparu": "apparaissé", "disparu": "disparaissé",
    "voulu": "voulé", "pu": "pouvé", "dû": "devé", "su": "savé", "vu": "voyé", "venu": "vené",
    "tenu": "tené", "obtenu": "obtené", "soutenu": "soutené", "devenu": "devené", "reçu": "recevé",
    "élu": "élisé", "ira": "allera", "iront": "alleront", "irait": "allerait", "fera": "faira",
    "feront": "fairont", "ferait": "fairait", "feraient": "fairaient", "verra": "voira",
    "verront": "voiront", "pourra": "pouvera", "pourront": "pouveront", "pourrait": "pouverait",
    "pourraient": "pouveraient", "devra": "devoira", "devront": "devoiront", "devrait": "devoirait",
    "devraient": "devoiraient", "viendra": "venira", "viendront": "veniront", "tiendra": "tenira",
    "tiendront": "teniront", "enverra": "envoyera", "enverront": "envoyeront", "saura": "savra",
    "voudra": "voulra", "voudrait": "voulrait", "faudra": "fallera", "faudrait": "fallerait",
    "aura": "avoira", "auront": "avoiront", "mourra": "mourira", "font": "faisent", "vont": "allent",
    "peuvent": "pouvent", "veulent": "voulent", "doivent": "devent", "prennent": "prendent",
    "viennent": "venent", "tiennent": "tenent", "soutiennent": "soutenent", "obtiennent": "obtenent",
    "reçoivent": "recevent", "meurent": "mourent", "dites": "disez", "faites": "faisez",
    "puisse": "peuve", "fasse": "faise", "aille": "alle", "sachent": "savent",
}  # fmt: skip


_AUXILIARIES = frozenset(
    "a ont avait avaient est sont était étaient été être avoir ayant aura auront".split()
)


def _conjugation_candidates(word: str, prev: str) -> list[tuple[str, str]]:
    """(rule name, impossible form) pairs for one word; `prev` is the word before it."""
    low = word.lower()
    an = dela().analyses(low)
    noun = any(p == "N" for _, p, _ in an)
    participle = any(p == "V" and any(t.startswith("K") for t in tags) for _, p, tags in an)
    out = []
    # « le produit », « les morts »: nouns that look like participles only count after an auxiliary.
    if low in IRREGULAR and (not noun or prev.lower() in _AUXILIARIES):
        out.append(("irregular", IRREGULAR[low]))
    if not noun and (participle or not any(p == "A" for _, p, _ in an)):
        verbs = [(lem, tags) for lem, p, tags in an if p == "V"]
        for name, pat, rep, lemma_re, tag_re in _STEM_RULES:
            if not pat.search(low):
                continue
            if any(lemma_re.search(lem) and any(tag_re.search(t) for t in tags) for lem, tags in verbs):
                out.append((name, pat.sub(rep, low, count=1)))
    return [(n, _match_case(c, word)) for n, c in out if c != low and not lexicon.is_french_word(c)]


def conjugation(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """An impossible but plausible verb form (stem or ending error) that is not a French word."""
    by_rule: dict[str, list[tuple[int, int, str]]] = {}
    prev = ""
    for m in _LEX.finditer(fr):
        w, prev_word = m.group(0), prev
        prev = w
        if len(w) < 2 or not w[1:].islower():
            continue
        for name, cand in _conjugation_candidates(w, prev_word):
            by_rule.setdefault(name, []).append((m.start(), m.end(), cand))
    if not by_rule:
        return None
    # Rule first, then site: ending errors fit most verbs and would otherwise crowd out the rest.
    s, e, new = rng.choice(by_rule[rng.choice(sorted(by_rule))])
    text, places = _apply(fr, [(s, e, new)])
    return _make(fr, text, places, "grammar", "minor", "conjugation")


# ---------------------------------------------------------------------------- 5. preposition

FEMININE_COUNTRIES = (
    "France Allemagne Italie Espagne Chine Russie Ukraine Inde Syrie Turquie Belgique Suisse Pologne "
    "Grèce Égypte Libye Tunisie Algérie Colombie Argentine Australie Éthiopie Somalie Géorgie Arménie "
    "Hongrie Roumanie Suède Norvège Finlande Irlande Écosse Grande-Bretagne Bolivie Indonésie Malaisie "
    "Birmanie Cisjordanie Jordanie Palestine Mauritanie Guinée Autriche Slovaquie Serbie Croatie "
    "Bulgarie Lituanie Lettonie Estonie Moldavie Biélorussie Tanzanie Zambie Namibie Afrique Asie "
    "Europe Amérique Érythrée Arabie Corée Nouvelle-Zélande Californie Floride"
).split()
MASCULINE_COUNTRIES = (
    "Japon Canada Brésil Mexique Venezuela Pérou Chili Liban Soudan Niger Mali Tchad Nigeria Sénégal "
    "Maroc Yémen Qatar Koweït Pakistan Bangladesh Vietnam Cambodge Kenya Royaume-Uni Portugal Danemark "
    "Kazakhstan Burkina Cameroun Congo Rwanda Salvador Guatemala Honduras Nicaragua Panama Sri Népal "
    "Laos Luxembourg Texas Groenland Darfour Sahel Donbass Kremlin Vatican Bénin Togo Ghana Gabon "
    "Zimbabwe Mozambique Malawi Burundi Soudan Caire"
).split()
VOWEL_COUNTRIES = "Iran Irak Afghanistan Azerbaïdjan Ouzbékistan Équateur Ouganda Oman Israël".split()
PLURAL_COUNTRIES = ["États-Unis", "Pays-Bas", "Émirats", "Philippines", "Comores", "Maldives"]
_PREP_CONFUSIONS = {
    "à": ("en", "dans", "pour", "sur"),
    "dans": ("en", "à", "sur"),
    "en": ("dans", "à", "sur"),
    "pour": ("à", "de", "par"),
    "sur": ("à", "dans", "en", "de"),
    "par": ("de", "avec", "pour"),
    "chez": ("à", "dans", "avec"),
    "avec": ("par", "à", "de"),
    "de": ("à", "par", "pour"),
    "vers": ("à", "pour"),
    "depuis": ("pour", "dans"),
    "pendant": ("pour", "dans"),
    "au": ("en", "à le", "dans le"),
    "aux": ("à les", "en", "dans les"),
    "du": ("de le", "à", "par le"),
}
# Locutions where the preposition is fixed and the generic swap would hit a set phrase.
_FROZEN_AFTER = re.compile(
    r"^(?:partir|peu|près|cause|moins|plus|même|côté|travers|nouveau|fait|effet|outre|raison|"
    r"savoir|lieu|cours|tant|compter|propos|part|ailleurs|dessus|dessous|suite|mesure)\b"
)


def _country_options(fr: str) -> list[tuple[int, int, str]]:
    opts = []
    fem = "|".join(map(re.escape, FEMININE_COUNTRIES + VOWEL_COUNTRIES))
    masc = "|".join(map(re.escape, MASCULINE_COUNTRIES))
    plur = "|".join(map(re.escape, PLURAL_COUNTRIES))
    for m in re.finditer(rf"(?<![\w’'-])([Ee]n) (?=(?:{fem})\b)", fr):
        opts.append((m.start(1), m.end(1), "au" if m.group(1) == "en" else "Au"))
        opts.append((m.start(1), m.end(1), "à la" if m.group(1) == "en" else "À la"))
    for m in re.finditer(rf"(?<![\w’'-])([Aa]u) (?=(?:{masc})\b)", fr):
        for alt in ("en", "à", "à le"):
            opts.append((m.start(1), m.end(1), _match_case(alt, m.group(1))))
    for m in re.finditer(rf"(?<![\w’'-])([Aa]ux) (?=(?:{plur})\b)", fr):
        opts.append((m.start(1), m.end(1), _match_case("en", m.group(1))))
        opts.append((m.start(1), m.end(1), _match_case("à les", m.group(1))))
    for m in re.finditer(r"(?<![\w’'-])(à) (?=[A-Z][a-zé]+\b)(?!(?:La|Le|Les|L)\b)", fr):
        opts.append((m.start(1), m.end(1), "en"))
        opts.append((m.start(1), m.end(1), "au"))
    for m in re.finditer(rf"(?<![\w’'-])(de) (?=(?:{'|'.join(map(re.escape, FEMININE_COUNTRIES))})\b)", fr):
        opts.append((m.start(1), m.end(1), "du"))
    for m in re.finditer(rf"(?<![\w’'-])(du) (?=(?:{masc})\b)", fr):
        opts.append((m.start(1), m.end(1), "de"))
    return opts


def preposition(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """A wrong preposition in a common slot: « en Chypre », « au France », « dépend sur »."""
    options = _country_options(fr)
    if not options or rng.random() < 0.3:
        for m in re.finditer(
            r"(?<![\w’'-])(à|dans|en|pour|sur|par|chez|avec|de|vers|depuis|pendant|au|aux|du) (?=(\S+))", fr
        ):
            prep, nxt = m.group(1), m.group(2)
            if m.start() == 0 or _FROZEN_AFTER.match(nxt) or not nxt[:1].isalpha():
                continue
            for alt in _PREP_CONFUSIONS[prep]:
                if alt.startswith("de") and _starts_vowel(nxt):
                    continue  # « de » would elide; the swap would look like a typo instead
                options.append((m.start(1), m.end(1), alt))
    if not options:
        return None
    s, e, new = rng.choice(options)
    text, places = _apply(fr, [(s, e, new)])
    # The preposition alone is what the editor would fix.
    return _make(fr, text, places, "grammar", "minor", "preposition")

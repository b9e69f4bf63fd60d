"""Wrong words: dictionary substitutions (calques, wrong institutions and titles, false
friends) and near-synonyms in the wrong sense.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from mtqa.checks.rulebook import CATEGORIES
from mtqa.train.corrupt.base import (
    _LEX,
    SEVERITIES,
    SUBSTITUTIONS_PATH,
    Corruption,
    _apply,
    _cap,
    _inflect_like,
    _make,
    _match_case,
    _replace_phrase,
    _restyle,
    _starts_vowel,
    dela,
)
from mtqa.train.corrupt.grammar import _GN

# ---------------------------------------------------------------------------- 1. substitution


@dataclass(frozen=True)
class Substitution:
    pattern: re.Pattern[str]
    bad: tuple[str, ...]
    category: str
    severity: str
    context: re.Pattern[str] | None = None
    source: re.Pattern[str] | None = None
    lemma: tuple[str, str, str] | None = None  # (good lemma, bad lemma, POS)
    # The capital on the first letter was added by the loader: only valid at a sentence start,
    # or « bondi » would hit Pam Bondi and « rassemblement » the Rassemblement national.
    loosened: bool = False


def _loosen(pattern: str, capital: bool = True) -> str:
    # One apostrophe class for both styles, and a capital allowed on a lower-case first letter.
    pattern = pattern.replace("['’]", "’").replace("[’']", "’").replace("’", "['’]")
    if not capital:
        return pattern
    return re.sub(
        r"^(\\b)?([a-zà-ÿœæ])", lambda m: (m.group(1) or "") + f"[{m.group(2)}{m.group(2).upper()}]", pattern
    )


def _forms_pattern(lemma: str, pos: str) -> re.Pattern[str]:
    forms = [f for f, _ in dela().paradigm(lemma, pos)]
    if not forms:
        raise ValueError(f"DELA has no {pos} forms for {lemma!r}")
    alt = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
    caps = "|".join(re.escape(_cap(f)) for f in sorted(forms, key=lambda f: (-len(f), f)))
    return re.compile(rf"(?<![\w’'-])(?:{alt}|{caps})(?![\w-])")


@functools.cache
def load_substitutions(path: Path | str | None = None) -> tuple[Substitution, ...]:
    """Parse substitutions.yaml; raise ValueError naming the first bad entry."""
    raw = yaml.safe_load(Path(path or SUBSTITUTIONS_PATH).read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError("substitutions file must be a list of entries")
    out = []
    for i, entry in enumerate(raw):
        try:
            category, severity = entry["category"], entry["severity"]
            if category not in CATEGORIES or severity not in SEVERITIES:
                raise ValueError(f"bad category/severity {category!r}/{severity!r}")
            context = re.compile(entry["context"]) if entry.get("context") else None
            source = re.compile(entry["source"], re.IGNORECASE) if entry.get("source") else None
            if "lemma" in entry:
                lem = (str(entry["lemma"]), str(entry["bad_lemma"]), str(entry["pos"]))
                pattern = _forms_pattern(lem[0], lem[2])
                out.append(Substitution(pattern, (), category, severity, context, source, lem, True))
            else:
                bad = entry["bad"]
                bad = tuple(str(b) for b in (bad if isinstance(bad, list) else [bad]))
                if not bad:
                    raise ValueError("empty bad list")
                loose = _loosen(str(entry["good"]))
                loosened = loose != _loosen(str(entry["good"]), capital=False)
                out.append(
                    Substitution(re.compile(loose), bad, category, severity, context, source, None, loosened)
                )
        except (KeyError, TypeError, re.error, ValueError) as exc:
            raise ValueError(f"substitution entry {i} ({entry!r}): {exc}") from exc
    return tuple(out)


def _sentence_start(fr: str, pos: int) -> bool:
    before = fr[:pos].rstrip(' \u00a0\u202f«“"')
    return not before or before[-1] in ".!?:…"


def _substitute(fr: str, entry: Substitution, m: re.Match[str], rng: random.Random) -> Corruption | None:
    if entry.lemma:
        good, bad_lemma, pos = entry.lemma
        new = _inflect_like(m.group(0), good, pos, bad_lemma)
        if new is None:
            return None
    else:
        new = _restyle(m.expand(rng.choice(entry.bad)), fr)
        new = _match_case(new, m.group(0))
    done = _replace_phrase(fr, m.start(), m.end(), new)
    if done is None:
        return None
    text, span = done
    return _make(fr, text, [span], entry.category, entry.severity, "substitution")


def substitution(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """Calques, false friends, wrong institutions/titles, English name forms (substitutions.yaml)."""
    hits: list[tuple[Substitution, list[re.Match[str]]]] = []
    for entry in load_substitutions():
        if entry.source and (en is None or not entry.source.search(en)):
            continue
        if entry.context and not entry.context.search(fr):
            continue
        found = [
            m
            for m in entry.pattern.finditer(fr)
            if m.end() > m.start()
            and not (entry.loosened and m.group(0)[:1].isupper() and not _sentence_start(fr, m.start()))
        ]
        if found:
            hits.append((entry, found))
    # Entries rather than matches are drawn evenly, so frequent words don't crowd out the rest.
    rng.shuffle(hits)
    for entry, found in hits:
        result = _substitute(fr, entry, rng.choice(found), rng)
        if result:
            return result
    return None


# ---------------------------------------------------------------------------- 8. word sense

# Near-synonyms in the wrong sense: « repousser une offensive » → « renverser une offensive ».
SENSE_VERBS = (
    ("repousser", "renverser"),
    ("abandonner", "quitter"),
    ("combler", "commettre"),
    ("gagner", "acquérir"),
    ("remporter", "emporter"),
    ("lancer", "jeter"),
    ("battre", "frapper"),
    ("relever", "soulever"),
    ("toucher", "palper"),
    ("tenir", "garder"),
    ("arrêter", "stopper"),
    ("suspendre", "pendre"),
    ("adopter", "épouser"),
    ("rejeter", "jeter"),
    ("défendre", "interdire"),
    ("décrocher", "débrancher"),
    ("prolonger", "allonger"),
    ("diriger", "conduire"),
    ("saisir", "attraper"),
    ("lever", "soulever"),
    ("renverser", "repousser"),
    ("signaler", "signer"),
    ("accueillir", "saluer"),
    ("exiger", "demander"),
)
# Same-gender nouns, so determiners and adjectives still agree.
SENSE_NOUNS = (
    ("mandat", "gouvernement"),
    ("bilan", "péage"),
    ("scrutin", "examen"),
    ("trimestre", "quart"),
    ("candidature", "offre"),
    ("course", "race"),
    ("député", "adjoint"),
    ("bénéfice", "avantage"),
    ("exercice", "entraînement"),
    ("coupe", "tasse"),
    ("sommet", "pic"),
    ("dossier", "fichier"),
    ("accusation", "charge"),
    ("condamnation", "conviction"),
    ("accord", "marché"),
    ("siège", "fauteuil"),
    ("taux", "rythme"),
    ("but", "objectif"),
    ("séance", "session"),
    ("manifestation", "démonstration"),
    ("essai", "procès"),
    ("tir", "coup"),
    ("pouvoir", "courant"),
    ("parti", "côté"),
    ("victoire", "conquête"),
    ("journée", "date"),
    ("frontière", "bordure"),
    ("armée", "foule"),
    ("crise", "attaque"),
    ("hausse", "montée"),
    ("appel", "coup de fil"),
)
# Pool for random same-gender swaps, by gender+number and vowel-initial.
NOUN_POOL = {
    "ms": (
        "projet rapport conflit marché budget traité programme secteur débat territoire réseau système "
        "service contrat groupe plan processus vote texte chantier dispositif mouvement problème "
        "gouvernement accord incendie hôpital avion immeuble"
    ).split(),
    "fs": (
        "réforme crise décision mesure situation loi politique région population proposition question "
        "campagne frontière économie armée élection entreprise école usine opération"
    ).split(),
    "mp": (
        "projets rapports conflits marchés budgets traités programmes secteurs débats services contrats "
        "accords hôpitaux avions"
    ).split(),
    "fp": (
        "réformes crises décisions mesures lois régions populations questions campagnes frontières "
        "élections entreprises écoles usines"
    ).split(),
}
_NOUN_DETS = frozenset("le la les un une des du ce cet cette ces son sa ses leur leurs l d".split())


def _sense_table_option(fr: str, rng: random.Random) -> list[tuple[int, int, str]]:
    opts = []
    for m in _LEX.finditer(fr):
        w = m.group(0)
        low = w.lower()
        if w[1:] != low[1:]:
            continue
        for lemma, pos, _ in dela().analyses(low):
            if pos == "V":
                for good, bad in SENSE_VERBS:
                    if lemma == good and (new := _inflect_like(w, good, "V", bad)):
                        opts.append((m.start(), m.end(), new))
            elif pos == "N":
                for good, bad in SENSE_NOUNS:
                    if lemma == good:
                        new = _inflect_like(w, good, "N", bad) if " " not in bad else bad
                        if new:
                            opts.append((m.start(), m.end(), new))
    return sorted(set(opts))


def _sentence_nouns(fr: str) -> list[tuple[re.Match[str], str, frozenset[str]]]:
    """Unambiguous nouns after a determiner: (match, gender-number tag, lemmas)."""
    toks = list(_LEX.finditer(fr))
    out = []
    for i in range(1, len(toks)):
        w = toks[i].group(0)
        if not w.islower() or toks[i - 1].group(0).lower() not in _NOUN_DETS:
            continue
        an = dela().analyses(w)
        if not an or any(p in ("V", "A", "ADV", "PREP") for _, p, _ in an):
            continue  # ambiguous words are poor targets: the swap could land on another sense
        tags = {t for _, p, ts in an if p == "N" for t in ts if _GN.match(t)}
        if len(tags) == 1:
            out.append((toks[i], tags.pop(), frozenset(lem for lem, p, _ in an if p == "N")))
    return out


def _pool_option(fr: str, rng: random.Random) -> list[tuple[int, int, str]]:
    nouns = _sentence_nouns(fr)
    opts = []
    for m, tag, lemmas in nouns:
        w = m.group(0)
        # Nouns of the same sentence first (MT mixes up neighbours), then a fixed news pool.
        near = [o.group(0) for o, t, lem in nouns if t == tag and not (lem & lemmas)]
        pool = [n for n in near + NOUN_POOL[tag] if _starts_vowel(n) == _starts_vowel(w) and n != w]
        pool = [n for n in pool if not ({lem for lem, _, _ in dela().analyses(n)} & lemmas)]
        if pool:
            opts.append((m.start(), m.end(), rng.choice(pool)))
    return opts


def word_sense(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """A content word replaced by a near-synonym in the wrong sense, or an unrelated noun."""
    opts = _sense_table_option(fr, rng)
    if not opts or rng.random() < 0.3:
        opts = opts + _pool_option(fr, rng)
    if not opts:
        return None
    s, e, new = rng.choice(opts)
    text, places = _apply(fr, [(s, e, _match_case(new, fr[s:e]))])
    return _make(fr, text, places, "mistranslation", "major", "word_sense")

"""Synthetic MT-like errors for training the quality-estimation model.

Each generator takes a clean French sentence (and the English source when it has one) and
returns a Corruption: the damaged French plus the exact character spans of the wrong words,
from which word-level OK/BAD tags follow by overlapping tokens with spans. A generator returns
None when its error cannot be made in that sentence, so `corrupt` can fall back to another.

Everything random goes through the caller's `random.Random`, and no choice iterates a set, so
a seed reproduces the same corruptions in any process.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from mtqa import lexicon
from mtqa.checks.rulebook import CATEGORIES

SEVERITIES = ("major", "minor")
SUBSTITUTIONS_PATH = Path(__file__).resolve().parents[2] / "models" / "data" / "substitutions.yaml"


@dataclass(frozen=True)
class Corruption:
    fr: str  # the corrupted French text
    bad: tuple[tuple[int, int], ...]  # char spans in `fr` that are wrong
    category: str
    severity: str  # "major" | "minor"
    needs_source: bool  # only visible against the English source
    kind: str  # generator name

    def __post_init__(self) -> None:
        check_spans(self.fr, self.bad)
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def bad_text(self) -> list[str]:
        return [self.fr[s:e] for s, e in self.bad]


def check_spans(text: str, spans: Sequence[tuple[int, int]]) -> None:
    """Raise ValueError unless spans are non-empty, in range, sorted, disjoint and word-tight."""
    if not spans:
        raise ValueError("a corruption needs at least one bad span")
    prev_end = 0
    for s, e in spans:
        if not 0 <= s < e <= len(text):
            raise ValueError(f"span {(s, e)} out of range for text of length {len(text)}")
        if s < prev_end:
            raise ValueError(f"span {(s, e)} overlaps or is out of order")
        if text[s].isspace() or text[e - 1].isspace():
            raise ValueError(f"span {(s, e)} starts or ends with whitespace: {text[s:e]!r}")
        prev_end = e


# ---------------------------------------------------------------------------- text helpers

# Words with elisions and hyphens glued (for moving words around) ...
_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")
# ... and lexical units split at apostrophes (for dictionary look-ups).
_LEX = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_VOWELS = frozenset("aeiouyàâäéèêëîïôöûùüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÛÙÜŒÆ")
_SPACE = " \u00a0\u202f"

FUNCTION_WORDS = frozenset(
    """le la les l un une des du de d au aux à en dans sur par pour avec sans chez vers contre entre
    et ou mais donc or ni car que qu qui dont où ce cet cette ces son sa ses leur leurs notre nos
    votre vos mon ma mes il elle ils elles on se s ne n pas plus y lui est sont a ont été être
    avoir fait comme si aussi très déjà encore tout tous toute toutes selon après avant depuis
    lors pendant""".split()
)


def _apos(fr: str) -> str:
    """The apostrophe the sentence already uses, so inserted text matches its style."""
    return "’" if fr.count("’") > fr.count("'") else "'"


def _restyle(text: str, fr: str) -> str:
    a = _apos(fr)
    return text.replace("'", a).replace("’", a)


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _match_case(new: str, old: str) -> str:
    if old[:1].isupper() and new[:1].islower():
        return _cap(new)
    return new


def _starts_vowel(word: str) -> bool:
    # h is left alone: whether it elides is lexical (l’homme, le héros).
    return bool(word) and word[0] in _VOWELS


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _tight(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else None


def _apply(fr: str, edits: Sequence[tuple[int, int, str]]) -> tuple[str, list[tuple[int, int]]]:
    """Apply non-overlapping (start, end, replacement) edits; return text and each edit's new place."""
    out: list[str] = []
    places: list[tuple[int, int]] = []
    pos = 0
    length = 0
    for s, e, rep in sorted(edits):
        if s < pos:
            raise ValueError("overlapping edits")
        out.append(fr[pos:s])
        length += s - pos
        places.append((length, length + len(rep)))
        out.append(rep)
        length += len(rep)
        pos = e
    out.append(fr[pos:])
    return "".join(out), places


def _gap(text: str, pos: int) -> list[tuple[int, int]]:
    """Spans of the words just before and just after position `pos` (a deletion point)."""
    spans = []
    before = [m for m in _WORD.finditer(text, 0, pos)]
    if before:
        spans.append((before[-1].start(), before[-1].end()))
    after = _WORD.search(text, pos)
    if after:
        spans.append((after.start(), after.end()))
    return spans


def _make(
    fr: str,
    new: str,
    spans: Sequence[tuple[int, int]],
    category: str,
    severity: str,
    kind: str,
    needs_source: bool = False,
) -> Corruption | None:
    """Normalise spans (tight, sorted, merged) and build the Corruption; None if nothing changed."""
    if new == fr:
        return None
    tight = sorted(t for s, e in spans if (t := _tight(new, s, e)))
    merged: list[tuple[int, int]] = []
    for s, e in tight:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    if not merged:
        return None
    return Corruption(new, tuple(merged), category, severity, needs_source, kind)


# ---------------------------------------------------------------------------- DELA index


class _Dela:
    """Form → analyses and lemma → forms over DELA, built in one pass (~2 s).

    lexicon.analyses answers one form in ~20 ms with a regex over the whole file; generators ask
    about every word of thousands of sentences, so one index pays off after a hundred words.
    """

    def __init__(self) -> None:
        by_form: dict[str, str] = {}
        by_lemma: dict[str, str] = {}
        for line in lexicon._dela_text().split("\n"):
            comma = line.find(",")
            if comma <= 0:
                continue
            form = line[:comma]
            if " " in form or "\\" in form:
                continue
            rest = line[comma + 1 :]
            prev = by_form.get(form)
            by_form[form] = rest if prev is None else prev + "\n" + rest
            dot = rest.find(".")
            lemma = rest[:dot] or form
            prev = by_lemma.get(lemma)
            by_lemma[lemma] = form if prev is None else prev + "\n" + form
        self._by_form = by_form
        self._by_lemma = by_lemma

    @functools.cache  # noqa: B019 - one instance per process (see dela())
    def analyses(self, form: str) -> tuple[tuple[str, str, frozenset[str]], ...]:
        """(lemma, POS, feature tags) of a form, e.g. ('prendre', 'V', {'Kms'})."""
        raw = self._by_form.get(form)
        if raw is None:
            return ()
        out = []
        for rest in raw.split("\n"):
            dot = rest.find(".")
            lemma = rest[:dot] or form
            info = rest[dot + 1 :]
            pos = re.split(r"[+:]", info, maxsplit=1)[0]
            tags = info.split(":")[1:]
            out.append((lemma, pos, frozenset(tags)))
        return tuple(dict.fromkeys(out))

    @functools.cache  # noqa: B019
    def paradigm(self, lemma: str, pos: str) -> tuple[tuple[str, frozenset[str]], ...]:
        """Every form of a lemma with the tags it has for that lemma and POS, sorted."""
        forms = sorted(set(self._by_lemma.get(lemma, "").split("\n")) - {""})
        out = []
        for form in forms:
            tags: set[str] = set()
            for lem, p, t in self.analyses(form):
                if lem == lemma and p == pos:
                    tags |= t
            if tags:
                out.append((form, frozenset(tags)))
        return tuple(out)

    def has_pos(self, form: str, pos: str) -> bool:
        return any(p == pos for _, p, _ in self.analyses(form))


@functools.cache
def dela() -> _Dela:
    return _Dela()


def _noun_gender(word: str) -> str | None:
    """'m' or 'f' when DELA gives the (singular) noun a single gender."""
    genders = {t[0] for _, p, tags in dela().analyses(word.lower()) if p == "N" for t in tags if t}
    genders &= {"m", "f"}
    return genders.pop() if len(genders) == 1 else None


def _inflect_like(form: str, lemma: str, pos: str, target: str) -> str | None:
    """The form of `target` sharing most features with `form` (as a form of `lemma`)."""
    want: set[str] = set()
    for lem, p, tags in dela().analyses(form.lower()):
        if lem == lemma and p == pos:
            want |= tags
    if not want:
        return None
    best: tuple[int, str] | None = None
    for cand, tags in dela().paradigm(target, pos):
        score = len(want & tags)
        if score and (best is None or score > best[0]):
            best = (score, cand)
    return None if best is None else _match_case(best[1], form)


# ---------------------------------------------------------------------------- determiners

# The determiner or elided word right before a splice point: « le », « l’ », « du », « que »…
_BEFORE = re.compile(
    r"(?:^|(?<=[\s(«“\"]))(de la |de l[’']|à la |à l[’']|le |la |l[’']|un |une |cet |cette |ce |"
    r"son |sa |du |au |d[’']|de |qu[’']|que |s[’']|se |n[’']|ne )$",
    re.IGNORECASE,
)
_DET_KIND = {
    "le ": ("def", "m"),
    "la ": ("def", "f"),
    "l’": ("def", None),
    "un ": ("indef", "m"),
    "une ": ("indef", "f"),
    "ce ": ("dem", "m"),
    "cet ": ("dem", "m"),
    "cette ": ("dem", "f"),
    "son ": ("poss", None),
    "sa ": ("poss", "f"),
    "du ": ("part", "m"),
    "de la ": ("part", "f"),
    "de l’": ("part", None),
    "au ": ("contr", "m"),
    "à la ": ("contr", "f"),
    "à l’": ("contr", None),
    "d’": ("de", None),
    "de ": ("de", None),
    "qu’": ("que", None),
    "que ": ("que", None),
    "s’": ("se", None),
    "se ": ("se", None),
    "n’": ("ne", None),
    "ne ": ("ne", None),
}
_GENDERED = {"def", "indef", "dem", "poss", "part", "contr"}


def _det_form(kind: str, gender: str, vowel: bool, apos: str) -> str:
    if kind == "def":
        return "l" + apos if vowel else ("la " if gender == "f" else "le ")
    if kind == "indef":
        return "une " if gender == "f" else "un "
    if kind == "dem":
        return "cette " if gender == "f" else ("cet " if vowel else "ce ")
    if kind == "poss":
        return "sa " if gender == "f" and not vowel else "son "
    if kind == "part":
        return "de l" + apos if vowel else ("de la " if gender == "f" else "du ")
    if kind == "contr":
        return "à l" + apos if vowel else ("à la " if gender == "f" else "au ")
    full = {"de": "de ", "que": "que ", "se": "se ", "ne": "ne "}[kind]
    return full[:-2] + apos if vowel else full


def _splice(fr: str, s: int, e: int, new: str) -> tuple[str, tuple[int, int]]:
    """Replace fr[s:e] by `new`, re-fitting a preceding determiner or elision to the new word.

    « le procès » → « l’essai », « le médicament » → « la drogue »: MT output agrees with
    itself, so the determiner changes too and is part of the bad span.
    """
    m = _BEFORE.search(fr, 0, s) if s else None
    if m and m.end() == s and new[:1].isalpha():
        det = m.group(1)
        key = det.lower().replace("'", "’")
        kind, old_gender = _DET_KIND[key]
        vowel = _starts_vowel(new)
        head = _LEX.match(new)
        gender = old_gender
        if kind in _GENDERED and head and new[:1].islower():
            gender = _noun_gender(head.group(0)) or old_gender
        apos = "’" if "’" in det else ("'" if "'" in det else _apos(fr))
        fitted = _det_form(kind, gender or "m", vowel, apos)
        if fitted.lower() != det.lower().replace("'", apos).replace("’", apos):
            fitted = _match_case(fitted, det)
            text, places = _apply(fr, [(m.start(1), e, fitted + new)])
            return text, places[0]
    text, places = _apply(fr, [(s, e, new)])
    return text, places[0]


def _trim(old: str, new: str) -> tuple[int, int, int, int]:
    """Offsets (old_s, old_e, new_s, new_e) of the words that really differ between two phrases."""
    ow, nw = old.split(" "), new.split(" ")
    i = 0
    while i < min(len(ow), len(nw)) - 1 and ow[i] == nw[i]:
        i += 1
    j = 0
    while j < min(len(ow), len(nw)) - 1 - i and ow[-1 - j] == nw[-1 - j]:
        j += 1
    pre_o = sum(len(w) + 1 for w in ow[:i])
    pre_n = sum(len(w) + 1 for w in nw[:i])
    suf_o = sum(len(w) + 1 for w in ow[len(ow) - j :])
    suf_n = sum(len(w) + 1 for w in nw[len(nw) - j :])
    return pre_o, len(old) - suf_o, pre_n, len(new) - suf_n


def _replace_phrase(fr: str, s: int, e: int, new: str) -> tuple[str, tuple[int, int]] | None:
    """Replace fr[s:e] by `new`, marking only the words that changed (plus a re-fitted determiner)."""
    old = fr[s:e]
    if old == new:
        return None
    os_, oe, ns, ne = _trim(old, new)
    return _splice(fr, s + os_, s + oe, new[ns:ne])


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


# ---------------------------------------------------------------------------- 6. untranslated

_EN_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
EN_STOPWORDS = frozenset(
    """the a an of to in on at for by with from and or but that this these those is are was were be
    been being has have had will would should could can may might it its their they them he she his
    her we our you your i not no as than then there here which who whom whose what when where why
    how also said says told after before over under into about more most some any all other such
    only own same so too very just now while during since until against between both each few
    further once off out up down again""".split()
)
# French word(s) → English word left untranslated, used when the English source contains it.
_LEFTOVERS = (
    (r"\bresponsables\b", "officials"),
    (r"\baccord\b", "deal"),
    (r"\bsur fond de\b", "amid"),
    (r"\bparlementaires\b", "lawmakers"),
    (r"\bporte-parole\b", "spokesperson"),
    (r"\bcessez-le-feu\b", "ceasefire"),
    (r"\bfrappes?\b", "strike"),
    (r"\bsondages?\b", "polls"),
    (r"\bcommuniqué\b", "statement"),
    (r"\baudience\b", "hearing"),
    (r"\bsommet\b", "summit"),
    (r"\bpourparlers\b", "talks"),
    (r"\bmanifestants\b", "protesters"),
    (r"\bréfugiés\b", "refugees"),
    (r"\bélections\b", "elections"),
    (r"\bgouvernement\b", "government"),
    (r"\bentreprise\b", "company"),
    (r"\benquête\b", "investigation"),
    (r"\bsécheresse\b", "drought"),
    (r"\binondations\b", "floods"),
    (r"\bincendies?\b", "wildfire"),
    (r"\bdéputés\b", "lawmakers"),
    (r"\btroupes\b", "troops"),
    (r"\bmilitants\b", "activists"),
)


def _en_content(en: str) -> list[re.Match[str]]:
    out = []
    for m in _EN_WORD.finditer(en):
        w = m.group(0)
        if w[0].isupper() or len(w) < 4 or w.lower() in EN_STOPWORDS:
            continue
        if lexicon.english_frequency(w) < lexicon.french_frequency(w) + 1:
            continue  # also a French word: leaving it in would not look untranslated
        out.append(m)
    return out


def _strip_punct(text: str) -> str:
    return text.strip().strip('.,;:!?"“”«» ').strip()


def untranslated(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """English left in the French: a whole short text, a clause, or 1–3 source words."""
    if not en or not en.strip():
        return None
    fr_words = _words(fr)
    roll = rng.random()
    # Whole text (~10% overall), as MT copies through captions and short items it fails to translate.
    if roll < (0.35 if len(fr_words) <= 12 else 0.07 if len(fr_words) <= 25 else 0.0):
        new = en.strip()
        return _make(fr, new, [(0, len(new))], "untranslated", "major", "untranslated")
    if roll < 0.6:
        done = _untranslated_clause(fr, en, rng)
        if done:
            return done
    return _untranslated_words(fr, en, rng)


def _untranslated_clause(fr: str, en: str, rng: random.Random) -> Corruption | None:
    end = len(fr.rstrip())
    m_end = re.search(r"[.!?…]+[\s»”\"]*$", fr[:end])
    body_end = m_end.start() if m_end else end
    commas = [m.start() for m in re.finditer(r",\s", fr[:body_end])]
    en_body = en.strip()
    en_parts = [p for p in re.split(r",\s", en_body) if p.strip()]
    spans: list[tuple[int, int, str]] = []  # French span to replace, which end
    if commas:
        spans.append((commas[-1] + 2, body_end, "tail"))
        spans.append((0, commas[0], "head"))
    else:
        ws = [m for m in _WORD.finditer(fr, 0, body_end)]
        if len(ws) >= 6:
            k = rng.randint(3, 6)
            spans.append((ws[-k].start(), ws[-1].end(), "tail"))
    rng.shuffle(spans)
    for s, e, side in spans:
        n = len(_words(fr[s:e]))
        if not 3 <= n <= 8 or any(c in fr[s:e] for c in '«»()"'):
            continue
        en_part = en_parts[-1] if side == "tail" else en_parts[0]
        en_words = en_part.split()
        if not 2 <= len(en_words) <= 12 or len(en_parts) < 2:
            all_words = en_body.split()
            en_words = all_words[-n:] if side == "tail" else all_words[:n]
        piece = _strip_punct(" ".join(en_words))
        if not piece or piece == fr[s:e]:
            continue
        text, places = _apply(fr, [(s, e, piece)])
        return _make(fr, text, places, "untranslated", "major", "untranslated")
    return None


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


def _cognates(
    fr_cands: list[re.Match[str]], en_cands: list[re.Match[str]]
) -> list[tuple[re.Match[str], str]]:
    """French words whose English source word is a visible cognate (résidence/residence, voté/voted)."""
    out = []
    for f in fr_cands:
        ff = _fold(f.group(0))
        for e in en_cands:
            ew = e.group(0)
            ef = _fold(ew)
            n = 0
            while n < min(len(ff), len(ef)) and ff[n] == ef[n]:
                n += 1
            if n >= 5 or (n >= 4 and n == min(len(ff), len(ef))):
                out.append((f, ew))
    return out


def _untranslated_words(fr: str, en: str, rng: random.Random) -> Corruption | None:
    table = [(pat, word) for pat, word in _LEFTOVERS if re.search(rf"\b{word}\b", en, re.I)]
    hits = [(m, word) for pat, word in table for m in re.finditer(pat, fr)]
    if hits and rng.random() < 0.5:
        m, word = rng.choice(hits)
        text, places = _apply(fr, [(m.start(), m.end(), word)])
        return _make(fr, text, places, "untranslated", "minor", "untranslated")
    en_cands = _en_content(en)
    fr_cands = [
        m
        for m in _WORD.finditer(fr)
        if m.group(0).islower() and len(m.group(0)) >= 4 and m.group(0) not in FUNCTION_WORDS
    ]
    if not en_cands or not fr_cands:
        return None
    # A cognate gives an exact alignment for free; otherwise align by relative position.
    cognates = [(f, w) for f, w in _cognates(fr_cands, en_cands) if w != f.group(0)]
    if cognates and rng.random() < 0.6:
        f, word = rng.choice(cognates)
        text, places = _apply(fr, [(f.start(), f.end(), word)])
        return _make(fr, text, places, "untranslated", "minor", "untranslated")
    j = rng.randrange(len(en_cands))
    k = rng.choice((1, 1, 1, 2, 3))
    en_all = list(_EN_WORD.finditer(en))
    # Consecutive English words starting at the chosen one, if they are content words too.
    idx = next(i for i, m in enumerate(en_all) if m.start() == en_cands[j].start())
    group = [en_all[idx]]
    for nxt in en_all[idx + 1 : idx + k]:
        w = nxt.group(0)
        if w[0].isupper() or w.lower() in EN_STOPWORDS or en[group[-1].end() : nxt.start()] != " ":
            break
        group.append(nxt)
    piece = " ".join(m.group(0) for m in group)
    rel = en_cands[j].start() / max(1, len(en))
    target = min(fr_cands, key=lambda m: abs(m.start() / max(1, len(fr)) - rel))
    s, e = target.start(), target.end()
    for m in list(_WORD.finditer(fr, e))[: len(group) - 1]:
        if fr[e : m.start()] != " ":
            break
        e = m.end()
    text, places = _apply(fr, [(s, e, piece)])
    return _make(fr, text, places, "untranslated", "minor" if len(group) == 1 else "major", "untranslated")


# ---------------------------------------------------------------------------- 7. garble

_DELETABLE = frozenset(
    "le la les un une des du de à au aux et que qui en dans pour sur par est a ont se ne".split()
)


def _mojibake(word: str) -> str | None:
    try:
        out = word.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None
    return out if out != word and out.strip() == out and out.isprintable() else None


def garble(fr: str, en: str | None, rng: random.Random) -> Corruption | None:
    """Local garbling: swapped words, a dropped function word, a repetition, a stray word, mojibake."""
    ws = _words(fr)
    if len(ws) < 3:
        return None
    ops = ["swap", "delete", "duplicate", "insert", "mojibake"]
    rng.shuffle(ops)
    for op in ops:
        done = _garble_op(fr, ws, op, rng)
        if done:
            return done
    return None


def _garble_op(fr: str, ws: list[re.Match[str]], op: str, rng: random.Random) -> Corruption | None:
    idx = list(range(len(ws)))
    rng.shuffle(idx)
    if op == "swap":
        for i in idx:
            if i + 1 >= len(ws) or fr[ws[i].end() : ws[i + 1].start()] != " ":
                continue
            a, b = ws[i].group(0), ws[i + 1].group(0)
            if a.lower() == b.lower() or a.isdigit() or b.isdigit():
                continue
            if i == 0 and a[:1].isupper() and b[:1].islower():
                a, b = a[:1].lower() + a[1:], _cap(b)
            text, places = _apply(fr, [(ws[i].start(), ws[i + 1].end(), f"{b} {a}")])
            return _make(fr, text, places, "garbled", "major", "garble")
    elif op == "delete":
        for i in idx:
            w = ws[i]
            if not (0 < i < len(ws) - 1) or w.group(0) not in _DELETABLE:
                continue
            if fr[ws[i - 1].end() : w.start()] != " " or fr[w.end() : ws[i + 1].start()] != " ":
                continue
            text, _ = _apply(fr, [(w.start(), w.end() + 1, "")])
            return _make(fr, text, _gap(text, w.start()), "garbled", "minor", "garble")
    elif op == "duplicate":
        for i in idx:
            two = rng.random() < 0.4 and i + 1 < len(ws) and fr[ws[i].end() : ws[i + 1].start()] == " "
            end = ws[i + 1].end() if two else ws[i].end()
            chunk = fr[ws[i].start() : end]
            text, places = _apply(fr, [(end, end, " " + chunk)])
            s, e = places[0]
            return _make(fr, text, [(s + 1, e)], "garbled", "major" if two else "minor", "garble")
    elif op == "insert":
        content = [m for m in ws if len(m.group(0)) >= 4 and m.group(0).lower() not in FUNCTION_WORDS]
        if not content:
            return None
        word = rng.choice(content)
        for i in idx:
            if i == 0 or abs(ws[i].start() - word.start()) < 2 or fr[ws[i - 1].end() : ws[i].start()] != " ":
                continue
            if ws[i - 1].end() == word.end() or ws[i].start() == word.start():
                continue
            pos = ws[i].start()
            w = word.group(0)
            if word.start() == 0 and w[1:].islower():
                w = w.lower()  # a sentence-initial capital, not a proper noun
            text, places = _apply(fr, [(pos, pos, w + " ")])
            return _make(fr, text, places, "garbled", "major", "garble")
    elif op == "mojibake":
        for i in idx:
            bad = _mojibake(ws[i].group(0))
            if bad:
                text, places = _apply(fr, [(ws[i].start(), ws[i].end(), bad)])
                return _make(fr, text, places, "garbled", "major", "garble")
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


# ---------------------------------------------------------------------------- registry

Generator = Callable[[str, str | None, random.Random], Corruption | None]
GENERATORS: dict[str, Generator] = {
    "substitution": substitution,
    "reflexive": reflexive,
    "agreement": agreement,
    "conjugation": conjugation,
    "preposition": preposition,
    "untranslated": untranslated,
    "garble": garble,
    "word_sense": word_sense,
    "number": number,
    "omission": omission,
    "addition": addition,
    "typography": typography,
    "boilerplate": boilerplate,
}
# Substitution is the richest source of realistic errors; reflexive and conjugation rarely apply,
# so they weigh more when they do; boilerplate applies everywhere and would swamp the rest.
WEIGHTS: dict[str, float] = {
    "substitution": 8.0,
    "reflexive": 3.0,
    "agreement": 2.0,
    "conjugation": 2.0,
    "preposition": 1.5,
    "untranslated": 1.5,
    "garble": 1.5,
    "word_sense": 1.5,
    "number": 1.5,
    "omission": 1.5,
    "addition": 1.0,
    "typography": 1.0,
    "boilerplate": 0.5,
}
NEEDS_SOURCE = frozenset({"number", "omission", "addition"})
# Page furniture is the rules' business (MTQA6xx), and real human pages are full of it: a
# model taught that furniture is an error flags good articles. Only asked for by name.
NOT_FOR_THE_MODEL = frozenset({"boilerplate"})


def corrupt(
    fr: str, en: str | None, rng: random.Random, kinds: Sequence[str] | None = None
) -> Corruption | None:
    """Apply one randomly chosen (weighted) applicable generator; None if none applies.

    Without a source and without explicit `kinds`, generators whose errors only show against the
    English (number, omission, addition) are skipped: a French-only model could not see them.
    """
    if kinds is None:
        pool = [
            k for k in GENERATORS if (en is not None or k not in NEEDS_SOURCE) and k not in NOT_FOR_THE_MODEL
        ]
    else:
        unknown = [k for k in kinds if k not in GENERATORS]
        if unknown:
            raise ValueError(f"unknown generator(s): {', '.join(unknown)}")
        pool = list(dict.fromkeys(kinds))
    while pool:
        kind = rng.choices(pool, weights=[WEIGHTS.get(k, 1.0) for k in pool])[0]
        result = GENERATORS[kind](fr, en, rng)
        if result is not None:
            return result
        pool.remove(kind)
    return None


def _coverage(n: int = 2000, seed: int = 0) -> None:
    """Print how often each generator applies on n random clean pairs, and what corrupt() picks."""
    import json

    data = Path(__file__).resolve().parents[2] / "models" / "data"
    pairs = []
    for name in ("clean_pairs_world.jsonl", "clean_pairs_society.jsonl"):
        with open(data / name, encoding="utf-8") as fh:
            pairs += [json.loads(line) for line in fh if line.strip()]
    rng = random.Random(seed)
    sample = rng.sample(pairs, min(n, len(pairs)))
    applies = dict.fromkeys(GENERATORS, 0)
    picked = dict.fromkeys(GENERATORS, 0)
    for i, pair in enumerate(sample):
        for kind, gen in GENERATORS.items():
            if gen(pair["fr"], pair["en"], random.Random(f"{seed}-{i}-{kind}")) is not None:
                applies[kind] += 1
        chosen = corrupt(pair["fr"], pair["en"], rng)
        if chosen:
            picked[chosen.kind] += 1
    print(f"{len(sample)} clean pairs, seed {seed}; corrupted by corrupt(): {sum(picked.values())}")
    print(f"{'generator':<14} {'applies':>8} {'share':>7} {'picked':>7}")
    for kind in GENERATORS:
        print(f"{kind:<14} {applies[kind]:>8} {applies[kind] / len(sample):>7.1%} {picked[kind]:>7}")


if __name__ == "__main__":
    _coverage()

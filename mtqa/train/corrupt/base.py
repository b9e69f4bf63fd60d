"""What every generator shares: the Corruption record, text helpers, the DELA index
for inflecting words, and determiner agreement for splicing words in.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mtqa import lexicon
from mtqa.checks.rulebook import CATEGORIES

SEVERITIES = ("major", "minor")
SUBSTITUTIONS_PATH = Path(__file__).resolve().parents[3] / "models" / "data" / "substitutions.yaml"


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


def _inflect_like(form: str, lemma: str, pos: str, target: str, participle: bool = False) -> str | None:
    """The form of `target` sharing most features with `form` (as a form of `lemma`);
    `participle`: only `form`'s past-participle readings count (« a pris », not « je pris »)."""
    want: set[str] = set()
    for lem, p, tags in dela().analyses(form.lower()):
        if lem == lemma and p == pos:
            want |= tags
    if participle:
        want = {t for t in want if t.startswith("K")}
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

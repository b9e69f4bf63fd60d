"""A newsroom glossary (termbase): the French each English term must get, and the French
forms that must never appear. The check that enforces it is ``mtqa/checks/glossary.py``
(MTQA020, MTQA021).

Formats
=======

**CSV / TSV**, UTF-8 (a BOM is fine). The delimiter comes from the extension (``.csv``:
comma, ``.tsv``: tab) or, for ``.txt`` and anything else, is sniffed from the first lines.
Without a header row the columns are ``source,target[,note]``::

    State Department,département d'État|Département d'État,the US foreign ministry
    Attorney General,ministre de la Justice|procureur général,

A first row naming columns is a header; it may name, in any order, ``source``, ``target``,
``note`` and ``forbidden``. ``|`` separates alternatives in a cell: the accepted French forms
in ``target`` (the first one is the preferred one), spellings of the English term in
``source``, and forbidden French forms in ``forbidden``. A row with a ``forbidden`` form is
enforced on the French alone, with or without a source; ``target`` is then the replacement
and ``source`` may be empty::

    source,target,forbidden,note
    ,secrétaire à la Défense,secrétaire de la Défense,calque de « Secretary of Defense »

Blank lines and lines whose first cell starts with ``#`` are skipped.

**TBX** (ISO 30042, ``.tbx``, ``.xml``, or any file starting with ``<``): TBX-Basic
(``martif``: termEntry / langSet / tig / term) and TBX v3 (``tbx``: conceptEntry / langSec /
termSec / term). Terms in an ``xml:lang`` starting with ``en`` are source terms, ``fr`` ones
French forms. A French term whose ``administrativeStatus`` or ``normativeAuthorization``
is deprecated or superseded (``deprecatedTerm-admn-sts``, ``supersededTerm-admn-sts``…) is
forbidden; the other French terms are accepted, preferred terms first. The entry's first
``note`` (else ``descrip``) is its note. A DOCTYPE naming an external DTD is ignored (never
fetched); an internal DTD subset or an entity declaration is refused, as are undefined
entities (XML entity-expansion attacks).

Errors (unreadable file, not UTF-8, missing column, empty term, duplicate source term,
malformed XML) raise ``GlossaryError`` with one line naming the file and the line.

Matching
========

- English terms, in the source sentence aligned with a French sentence: whole words. A
  letter written in lower case in the term matches either case, an upper-case one only
  upper case: "State Department" matches "STATE DEPARTMENT" but not "state department"
  (precision: "Home Office" is not "a home office"); "press secretary" matches "Press
  Secretary". Each word may take an English plural ("Secretaries of State", "Attorneys
  General"); a possessive ("State Department's") needs nothing special. Where two terms
  overlap, the longer one wins ("Deputy Secretary of State" over "Secretary of State").
- French forms, in the French sentence: word by word, two words match when they are equal
  ignoring case, accents and ligatures (« Etat » = « État », « oe » = « œ »), or when they
  share a DELA lemma (« secrétaires d'État » for « secrétaire d'État »). What separates the
  words must be of the same kind (a space, a hyphen, an apostrophe of either style), so
  « Maison Blanche » and « Maison-Blanche » are different forms.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mtqa.limits import MAX_WORD_CHARS


class GlossaryError(ValueError):
    """A glossary file that cannot be used; the message is one line naming file and line."""


@dataclass(frozen=True)
class Entry:
    """One concept: its English terms, accepted and forbidden French forms, and a note."""

    sources: tuple[str, ...]  # English terms; empty for a French-only entry
    targets: tuple[str, ...]  # accepted French forms, preferred first (the replacement if forbidden)
    forbidden: tuple[str, ...] = ()  # French forms never to be used, whatever the source says
    note: str = ""
    where: str = ""  # "terms.tsv:7": where the entry was read


# ------------------------------------------------------------------------------------ French words

# Words are runs of letters and digits; apostrophes and hyphens separate them, and the kind of
# separator is compared on its own (see _gap).
_WORD = re.compile(r"\w+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-"})


def fold(word: str) -> str:
    """A word's key for comparison: case, accents and ligatures ignored."""
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _gap(between: str) -> str:
    """The kind of separator between two words: " " (spaces), "'" or "-" (possibly with spaces),
    or the punctuation itself, which then has to be the same in the form and the sentence."""
    kept = "".join(between.split()).translate(_APOSTROPHES)
    return kept or " "


@functools.lru_cache(maxsize=65536)
def _lemma_keys(word: str) -> frozenset[str]:
    if len(word) > MAX_WORD_CHARS or not word.isalpha():
        return frozenset()
    from mtqa.lexicon import lemmas

    return frozenset(fold(lemma) for lemma in lemmas(word))


@functools.lru_cache(maxsize=65536)
def _is_adjective(word: str) -> bool:
    if len(word) > MAX_WORD_CHARS or not word.isalpha():
        return False
    from mtqa.lexicon import analyses

    return any(pos == "A" for _, pos, _ in analyses(word) or analyses(word.lower()))


@dataclass(frozen=True)
class FrenchForm:
    """A French term, split into the words that must follow each other in a sentence."""

    text: str
    keys: tuple[str, ...]
    lemmas: tuple[frozenset[str], ...]
    gaps: tuple[str, ...]  # separator kind between word i and word i + 1

    @classmethod
    def parse(cls, text: str) -> FrenchForm:
        words = list(_WORD.finditer(text))
        gaps = tuple(_gap(text[a.end() : b.start()]) for a, b in itertools.pairwise(words))
        return cls(
            text,
            tuple(fold(w.group()) for w in words),
            tuple(_lemma_keys(w.group()) for w in words),
            gaps,
        )


class FrenchWords:
    """One French sentence's words, indexed once by key and by lemma, so that looking a form
    up costs the number of places where its first word occurs, not the sentence's length."""

    def __init__(self, text: str, offset: int = 0) -> None:
        found = list(_WORD.finditer(text))
        self.words = [m.group() for m in found]
        self.spans = [(m.start() + offset, m.end() + offset) for m in found]
        self.keys = [fold(m.group()) for m in found]
        self.lemmas = [_lemma_keys(m.group()) for m in found]
        self.gaps = [_gap(text[a.end() : b.start()]) for a, b in itertools.pairwise(found)]
        self.at: dict[str, list[int]] = {}
        for i, (key, lemmas) in enumerate(zip(self.keys, self.lemmas, strict=True)):
            for k in {key, *(f"<{lemma}>" for lemma in lemmas)}:
                self.at.setdefault(k, []).append(i)

    def _same(self, i: int, form: FrenchForm, j: int) -> bool:
        return self.keys[i] == form.keys[j] or bool(self.lemmas[i] & form.lemmas[j])

    def find(self, form: FrenchForm) -> list[tuple[int, int]]:
        """The spans (document offsets) where ``form`` occurs, inflected or not."""
        n = len(form.keys)
        if not n:
            return []
        starts: set[int] = set(self.at.get(form.keys[0], ()))
        for lemma in form.lemmas[0]:
            starts.update(self.at.get(f"<{lemma}>", ()))
        found = []
        for start in sorted(starts):
            end = self._match_from(start, form)
            if end is not None:
                found.append((self.spans[start][0], self.spans[end][1]))
        return found

    def _match_from(self, i: int, form: FrenchForm) -> int | None:
        """The index of the sentence word that ends ``form`` when it starts at word ``i``, or None.

        French puts a nationality or other adjective inside a title (« ministre britannique de la
        Défense », « ministre américaine de la Justice »): one adjective between two words of the
        form, with spaces around it, is skipped."""
        skipped = False
        for j in range(1, len(form.keys)):
            if i + 1 < len(self.keys) and self.gaps[i] == form.gaps[j - 1] and self._same(i + 1, form, j):
                i += 1
            elif (
                not skipped
                and i + 2 < len(self.keys)
                and self.gaps[i] == " "
                and self.gaps[i + 1] == form.gaps[j - 1]
                and _is_adjective(self.words[i + 1])
                and self._same(i + 2, form, j)
            ):
                i, skipped = i + 2, True
            else:
                return None
        return i


# ----------------------------------------------------------------------------------- English terms


def _english_word(word: str) -> str:
    """A regex for one word of an English term: its own letter case where it has a capital,
    either case where it has a small letter, and an optional plural."""

    def letters(text: str) -> str:
        out = []
        for c in text:
            if c in "'’":
                out.append("['’]")
            elif c.islower() and c.upper() != c and len(c.upper()) == 1:
                out.append(f"[{c}{c.upper()}]")
            else:
                out.append(re.escape(c))
        return "".join(out)

    variants = [letters(word) + "(?:" + letters("s") + "|" + letters("es") + ")?"]
    if len(word) > 2 and word[-1] in "yY" and word[-2].lower() not in "aeiou":
        variants.append(letters(word[:-1]) + letters("ies" if word[-1] == "y" else "IES"))
    return "(?:" + "|".join(variants) + ")"


def english_pattern(term: str) -> re.Pattern[str]:
    body = r"[\s\u00a0]+".join(_english_word(w) for w in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


def _singulars(word: str) -> set[str]:
    """Keys an English word may be indexed under: itself and what it is the plural of."""
    keys = {word}
    if word.endswith("s"):
        keys.add(word[:-1])
    if word.endswith("es"):
        keys.add(word[:-2])
    if word.endswith("ies"):
        keys.add(word[:-3] + "y")
    return keys


@dataclass(frozen=True)
class _SourceTerm:
    term: str
    pattern: re.Pattern[str]
    entry: int  # index in Glossary.entries


# ---------------------------------------------------------------------------------------- Glossary


@dataclass
class Glossary:
    """Loaded entries, with their English terms compiled and their French forms parsed."""

    entries: tuple[Entry, ...]
    name: str = ""  # the file(s) it was read from, for messages
    _by_first_word: dict[str, list[_SourceTerm]] = field(default_factory=dict, repr=False)
    _targets: list[tuple[FrenchForm, ...]] = field(default_factory=list, repr=False)
    _forbidden: list[tuple[int, FrenchForm]] = field(default_factory=list, repr=False)
    _standing_for: list[list[FrenchForm]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        replacing: dict[str, list[FrenchForm]] = {}  # folded accepted form: forbidden forms it replaces
        for n, entry in enumerate(self.entries):
            self._targets.append(tuple(FrenchForm.parse(t) for t in entry.targets))
            forms = [FrenchForm.parse(f) for f in entry.forbidden]
            self._forbidden += [(n, form) for form in forms]
            for target in entry.targets:
                replacing.setdefault(fold(target), []).extend(forms)
            for term in entry.sources:
                first = _WORD.search(term)
                key = first.group().casefold() if first else term.casefold()
                self._by_first_word.setdefault(key, []).append(_SourceTerm(term, english_pattern(term), n))
        for entry in self.entries:
            self._standing_for.append([form for t in entry.targets for form in replacing.get(fold(t), [])])

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def has_forbidden(self) -> bool:
        return bool(self._forbidden)

    def source_terms(self, english: str) -> list[tuple[str, int]]:
        """The entries whose English term occurs in ``english``: (the term as written there, the
        entry's index), in order of appearance. A term inside a longer term of another entry does
        not count: "Deputy Secretary of State" is not also "Secretary of State"."""
        candidates: dict[str, _SourceTerm] = {}
        for word in {w.casefold() for w in _WORD.findall(english)}:
            for key in _singulars(word):
                for term in self._by_first_word.get(key, ()):
                    candidates[term.term] = term
        hits = [
            (m.start(), m.end(), t.entry) for t in candidates.values() for m in t.pattern.finditer(english)
        ]
        kept: dict[int, str] = {}
        for start, end, n in sorted(hits):
            inside_longer = any(
                s <= start and end <= e and e - s > end - start and other != n for s, e, other in hits
            )
            if not inside_longer and n not in kept:
                kept[n] = english[start:end]
        return [(text, n) for n, text in kept.items()]  # dicts keep the order of appearance

    def rendered(self, n: int, words: FrenchWords) -> bool:
        """Whether one of entry ``n``'s accepted French forms occurs in the sentence."""
        return any(words.find(form) for form in self._targets[n])

    def forbidden_for(self, n: int, words: FrenchWords) -> bool:
        """Whether the sentence holds a forbidden form that stands for entry ``n``'s term: one of
        the entry's own, or one whose replacement is one of the entry's accepted forms (the
        French-only line « secrétaire de presse » → « porte-parole » for "press secretary")."""
        return any(words.find(form) for form in self._standing_for[n])

    def forbidden_in(self, words: FrenchWords) -> list[tuple[int, int, Entry]]:
        """Forbidden forms in the sentence: (start, end, entry), except inside an accepted form
        of the same entry."""
        found = []
        for n, form in self._forbidden:
            spans = words.find(form)
            if not spans:
                continue
            accepted = [span for target in self._targets[n] for span in words.find(target)]
            for start, end in spans:
                if not any(a <= start and end <= b for a, b in accepted):
                    found.append((start, end, self.entries[n]))
        return found


# ----------------------------------------------------------------------------------------- loading


def load_glossary(paths: Path | str | Iterable[Path | str]) -> Glossary:
    """Read one glossary file, or several (their entries together; a source term defined in two
    files is an error, like one defined twice in a file)."""
    if isinstance(paths, str | Path):
        paths = [paths]
    entries: list[Entry] = []
    names = []
    for path in map(Path, paths):
        entries += _read(path)
        names.append(str(path))
    _check_duplicates(entries)
    return Glossary(tuple(entries), ", ".join(names))


def _check_duplicates(entries: Sequence[Entry]) -> None:
    first: dict[str, Entry] = {}
    seen_forbidden: dict[str, Entry] = {}
    for entry in entries:
        for term in entry.sources:
            key = " ".join(term.split()).casefold()
            if key in first:
                raise GlossaryError(
                    f'{entry.where}: duplicate source term "{term}" (first on {_line(first[key], entry)})'
                )
            first[key] = entry
        for form in entry.forbidden:
            key = " ".join(fold(form).split())
            if key in seen_forbidden:
                raise GlossaryError(
                    f'{entry.where}: duplicate forbidden form "{form}" '
                    f"(first on {_line(seen_forbidden[key], entry)})"
                )
            seen_forbidden[key] = entry


def _line(entry: Entry, later: Entry) -> str:
    """Where ``entry`` was read, as seen from ``later``: "line 3" in the same file, else "terms.tsv:3"."""
    file, _, line = entry.where.rpartition(":")
    return f"line {line}" if file == later.where.rpartition(":")[0] else entry.where


def _read(path: Path) -> list[Entry]:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise GlossaryError(f"{path}: cannot read glossary: {e.strerror or e}") from None
    suffix = path.suffix.lower()
    if suffix in (".tbx", ".xml") or (
        suffix not in (".csv", ".tsv") and data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"
    ):
        return _read_tbx(path, data)
    return _read_table(path, data)


# -- CSV / TSV


_COLUMNS = ("source", "target", "note", "forbidden")


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise GlossaryError(
            f"{path}:{line}: not UTF-8 (byte 0x{data[e.start]:02x}); save the glossary as UTF-8"
        ) from None
    if "\x00" in text:
        raise GlossaryError(
            f"{path}:{text[: text.index(chr(0))].count(chr(10)) + 1}: binary data, not a glossary"
        )
    return unicodedata.normalize("NFC", text)


def _delimiter(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return ","
    if suffix == ".tsv":
        return "\t"
    lines = [line for line in text.splitlines()[:20] if line.strip() and not line.startswith("#")]
    if lines and "\t" in lines[0]:
        return "\t"  # French notes are full of commas: a tab is never there by chance
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;").delimiter
    except csv.Error:
        return ","


def _alternatives(cell: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()) for part in cell.split("|"))


def _read_table(path: Path, data: bytes) -> list[Entry]:
    text = _decode(path, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(path, text))
    name = str(path)
    columns: dict[str, int] | None = None
    entries: list[Entry] = []
    line = 1  # the line a row starts on (a quoted cell may span lines)
    try:
        for row in reader:
            here, line = line, reader.line_num + 1
            cells = [c.strip() for c in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if columns is None and not entries and _is_header(cells):
                columns = _header(cells, f"{name}:{here}")
                continue
            entries.append(_row(cells, columns, f"{name}:{here}"))
    except csv.Error as e:
        raise GlossaryError(f"{name}:{reader.line_num}: malformed row: {e}") from None
    if not entries:
        raise GlossaryError(f"{name}: no entries in the glossary")
    return entries


def _is_header(cells: list[str]) -> bool:
    # Two column names make a header (a term such as "Target" alone does not); a third, unknown
    # name in it is then an error rather than a silent entry "source" → "target".
    return sum(c.casefold() in _COLUMNS for c in cells) >= 2


def _header(cells: list[str], where: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = cell.casefold()
        if not name:
            continue
        if name not in _COLUMNS:
            raise GlossaryError(f'{where}: unknown column "{cell}" (expected {", ".join(_COLUMNS)})')
        if name in columns:
            raise GlossaryError(f'{where}: column "{name}" appears twice')
        columns[name] = i
    if "target" not in columns:
        raise GlossaryError(f'{where}: missing column "target"')
    if "source" not in columns and "forbidden" not in columns:
        raise GlossaryError(f'{where}: missing column "source" (or "forbidden" for French-only entries)')
    return columns


def _row(cells: list[str], columns: dict[str, int] | None, where: str) -> Entry:
    if columns is None:  # source,target[,note]
        if len(cells) < 2:
            raise GlossaryError(f"{where}: missing target column (expected source, target[, note])")
        if len(cells) > 3 and any(cells[3:]):
            raise GlossaryError(
                f"{where}: {len(cells)} columns; expected source, target[, note] (or name them in a header)"
            )
        columns = {"source": 0, "target": 1, "note": 2}
    elif len(cells) > len(columns) and any(cells[max(columns.values()) + 1 :]):
        raise GlossaryError(f"{where}: more cells than the header names")

    def cell(name: str) -> str:
        i = columns.get(name)
        return cells[i] if i is not None and i < len(cells) else ""

    source, target, forbidden = cell("source"), cell("target"), cell("forbidden")
    if not source and not forbidden:
        raise GlossaryError(f"{where}: empty source term")
    if not target:
        raise GlossaryError(f"{where}: empty target term")
    for column, value in (("source", source), ("target", target), ("forbidden", forbidden)):
        if value and not all(_alternatives(value)):
            raise GlossaryError(f'{where}: empty term in {column} "{value}" (a stray "|"?)')
    return Entry(
        sources=_alternatives(source) if source else (),
        targets=_alternatives(target),
        forbidden=_alternatives(forbidden) if forbidden else (),
        note=" ".join(cell("note").split()),
        where=where,
    )


# -- TBX

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_FORBIDDEN_STATUS = ("deprecated", "superseded")
_STATUS_TYPES = ("administrativeStatus", "normativeAuthorization")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _read_tbx(path: Path, data: bytes) -> list[Entry]:
    from lxml import etree

    name = str(path)
    # Entity expansion (billion laughs, external entities) needs a DTD subset: refused outright.
    for marker in (b"<!ENTITY", b"<!entity"):
        if marker in data:
            line = data[: data.index(marker)].count(b"\n") + 1
            raise GlossaryError(f"{name}:{line}: entity declarations are not allowed in a glossary")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = e.lineno or 1
        message = str(e.msg if hasattr(e, "msg") else e).split(", line")[0]
        raise GlossaryError(f"{name}:{line}: malformed XML: {message}") from None
    # The same, whatever the encoding the byte test above cannot read (UTF-16).
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise GlossaryError(f"{name}:1: entity declarations are not allowed in a glossary")
    if _local(root.tag) not in ("martif", "tbx"):
        raise GlossaryError(
            f"{name}:{root.sourceline}: not TBX "
            f"(root element <{_local(root.tag)}>, expected <martif> or <tbx>)"
        )
    entries = []
    for concept in root.iter():
        if _local(concept.tag) in ("termEntry", "conceptEntry"):
            entry = _tbx_entry(concept, f"{name}:{concept.sourceline}")
            if entry is not None:
                entries.append(entry)
    if not entries:
        raise GlossaryError(f"{name}: no entry with both English and French terms")
    return entries


def _tbx_entry(concept: object, where: str) -> Entry | None:
    sources: list[str] = []
    preferred: list[str] = []
    accepted: list[str] = []
    forbidden: list[str] = []
    notes: list[str] = []
    descrips: list[str] = []
    for lang_set in concept.iter():  # type: ignore[attr-defined]
        tag = _local(lang_set.tag)
        if tag in ("note", "descrip") and (lang_set.text or "").strip():
            (notes if tag == "note" else descrips).append(" ".join("".join(lang_set.itertext()).split()))
        if tag not in ("langSet", "langSec"):
            continue
        lang = (lang_set.get(_XML_LANG) or lang_set.get("lang") or "").lower()
        for term_group in lang_set:
            if _local(term_group.tag) not in ("tig", "ntig", "termSec"):
                continue
            term, status = _tbx_term(term_group)
            if term is None:
                continue
            if not term:
                raise GlossaryError(f"{where.rsplit(':', 1)[0]}:{term_group.sourceline}: empty term")
            if lang.startswith("en"):
                sources.append(term)
            elif lang.startswith("fr"):
                if any(s in status for s in _FORBIDDEN_STATUS):
                    forbidden.append(term)
                elif "preferred" in status:
                    preferred.append(term)
                else:
                    accepted.append(term)
    targets = tuple(dict.fromkeys(preferred + accepted))
    if not targets and not forbidden:
        return None  # no French: nothing to enforce
    if not sources and not forbidden:
        return None
    if not targets:
        targets = ()
    return Entry(
        sources=tuple(dict.fromkeys(sources)),
        targets=targets,
        forbidden=tuple(dict.fromkeys(forbidden)),
        note=(notes or descrips or [""])[0],
        where=where,
    )


def _tbx_term(group: object) -> tuple[str | None, str]:
    """The term of a tig / termSec and its status (lower case, "" when none)."""
    term: str | None = None
    status = ""
    for child in group.iter():  # type: ignore[attr-defined]
        tag = _local(child.tag)
        if tag == "term":
            term = " ".join("".join(child.itertext()).split())
        elif tag in ("termNote", "admin") and child.get("type") in _STATUS_TYPES:
            status = (child.text or "").strip().lower()
    return term, status

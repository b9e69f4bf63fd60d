"""French sentence splitter that keeps offsets into the original text.

Every line is its own paragraph and no sentence crosses a newline: in news copy a line
is a paragraph, a title, a caption or a credit. Inside a line, a sentence ends at
``. ! ? … ...`` (plus any closing quote or parenthesis) when the next word starts like a
sentence, unless the mark ends an abbreviation or sits inside a quotation that goes on.

Regex-driven and linear in the length of the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from mtqa.document import SegmentKind, Sentence

# A period after these does not end a sentence. Entries with a capital letter match only
# as written ("Col." the title, not "col." the mountain pass); lowercase ones match in any
# case ("cf." and "Cf.").
ABBREVIATIONS = frozenset(
    {
        # titles and forms of address
        "M", "MM", "Mme", "Mmes", "Mlle", "Mlles", "Mgr", "Dr", "Drs", "Pr", "Me", "Mr", "Mrs", "Ms",
        "St", "Ste", "Jr", "Sr", "Gén", "Col", "Lt", "Cdt", "Cne",
        # companies
        "Cie", "Inc", "Ltd", "Corp", "Co",
        # references and everyday abbreviations ("etc." is absent: it usually ends the sentence)
        "cf", "p", "pp", "vol", "no", "n°", "art", "chap", "fig", "env", "vs",
        # "av. J.-C.", "apr. J.-C."
        "av", "apr",
    }
)  # fmt: skip

# Month abbreviations only count before a number ("13 nov. 2024", "Nov. 13"): "sept." is
# also the number seven, and "… le 3 janv. Le lendemain …" does end a sentence.
MONTH_ABBREVIATIONS = frozenset(
    {
        "janv", "févr", "fév", "avr", "juil", "sept", "oct", "nov", "déc",
        "jan", "feb", "apr", "jun", "jul", "aug", "sep", "dec",
    }
)  # fmt: skip

_CASELESS = frozenset(a for a in ABBREVIATIONS if a.islower())

# Lines; "\r\n" leaves no "\r" inside a line because "\r" is a separator too.
_LINE = re.compile(r"[^\r\n\u2028\u2029]+")

# A candidate boundary: final marks, closing quotes or parentheses (French puts a space
# before "»"), then the whitespace that separates the sentences.
_CLOSERS = r"""(?:\s*»|[”")])*"""
# The look-behind and the possessive "++" make a run of marks one candidate, tried once:
# without them "....x" restarts inside the run, quadratic in its length.
_BOUNDARY = re.compile(rf"(?<![.!?…])(?P<mark>[.!?…]++)(?P<close>{_CLOSERS})(?P<space>\s+)(?=\S)")
# What may start the next sentence, besides an uppercase letter or a digit ("©" opens a
# photo credit glued to the last sentence).
_OPENERS = frozenset('«“"—–©')
# Final punctuation at the end of a segment; without it a whole line is a headline.
_FINAL = re.compile(rf"[.!?…]{_CLOSERS}$")

# Longest token worth testing as an abbreviation, initials or a list number.
_MAX_WORD = 24

# Initials and dotted acronyms, without their last period: "J", "J.-C", "U.S", "U.E", "a.m".
_INITIALS = re.compile(r"[A-ZÀ-ÖØ-Þ]|[^\W\d_](?:\.-?[^\W\d_])+")

# An elided article or pronoun glued to the next word: "l’", "d'", "qu’", "jusqu’".
_ELISION = re.compile(r"^[^\W\d_]{1,7}['’]")

# Leading dateline: "JAKARTA -", "PARIS (AFP) –", "RIO DE JANEIRO, 3 mars (Reuters) -".
_UP = "A-ZÀ-ÖØ-ÞŒŸ"
_SP = r"[ \u00a0]"
_PLACE = rf"[{_UP}][{_UP}'’.\-]+(?:{_SP}+[{_UP}][{_UP}'’.\-]*){{0,5}}"
_DATE = (
    rf",{_SP}+(?:[^\W\d_]+{_SP}+)?"  # optional weekday
    rf"(?:\d{{1,2}}(?:er)?{_SP}+[^\W\d_]+\.?(?:{_SP}+\d{{4}})?"  # 3 mars 2024
    rf"|[^\W\d_]+\.?{_SP}+\d{{1,2}}(?:,{_SP}+\d{{4}})?)"  # Nov. 13, 2024
)
_AGENCY = rf"{_SP}*\([^()\r\n]{{1,40}}\)"
# AP's "KYIV, Ukraine (AP) —": a region or country after the place, only before an agency.
_REGION = rf",{_SP}+[{_UP}][^\W\d_]+(?:{_SP}+[{_UP}][^\W\d_]+)?(?={_AGENCY})"
_DATELINE = re.compile(
    rf"{_SP}*(?P<dateline>{_PLACE}(?:{_REGION}|{_DATE})?(?:{_AGENCY})?{_SP}+[-–—])(?={_SP}+\S)"
)

# Quotation marks that come in pairs; a straight '"' is handled by counting.
_QUOTE_PAIRS = (("«", "»"), ("“", "”"))


def segment(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; ``text[s.start:s.end] == s.text`` for every one."""
    sentences: list[Sentence] = []
    paragraph = -1
    for line_match in _LINE.finditer(text):
        line = line_match.group()
        if line.isspace():
            continue
        paragraph += 1
        offset = line_match.start()
        for start, end, kind in _split_line(line):
            sentences.append(
                Sentence(
                    index=len(sentences),
                    start=offset + start,
                    end=offset + end,
                    text=line[start:end],
                    paragraph=paragraph,
                    kind=kind,
                )
            )
    return sentences


def _split_line(line: str) -> list[tuple[int, int, SegmentKind]]:
    """Segments of one line as (start, end, kind), stripped of surrounding whitespace."""
    segments: list[tuple[int, int, SegmentKind]] = []
    body_start = 0
    dateline = _DATELINE.match(line)
    if dateline:
        segments.append((dateline.start("dateline"), dateline.end("dateline"), SegmentKind.DATELINE))
        body_start = dateline.end()

    quotes = _Quotes(line)
    spans: list[tuple[int, int]] = []
    start = body_start
    for boundary in _BOUNDARY.finditer(line, body_start):
        if _ends_sentence(line, boundary, start, quotes):
            spans.append((start, boundary.start("space")))
            start = boundary.end()
    spans.append((start, len(line)))

    body = [stripped for s, e in spans if (stripped := _strip(line, s, e))]
    # A line (after any dateline) that is one segment without final punctuation is a
    # title, caption or credit rather than a sentence.
    whole_line_headline = len(body) == 1 and not _FINAL.search(line, body[0][0], body[0][1])
    kind = SegmentKind.HEADLINE if whole_line_headline else SegmentKind.SENTENCE
    segments.extend((s, e, kind) for s, e in body)
    return segments


def _ends_sentence(line: str, boundary: re.Match[str], sentence_start: int, quotes: _Quotes) -> bool:
    """Whether a candidate boundary really ends the sentence that began at ``sentence_start``."""
    following = line[boundary.end()]
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False  # "… et puis… rien", "Ah ! mon Dieu"
    if boundary.group("mark") == "." and not boundary.group("close"):
        word_start = _word_start(line, boundary.start())
        word = line[word_start : boundary.start()]
        if _is_abbreviation(word, following):
            return False
        if word.isdigit() and not line[sentence_start:word_start].strip():
            return False  # a numbered list item: "1. Le premier point"
    return not quotes.open_at(boundary.start("space"))


def _word_start(line: str, end: int) -> int:
    """Start of the token ending at ``end``, after any opening bracket or quote.

    Looks back at most _MAX_WORD characters: abbreviations are short, and a bound keeps
    a long run without spaces from being rescanned.
    """
    start = end
    limit = max(0, end - _MAX_WORD)
    while start > limit and not line[start - 1].isspace() and line[start - 1] not in '([«“"':
        start -= 1
    return start


def _is_abbreviation(word: str, following: str) -> bool:
    # The list is matched on the whole word, so "l’art." (art) still ends a sentence;
    # initials may follow an elision: "l’U.E.", "d’U.S.".
    if word in ABBREVIATIONS or word.lower() in _CASELESS or _INITIALS.fullmatch(_ELISION.sub("", word)):
        return True
    return following.isdigit() and word.lower() in MONTH_ABBREVIATIONS


def _strip(line: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink [start, end) past surrounding whitespace; None when nothing is left."""
    piece = line[start:end]
    stripped = piece.lstrip()
    if not stripped:
        return None
    start += len(piece) - len(stripped)
    end -= len(stripped) - len(stripped.rstrip())
    return start, end


class _Quotes:
    """Where quotations are open on one line, so marks inside a running quote are skipped."""

    def __init__(self, line: str) -> None:
        self._pairs = [
            (_positions(line, opening), _positions(line, closing)) for opening, closing in _QUOTE_PAIRS
        ]
        straight = _positions(line, '"')
        # An odd number of '"' cannot be paired reliably: ignore them rather than guess.
        self._straight = straight if len(straight) % 2 == 0 else []

    def open_at(self, pos: int) -> bool:
        """True when a quotation is open at ``pos`` and closes later on the line."""
        for openings, closings in self._pairs:
            closed_before = bisect_left(closings, pos)
            # Unbalanced quotes (no closing mark later) do not count as open.
            if bisect_left(openings, pos) > closed_before and closed_before < len(closings):
                return True
        return bisect_left(self._straight, pos) % 2 == 1


def _positions(line: str, char: str) -> list[int]:
    """Sorted offsets of ``char`` in ``line`` (str.find keeps the scan in C)."""
    found: list[int] = []
    i = line.find(char)
    while i >= 0:
        found.append(i)
        i = line.find(char, i + 1)
    return found

"""Typography the model should not see: one spelling for what carries no translation signal.

Newsrooms print "…", “…” or « … », ’ or ', a colon glued or spaced, "25%" or "25 %".
None of it says whether a sentence was translated well, yet a model trained on one house
style learns it as a shortcut (on real pages the first model scored almost any sentence
with straight quotes as an error). Training and checking both read text through
``normalize``, so the model only ever sees one style:

- quotation marks ("…", “…”, „…“) become « … », with their inner spaces;
- apostrophes become ', dashes — become –, "..." becomes …;
- non-breaking and thin spaces become plain spaces, runs of spaces one space;
- a space goes before : ; ! ? when they follow a word (not inside 10:30 or a web address),
  and before % after a number.

Every character of the result maps back to the original, so token offsets, labels and
flagged spans stay in the text as written.
"""

from __future__ import annotations

import functools

_SPACES = frozenset("\u00a0\u202f\u2009\u2007\u2002\u2003\u2005 \t")
_OPENERS = frozenset("“„")
_CLOSERS = frozenset("”")
_APOSTROPHES = frozenset("’‘‚`´")
_SPACED_MARKS = frozenset(":;!?")
_AFTER_MARK = _SPACES | frozenset('"”»')  # what may follow a mark that takes a space before it
# Characters kept as they are whatever comes before them: the common case, copied without a call.
_SPECIAL = _SPACES | _OPENERS | _CLOSERS | _APOSTROPHES | _SPACED_MARKS | frozenset('"«»—.%')


def normalize(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """(normalised text, origin) where ``origin[i]`` is the span of ``text`` that
    character i stands for (an inserted space stands for the mark it was inserted for)."""
    # The scorer reads a sentence twice (to plan, then to tokenise); long texts are not kept.
    return _normalize_cached(text) if len(text) <= 2000 else _normalize(text)


@functools.lru_cache(maxsize=4096)
def _normalize_cached(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    return _normalize(text)


def _normalize(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    out: list[str] = []
    origin: list[tuple[int, int]] = []

    def put(chars: str, at: int, width: int = 1) -> None:
        for ch in chars:
            out.append(ch)
            origin.append((at, at + width))

    n = len(text)
    i = 0
    straight_open = False  # straight quotes alternate: the first opens, the next closes
    while i < n:
        ch = text[i]
        if ch not in _SPECIAL:
            out.append(ch)
            origin.append((i, i + 1))
            i += 1
            continue
        prev = out[-1] if out else " "
        if ch in _SPACES:
            if prev != " ":
                put(" ", i)
        elif ch == '"' or ch in _OPENERS or ch in _CLOSERS or ch == "«" or ch == "»":
            opening = ch in _OPENERS or ch == "«" or (ch == '"' and not straight_open)
            if ch == '"':
                straight_open = not straight_open
            if opening:
                put("« ", i)
                while i + 1 < n and text[i + 1] in _SPACES:
                    i += 1
            else:
                if prev != " ":
                    put(" ", i)
                put("»", i)
        elif ch in _APOSTROPHES:
            put("'", i)
        elif ch == "—":
            put("–", i)
        elif ch == "." and text.startswith("...", i):
            put("…", i, 3)
            i += 2
        elif ch in _SPACED_MARKS and prev.isalpha() and (i + 1 == n or text[i + 1] in _AFTER_MARK):
            put(" " + ch, i)
        elif ch == "%" and prev.isdigit():
            put(" %", i)
        else:
            put(ch, i)
        i += 1
    return "".join(out), tuple(origin)


def to_original(origin: tuple[tuple[int, int], ...], start: int, end: int) -> tuple[int, int]:
    """The span of the original text that normalised characters [start, end) came from."""
    if end <= start:
        return (origin[start][0],) * 2 if start < len(origin) else (origin[-1][1],) * 2
    return origin[start][0], origin[end - 1][1]

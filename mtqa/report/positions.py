"""Offsets into ``Document.text`` as the line and column numbers CI tools expect.

Finding offsets are Python string indices (code points). JUnit, GitHub annotations and SARIF
name places by 1-based line and column instead; this module is the one place that converts.
Lines end at ``\\n`` (a ``\\r`` before it is the last column of its line); columns count code
points, so an emoji is one column, as it is one index in the text.
"""

from __future__ import annotations

import bisect
import functools
import re

# "path#id": a record of a JSONL feed (mtqa.read.feed names them so; "-" is a feed on stdin).
_RECORD = re.compile(r"(?P<file>.*?\.jsonl|-)#(?P<id>.*)\Z", re.IGNORECASE | re.DOTALL)


class Lines:
    """Where each line of a text starts, found once: a position is then a binary search, so a
    document's findings cost time linear in its length, however many there are."""

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of ``offset``; offsets past either end are clamped."""
        offset = min(max(offset, 0), self.length)
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


@functools.lru_cache(maxsize=4)
def _lines(text: str) -> Lines:
    # Reports ask for many positions in one document in a row; a str caches its hash.
    return Lines(text)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of ``offset`` in ``text``; offsets past either end are clamped.

    ``offset == len(text)`` (the end of an exclusive span) is the column after the last
    character of the last line.
    """
    return _lines(text).position(offset)


def span_lines(text: str, start: int, end: int) -> tuple[int, int, int, int]:
    """``(line, column, end_line, end_column)`` of the span ``text[start:end]``, the end
    *inclusive* (the position of its last character), as GitHub annotations and JUnit readers
    show it. An empty span ends where it starts."""
    line, col = line_col(text, start)
    end_line, end_col = line_col(text, max(end - 1, start))
    return line, col, end_line, end_col


def split_record(path: str) -> tuple[str, str | None]:
    """``("feed.jsonl", "id")`` for a feed record ``feed.jsonl#id``; ``(path, None)`` for a file
    (a ``#`` in an ordinary file name is part of the name)."""
    m = _RECORD.match(path)
    if m is None:
        return path, None
    return m["file"], m["id"]


__all__ = ["Lines", "line_col", "span_lines", "split_record"]

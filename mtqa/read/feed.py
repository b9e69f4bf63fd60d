"""JSONL feeds: one article per line, ``{"id": ..., "text": ..., "source"?: ..., "reference"?: ...}``.

A feed is streamed line by line and a bad line never stops the rest: it becomes an
InputFailure named ``feed.jsonl:LINE``, and good lines become Documents named ``feed.jsonl#ID``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from mtqa.document import Document, InputFailure
from mtqa.read.decode import InputError, decode_bytes, size_text

# Room for "text", "source" and "reference" at the limit each, plus JSON escapes,
# before a single line is refused without being held in memory.
_LINE_ALLOWANCE = 8
_CHUNK = 1 << 20


def line_cap(max_bytes: int) -> int:
    """The longest feed line read into memory; a longer one is an error (mtqa.spark reads
    lines through Spark and applies the same cap)."""
    return _LINE_ALLOWANCE * max_bytes + _CHUNK


def read_feed(path: str, *, encoding: str | None, max_bytes: int) -> Iterator[Document | InputFailure]:
    """Stream a .jsonl file; ``max_bytes`` limits each article's text, not the feed."""
    try:
        with open(path, "rb") as f:
            lines = _numbered_lines(f, line_cap(max_bytes))
            yield from parse_lines(path, lines, encoding=encoding, max_bytes=max_bytes)
    except OSError as e:
        yield InputFailure(path, f"{path}: cannot read ({e.strerror or e})")


def parse_feed_text(name: str, text: str, *, max_bytes: int) -> Iterator[Document | InputFailure]:
    """Parse a feed that is already decoded (stdin)."""
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and other line separators raw.
    numbered = ((n, line) for n, line in enumerate(text.split("\n"), start=1))
    yield from parse_lines(name, numbered, encoding=None, max_bytes=max_bytes)


def looks_like_feed(text: str) -> bool:
    """True when every non-blank line is a JSON object with a "text" field."""
    seen = False
    for line in text.split("\n"):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            return False
        if not isinstance(obj, dict) or "text" not in obj:
            return False
        seen = True
    return seen


def parse_lines(
    name: str,
    lines: Iterable[tuple[int, bytes | str | None]],
    *,
    encoding: str | None,
    max_bytes: int,
) -> Iterator[Document | InputFailure]:
    """Turn numbered lines into Documents and InputFailures; blank lines are skipped."""
    produced = False
    for lineno, raw in lines:
        where = f"{name}:{lineno}"
        try:
            item = parse_line(name, lineno, raw, encoding, max_bytes)
        except InputError as e:
            item = InputFailure(where, f"{where}: {e}")
        if item is not None:
            produced = True
            yield item
    if not produced:
        yield InputFailure(name, f"{name}: no articles (every line is blank)")


def parse_line(
    name: str, lineno: int, raw: bytes | str | None, encoding: str | None, max_bytes: int
) -> Document | None:
    """One line's article, None for a blank line; InputError says what is wrong with it."""
    if raw is None:  # _numbered_lines skipped a line too long to hold
        limit = size_text(line_cap(max_bytes))
        raise InputError(f"line is over {limit}; raise --max-bytes or split the article")
    line = raw if isinstance(raw, str) else decode_line(raw, encoding, first=lineno == 1)
    if not line.strip():
        return None
    return _article(name, lineno, line, max_bytes)


def _numbered_lines(f: BinaryIO, cap: int) -> Iterator[tuple[int, bytes | None]]:
    """Yield (line number, bytes); None for a line longer than ``cap``, which is skipped."""
    lineno = 0
    while True:
        line = f.readline(cap)
        if not line:
            return
        lineno += 1
        if len(line) >= cap and not line.endswith(b"\n"):
            # Skip the rest of the oversized line in chunks instead of holding it in memory.
            while (rest := f.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield lineno, None
        else:
            yield lineno, line


def decode_line(raw: bytes, encoding: str | None, *, first: bool) -> str:
    if encoding is None:
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        return decode_bytes(raw, "utf-8", explicit=False)
    return decode_bytes(raw, encoding, explicit=True)


def _article(name: str, lineno: int, line: str, max_bytes: int) -> Document:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise InputError(
            f"not valid JSON ({e.msg} at column {e.colno}); each line must be one JSON object"
        ) from None
    if not isinstance(obj, dict):
        raise InputError(f'expected a JSON object with "text", got {_json_type(obj)}')
    if "text" not in obj:
        raise InputError('no "text" field; each article needs its French text in "text"')
    text = obj["text"]
    if not isinstance(text, str):
        raise InputError(f'"text" must be a string, got {_json_type(text)}')
    if not text.strip():
        raise InputError('empty "text"')
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise InputError(
            f"article text is {size_text(size)}, over the {size_text(max_bytes)} limit; "
            "raise it with --max-bytes"
        )
    for key in ("source", "reference"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(f'"{key}" must be a string, got {_json_type(obj[key])}')
    article_id = obj.get("id")
    if article_id is None:
        article_id = lineno  # no id: the line number still names the article uniquely
    elif isinstance(article_id, bool) or not isinstance(article_id, (str, int, float)):
        raise InputError(f'"id" must be a string or a number, got {_json_type(article_id)}')
    return Document(
        path=f"{name}#{article_id}", text=text, source=obj.get("source"), reference=obj.get("reference")
    )


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")

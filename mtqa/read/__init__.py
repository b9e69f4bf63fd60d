"""Readers: paths (files, directories, ``-`` for stdin) to Documents.

A bad input never stops a batch: it becomes an InputFailure whose message names the
input, says what is wrong and what to do, and the remaining inputs are still read.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterator
from typing import BinaryIO

from mtqa.document import Document, InputFailure
from mtqa.limits import MAX_BYTES
from mtqa.read.decode import InputError, check_encoding, decode, size_text
from mtqa.read.feed import looks_like_feed, parse_feed_text, read_feed

__all__ = ["WALKED_SUFFIXES", "InputError", "count_inputs", "decode", "read_inputs"]

# What a directory walk picks up; a file named explicitly is read whatever its suffix.
WALKED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl")
_HTML_SUFFIXES = (".html", ".htm")
STDIN = "-"
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def read_inputs(
    paths: list[str],
    *,
    encoding: str | None = None,
    max_bytes: int = MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> Iterator[Document | InputFailure]:
    """Yield one Document per article, or an InputFailure per input that cannot be read.

    Options that are wrong for every input (an unknown ``encoding``, a non-positive
    ``max_bytes``) raise InputError at once, before anything is read.
    """
    if encoding is not None:
        check_encoding(encoding)
    if max_bytes <= 0:
        raise InputError(f"--max-bytes must be a positive number of bytes, not {max_bytes}")
    return _read_all(paths, encoding=encoding, max_bytes=max_bytes, stdin=stdin)


def count_inputs(paths: list[str]) -> int | None:
    """About how many items ``read_inputs`` will yield (for a progress bar's ETA): one per file,
    one per non-blank line of a feed; None when stdin is among the inputs. One pass over each
    feed's bytes, without decoding them."""
    total = 0
    for path in paths:
        if path == STDIN:
            return None
        files = _walk(path)[0] if os.path.isdir(path) else [path]
        for file in files:
            total += _count_lines(file) if file.lower().endswith(".jsonl") else 1
    return total


def _count_lines(path: str) -> int:
    count, blank, last = 0, 0, b"\n"
    try:
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                count += chunk.count(b"\n")
                blank += chunk.count(b"\n\n") + (last == b"\n" and chunk[:1] == b"\n")
                last = chunk[-1:]
    except OSError:
        return 1  # read_inputs will report it: one failure
    return max(count + (last != b"\n") - blank, 1)


def _read_all(
    paths: list[str], *, encoding: str | None, max_bytes: int, stdin: BinaryIO | None
) -> Iterator[Document | InputFailure]:
    for path in paths:
        if path == STDIN:
            yield from _read_stdin(stdin if stdin is not None else sys.stdin.buffer, encoding, max_bytes)
        elif os.path.isdir(path):
            yield from _read_directory(path, encoding, max_bytes)
        else:
            yield from _read_file(path, encoding, max_bytes)


def _read_directory(root: str, encoding: str | None, max_bytes: int) -> Iterator[Document | InputFailure]:
    found, unreadable = _walk(root)
    for error in unreadable:
        where = error.filename or root
        yield InputFailure(where, f"{where}: cannot read this directory ({error.strerror or error})")
    if not found and not unreadable:
        kinds = ", ".join(WALKED_SUFFIXES[:-1]) + f" or {WALKED_SUFFIXES[-1]}"
        yield InputFailure(root, f"{root}: no {kinds} files in this directory")
    for path in found:
        yield from _read_file(path, encoding, max_bytes)


def _walk(root: str) -> tuple[list[str], list[OSError]]:
    """Files under ``root`` with a walked suffix, sorted, hidden ones left out; and walk errors."""
    found: list[tuple[tuple[str, ...], str]] = []
    unreadable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable.append):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]  # prunes the walk in place
        rel = os.path.relpath(dirpath, root)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        for name in filenames:
            if not name.startswith(".") and name.lower().endswith(WALKED_SUFFIXES):
                found.append(((*parts, name), os.path.join(dirpath, name)))
    # Sorting on path parts keeps a folder's files together: "a/z.txt" before "a-b.txt".
    return [path for _, path in sorted(found)], unreadable


def _read_file(path: str, encoding: str | None, max_bytes: int) -> Iterator[Document | InputFailure]:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        yield InputFailure(path, f"{path}: no such file")
        return
    except OSError as e:
        yield InputFailure(path, f"{path}: cannot read ({e.strerror or e})")
        return
    if stat.S_ISDIR(info.st_mode):
        # Checked before any read: a directory is never read as a file (it may have appeared since the walk).
        yield InputFailure(path, f"{path}: is a directory, not a file")
        return
    if not stat.S_ISREG(info.st_mode):
        yield InputFailure(path, f"{path}: not a regular file")
        return
    if path.lower().endswith(".jsonl"):
        # A feed's limit applies to each article, so the feed's own size does not matter.
        yield from read_feed(path, encoding=encoding, max_bytes=max_bytes)
        return
    if info.st_size > max_bytes:
        yield InputFailure(path, _too_big(path, info.st_size, max_bytes))
        return
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # +1: a file that grew since stat is still caught
    except OSError as e:
        yield InputFailure(path, f"{path}: cannot read ({e.strerror or e})")
        return
    if len(data) > max_bytes:
        yield InputFailure(path, _too_big(path, len(data), max_bytes))
        return
    yield _document(path, data, encoding, html=path.lower().endswith(_HTML_SUFFIXES))


def _read_stdin(stream: BinaryIO, encoding: str | None, max_bytes: int) -> Iterator[Document | InputFailure]:
    # stdin has no size to stat, and a JSONL feed is only recognised once read, so read it whole.
    data = stream.read()
    try:
        text = decode(data, encoding)
    except InputError as e:
        yield InputFailure(STDIN, f"stdin: {e}")
        return
    if looks_like_feed(text):
        yield from parse_feed_text(STDIN, text, max_bytes=max_bytes)
    elif len(data) > max_bytes:
        yield InputFailure(STDIN, _too_big("stdin", len(data), max_bytes))
    else:
        yield Document(path=STDIN, text=text)


def _document(path: str, data: bytes, encoding: str | None, *, html: bool) -> Document | InputFailure:
    try:
        text = _decode_html(data, encoding) if html else decode(data, encoding)
    except InputError as e:
        return InputFailure(path, f"{path}: {e}")
    if html:
        from mtqa.read.html import extract_article  # BeautifulSoup costs 60 ms to import: HTML only

        text = extract_article(text)
        if not text.strip():
            return InputFailure(path, f"{path}: no article text found in this HTML page")
    return Document(path=path, text=text)


def _decode_html(data: bytes, encoding: str | None) -> str:
    """Like decode(), but a page that is not UTF-8 may name its own charset in a <meta> tag."""
    try:
        return decode(data, encoding)
    except InputError as first_error:
        declared = _declared_charset(data) if encoding is None else None
        if declared is None:
            raise
        try:
            return decode(data, declared)
        except InputError:
            raise first_error from None


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares near its top, if Python knows that codec."""
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    try:
        check_encoding(name)
    except InputError:
        return None
    return name


def _too_big(name: str, size: int, max_bytes: int) -> str:
    return f"{name}: {size_text(size)} is over the {size_text(max_bytes)} limit; raise it with --max-bytes"

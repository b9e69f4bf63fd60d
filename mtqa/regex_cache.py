"""Rule patterns compiled once per machine, not once per run.

Python compiles a regular expression in two steps: it parses the pattern and generates the
matcher's code in Python, which is slow (mtqa's rules need about 0.2 s per start), then
builds the matcher from that code in C, which is fast. This module keeps the first step's
output in mtqa's cache, one small file per pattern, so that a warm start only runs the
second. The code belongs to one Python build, so the directory is named after it; a missing,
unreadable or mismatched file is compiled again, and anything unexpected (another Python,
a debug flag) falls back to ``re.compile``. ``_sre.compile`` validates the code it is given.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
import sys
from pathlib import Path

from mtqa.cache import cache_dir, prune_versions, write_atomic

try:  # CPython's internals: present on every CPython mtqa supports, absent elsewhere
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover
    _sre = None  # type: ignore[assignment]


@functools.cache
def _directory() -> Path:
    build = f"{sys.implementation.cache_tag}-{sys.version}-{_sre.MAGIC}-{_sre.CODESIZE}"
    folder = cache_dir() / f"regex-{hashlib.sha256(build.encode()).hexdigest()[:12]}"
    if not folder.exists():  # a new Python: the folders of older ones go, but the newest
        prune_versions("regex-", folder)
    return folder


def _matcher_code(pattern: str, flags: int) -> list:
    """What ``re._compiler.compile`` hands to ``_sre.compile``, as JSON-able data."""
    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    names = parsed.state.groupdict
    by_index: list[str | None] = [None] * parsed.state.groups
    for name, i in names.items():
        by_index[i] = name
    return [flags | parsed.state.flags, code, parsed.state.groups - 1, dict(names), by_index]


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with the slow half read from the cache when it can be."""
    flags = int(flags)
    if _sre is None or flags & re.DEBUG or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    try:
        path = _directory() / (hashlib.sha256(f"{flags}\0{pattern}".encode()).hexdigest()[:32] + ".json")
        with contextlib.suppress(Exception):  # missing, unreadable, another pattern's, or bad code
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored[0] == pattern and stored[1] == flags:
                return _matcher(pattern, stored[2:])
        parts = _matcher_code(pattern, flags)
        with contextlib.suppress(OSError):  # a read-only cache only costs speed
            write_atomic(path, json.dumps([pattern, flags, *parts], ensure_ascii=False))
        return _matcher(pattern, parts)
    except re.error:
        raise
    except Exception:  # the internals changed: compile as usual
        return re.compile(pattern, flags)


def _matcher(pattern: str, parts: list) -> re.Pattern[str]:
    final_flags, code, groups, names, by_index = parts
    return _sre.compile(pattern, final_flags, code, groups, names, tuple(by_index))

"""Model files read only when their sha256 matches, each version of a file hashed once.

Hashing the model's 57 MB on every start cost a seventh of a second of a one-article check.
Once a file's bytes have matched their digest, mtqa's cache records the digest beside what
identifies that version of the file: its device, inode, size, and modification and change
times. Writing to the file or putting another in its place changes at least one of them
(a change time cannot be set back), and the file is hashed again before it is used. A file
whose record cannot be written (a read-only cache) is hashed again by every process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from pathlib import Path

from mtqa.cache import cache_dir, write_atomic

RECORD_FILE = "verified-files.json"


def _identity(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


@functools.cache
def _records(folder: Path) -> dict[str, list]:
    """path -> [sha256, *identity] of the files that matched their digest, as recorded in
    ``folder`` (this process's additions included)."""
    with contextlib.suppress(OSError, ValueError):
        records = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
        if isinstance(records, dict):
            return records
    return {}


def _known(key: str, record: list) -> bool:
    return _records(cache_dir()).get(key) == record


def _remember(key: str, record: list) -> None:
    folder = cache_dir()
    records = _records(folder)
    records[key] = record
    with contextlib.suppress(OSError):  # unrecorded: hashed again next time
        write_atomic(folder / RECORD_FILE, json.dumps(records, indent=0, sort_keys=True))


def matches(path: Path, sha256: str) -> bool:
    """Whether ``path``'s content matches ``sha256`` (OSError if it cannot be read), for a
    file then read in parts, as safetensors' ``safe_open`` reads only the tensors asked for."""
    key, record = str(Path(path).resolve()), [sha256, *_identity(os.stat(path))]
    if _known(key, record):
        return True
    with open(path, "rb") as fh:
        record = [sha256, *_identity(os.fstat(fh.fileno()))]
        if hashlib.file_digest(fh, "sha256").hexdigest() != sha256:
            return False
    _remember(key, record)
    return True


def read_checked(path: Path, sha256: str) -> bytes | None:
    """``path``'s bytes if they match ``sha256``, else None; OSError if it cannot be read.

    The identity compared is the open file's, so what is returned is what was recorded."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        data = fh.read()
    key, record = str(Path(path).resolve()), [sha256, *_identity(st)]
    if _known(key, record):
        return data
    if hashlib.sha256(data).hexdigest() != sha256:
        return None
    _remember(key, record)
    return data

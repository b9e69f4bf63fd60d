"""mtqa's on-disk cache for derived data (lexicon expansions, the model's backbone files)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO


def cache_dir() -> Path:
    """``$MTQA_HOME`` if set, else the user cache directory."""
    root = os.environ.get("MTQA_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mtqa"
    )
    return Path(root)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` then rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
            f.write(data)
        # mkstemp creates 0600; give the file the permissions an ordinary open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# Versions of one cache entry kept side by side: the current one and the newest other, so that
# two mtqa installs sharing a cache (a venv per project) do not rebuild each other's files.
KEPT_VERSIONS = 2


def prune_versions(family: str, current: Path, kept: int = KEPT_VERSIONS) -> None:
    """Delete all but the newest ``kept`` versions of a cache entry, after ``current``
    was written. A version is the files (or the folder) of one name that starts with
    ``family`` ("rule-files-", "dela-forms-"), whatever its suffix: each upgrade of mtqa, of
    DELA or of wordfreq writes new versions, and without this the cache would grow past its
    budget (250 MB) in a few upgrades. A process still reading a deleted file keeps it open."""
    with contextlib.suppress(OSError):
        versions: dict[str, list[Path]] = {}
        for path in current.parent.glob(f"{family}*"):
            versions.setdefault(_version_name(path), []).append(path)
        versions.pop(_version_name(current), None)
        newest_first = sorted(
            versions.values(), key=lambda paths: max(p.stat().st_mtime for p in paths), reverse=True
        )
        for stale in newest_first[kept - 1 :]:
            for path in stale:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def _version_name(path: Path) -> str:
    """A version's name: a file's without its last suffix (data and digest go together:
    « encoder-int8-v1-ab12.safetensors » and « ….sha256 »), a folder's whole."""
    return path.name if path.is_dir() else path.name.rsplit(".", 1)[0]


def cached_json(name: str, key: Any, build: Callable[[], Any], kept: int = KEPT_VERSIONS) -> Any:
    """Return ``build()``, memoised on disk under a digest of ``key``; cache failures are not
    fatal. At most ``kept`` versions of ``name`` stay (``prune_versions``)."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{digest}.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text(encoding="utf-8"))
    value = build()
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        write_atomic(path, json.dumps(value, ensure_ascii=False))
        prune_versions(f"{name}-", path, kept)
    return value


@contextlib.contextmanager
def progress(task: str, stream: TextIO | None = None) -> Iterator[Callable[[str], None]]:
    """Report a slow one-off task on stderr: each step on a terminal, one line otherwise.

    Yields ``say(step)``. The closing line gives the time taken, so a first run that pauses
    for a few seconds never looks hung, and logs of CI runs get a single line.
    """
    out = stream if stream is not None else sys.stderr
    tty = out.isatty()
    started = time.monotonic()
    if tty:
        print(f"mtqa: {task}…", file=out, flush=True)

    def say(step: str) -> None:
        if tty:
            print(f"mtqa:   {step} ({time.monotonic() - started:.1f} s)", file=out, flush=True)

    yield say
    print(f"mtqa: {task}: done in {time.monotonic() - started:.1f} s", file=out, flush=True)


def folder_size(folder: Path) -> int:
    """Bytes in the files directly under ``folder`` (0 if it does not exist)."""
    with contextlib.suppress(OSError):
        return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    return 0

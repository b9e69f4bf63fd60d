"""mtqa's on-disk cache for derived data (lexicon expansions, the model's backbone files)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
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


def cached_json(name: str, key: Any, build: Callable[[], Any]) -> Any:
    """Return ``build()``, memoised on disk under a digest of ``key``; cache failures are not fatal."""
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{digest}.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text(encoding="utf-8"))
    value = build()
    with contextlib.suppress(OSError):  # a read-only cache only costs speed
        write_atomic(path, json.dumps(value, ensure_ascii=False))
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

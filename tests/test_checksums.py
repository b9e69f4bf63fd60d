"""Model files are used only when their sha256 matches, and each version is hashed once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mtqa.qe import checksums

_SHA256 = hashlib.sha256  # the tests' own digests, before ``hashes`` counts hashing


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setattr(checksums, "cache_dir", lambda: folder)
    return folder


@pytest.fixture()
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files hashed from now on."""
    seen: list[str] = []
    real_sha256, real_file_digest = hashlib.sha256, hashlib.file_digest

    def sha256(data: bytes = b"") -> object:
        seen.append("bytes")
        return real_sha256(data)

    def file_digest(fh: object, digest: str) -> object:
        seen.append(os.path.basename(fh.name))  # type: ignore[attr-defined]
        return real_file_digest(fh, real_sha256)  # type: ignore[arg-type]

    monkeypatch.setattr(checksums.hashlib, "sha256", sha256)
    monkeypatch.setattr(checksums.hashlib, "file_digest", file_digest)
    return seen


def _weights(folder: Path, content: bytes) -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "weights.bin"
    path.write_bytes(content)
    return path, _SHA256(content).hexdigest()


def test_an_unchanged_file_is_hashed_once(tmp_path: Path, cache: Path, hashes: list[str]) -> None:
    path, digest = _weights(tmp_path, b"w" * 1000)
    assert checksums.matches(path, digest)
    assert checksums.read_checked(path, digest) == b"w" * 1000
    assert checksums.matches(path, digest)
    assert hashes == ["weights.bin"]
    checksums._records.cache_clear()  # another process: the record is on disk
    assert checksums.read_checked(path, digest) == b"w" * 1000
    assert hashes == ["weights.bin"]


def test_a_file_swapped_for_another_of_the_same_size_and_time_is_detected(
    tmp_path: Path, cache: Path
) -> None:
    path, digest = _weights(tmp_path, b"good weights")
    assert checksums.matches(path, digest)
    st = path.stat()
    other = tmp_path / "other.bin"
    other.write_bytes(b"evil weights")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same modification time
    os.replace(other, path)
    assert path.stat().st_mtime_ns == st.st_mtime_ns
    assert not checksums.matches(path, digest)
    assert checksums.read_checked(path, digest) is None


def test_a_file_corrupted_in_place_is_detected(tmp_path: Path, cache: Path) -> None:
    path, digest = _weights(tmp_path, b"0123456789")
    assert checksums.read_checked(path, digest) is not None
    st = path.stat()
    with open(path, "r+b") as fh:
        fh.seek(3)
        fh.write(b"X")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # modification time put back
    assert checksums.read_checked(path, digest) is None
    assert not checksums.matches(path, digest)


def test_a_mismatch_is_never_recorded(tmp_path: Path, cache: Path, hashes: list[str]) -> None:
    path, _ = _weights(tmp_path, b"weights")
    wrong = "0" * 64
    assert not checksums.matches(path, wrong)
    assert not checksums.matches(path, wrong)
    assert hashes == ["weights.bin", "weights.bin"]


def test_an_unwritable_cache_hashes_on_every_read(
    tmp_path: Path, cache: Path, hashes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: object, data: object) -> None:
        raise PermissionError("read-only cache")

    monkeypatch.setattr(checksums, "write_atomic", read_only)
    path, digest = _weights(tmp_path, b"weights")
    checksums._records.cache_clear()
    assert checksums.matches(path, digest)
    checksums._records.cache_clear()
    assert checksums.matches(path, digest)
    assert hashes == ["weights.bin", "weights.bin"]


def test_a_missing_file_is_an_os_error(tmp_path: Path, cache: Path) -> None:
    with pytest.raises(OSError):
        checksums.matches(tmp_path / "absent.bin", "0" * 64)
    with pytest.raises(OSError):
        checksums.read_checked(tmp_path / "absent.bin", "0" * 64)

"""The cache keeps two versions of each entry: upgrades of mtqa, DELA or wordfreq do not pile up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mtqa import cache, lexicon


def _write(path: Path, age: int, data: str = "x") -> Path:
    """A file or folder written ``age`` hours ago."""
    if path.suffix:
        path.write_text(data, encoding="utf-8")
    else:
        path.mkdir()
        (path / "a.json").write_text(data, encoding="utf-8")
    stamp = 1_700_000_000 - age * 3600
    os.utime(path, (stamp, stamp))
    return path


def test_writing_a_version_keeps_it_and_the_newest_other(tmp_path: Path) -> None:
    for age, digest in enumerate(["c3", "b2", "a1", "z0"]):  # newest first
        _write(tmp_path / f"rule-files-{digest}.json", age + 1)
    untouched = [
        _write(tmp_path / "rule-plans-a1.json", 9),  # another family
        _write(tmp_path / ".rule-files-new.json.123.tmp", 9),  # a write in progress
    ]
    current = _write(tmp_path / "rule-files-d4.json", 0)
    cache.prune_versions("rule-files-", current)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        [".rule-files-new.json.123.tmp", "rule-files-c3.json", "rule-files-d4.json", "rule-plans-a1.json"]
    )
    assert all(p.exists() for p in untouched)


def test_a_version_of_several_files_or_a_folder_goes_whole(tmp_path: Path) -> None:
    old = [
        _write(tmp_path / "encoder-int8-v1-aaaa.safetensors", 5),
        _write(tmp_path / "encoder-int8-v1-aaaa.sha256", 5),
    ]
    newer = [
        _write(tmp_path / "encoder-int8-v1-bbbb.safetensors", 3),
        _write(tmp_path / "encoder-int8-v1-bbbb.sha256", 3),
    ]
    current = _write(tmp_path / "encoder-int8-v2-cccc.safetensors", 0)
    cache.prune_versions("encoder-int8-", current)
    assert not any(p.exists() for p in old) and all(p.exists() for p in newer)
    # Dotted versions are told apart by their last suffix only.
    _write(tmp_path / "word-frequencies-fr-3.1.1.tsv", 8)
    _write(tmp_path / "word-frequencies-fr-3.1.1-v2.tsv", 4)
    folders = [_write(tmp_path / "regex-0001", 6), _write(tmp_path / "regex-0002", 2)]
    cache.prune_versions("word-frequencies-fr-", tmp_path / "word-frequencies-fr-3.1.1-v3.tsv")
    cache.prune_versions("regex-", tmp_path / "regex-0003")
    assert not (tmp_path / "word-frequencies-fr-3.1.1.tsv").exists()
    assert (tmp_path / "word-frequencies-fr-3.1.1-v2.tsv").exists()
    assert not folders[0].exists() and folders[1].exists()


def test_cached_tables_and_json_prune_their_old_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MTQA_HOME", str(tmp_path))
    for n in range(4):
        table = lexicon.SortedLines.cached_lines("test-table-", f"v{n}", lambda n=n: [f"clé\t{n}"])
        assert table.get("clé") == str(n)
        assert cache.cached_json("test-json", {"v": n}, lambda n=n: n) == n
        assert cache.cached_json("test-selections", {"v": n}, lambda n=n: n, kept=3) == n
        for p in tmp_path.iterdir():  # mtimes a second apart: the newest is the last written
            os.utime(p, (p.stat().st_mtime - 10, p.stat().st_mtime - 10))
    assert sorted(p.name for p in tmp_path.glob("test-table-*")) == ["test-table-v2.tsv", "test-table-v3.tsv"]
    assert len(list(tmp_path.glob("test-json-*"))) == 2
    assert len(list(tmp_path.glob("test-selections-*"))) == 3  # one per rule selection in use
    assert cache.cached_json("test-json", {"v": 3}, lambda: "rebuilt") == 3  # the current one is kept

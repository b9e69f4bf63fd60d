"""The batch progress bar: rate and time left on a terminal's stderr, never in a pipe, a log
or a machine-readable report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from test_cli import mtqa

from mtqa import cli
from mtqa.progress import tracked
from mtqa.read import count_inputs


def test_bar_shows_count_rate_and_time_left() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    items = list(tracked(iter(range(50)), total=50, console=console))
    assert items == list(range(50))  # every item passes through, in order
    text = out.getvalue()
    assert "50/50" in text or "/50" in text
    assert "articles/s" in text
    assert "left" in text


def test_counting_inputs_for_the_eta(tmp_path: Path) -> None:
    (tmp_path / "feed.jsonl").write_text('{"text": "a"}\n\n{"text": "b"}\n{"text": "c"}', encoding="utf-8")
    (tmp_path / "a.txt").write_text("Un texte.", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("not walked", encoding="utf-8")
    assert count_inputs([str(tmp_path / "feed.jsonl")]) == 3
    assert count_inputs([str(tmp_path)]) == 4
    assert count_inputs([str(tmp_path / "a.txt"), "-"]) is None  # stdin: no total


@pytest.mark.parametrize(
    ("fmt", "output", "quiet", "tty", "shown"),
    [
        ("terminal", None, False, True, True),
        ("json", "report.json", False, True, True),
        ("json", None, False, True, False),  # a machine format on stdout
        ("sarif", None, False, True, False),
        ("terminal", None, True, True, False),  # --quiet
        ("terminal", None, False, False, False),  # stderr is a pipe or a log
    ],
)
def test_when_the_bar_shows(
    monkeypatch: pytest.MonkeyPatch, fmt: str, output: str | None, quiet: bool, tty: bool, shown: bool
) -> None:
    monkeypatch.setattr(cli.sys.stderr, "isatty", lambda: tty)
    assert cli._shows_progress(fmt, Path(output) if output else None, quiet) is shown


def test_no_bar_in_a_pipe(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    records = [{"id": i, "text": "Le maire a inauguré la nouvelle école lundi matin."} for i in range(3)]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    proc = mtqa("check", str(feed), "--no-model", "-o", str(tmp_path / "r.json"), "-f", "json")
    assert proc.returncode == 0
    assert proc.stderr == ""

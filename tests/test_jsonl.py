"""``--format jsonl``: one schema-1 document per line as each article is checked, input
errors in place, a summary last; the same documents as the JSON report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
from test_cli import SCHEMA, assert_clean_error, mtqa

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document
from mtqa.report.jsonl import JsonlWriter

FEED = [
    {"id": "a", "text": "Le ministre a démissionné hier soir, a annoncé le gouvernement."},
    {"id": "b", "text": ""},
    {"id": "c", "text": "Le président s'est démissionné lundi après une longue crise politique."},
]


def _feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FEED), encoding="utf-8")
    return path


def test_lines_are_documents_errors_then_a_summary(tmp_path: Path) -> None:
    proc = mtqa("check", str(_feed(tmp_path)), "--format", "jsonl", "--no-model")
    assert proc.returncode == 2  # one record could not be read
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    kinds = [next(k for k in x if k != "schema") for x in lines]
    assert kinds == ["document", "error", "document", "summary"]
    assert all(x["schema"] == 1 for x in lines)
    document_schema = {**SCHEMA["$defs"]["document"], "$defs": SCHEMA["$defs"]}
    for x in lines:
        if "document" in x:
            jsonschema.validate(x["document"], document_schema)
    assert lines[2]["document"]["status"] == "fail"
    summary = lines[-1]["summary"]
    assert (summary["documents"], summary["errors"], summary["findings"]["major"]) == (2, 1, 1)
    assert summary["status"] == "fail"


def test_same_documents_as_the_json_report(tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    streamed = mtqa("check", str(feed), "-f", "jsonl", "--no-model").stdout.splitlines()
    whole = json.loads(mtqa("check", str(feed), "-f", "json", "--no-model").stdout)
    assert [json.loads(x)["document"] for x in streamed if '"document"' in x[:30]] == whole["documents"]


def test_output_file_is_written_whole_and_exit_code_follows_fail_on(tmp_path: Path) -> None:
    feed = tmp_path / "ok.jsonl"
    feed.write_text(json.dumps(FEED[2], ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = mtqa("check", str(feed), "-f", "jsonl", "--no-model", "-o", str(out))
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert not list(tmp_path.glob("*.part"))
    assert mtqa("check", str(feed), "-f", "jsonl", "--no-model", "--fail-on", "never").returncode == 0


def test_sorting_a_stream_is_refused(tmp_path: Path) -> None:
    proc = mtqa("check", str(_feed(tmp_path)), "-f", "jsonl", "--sort", "triage", "--no-model")
    assert proc.returncode == 2 and "cannot --sort triage" in proc.stderr and "Traceback" not in proc.stderr


def test_each_line_is_flushed_as_written() -> None:
    flushed: list[int] = []

    class Recorder(io.StringIO):
        def flush(self) -> None:
            flushed.append(len(self.getvalue().splitlines()))

    out = Recorder()
    writer = JsonlWriter(out)
    doc = Checker(Config(model=False)).check(Document("x", FEED[2]["text"]))
    assert isinstance(doc, Document)
    writer.write(doc)
    writer.write(doc)
    writer.close()
    assert flushed == [1, 2, 3]


# ---------------------------------------------------------------------------- --resume

RESUMABLE = [
    {
        "id": f"r{i}",
        "text": f"Le conseil municipal numéro {i} a voté le budget lundi soir, a annoncé le maire.",
    }
    for i in range(5)
] + [{"id": "bad", "text": 3}, {"id": "r9", "text": "Le président s'est démissionné lundi après une crise."}]


def _resumable(tmp_path: Path) -> Path:
    path = tmp_path / "night.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RESUMABLE), encoding="utf-8")
    return path


def test_resume_goes_on_where_a_stopped_run_stopped(tmp_path: Path) -> None:
    feed = _resumable(tmp_path)
    full = tmp_path / "full.jsonl"
    first = mtqa("check", str(feed), "-f", "jsonl", "--no-model", "-o", str(full))
    assert first.returncode == 2  # the bad record
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == len(RESUMABLE) + 1

    # A run killed while writing its fourth line: three whole lines and half of one in FILE.part.
    # The second kept line is marked: if it were checked again, the mark would go.
    out = tmp_path / "out.jsonl"
    kept = [lines[0], lines[1].replace('"score": null', '"score": 0.123', 1), lines[2]]
    assert kept[1] != lines[1]
    (tmp_path / "out.jsonl.part").write_text("".join(kept) + lines[3][:40], encoding="utf-8")
    resumed = mtqa("check", str(feed), "-f", "jsonl", "--no-model", "-o", str(out), "--resume")
    assert resumed.returncode == 2, resumed.stderr
    assert not (tmp_path / "out.jsonl.part").exists()
    got = out.read_text(encoding="utf-8").splitlines(keepends=True)
    assert got[:3] == kept  # kept as written, not checked again
    assert got[3:] == lines[3:]  # the rest as an uninterrupted run writes it, summary included
    assert resumed.stderr.count("mtqa: error:") == 1  # the bad record, reported by this run

    # Resuming a finished file checks nothing and writes the same file.
    again = mtqa("check", str(feed), "-f", "jsonl", "--no-model", "-o", str(full), "--resume")
    assert again.returncode == 2
    assert full.read_text(encoding="utf-8").splitlines(keepends=True) == lines
    assert again.stderr == ""


def test_resume_refuses_what_it_cannot_resume(tmp_path: Path) -> None:
    feed = _resumable(tmp_path)
    no_output = mtqa("check", str(feed), "-f", "jsonl", "--no-model", "--resume")
    assert_clean_error(no_output, "--resume needs --output")
    other_format = mtqa("check", str(feed), "-f", "json", "--no-model", "-o", str(tmp_path / "x"), "--resume")
    assert_clean_error(other_format, "--resume works with --format jsonl")
    (tmp_path / "notes.jsonl").write_text("my own notes\n", encoding="utf-8")
    foreign = mtqa(
        "check", str(feed), "-f", "jsonl", "--no-model", "-o", str(tmp_path / "notes.jsonl"), "--resume"
    )
    assert_clean_error(foreign, "notes.jsonl:1: not a line of an mtqa JSONL report")
    # A file it cannot take up is left as it was found.
    assert (tmp_path / "notes.jsonl").read_text(encoding="utf-8") == "my own notes\n"
    assert not (tmp_path / "notes.jsonl.part").exists()

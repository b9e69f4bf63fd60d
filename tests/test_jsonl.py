"""``--format jsonl``: one schema-1 document per line as each article is checked, input
errors in place, a summary last; the same documents as the JSON report."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
from test_cli import SCHEMA, mtqa

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

"""Baselines (``mtqa baseline``, ``mtqa check --baseline``): today's findings are accepted, an
edit elsewhere does not revive them, and only new findings are reported and fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sarif.loader import load_sarif_file
from test_cli import assert_clean_error, mtqa
from test_sarif import validate

from mtqa.api import Checker
from mtqa.baseline import Baseline, BaselineError, document_key, render
from mtqa.config import Config, load_config
from mtqa.document import Document

ARTICLE = (
    "Le gouvernement a présenté son budget lundi.\n\n"
    "Le ministre s'est démissionné hier après une longue crise politique.\n\n"
    "Les soldats ont perdu le nombre face aux troupes russes.\n"
)
ABOVE = "Un paragraphe ajouté en tête de l'article, bien écrit.\n\n"
NEW_ERROR = "\nLa secrétaire d'État s'est démissionnée du gouvernement mardi.\n"
RULES = ("--no-model",)


def _findings(report: dict) -> list[tuple[str, str]]:
    return [
        (f["rule"], f["text"]) for d in report["documents"] for s in d["sentences"] for f in s["findings"]
    ]


def _suppressed(report: dict) -> list[tuple[str, str]]:
    return [
        (f["rule"], f["text"]) for d in report["documents"] for s in d["sentences"] for f in s["suppressed"]
    ]


def test_round_trip_with_the_model(tmp_path: Path) -> None:
    """The acceptance test: check, accept, edit above a finding, check; add an error, check."""
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    first = mtqa("check", str(article), "-f", "json")
    assert first.returncode == 1, first.stderr
    today = _findings(json.loads(first.stdout))
    assert ("MTQA401", "s'est démissionné") in today

    accepted = mtqa("baseline", str(article), cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    assert f"{len(today)} finding(s) in 1 document(s)" in accepted.stderr
    baseline = tmp_path / "mtqa-baseline.json"
    assert sorted(
        (e["rule"], e["text"]) for e in json.loads(baseline.read_text())["documents"]["a.txt"]
    ) == sorted(today)

    article.write_text(ABOVE + ARTICLE, encoding="utf-8")
    edited = mtqa("check", str(article), "--baseline", str(baseline), "-f", "json")
    assert edited.returncode == 0, edited.stdout
    report = json.loads(edited.stdout)
    assert _findings(report) == []
    assert sorted(_suppressed(report)) == sorted(today)
    assert report["summary"]["suppressed"] == len(today)
    assert report["summary"]["status"] == "pass"

    article.write_text(ABOVE + ARTICLE + NEW_ERROR, encoding="utf-8")
    new = mtqa("check", str(article), "--baseline", str(baseline), "-f", "json")
    assert new.returncode == 1
    assert _findings(json.loads(new.stdout)) == [("MTQA401", "s'est démissionnée")]
    terminal = mtqa("check", str(article), "--baseline", str(baseline))
    assert "s'est démissionnée" in terminal.stdout and "perdu le nombre" not in terminal.stdout
    assert f"{len(today)} accepted by the baseline" in terminal.stdout


def test_editing_the_flagged_sentence_revives_its_finding(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert mtqa("baseline", str(article), *RULES, cwd=tmp_path).returncode == 0
    article.write_text(ARTICLE.replace("face aux troupes russes", "face à l'armée russe"), encoding="utf-8")
    proc = mtqa("check", str(article), *RULES, "--baseline", "mtqa-baseline.json", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert _findings(json.loads(proc.stdout)) == [("MTQA302", "perdu le nombre")]


def test_a_finding_repeated_needs_as_many_entries() -> None:
    sentence = "Le ministre s'est démissionné hier après une longue crise politique."
    checker = Checker(Config(model=False))
    once = checker.check(Document("a.txt", sentence))
    baseline = Baseline.from_data(json.loads(render([once], Path("."))), Path("."))
    twice = checker.check(Document("a.txt", f"{sentence}\n\n{sentence}"))
    assert baseline.suppress(twice) == 1
    assert [len(s.findings) for s in twice.sentences] == [0, 1]
    other = checker.check(Document("b.txt", sentence))
    assert baseline.suppress(other) == 0  # another document's finding is not accepted


def test_paths_are_relative_to_the_baseline_and_records_keep_their_id(tmp_path: Path) -> None:
    feed = tmp_path / "feeds" / "day.jsonl"
    feed.parent.mkdir()
    records = [{"id": "x1", "text": ARTICLE}, {"id": "x2", "text": "Le budget a été adopté mardi soir."}]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "ci" / "accepted.json"
    out.parent.mkdir()
    assert mtqa("baseline", "feeds/day.jsonl", *RULES, "-o", str(out), cwd=tmp_path).returncode == 0
    assert list(json.loads(out.read_text())["documents"]) == ["../feeds/day.jsonl#x1"]
    # From another folder, with an absolute path to the feed: the same documents.
    proc = mtqa("check", str(feed), *RULES, "--baseline", str(out), cwd=out.parent)
    assert proc.returncode == 0, proc.stdout
    assert document_key(str(feed) + "#x1", out.parent) == "../feeds/day.jsonl#x1"


def test_configured_baseline_and_sarif_suppressions(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "mtqa.toml").write_text(
        '[tool.mtqa]\nmodel = false\nbaseline = "qa/base.json"\n', encoding="utf-8"
    )
    assert load_config(tmp_path).baseline == tmp_path / "qa" / "base.json"
    missing = mtqa("check", "a.txt", cwd=tmp_path)
    assert_clean_error(missing, "no such baseline", "mtqa baseline")
    (tmp_path / "qa").mkdir()
    assert mtqa("baseline", "a.txt", cwd=tmp_path).returncode == 0  # writes the configured file
    before = json.loads(mtqa("check", "a.txt", "-f", "sarif", "--ignore", "MTQA", cwd=tmp_path).stdout)
    assert before["runs"][0]["results"] == []
    sarif = mtqa("check", "a.txt", "-f", "sarif", cwd=tmp_path)
    assert sarif.returncode == 0
    log = json.loads(sarif.stdout)
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == 2 and all(r["suppressions"][0]["kind"] == "external" for r in results)
    assert log["runs"][0]["properties"]["suppressed"] == 2
    # The fingerprints code scanning tracks do not depend on the baseline.
    (tmp_path / "mtqa.toml").write_text("[tool.mtqa]\nmodel = false\n", encoding="utf-8")
    plain = json.loads(mtqa("check", "a.txt", "-f", "sarif", cwd=tmp_path).stdout)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in plain] == [r["partialFingerprints"] for r in results]
    assert all("suppressions" not in r for r in plain)
    # sarif-tools reads it (it counts suppressed results as issues: it ignores "suppressions").
    path = tmp_path / "out.sarif"
    path.write_text(sarif.stdout, encoding="utf-8")
    assert load_sarif_file(str(path)).get_report().get_issue_count_for_severity("error") == 2


def test_jsonl_summary_counts_suppressed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert mtqa("baseline", "a.txt", *RULES, cwd=tmp_path).returncode == 0
    proc = mtqa("check", "a.txt", *RULES, "-f", "jsonl", "--baseline", "mtqa-baseline.json", cwd=tmp_path)
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert proc.returncode == 0
    assert lines[-1]["summary"]["suppressed"] == 2
    assert lines[-1]["summary"]["findings"]["major"] == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "invalid JSON"),
        ('{"documents": {}}', "not an mtqa baseline"),
        ('{"mtqa_baseline": 1, "documents": {"a.txt": [{"rule": "MTQA401"}]}}', "fingerprint"),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(tmp_path: Path, content: str, needle: str) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.json").write_text(content, encoding="utf-8")
    proc = mtqa("check", "a.txt", *RULES, "--baseline", "b.json", cwd=tmp_path)
    assert_clean_error(proc, "b.json", needle)
    with pytest.raises(BaselineError, match=needle):
        Baseline.load(tmp_path / "b.json")


def test_baseline_of_an_unreadable_input_writes_the_rest_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    proc = mtqa("baseline", "a.txt", "missing.txt", *RULES, cwd=tmp_path)
    assert proc.returncode == 2
    assert "missing.txt: no such file" in proc.stderr
    assert list(json.loads((tmp_path / "mtqa-baseline.json").read_text())["documents"]) == ["a.txt"]
    assert not any(name.endswith((".tmp", ".part")) for name in os.listdir(tmp_path))


def test_html_counts_accepted_findings_without_showing_them(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert mtqa("baseline", "a.txt", *RULES, cwd=tmp_path).returncode == 0
    proc = mtqa("check", "a.txt", *RULES, "-f", "html", "--baseline", "mtqa-baseline.json", cwd=tmp_path)
    assert proc.returncode == 0
    assert '<span class="n">2</span><span class="l">findings accepted by the baseline' in proc.stdout
    assert "MTQA401" not in proc.stdout

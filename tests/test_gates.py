"""CI gates: --min-score and --max-findings fail a document (exit 1) whatever the severity
of its findings; set on the command line or in [tool.mtqa]; shown in JSON, JSONL and JUnit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import mtqa

from mtqa.config import Config, ConfigError, load_config
from mtqa.document import Document, Finding, Sentence, Severity
from mtqa.gates import failed_gates

MINOR_ONLY = 'Le ministre a déclaré : "Nous allons agir vite", selon l\'AFP.\n'  # MTQA701, house style


def _doc(score: float | None, findings: int) -> Document:
    doc = Document("x", "Une phrase.", score=score)
    s = Sentence(0, 0, 11, "Une phrase.", 0)
    s.findings = [Finding("MTQA701", "typography", Severity.MINOR, 0, 3, "Une", "m") for _ in range(findings)]
    doc.sentences = [s]
    return doc


def test_min_score_and_max_findings() -> None:
    cfg = Config(min_score=0.6, max_findings=2)
    assert failed_gates(_doc(0.8, 2), cfg) == []
    assert failed_gates(_doc(0.5, 0), cfg) == ["score 0.50 below the minimum 0.60"]
    assert failed_gates(_doc(None, 3), cfg) == ["3 findings, more than the maximum 2"]
    assert failed_gates(_doc(0.1, 9), Config()) == []  # no gate set


def test_config_keys_are_read_and_checked(tmp_path: Path) -> None:
    (tmp_path / "mtqa.toml").write_text("[tool.mtqa]\nmin-score = 0.7\nmax-findings = 3\n", encoding="utf-8")
    cfg = load_config(tmp_path)
    assert (cfg.min_score, cfg.max_findings) == (0.7, 3)
    (tmp_path / "mtqa.toml").write_text("[tool.mtqa]\nmin-score = 7\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="between 0 and 1"):
        load_config(tmp_path)


def test_max_findings_fails_a_document_with_only_minor_findings(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(MINOR_ONLY, encoding="utf-8")
    args = ("check", str(article), "--no-model", "--house-style")
    passing = mtqa(*args, "-f", "json")
    report = json.loads(passing.stdout)
    n = sum(len(s["findings"]) for s in report["documents"][0]["sentences"])
    assert passing.returncode == 0 and n >= 1, passing.stderr
    gated = mtqa(*args, "-f", "json", "--max-findings", str(n - 1))
    assert gated.returncode == 1
    out = json.loads(gated.stdout)
    assert out["documents"][0]["gates_failed"] == [f"{n} findings, more than the maximum {n - 1}"]
    assert out["summary"]["gates_failed"] == 1
    streamed = mtqa(*args, "-f", "jsonl", "--max-findings", str(n - 1))
    assert streamed.returncode == 1
    assert json.loads(streamed.stdout.splitlines()[-1])["summary"]["gates_failed"] == 1
    junit = mtqa(*args, "-f", "junit", "--max-findings", str(n - 1))
    assert (
        junit.returncode == 1 and 'failures="1"' in junit.stdout and "more than the maximum" in junit.stdout
    )


def test_bad_gate_values_are_one_line_errors(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(MINOR_ONLY, encoding="utf-8")
    proc = mtqa("check", str(article), "--no-model", "--min-score", "1.5")
    assert proc.returncode == 2 and "between 0 and 1" in proc.stderr and "Traceback" not in proc.stderr

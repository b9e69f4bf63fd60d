"""The README's GitHub Actions workflow is a recipe that works: its ``mtqa`` step, run as
written on a checkout with a baseline, passes on accepted findings, fails on a new one, and
leaves a SARIF file for the upload step either way."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml
from test_baseline import ARTICLE, NEW_ERROR
from test_cli import mtqa

README = Path(__file__).resolve().parent.parent / "README.md"


def _workflow() -> dict:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.github/workflows/mtqa\.yml\n.*?)```", text, re.DOTALL)
    assert block, "the README's workflow is gone"
    return yaml.safe_load(block.group(1))


def test_workflow_is_well_formed() -> None:
    flow = _workflow()
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["mtqa"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["if"] == "${{ !cancelled() }}"  # uploaded when the check fails too
    check = next(s for s in steps if s.get("run", "").startswith("mtqa check"))
    assert upload["with"]["sarif_file"] in shlex.split(check["run"])
    assert all("torch" not in s.get("run", "").replace("# no torch", "") for s in steps)


def test_the_check_step_fails_on_new_findings_only(tmp_path: Path) -> None:
    steps = _workflow()["jobs"]["mtqa"]["steps"]
    command = shlex.split(next(s["run"] for s in steps if s.get("run", "").startswith("mtqa check")))
    sarif = Path(tmp_path / command[command.index("--output") + 1])
    (tmp_path / "articles").mkdir()
    article = tmp_path / "articles" / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert mtqa("baseline", "articles/", cwd=tmp_path).returncode == 0

    accepted = mtqa(*command[1:], cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert results and all("suppressions" in r for r in results)

    article.write_text(ARTICLE + NEW_ERROR, encoding="utf-8")
    sarif.unlink()
    new = mtqa(*command[1:], cwd=tmp_path)
    assert new.returncode == 1
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [
        r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
        for r in results
        if "suppressions" not in r
    ] == ["s'est démissionnée"]

"""The command line as editors and CI use it: exit codes, outputs, and bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from mtqa.report.json_report import SCHEMA_VERSION

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "mtqa" / "report" / "schema-1.json").read_text())
GOOD_FRENCH = "Le président a reçu mardi son homologue brésilien à l'Élysée pour parler du climat.\n"


def mtqa(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    env.pop("MTQA_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "mtqa", *args], input=stdin, capture_output=True, env=env, cwd=cwd, timeout=300
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


# The first check of a test process may build the cache and say so in one line.
_BUILDING = re.compile(r"mtqa: building .*: done in [\d.]+ s$")


def stderr_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The non-blank lines on stderr, but the cache's one-line building note."""
    return [line for line in proc.stderr.splitlines() if line.strip() and not _BUILDING.match(line)]


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert "Traceback" not in proc.stderr
    lines = stderr_lines(proc)
    assert lines, "expected an error line on stderr"
    for line in lines:
        assert line.startswith("mtqa: error: ")
    for needle in needles:
        assert needle in proc.stderr


def test_seed_article_fails_with_exit_1(shared: Path) -> None:
    proc = mtqa("check", str(shared / "seeds" / "000_7ba3b11133f5c511.txt"))
    assert proc.returncode == 1, proc.stderr
    assert "MTQA" in proc.stdout


def test_correct_french_passes_with_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text(GOOD_FRENCH, encoding="utf-8")
    proc = mtqa("check", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 flagged" in proc.stdout


def test_missing_file_exits_2_with_one_line() -> None:
    proc = mtqa("check", "does-not-exist.txt")
    assert proc.returncode == 2
    assert_clean_error(proc, "does-not-exist.txt")


def test_json_report_matches_schema_and_offsets(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    seeds = sorted(str(p) for p in (shared / "seeds").glob("*.txt"))
    proc = mtqa("check", "--format", "json", "--output", str(out), *seeds)
    assert proc.returncode == 1
    assert proc.stdout == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    assert report["schema"] == SCHEMA_VERSION
    assert report["summary"]["documents"] == 2
    assert report["settings"]["scorer"].startswith("mtqa-qe")
    for doc in report["documents"]:
        assert 0.0 <= doc["score"] <= 1.0
        for s in doc["sentences"]:
            assert doc["text"][s["start"] : s["end"]] == s["text"]
            for f in s["findings"]:
                assert doc["text"][f["start"] : f["end"]] == f["text"]
                assert s["start"] <= f["start"] < f["end"] <= s["end"]


def test_fail_on_never_and_minor(tmp_path: Path) -> None:
    path = tmp_path / "minor.txt"
    # Only a minor finding (a name spelt the English way); not enough to fail at the default "major".
    path.write_text("Le président Volodymyr Zelenskiy a rencontré mardi le chancelier allemand à Berlin.\n")
    assert mtqa("check", str(path)).returncode == 0
    assert mtqa("check", "--fail-on", "minor", str(path)).returncode == 1
    assert mtqa("check", "--fail-on", "never", "--ignore", "MTQA5", str(path)).returncode == 0
    bad = mtqa("check", "--fail-on", "sometimes", str(path))
    assert bad.returncode == 2
    assert_clean_error(bad, "fail-on")


def test_quiet_prints_only_the_summary(shared: Path) -> None:
    proc = mtqa("check", "--quiet", str(shared / "seeds" / "000_7ba3b11133f5c511.txt"))
    assert proc.returncode == 1
    assert len(proc.stdout.strip().splitlines()) == 1
    assert "flagged" in proc.stdout


def test_stdin(tmp_path: Path) -> None:
    proc = mtqa("check", "--format", "json", "-", stdin=GOOD_FRENCH.encode())
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["documents"][0]["path"] == "-"


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_FRENCH, encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "latin1.txt").write_bytes(
        "Le député a été élu à Genève après un scrutin serré.\n".encode("latin-1")
    )
    (folder / "empty.txt").write_text("")
    (folder / "english.txt").write_text(
        "The minister said on Tuesday that the government would not raise taxes this year, "
        "despite pressure from the opposition and a growing budget deficit.\n"
    )
    (folder / "huge.txt").write_bytes(b"Le texte. " * 600_000)  # 6 MB, over the 5 MB default
    (folder / "feed.jsonl").write_text(
        json.dumps({"id": "a1", "text": GOOD_FRENCH})
        + "\n{not json\n"
        + json.dumps({"id": "a3", "text": ""})
        + "\n"
    )
    return folder


def test_batch_reports_each_bad_input_and_checks_the_rest(batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "batch.json"
    proc = mtqa("check", "--format", "json", "-o", str(out), str(batch))
    assert proc.returncode == 2
    assert_clean_error(proc)
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, SCHEMA)
    checked = {Path(d["path"]).name for d in report["documents"]}
    assert checked == {"good.txt", "feed.jsonl#a1"}
    failed = " ".join(e["path"] + " " + e["message"] for e in report["errors"])
    for name in (
        "binary.txt",
        "latin1.txt",
        "empty.txt",
        "english.txt",
        "huge.txt",
        "feed.jsonl:2",
        "feed.jsonl:3",
    ):
        assert name in failed, name
    assert report["summary"]["errors"] == len(report["errors"]) == 7
    assert len(stderr_lines(proc)) == 7


def test_explicit_encoding_decodes_latin1(batch: Path) -> None:
    proc = mtqa("check", "--encoding", "latin-1", str(batch / "latin1.txt"))
    assert proc.returncode == 0, proc.stderr


def test_non_french_text_is_an_input_error(batch: Path) -> None:
    proc = mtqa("check", str(batch / "english.txt"))
    assert proc.returncode == 2
    assert_clean_error(proc, "not French")


def test_rules_and_explain() -> None:
    listing = mtqa("rules")
    assert listing.returncode == 0
    assert "MTQA401" in listing.stdout and "MTQA301" in listing.stdout
    shown = mtqa("explain", "mtqa401")
    assert shown.returncode == 0
    assert "démissionné" in shown.stdout
    unknown = mtqa("explain", "MTQA000")
    assert unknown.returncode == 2
    assert_clean_error(unknown, "MTQA000")


def test_config_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mtqa]\nfail-on = "minor"\n')
    path = tmp_path / "minor.txt"
    path.write_text("Le président Volodymyr Zelenskiy a rencontré mardi le chancelier allemand à Berlin.\n")
    assert mtqa("check", str(path), cwd=tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text('[tool.mtqa]\nfail-on = "minor"\nignore = ["MTQA5"]\n')
    assert mtqa("check", str(path), cwd=tmp_path).returncode == 0
    (tmp_path / "pyproject.toml").write_text("[tool.mtqa]\nbogus = 1\n")
    proc = mtqa("check", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert_clean_error(proc, "bogus")


def test_no_model_leaves_scores_null(shared: Path) -> None:
    proc = mtqa("check", "--no-model", "--format", "json", str(shared / "seeds" / "000_7ba3b11133f5c511.txt"))
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["settings"]["scorer"] == "none"
    assert report["documents"][0]["score"] is None
    assert all(s["score"] is None for s in report["documents"][0]["sentences"])


def test_corrupted_model_file_is_a_clear_error(tmp_path: Path) -> None:
    import shutil

    models = Path(__file__).resolve().parents[1] / "mtqa" / "qe" / "weights"
    broken = tmp_path / "models"
    broken.mkdir()
    for name in ("qe.safetensors", "qe.json", "smooth.safetensors", "SHA256SUMS"):
        shutil.copy(models / name, broken / name)
    path = tmp_path / "ok.txt"
    path.write_text(GOOD_FRENCH, encoding="utf-8")
    for name in ("smooth.safetensors", "qe.safetensors"):  # the int8 encoder's factors are weights too
        with open(broken / name, "r+b") as f:
            f.seek(100)
            f.write(b"corrupted")
        proc = mtqa("check", str(path), env={"MTQA_MODEL_DIR": str(broken)})
        assert proc.returncode == 2
        assert_clean_error(proc, name, "corrupted")
        shutil.copy(models / name, broken / name)
    # Factors present but not listed would load unverified: refused like an unlisted weights file.
    sums = (broken / "SHA256SUMS").read_text(encoding="utf-8")
    unlisted = "".join(line for line in sums.splitlines(keepends=True) if "smooth" not in line)
    (broken / "SHA256SUMS").write_text(unlisted, encoding="utf-8")
    proc = mtqa("check", str(path), env={"MTQA_MODEL_DIR": str(broken)})
    assert proc.returncode == 2
    assert_clean_error(proc, "no checksum for smooth.safetensors")
    (broken / "SHA256SUMS").write_text(sums, encoding="utf-8")
    (broken / "qe.safetensors").unlink()
    proc = mtqa("check", str(path), env={"MTQA_MODEL_DIR": str(broken)})
    assert proc.returncode == 2
    assert_clean_error(proc, "qe.safetensors", "missing", "mtqa train")


def test_jobs_give_the_same_report_in_the_same_order(tmp_path: Path) -> None:
    """--jobs 2 checks in worker processes; the report is byte for byte the one job's."""
    folder = tmp_path / "feed"
    folder.mkdir()
    articles = {
        "a.txt": GOOD_FRENCH,
        "b.txt": "Le ministre s'est démissionné hier soir après la publication du rapport.\n",
        "c.txt": b"caf\xe9 \x80\x81 pas de l'UTF-8",
        "d.txt": "Der Bundeskanzler ist am Montag nach Paris gereist, um mit dem Präsidenten zu sprechen.\n"
        "Die beiden Politiker wollen eine gemeinsame Erklärung veröffentlichen.\n",
        "e.txt": "Les troupes russes ont perdu le nombre face aux soldats ukrainiens dans la région.\n",
    }
    for name, content in articles.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(
            content, encoding="utf-8"
        )
    one = mtqa("check", str(folder), "--no-model", "--format", "json")
    two = mtqa("check", str(folder), "--no-model", "--format", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 2  # c.txt is not text, d.txt is German
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr and "allemand" in two.stderr
    report = json.loads(two.stdout)
    assert [d["path"].rsplit("/", 1)[-1] for d in report["documents"]] == ["a.txt", "b.txt", "e.txt"]


def test_cache_command_shows_rebuilds_and_clears_the_cache(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"MTQA_HOME": str(home)}
    assert mtqa("check", "--fail-on", "never", "-q", "-", stdin=GOOD_FRENCH.encode(), env=env).returncode == 0
    int8 = sorted(home.glob("encoder-int8-*"))
    assert [p.suffix for p in int8] == [".safetensors", ".sha256"]
    shown = mtqa("cache", env=env)
    assert shown.returncode == 0 and str(home) in shown.stdout
    assert "int8 encoder: 1" in shown.stdout  # about 11 MB
    rebuilt = mtqa("cache", "--rebuild", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert not any(p.exists() for p in int8)  # quantised again on the next check
    assert "int8 encoder: 0.0 MB" in rebuilt.stdout
    assert mtqa("cache", "--clear", env=env).returncode == 0
    assert not home.exists()

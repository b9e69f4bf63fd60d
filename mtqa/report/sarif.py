"""SARIF 2.1.0 report (``mtqa check --format sarif``), for GitHub and GitLab code scanning.

The log has one run, written the way Ruff, Bandit and ESLint write theirs:

- ``tool.driver.rules``: one reporting descriptor per rule code that occurs in the run's
  findings (as Ruff does: the rules used, not the 289 enabled ones), in code order, so
  ``result.ruleIndex`` points into it. ``defaultConfiguration.level`` is the rule's shipped
  severity; a finding's own ``level`` carries any ``[severity]`` override from the config.
- Levels: critical and major → ``error``, minor → ``warning``.
- ``helpUri``: mtqa has no website, so it is the rule's YAML file in the repository
  (``{INFORMATION_URI}/blob/main/mtqa/rules/<file>.yaml``), where the rule's code, message,
  documentation and examples live; ``mtqa explain CODE`` shows the same text offline. The
  repository address is an assumption kept in ``INFORMATION_URI``: change it there.
- Locations: the ``uri`` is the input's path, relative paths percent-encoded as relative
  URI references (code scanning resolves them against the checkout), absolute paths as
  ``file://`` URIs. A feed record (``feed.jsonl#ID``) gets the feed's path as its ``uri``,
  its id in ``result.properties.feedRecord`` and in a logical location; its region counts
  lines and columns in the record's ``text``, not in the JSONL file (mtqa does not keep the
  record's line in the feed). For an HTML input the region is in the extracted text.
- Regions: 1-based lines and columns counted in Unicode code points (SARIF's default
  ``columnKind``, ``unicodeCodePoints``, stated in the run); mtqa's offsets are Python string
  indices, which are code points, so ``charOffset`` and ``charLength`` are those offsets.
  Lines end at ``\\n`` (``\\r\\n`` included), SARIF's default ``newlineSequences``.
  ``endColumn`` is the column just after the flagged text, as SARIF defines it.
- ``partialFingerprints["mtqaFinding/v1"]``: sha256 of the rule code, the feed record id
  (if any), and the flagged words and the sentence, each with whitespace collapsed and
  case folded; then ``:N``, the occurrence of that same hash in the document (as GitHub's
  own ``primaryLocationLineHash`` does). No offset enters it, so editing text above a
  finding leaves its fingerprint, and the alert it belongs to, unchanged.
- A finding a baseline accepted (``--baseline``) is still a result, with an ``external``
  suppression naming the baseline (SARIF §3.27.23), so a consumer can tell it from a new one.
- ``invocations[0].executionSuccessful`` is false when an input failed; each failure is a
  ``toolExecutionNotifications`` entry with its path and message.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from mtqa.api import Run
from mtqa.baseline import normalise
from mtqa.checks.rulebook import Rule, rule
from mtqa.document import Document, Finding, InputFailure, Sentence, Severity
from mtqa.report.junit import with_fix
from mtqa.report.positions import Lines, split_record

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/mtqa/mtqa"
FINGERPRINT = "mtqaFinding/v1"

LEVELS = {Severity.CRITICAL: "error", Severity.MAJOR: "error", Severity.MINOR: "warning"}

# A feed record's path: the feed (a .jsonl file, or stdin) then ``#`` and the record's id.
# A slot of a rule's message template (``{match}``, ``{expected}``), shown as an ellipsis.
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def help_uri(r: Rule) -> str:
    return f"{INFORMATION_URI}/blob/main/mtqa/rules/{quote(r.file)}" if r.file else INFORMATION_URI


def to_uri(path: str) -> str:
    """A path as a SARIF ``uri``: relative stays relative, absolute becomes ``file://``."""
    if os.name == "nt" and PureWindowsPath(path).is_absolute():
        return PureWindowsPath(path).as_uri()
    posix = path.replace(os.sep, "/")
    if PurePosixPath(posix).is_absolute():
        return PurePosixPath(posix).as_uri()
    return quote(posix, safe="/")


def _region(text: str, lines: Lines, start: int, end: int) -> dict[str, Any]:
    start_line, start_column = lines.position(start)
    end_line, end_column = lines.position(end)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": start,
        "charLength": end - start,
        "snippet": {"text": text[start:end]},
    }


def _descriptor(code: str) -> dict[str, Any]:
    try:
        r = rule(code)
    except KeyError:  # a code no rule file describes: say what is known
        return {"id": code, "name": code, "shortDescription": {"text": code}}
    return {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": _PLACEHOLDER.sub("…", r.message)},
        "fullDescription": {"text": r.doc},
        "help": {"text": f"{r.doc}\n\nmtqa explain {r.code}"},
        "helpUri": help_uri(r),
        "defaultConfiguration": {"level": LEVELS[r.severity]},
        "properties": {
            "category": r.category,
            "severity": str(r.severity),
            "tags": [r.category],
        },
    }


def _result(
    d: Document,
    s: Sentence,
    f: Finding,
    lines: Lines,
    rule_index: dict[str, int],
    seen: dict[str, int],
) -> dict[str, Any]:
    file, record = split_record(d.path)
    digest = hashlib.sha256(
        "\0".join((f.rule, record or "", normalise(f.text), normalise(s.text))).encode("utf-8")
    ).hexdigest()
    seen[digest] = seen.get(digest, 0) + 1
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": to_uri(file)},
            "region": _region(d.text, lines, f.start, f.end),
            "contextRegion": _region(d.text, lines, min(s.start, f.start), max(s.end, f.end)),
        }
    }
    properties: dict[str, Any] = {
        "category": f.category,
        "severity": str(f.severity),
        "source": f.source,
        "sentence": s.index,
    }
    if f.suggestions:
        properties["suggestions"] = list(f.suggestions)
    if record is not None:
        properties["feedRecord"] = record
        location["logicalLocations"] = [{"name": record, "fullyQualifiedName": d.path, "kind": "object"}]
    return {
        "ruleId": f.rule,
        "ruleIndex": rule_index[f.rule],
        "level": LEVELS[f.severity],
        "message": {"text": with_fix(f)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: f"{digest}:{seen[digest]}"},
        "properties": properties,
    }


def _notification(failure: InputFailure) -> dict[str, Any]:
    file, _ = split_record(failure.path)
    return {
        "level": "error",
        "message": {"text": failure.message},
        "descriptor": {"id": failure.code},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": to_uri(file)}}}],
        "properties": {"path": failure.path},
    }


def to_dict(run: Run) -> dict[str, Any]:
    codes = sorted({f.rule for d in run.documents for s in d.sentences for f in (*s.findings, *s.suppressed)})
    rule_index = {code: i for i, code in enumerate(codes)}
    accepted = [{"kind": "external", "justification": f"accepted in the baseline {run.config.baseline}"}]
    results = []
    for d in run.documents:
        lines = Lines(d.text)
        seen: dict[str, int] = {}
        for s in d.sentences:
            # In text order, suppressed or not, so that a fingerprint's ":N" does not depend on
            # the baseline.
            suppressed = {id(f) for f in s.suppressed}
            for f in sorted((*s.findings, *s.suppressed), key=lambda f: (f.start, f.end, f.rule)):
                result = _result(d, s, f, lines, rule_index, seen)
                if id(f) in suppressed:
                    result["suppressions"] = accepted
                results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mtqa",
                        "version": run.version,
                        "semanticVersion": run.version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(code) for code in codes],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not run.failures,
                        "toolExecutionNotifications": [_notification(x) for x in run.failures],
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {
                    "scorer": run.scorer_id,
                    "documents": len(run.documents),
                    "suppressed": sum(d.suppressed for d in run.documents),
                },
            }
        ],
    }


def render(run: Run) -> str:
    return json.dumps(to_dict(run), ensure_ascii=False, indent=2) + "\n"

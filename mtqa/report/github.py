"""GitHub Actions workflow commands: each finding becomes an annotation on its file and line.

One line per finding, in document then text order::

    ::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=CODE (category)::message → suggestion

- ``error`` for a critical or major finding, ``warning`` for a minor one (``notice`` never).
- Lines and columns are 1-based, columns in code points; ``endColumn`` is the column of the
  span's last character. GitHub accepts columns only on a one-line annotation, so a span
  running over a line break gets ``line`` and ``endLine`` alone.
- A feed record (``feed.jsonl#id``) is annotated on the feed file, without a line (the
  finding's line is one of the article's text, not of the JSONL file): its id and its
  ``line:col`` in the article are in the title.
- An input that could not be read or checked: ``::error file=PATH::message`` (with
  ``line=N`` for a bad line of a feed, which mtqa names ``feed.jsonl:N``).
- Then one last line, ``::notice title=mtqa::<summary>``, the terminal report's summary:
  GitHub shows at most a few annotations of each level per step, the summary gives the counts.

Escaping follows GitHub's rules: ``%``, ``\\r`` and ``\\n`` in the message; also ``:`` and
``,`` in the properties. Stdout holds nothing but workflow commands.
"""

from __future__ import annotations

import re

from mtqa.api import Run
from mtqa.document import Document, Finding, InputFailure, Severity
from mtqa.report.junit import with_fix, xml_safe
from mtqa.report.positions import line_col, span_lines, split_record
from mtqa.report.terminal import summary_line

STDIN = "-"
_FEED_LINE = re.compile(r"(?P<file>.*\.jsonl|-):(?P<line>[0-9]+)\Z", re.IGNORECASE | re.DOTALL)


def escape_data(text: str) -> str:
    # xml_safe: a control character (NUL, ESC…) has no business in a CI log line either.
    return xml_safe(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int | None) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v is not None)
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def level(severity: Severity) -> str:
    return "error" if severity >= Severity.MAJOR else "warning"


def _file(path: str) -> str | None:
    return None if path == STDIN else path


def _annotation(doc: Document, f: Finding) -> str:
    file, record = split_record(doc.path)
    title = f"{f.rule} ({f.category})"
    if record is not None:
        line, col = line_col(doc.text, f.start)
        title = f"{title} #{record} {line}:{col}"
        return command(level(f.severity), with_fix(f), file=_file(file), title=title)
    line, col, end_line, end_col = span_lines(doc.text, f.start, f.end)
    one_line = line == end_line
    return command(
        level(f.severity),
        with_fix(f),
        file=_file(file),
        line=line,
        col=col if one_line else None,
        endLine=end_line,
        endColumn=end_col if one_line else None,
        title=title,
    )


def _error(failure: InputFailure) -> str:
    # A bad feed line is named feed.jsonl:LINE (mtqa.read.feed): that line of the feed file.
    m = _FEED_LINE.match(failure.path)
    if m is not None:
        return command("error", failure.message, file=_file(m["file"]), line=int(m["line"]))
    return command("error", failure.message, file=_file(split_record(failure.path)[0]))


def render(run: Run) -> str:
    lines = [
        _annotation(doc, f)
        for doc in run.documents
        for f in sorted(doc.findings, key=lambda f: (f.start, f.end, f.rule))
    ]
    lines += [_error(failure) for failure in run.failures]
    lines.append(command("notice", summary_line(run), title="mtqa"))
    return "\n".join(lines) + "\n"

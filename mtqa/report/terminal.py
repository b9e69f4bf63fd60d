"""The editor's view: each flagged sentence with its span highlighted, the English it
translates (when the source was aligned), the rule, the message and the suggestion; then the
source sentences left out of the translation, and a summary line."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from mtqa.api import Run
from mtqa.document import Document, Severity

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {Severity.CRITICAL: "bold white on red", Severity.MAJOR: "bold red", Severity.MINOR: "yellow"}
_LABEL = {Severity.CRITICAL: "critique", Severity.MAJOR: "majeur", Severity.MINOR: "mineur"}


def _english(source: str, spans: list[tuple[int, int]]) -> str:
    """The source text of ``spans`` on one line: a sentence may run over a line break."""
    size = len(source)
    return " ".join(" ".join(source[max(a, 0) : min(b, size)].split()) for a, b in spans)


def _document(console: Console, doc: Document) -> None:
    from rich.text import Text

    flagged = [s for s in doc.sentences if s.findings]
    score = f", score {doc.score:.2f}" if doc.score is not None else ""
    console.print(Text(f"{doc.path}", style="bold") + Text(f"  {doc.status}{score}", style="dim"))
    for reason in doc.gates_failed:
        console.print(Text(f"  gate failed: {reason}", style="bold red"))
    for s in flagged:
        line = Text(s.text)
        for f in s.findings:
            line.stylize(_STYLE[f.severity] + " underline", f.start - s.start, f.end - s.start)
        console.print(Text(f"  [{s.index + 1}] ", style="dim") + line)
        if doc.source and s.source_spans:
            console.print(Text(f"      EN {_english(doc.source, s.source_spans)}", style="dim"))
        for f in s.findings:
            head = Text(f"      {f.rule} ", style=_STYLE[f.severity])
            head += Text(f"{_LABEL[f.severity]} · {f.category}: ", style="dim") + Text(f.message)
            console.print(head)
            fixes = [x for x in f.suggestions if x]
            if fixes:
                console.print(Text("      → ", style="green") + Text(" | ".join(fixes), style="green"))
            elif "" in f.suggestions:
                console.print(Text("      → supprimer", style="green"))
    omitted = [span for span in sorted(doc.unaligned_source)] if doc.source else []
    if omitted:
        console.print(Text(f"  Omis dans la traduction ({len(omitted)}) :", style="bold"))
        for span in omitted:
            console.print(Text(f"      EN {_english(doc.source or '', [span])}", style="dim"))
    if flagged or omitted:
        console.print()


def summary_line(run: Run) -> str:
    n_sent = sum(len(d.sentences) for d in run.documents)
    n_flagged = sum(1 for d in run.documents for s in d.sentences if s.findings)
    counts = ", ".join(f"{run.count(s)} {s}" for s in sorted(Severity, reverse=True) if run.count(s))
    parts = [
        f"{len(run.documents)} document(s)",
        f"{n_sent} sentence(s), {n_flagged} flagged",
        f"findings: {counts or 'none'}",
    ]
    suppressed = sum(d.suppressed for d in run.documents)
    if suppressed:
        parts.append(f"{suppressed} accepted by the baseline")
    if run.failures:
        parts.append(f"{len(run.failures)} input error(s)")
    return " · ".join(parts)


def render(run: Run, *, quiet: bool = False, color: bool = False, width: int = 100) -> str:
    if quiet and not color:
        return summary_line(run) + "\n"  # a CI log's one line: not worth importing rich (40 ms)
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    if not quiet:
        for doc in run.documents:
            _document(console, doc)
    console.print(Text(summary_line(run), style="bold"))
    return buf.getvalue()

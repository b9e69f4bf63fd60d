"""Report writers. Each turns a Run into text and knows nothing about rules.

``render(run, fmt)`` returns the report as a string; the CLI decides where it goes
(stdout, or a file written atomically).
"""

from __future__ import annotations

from collections.abc import Callable

from mtqa.api import Run

FORMATS = ("terminal", "json", "html", "junit", "github", "sarif")


def renderer(fmt: str) -> Callable[..., str]:
    if fmt == "json":
        from mtqa.report.json_report import render

        return render
    if fmt == "html":
        from mtqa.report.html import render

        return render
    if fmt == "terminal":
        from mtqa.report.terminal import render

        return render
    if fmt == "junit":
        from mtqa.report.junit import render

        return render
    if fmt == "github":
        from mtqa.report.github import render

        return render
    if fmt == "sarif":
        from mtqa.report.sarif import render

        return render
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "Run", "renderer"]

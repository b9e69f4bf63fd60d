"""The review page of ``mtqa serve``: a form (paste or upload an article, optionally with its
English source) above the HTML report of what was checked. The page is the HTML report's own
code, styles and script (mtqa.report.html), with the same Content-Security-Policy, except that
its form may post to the server it came from. It works without JavaScript and loads nothing
from elsewhere."""

from __future__ import annotations

import html
import re

from starlette.datastructures import UploadFile

from mtqa.api import Run
from mtqa.config import Config
from mtqa.document import Document
from mtqa.read.decode import InputError, decode
from mtqa.read.html import extract_article
from mtqa.report.html import render

_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


class FormError(ValueError):
    pass


def fields(form: dict[str, str | UploadFile]) -> tuple[str, str | None]:
    """The article (typed, or the uploaded file's text) and the optional source."""
    text = form.get("text", "")
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read()  # the body is already within the server's limit
        try:
            text = decode(data, None)
        except InputError as e:
            raise FormError(f"{upload.filename}: {e}") from None
        if upload.filename.lower().endswith((".html", ".htm")):
            text = extract_article(text)
    source = form.get("source", "")
    if not isinstance(text, str) or not isinstance(source, str):
        raise FormError("text and source must be text fields")
    return text, source.strip() or None


def render_page(
    text: str = "",
    source: str | None = None,
    doc: Document | None = None,
    config: Config | None = None,
    error: str | None = None,
) -> str:
    run = Run(documents=[doc] if doc is not None else [], config=config or Config())
    if doc is not None:
        run.scorer_id = "mtqa"
    return render(run, form=_form(text, source or "", error), title="mtqa · relecture")


def csp(markup: str) -> str:
    """The page's Content-Security-Policy, also sent as a header."""
    m = _CSP.search(markup)
    assert m, "the report page lost its CSP"
    return html.unescape(m.group(1))


def _form(text: str, source: str, error: str | None) -> str:
    esc = html.escape
    problem = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return (
        '<section class="block" aria-labelledby="review-h"><h2 id="review-h">Article à vérifier</h2>'
        '<form class="review" method="post" action="/" enctype="multipart/form-data">'
        f"{problem}"
        '<label for="text">Texte français</label>'
        f'<textarea id="text" name="text" rows="12" spellcheck="false">{esc(text)}</textarea>'
        "<details><summary>Source anglaise (facultatif)</summary>"
        f'<textarea id="source" name="source" rows="6" spellcheck="false" lang="en">{esc(source)}</textarea>'
        "</details>"
        '<div class="row"><label for="file">ou un fichier (.txt, .md, .html)</label>'
        '<input type="file" id="file" name="file" accept=".txt,.md,.html,.htm,text/plain,text/html">'
        '<button type="submit" id="check">Vérifier</button></div>'
        "</form></section>"
    )

"""The HTML report: marks at the right offsets, no lost text, safe with hostile input,
nothing loaded from outside, worst documents first, and linear in the size of a batch."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest

from mtqa.api import Checker, Run
from mtqa.config import Config
from mtqa.document import Document, Finding, InputFailure, Severity
from mtqa.report import renderer
from mtqa.report.html import DATE_ENV, index_order, render
from mtqa.segment import segment

ARTICLE = (
    "Le secrétaire d’État américain s’est envolé pour Bruxelles\n"
    "Lors de son voyage, le ministre des Affaires étrangères Blinken s’est démissionné à Bruxelles.\n"
    "\n"
    "Le président Volodymyr Zelenskiy a salué l’aide, a annoncé le ministère américain des Affaires "
    "étrangères.\n"
)
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(1)> javascript:alert(1)'
VOID = {"meta", "br", "input", "img", "hr", "link", "rect", "line"}  # rect/line: SVG, self-closed


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(Config(model=False))


def run_of(checker: Checker, docs: list[Document]) -> Run:
    run = Run(config=checker.config, scorer_id=checker.scorer.id)
    for doc in docs:
        checked = checker.check(doc)
        assert not isinstance(checked, InputFailure), checked
        run.documents.append(checked)
    return run


def finding(
    start: int, end: int, text: str, rule: str = "MTQA401", sev: Severity = Severity.MAJOR
) -> Finding:
    return Finding(rule, "grammar", sev, start, end, text[start:end], f"message {rule}", ("fix",))


def made_up(text: str, spans: list[tuple[int, int]], path: str = "made-up.txt") -> Document:
    """A document with the given findings attached to their sentences, no checker involved."""
    doc = Document(path=path, text=text, sentences=segment(text))
    for k, (a, b) in enumerate(spans):
        host = max(
            (s for s in doc.sentences if s.start <= a), key=lambda s: s.start, default=doc.sentences[0]
        )
        sev = (Severity.MINOR, Severity.MAJOR, Severity.CRITICAL)[k % 3]
        host.findings.append(finding(a, b, text, f"MTQA{301 + k}", sev))
    return doc


class NestingChecker(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()


def assert_well_formed(page: str) -> None:
    parser = NestingChecker()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], parser.stack


def articles(page: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.fromstring(page).find_class("text")


def test_renderer_knows_html() -> None:
    assert renderer("html") is render


def test_marks_sit_on_their_findings(checker: Checker) -> None:
    run = run_of(checker, [Document("a.txt", ARTICLE)])
    doc = run.documents[0]
    assert {f.rule for f in doc.findings} >= {"MTQA201", "MTQA401", "MTQA501", "MTQA202"}
    page = render(run, date="2024-01-01")
    root = lxml.html.fromstring(page)
    marks = root.xpath("//mark[contains(concat(' ', @class, ' '), ' first ')]")
    assert len(marks) == len(doc.findings)
    by_start = {(f.start, f.end): f for f in doc.findings}
    for mark in marks:
        start, end = int(mark.get("data-start")), int(mark.get("data-end"))
        f = by_start[(start, end)]
        assert mark.text_content() == doc.text[start:end] == f.text
        assert mark.get("data-rule") == f.rule
        assert mark.get("data-severity") == str(f.severity)
        assert mark.get("tabindex") == "0"
        assert f.message in mark.get("title")
    # Both-way links: each row's number links to its mark, each mark names its row.
    for mark in marks:
        key = mark.get("id").removeprefix("f-")
        assert mark.get("aria-details") == f"row-{key}"
        row = root.get_element_by_id(f"row-{key}")
        assert row.xpath(".//a/@href")[0] == f"#f-{key}"


def test_article_text_is_kept_whole_with_paragraphs(checker: Checker) -> None:
    run = run_of(checker, [Document("a.txt", ARTICLE)])
    page = render(run, date="x")
    (text,) = articles(page)
    assert text.text_content() == ARTICLE
    paragraphs = text.findall("p")
    assert len(paragraphs) == 3  # headline, sentence line, then the last line after the blank one
    sentences = text.find_class("s")
    assert [s.text_content() for s in sentences] == [s.text for s in run.documents[0].sentences]


def test_overlapping_findings_nest_without_losing_text() -> None:
    text = "Premier mot ici et là. Deuxième phrase, plus longue.\nTroisième ligne enfin.\n"
    spans = [
        (0, 14),  # "Premier mot ic"
        (8, 20),  # overlaps the first
        (8, 11),  # inside the second: three deep
        (15, 30),  # crosses a sentence boundary
        (45, 60),  # crosses the line (paragraph) boundary
        (62, 62),  # empty: an omission point
        (0, len(text) + 5),  # runs past the end: clamped
    ]
    doc = made_up(text, spans)
    page = render(Run(documents=[doc]), date="x")
    assert_well_formed(page)
    (article,) = articles(page)
    assert article.text_content() == text
    ids = article.xpath(".//mark/@id")
    assert len(ids) == len(set(ids)) == len(spans)  # one anchor per finding, whatever its pieces
    # Every piece of a finding covers text of that finding.
    for mark in article.iter("mark"):
        a, b = int(mark.get("data-start")), int(mark.get("data-end"))
        assert mark.text_content() in text[a:b] or b > len(text)
    assert article.xpath("count(.//mark//mark//mark)") >= 1


def test_text_between_sentences_and_odd_whitespace_survive() -> None:
    text = "  Titre  sans point\r\n\r\nUne phrase.   Une autre\ttabulée !  \n\n\nFin."
    doc = made_up(text, [(11, 19)])
    page = render(Run(documents=[doc]), date="x")
    assert_well_formed(page)
    assert articles(page)[0].text_content() == text


def test_hostile_feed_is_escaped(tmp_path: Path, checker: Checker) -> None:
    feed = tmp_path / 'feed"><img src=x onerror=alert(1)><script>.jsonl'  # no "/" in a file name
    text = (
        "Le ministre des Affaires étrangères Blinken s’est démissionné mardi à Bruxelles.\n"
        f"Le président a dit {HOSTILE} devant la presse réunie à Paris.\n"
    )
    line = {"id": HOSTILE, "text": text, "source": f"The minister said {HOSTILE}."}
    feed.write_text(json.dumps(line) + "\n", encoding="utf-8")
    run = checker.check_all([str(feed)])
    assert run.documents and not run.failures
    doc = run.documents[0]
    # Hostile words in findings too: message, text and suggestions come from user-ish data.
    doc.sentences[0].findings.append(
        Finding("MTQA999", HOSTILE, Severity.CRITICAL, 0, 2, HOSTILE, HOSTILE, (HOSTILE, "javascript:x"))
    )
    run.failures.append(InputFailure(HOSTILE, HOSTILE))
    page = render(run, date=HOSTILE)
    assert_well_formed(page)
    assert "<script>alert" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    root = lxml.html.fromstring(page)
    assert len(root.xpath("//script")) == 1 and len(root.xpath("//img")) == 0
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.startswith("on"), (el.tag, name)
            if name in ("href", "src", "style", "action", "formaction", "xlink:href"):
                assert name == "href" and re.fullmatch(r"#[a-z]+(-\d+)*", value), (name, value)
            if name == "id" or name == "class":
                assert re.fullmatch(r"[a-z0-9 -]+", value), (name, value)
    assert root.find_class("text")[0].text_content() == text
    assert HOSTILE in root.find_class("srctext")[0].text_content()
    assert any(HOSTILE in h.text_content() for h in root.iter("h2"))


def test_page_loads_nothing_from_outside(checker: Checker) -> None:
    page = render(run_of(checker, [Document("a.txt", ARTICLE, source="The source.")]), date="x")
    root = lxml.html.fromstring(page)
    assert not root.xpath("//link | //script[@src] | //img | //iframe | //object | //embed | //base")
    refs = root.xpath("//@href | //@src")
    assert refs and all(r.startswith("#") for r in refs)
    style = root.xpath("//style")[0].text
    assert "url(" not in style and "@import" not in style
    assert not re.search(r"https?:|(?<![:\w])//[\w.]", style + root.xpath("//script")[0].text)
    csp = root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp
    for tag in ("script", "style"):
        body = root.xpath(f"//{tag}")[0].text
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, tag
    assert "unsafe" not in csp


def test_header_summary_and_charts(checker: Checker) -> None:
    run = run_of(checker, [Document("a.txt", ARTICLE), Document("b.txt", ARTICLE, source="Hello.")])
    run.failures.append(InputFailure("missing.txt", "missing.txt: no such file"))
    page = render(run, date="2024-11-22")
    root = lxml.html.fromstring(page)
    sub = root.find_class("sub")[0].text_content()
    assert "mtqa 0.1.0" in sub and "2024-11-22" in sub
    settings = root.get_element_by_id("settings-h").getparent().text_content()
    assert "major" in settings and "none (rules only)" in settings and "defaults" in settings
    assert "a.txt" in settings and "missing.txt" in settings
    assert "no scores (model off)" in page
    bars = root.xpath("//div[@class='chart'][1]//*[local-name()='rect']")
    assert len(bars) == len({f.category for d in run.documents for f in d.findings})
    assert "missing.txt: no such file" in root.get_element_by_id("errors").text_content()
    assert root.find_class("verdict")[0].text_content().strip().endswith("FAIL")
    # Bilingual: the second document shows its source beside the French.
    assert len(root.find_class("cols")) == 1 and root.find_class("srctext")[0].get("lang") == "en"


def test_scores_show_when_the_model_is_on() -> None:
    doc = made_up("Une phrase correcte. Une autre phrase.\n", [])
    doc.sentences[0].score, doc.sentences[1].score, doc.score = 0.91, 0.12, 0.5
    page = render(Run(documents=[doc], scorer_id="mtqa-qe-test"), date="x")
    root = lxml.html.fromstring(page)
    assert [s.get("data-score") for s in root.find_class("s")] == ["0.91", "0.12"]
    assert "lo" in root.find_class("s")[1].get("class").split()
    assert "no scores" not in page and "mtqa-qe-test" in page


def test_index_lists_worst_documents_first() -> None:
    text = "Une phrase correcte ici. Une autre phrase ici.\n"
    clean = made_up(text, [], "clean.txt")
    warn = made_up(text, [(0, 3)], "warn.txt")  # minor only
    fail_few = made_up(text, [(0, 3), (4, 10)], "fail-few.txt")  # minor + major
    fail_many = made_up(text, [(0, 3), (4, 10), (11, 19), (25, 28)], "fail-many.txt")  # no score
    fail_low = made_up(text, [(0, 3), (4, 10)], "fail-low-score.txt")
    fail_low.score, fail_few.score = 0.1, 0.4
    docs = [clean, warn, fail_few, fail_many, fail_low]
    expected = ["fail-low-score.txt", "fail-few.txt", "fail-many.txt", "warn.txt", "clean.txt"]
    assert [docs[i].path for i in index_order(docs)] == expected
    root = lxml.html.fromstring(render(Run(documents=docs), date="x"))
    links = root.get_element_by_id("index").xpath(".//a")
    assert [a.text_content() for a in links] == expected
    for a in links:  # each links to its own section
        assert root.get_element_by_id(a.get("href")[1:]).xpath(".//h2")[0].text_content() == a.text_content()


def test_same_date_gives_the_same_bytes(checker: Checker, monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_of(checker, [Document("a.txt", ARTICLE)])
    monkeypatch.setenv(DATE_ENV, "2024-11-22")
    assert render(run) == render(run)
    assert "2024-11-22" in render(run)


def batch(n: int) -> Run:
    text = ARTICLE * 2
    sentences = segment(text)
    docs = []
    for i in range(n):
        doc = Document(path=f"feed.jsonl#{i}", text=text, sentences=segment(text))
        for s in doc.sentences[::2]:
            s.findings.append(finding(s.start, s.start + 8, text, f"MTQA{300 + i % 20}", Severity(1 + i % 3)))
        docs.append(doc)
    assert sentences
    return Run(documents=docs)


def test_500_documents_render_linearly() -> None:
    # Size, not time: timing two renders against each other flaked under load. The speed
    # figures are printed by benchmarks/report_speed.py.
    page_small = render(batch(50), date="x")
    page_large = render(batch(500), date="x")
    ratio = len(page_large) / len(page_small)
    assert 8 < ratio < 11, ratio  # the fixed header and assets make it a bit under 10
    assert len(page_large) < 25_000 * 500


def test_cli_writes_an_html_file(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out" / "report.html"
    env = {**os.environ, DATE_ENV: "2024-11-22", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "mtqa", "check", str(article), "--no-model", "-f", "html", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr  # a major finding, --fail-on major by default
    assert proc.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "MTQA401" in page and "2024-11-22" in page


def test_a_run_with_only_input_errors_still_renders() -> None:
    run = Run(failures=[InputFailure("gone.txt", "gone.txt: no such file")])
    page = render(run, date="x")
    assert_well_formed(page)
    root = lxml.html.fromstring(page)
    assert "gone.txt: no such file" in root.get_element_by_id("errors").text_content()
    assert not root.find_class("doc") and "no findings" in page
    assert root.find_class("verdict")[0].text_content().strip().endswith("FAIL")

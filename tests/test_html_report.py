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
from mtqa.document import Document, Finding, InputFailure, SegmentKind, Sentence, Severity
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


def french(root: lxml.html.HtmlElement) -> str:
    """All the French text on the page, whichever layout holds it."""
    return "".join(t.text_content() for t in root.find_class("text"))


def english(root: lxml.html.HtmlElement) -> str:
    """All the English on the page: side-by-side cells or the plain source column."""
    return "".join(e.text_content() for e in root.xpath("//*[@lang='en'][not(self::html)]"))


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
    assert french(root) == text
    assert HOSTILE in english(root)
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
    # Bilingual: the second document shows its source beside the French, row by row.
    (table,) = root.find_class("aligned")
    assert table.xpath("ancestor::section/@id") == ["doc-2"]
    assert table.xpath(".//td[@lang='en']")[0].text_content() == "Hello."


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


# -- source and French side by side ---------------------------------------------------------

FR = [  # (sentence, kind, paragraph, indices of its source sentences)
    ("PARIS -", SegmentKind.DATELINE, 0, []),
    ("Le ministre est arrivé mardi.", SegmentKind.SENTENCE, 0, [0]),
    ("Il a rencontré le président.", SegmentKind.SENTENCE, 0, [1]),  # 1-2: both halves of
    ("Ils ont parlé longuement.", SegmentKind.SENTENCE, 0, [1]),  # one English sentence
    ("Il est reparti le soir même, après un dîner.", SegmentKind.SENTENCE, 1, [3, 4]),  # 2-1
    ("Le voyage a coûté cher.", SegmentKind.SENTENCE, 1, []),  # an addition
]
EN = [
    "The minister arrived on Tuesday.",
    "He met the president and they talked at length.",
    "They also discussed trade.",  # omitted
    "He left the same evening.",
    "There was a dinner.",
    "More talks are planned.",  # omitted, at the end
]


def bilingual(
    fr: list[tuple[str, SegmentKind, int, list[int]]], en: list[str], path: str = "bi.txt"
) -> Document:
    """A document aligned by hand: French sentences joined by a space (a newline between
    paragraphs), English by a space, and source spans from the given indices."""
    source = " ".join(en)
    en_spans = []
    pos = 0
    for sentence in en:
        en_spans.append((pos, pos + len(sentence)))
        pos += len(sentence) + 1
    text, sentences = "", []
    for i, (sentence, kind, para, links) in enumerate(fr):
        if sentences:
            text += "\n" if para != sentences[-1].paragraph else " "
        spans = [en_spans[k] for k in links]
        sentences.append(
            Sentence(i, len(text), len(text) + len(sentence), sentence, para, kind, source_spans=spans)
        )
        if spans:
            sentences[-1].similarity = 0.8 + i / 100
        text += sentence
    text += "\n"
    used = {k for *_, links in fr for k in links}
    unaligned = [span for k, span in enumerate(en_spans) if k not in used]
    return Document(path, text, source=source, sentences=sentences, unaligned_source=unaligned)


def attach(doc: Document, index: int, rule: str, start: int, end: int, message: str = "") -> Finding:
    f = Finding(rule, "alignment", Severity.MAJOR, start, end, doc.text[start:end], message or rule)
    doc.sentences[index].findings.append(f)
    return f


def aligned_example() -> Document:
    doc = bilingual(FR, EN)
    s = doc.sentences
    attach(doc, 3, "MTQA011", s[3].start, s[3].end, f"Omission : « {EN[2]} »")
    attach(doc, 5, "MTQA012", s[5].start, s[5].end, "Ajout")
    # A finding from one row into the next: "mardi. Il a" runs over the 1-1 / 1-2 boundary.
    a = doc.text.index("mardi.")
    attach(doc, 1, "MTQA401", a, doc.text.index(" rencontré"))
    return doc


def cells(row: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement, lxml.html.HtmlElement]:
    src, fr = row.findall("td")
    return src, fr


def test_source_and_french_side_by_side_in_source_order() -> None:
    doc = aligned_example()
    page = render(Run(documents=[doc]), date="x")
    assert_well_formed(page)
    root = lxml.html.fromstring(page)
    (table,) = root.find_class("aligned")
    rows = table.xpath("./tbody/tr")
    assert [r.get("class") for r in rows] == [
        "al neutral",  # the dateline: no source, but no addition either
        "al pair",
        "al pair",  # 1-2: two French sentences in one row
        "al omit",  # the omitted source sentence, at its place
        "al pair",  # 2-1: two English sentences in one row
        "al added",
        "al omit",  # the omission after the last French sentence
    ]
    assert all(len(r.findall("td")) == 2 for r in rows)
    english_cells = [[p.text_content() for p in cells(r)[0].findall("p")] for r in rows]
    assert english_cells == [[], [EN[0]], [EN[1]], [EN[2]], [EN[3], EN[4]], [], [EN[5]]]
    french_cells = [" ".join(t.text_content().split()) for r in rows for t in cells(r)[1].find_class("text")]
    assert french_cells == [FR[0][0], FR[1][0], f"{FR[2][0]} {FR[3][0]}", FR[4][0], FR[5][0]]
    # The French cells hold the whole text between them, sentences and all.
    assert french(root) == doc.text
    assert [s.get("data-i") for s in table.find_class("s")] == ["1", "2", "3", "4", "5", "6"]
    # Omissions are visible gaps, additions are labelled and highlighted.
    for gap in (rows[3], rows[6]):
        src, fr = cells(gap)
        assert src.get("lang") == "en" and not fr.find_class("text")
        assert fr.text_content() == "omis dans la traduction"
    src, fr = cells(rows[5])
    assert src.text_content() == "absent de la source" and src.get("lang") is None
    assert cells(rows[0])[0].text_content() == ""
    # Similarity: discreet, on hover; and on the sentence, for the details panel.
    assert cells(rows[1])[0].get("title") == "similarity 0.81"
    assert cells(rows[2])[0].get("title") == "similarity 0.82 / 0.83"
    assert cells(rows[3])[0].get("title") is None
    assert table.find_class("s")[1].get("data-sim") == "0.81"
    meta = root.find_class("meta")[0].text_content()
    assert "source: 2 omitted, 1 added" in meta


def test_a_finding_across_two_rows_keeps_one_anchor_and_its_text() -> None:
    doc = aligned_example()
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    (f,) = [f for f in doc.findings if f.rule == "MTQA401"]
    pieces = root.xpath("//mark[@data-rule='MTQA401']")
    rows = [int(p.xpath("count(ancestor::tr[1]/preceding-sibling::tr)")) for p in pieces]
    assert rows[0] == 1 and rows[-1] == 2  # "mardi. " in the first pair, "Il a" in the next
    assert "".join(p.text_content() for p in pieces) == f.text
    flags = [("first" in p.get("class").split(), "last" in p.get("class").split()) for p in pieces]
    assert flags[0] == (True, False) and flags[-1] == (False, True)
    assert all(flag == (False, False) for flag in flags[1:-1])
    assert len(root.xpath("//mark/@id")) == len(doc.findings)
    # The omission finding is an ordinary one, on its neighbour, quoting the English.
    (omission,) = root.xpath("//mark[@data-rule='MTQA011']")
    assert EN[2] in omission.get("title") and omission.xpath("ancestor::tr/@class") == ["al pair"]


def test_an_omission_before_the_first_french_sentence_comes_first() -> None:
    fr = [("Il est arrivé mardi à Paris.", SegmentKind.SENTENCE, 0, [1])]
    doc = bilingual(fr, ["Breaking news.", "He arrived in Paris on Tuesday."])
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    rows = root.find_class("aligned")[0].xpath("./tbody/tr")
    assert [r.get("class") for r in rows] == ["al omit", "al pair"]
    assert cells(rows[0])[0].text_content() == "Breaking news."


def test_headline_without_source_is_neutral_unless_flagged_as_an_addition() -> None:
    fr = [
        ("Photo : Reuters", SegmentKind.HEADLINE, 0, []),
        ("Légende ajoutée par la rédaction", SegmentKind.HEADLINE, 1, []),
        ("Il est arrivé mardi à Paris.", SegmentKind.SENTENCE, 2, [0]),
    ]
    doc = bilingual(fr, ["He arrived in Paris on Tuesday."])
    attach(doc, 1, "MTQA012", doc.sentences[1].start, doc.sentences[1].end)
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    rows = root.find_class("aligned")[0].xpath("./tbody/tr")
    assert [r.get("class") for r in rows] == ["al neutral", "al added", "al pair"]


def test_a_source_without_alignment_keeps_the_plain_columns() -> None:
    doc = made_up("Une phrase correcte ici. Une autre phrase ici.\n", [(0, 3)])
    doc.source = "A correct sentence here.\nAnother one."
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    assert not root.find_class("aligned")
    (col,) = root.find_class("srctext")
    assert [p.text_content() for p in col.findall("p")] == ["A correct sentence here.", "Another one."]
    assert french(root) == doc.text


def test_without_a_source_the_layout_is_unchanged() -> None:
    doc = made_up("Une phrase correcte ici. Une autre phrase ici.\n", [(0, 3)])
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    assert not root.find_class("aligned") and not root.find_class("cols") and not root.find_class("refm")
    body = root.find_class("body")[0]
    assert body[0].get("class") == "text" and body[0].get("lang") == "fr"
    assert "omitted" not in root.find_class("meta")[0].text_content()


SIGNATURES = {
    "bleu": "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.4.2",
    "chrf": "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.4.2",
    "ter": "nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.4.2",
}


def test_reference_metrics_and_sentence_chrf() -> None:
    doc = aligned_example()
    doc.reference = "Le ministre est arrivé mardi. Il a vu le président."
    doc.reference_metrics = {"bleu": 23.456, "chrf": 54.32, "ter": 61.0, "signatures": SIGNATURES}
    doc.sentences[1].reference_spans = [(0, 29)]
    doc.sentences[1].chrf = 100.0
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    (refm,) = root.xpath("//section[@id='doc-1']/header/div[@class='refm']")
    assert "BLEU 23.5 · chrF 54.3 · TER 61.0" in refm.find_class("figures")[0].text_content()
    sigs = dict(zip(refm.xpath(".//dt/text()"), refm.xpath(".//dd/text()"), strict=True))
    assert sigs == {"BLEU": SIGNATURES["bleu"], "chrF": SIGNATURES["chrf"], "TER": SIGNATURES["ter"]}
    s = root.find_class("s")[1]
    assert s.get("data-chrf") == "100.0" and s.get("data-ref") == "Le ministre est arrivé mardi."
    assert s.get("title") == "similarity 0.81 · chrF 100.0"
    assert root.find_class("s")[2].get("data-chrf") is None


def test_missing_or_odd_metrics_do_not_break_the_header() -> None:
    doc = made_up("Une phrase correcte ici.\n", [])
    doc.reference_metrics = {"bleu": None, "chrf": float("nan"), "signatures": "not a dict"}
    root = lxml.html.fromstring(render(Run(documents=[doc]), date="x"))
    (refm,) = root.find_class("refm")
    assert refm.text_content() == "Against the reference: BLEU — · chrF nan"
    assert not refm.find_class("sigs")


def test_hostile_source_and_reference_are_escaped() -> None:
    evil = f"{HOSTILE} '</td></tr></table><script>alert(2)</script>\" & </p>"
    en = [f"The minister said {evil}.", f"He {evil} left.", f"Omitted {evil}."]
    fr = [
        ("Le ministre a parlé.", SegmentKind.SENTENCE, 0, [0]),
        ("Il est parti.", SegmentKind.SENTENCE, 0, [1]),
        (f"Ajout {evil}.", SegmentKind.SENTENCE, 1, []),
    ]
    doc = bilingual(fr, en, path=evil)
    attach(doc, 2, "MTQA012", doc.sentences[2].start, doc.sentences[2].end, evil)
    doc.reference = f"Référence {evil}."
    doc.sentences[0].reference_spans = [(0, len(doc.reference))]
    doc.sentences[0].chrf = 12.5
    doc.reference_metrics = {"bleu": evil, "chrf": 1.0, "ter": 2.0, "signatures": {evil: evil, "bleu": evil}}
    page = render(Run(documents=[doc]), date="x")
    assert_well_formed(page)
    assert "<script>alert" not in page and "<img" not in page and "</td></tr></table><script>" not in page
    root = lxml.html.fromstring(page)
    assert len(root.xpath("//script")) == 1 and not root.xpath("//img")
    rows = root.find_class("aligned")[0].xpath("./tbody/tr")
    assert [r.get("class") for r in rows] == ["al pair", "al pair", "al added", "al omit"]
    assert all(len(r.findall("td")) == 2 for r in rows)
    assert [cells(r)[0].text_content() for r in (rows[0], rows[1], rows[3])] == en
    assert french(root) == doc.text
    assert root.find_class("s")[0].get("data-ref") == doc.reference
    refm = root.find_class("refm")[0]
    assert evil in refm.find_class("figures")[0].text_content()
    assert refm.xpath(".//dt/text()") == [evil, "BLEU"] and refm.xpath(".//dd/text()") == [evil, evil]
    for el in root.iter():
        for name in el.attrib:
            assert not name.startswith("on"), (el.tag, name)

"""Self-contained HTML review report: one file with inline CSS, JS and SVG that opens offline.

Every piece of user text (article, source, path, message, suggestion) goes through ``esc``
and only ever lands in element content or a quoted data-/title attribute, never in an href,
src, style or event attribute; ids and links are built from counters. The script and the
style sheet are allowed by their sha256 in the Content-Security-Policy, so nothing else can
run or load even if a hostile feed found a way in.

Highlighting cuts the text at every sentence and finding boundary; each piece is wrapped in
one ``<mark>`` per finding covering it, nested and closed within the piece, so overlapping
findings can never produce crossed tags and the marks' text is exactly the document's text.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
import itertools
import math
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from mtqa.api import Run
from mtqa.checks.rulebook import CATEGORIES, Rule, all_rules
from mtqa.document import Document, Finding, SegmentKind, Sentence, Severity, Status
from mtqa.report.json_report import run_status

DATE_ENV = "MTQA_REPORT_DATE"  # a fixed date makes regenerated reports byte-identical
# CSP form-action: a report file has no form; mtqa serve's review page posts to its own origin.
NO_FORM, FORM_ACTION = "'none'", "'self'"

_SEVERITIES = tuple(sorted(Severity, reverse=True))
_GLYPH = {Severity.CRITICAL: "\u25c6", Severity.MAJOR: "\u25b2", Severity.MINOR: "\u25cf"}
_STATUS_GLYPH = {Status.FAIL: "\u2717", Status.WARN: "!", Status.PASS: "\u2713"}
_STATUS_RANK = {Status.FAIL: 0, Status.WARN: 1, Status.PASS: 2}
_LOW_SCORE = 0.5  # sentence scores below this get the warning colour
_MAX_INPUTS = 12  # inputs named in the header; a 500-file batch lists a count for the rest


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _text(value: str) -> str:
    """Article text: escaped, and CR as a reference, since an HTML parser turns a raw CR LF
    into LF and the page's text would no longer match the offsets."""
    return esc(value).replace("\r", "&#13;")


def _asset(name: str) -> str:
    return (resources.files("mtqa") / "report" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _sev(severity: Severity) -> str:
    return f'<span class="sev sev-{severity}">{_GLYPH[severity]} {severity}</span>'


def _status(status: Status) -> str:
    return f'<span class="badge st-{status}">{_STATUS_GLYPH[status]} {str(status).upper()}</span>'


@dataclass(frozen=True, slots=True)
class _Item:
    """A finding with its place in the report: ``key`` ("doc-n") names its mark and table row."""

    n: int
    key: str
    finding: Finding
    sentence: int  # 1-based number of the sentence it is attached to
    cat: str  # CSS class of its category ("c0"…), never the category text itself


class _Categories:
    """Category names ↦ short class names, so user-ish text never becomes a class or id."""

    def __init__(self, names: Iterable[str]) -> None:
        present = set(names)
        known = [c for c in CATEGORIES if c in present]
        extra = sorted(present - set(CATEGORIES))
        self.order = known + extra
        self.cls = {name: f"c{i}" for i, name in enumerate(self.order)}


def _items(d: int, doc: Document, cats: _Categories) -> list[_Item]:
    attached = [(f, s.index + 1) for s in doc.sentences for f in s.findings]
    attached.sort(key=lambda x: (x[0].start, -x[0].end, x[0].rule))
    return [
        _Item(n, f"{d}-{n}", f, sentence, cats.cls[f.category])
        for n, (f, sentence) in enumerate(attached, start=1)
    ]


# -- article text with marks ----------------------------------------------------------------


def _mark(item: _Item, start: int, end: int, first: bool, last: bool) -> str:
    f = item.finding
    fixes = " | ".join(s if s else "(delete)" for s in f.suggestions)
    title = f"{f.rule} · {f.severity} · {f.category}\n{f.message}" + (f"\n→ {fixes}" if fixes else "")
    classes = f"f sev-{f.severity} {item.cat}" + (" first" if first else "") + (" last" if last else "")
    if start == end:
        classes += " empty"
    attrs = [
        f'class="{classes}"',
        f'data-k="{item.key}"',
        f'data-n="{item.n}"',
        f'data-rule="{esc(f.rule)}"',
        f'data-severity="{f.severity}"',
        f'data-category="{esc(f.category)}"',
        f'data-c="{item.cat}"',
        f'data-start="{f.start}"',
        f'data-end="{f.end}"',
        f'title="{esc(title)}"',
    ]
    if first:
        attrs[0:0] = [f'id="f-{item.key}"']
        attrs += ['tabindex="0"', f'aria-details="row-{item.key}"']
    return f"<mark {' '.join(attrs)}>"


def _article(doc: Document, items: list[_Item]) -> str:
    """The French text in reading order: paragraphs, sentences and the text between them,
    with every finding highlighted; the element's text content equals ``doc.text``."""
    return _article_parts(doc, items, [])[0]


def _article_parts(doc: Document, items: list[_Item], breaks: list[int]) -> list[str]:
    """The French text cut at ``breaks`` (sorted sentence starts) into ``len(breaks) + 1``
    well-formed fragments that together hold all of ``doc.text``: the side-by-side table puts
    each in its own cell. Marks are computed once for the whole text, so a finding keeps one
    anchor (its first piece) and one number (its last piece) even when it spans two rows."""
    text = doc.text
    size = len(text)
    sents = sorted(doc.sentences, key=lambda s: s.start)
    spans = [(min(max(i.finding.start, 0), size), min(max(i.finding.end, 0), size)) for i in items]
    spans = [(a, max(a, b)) for a, b in spans]

    cuts = {0, size}
    for s in sents:
        cuts.update((s.start, s.end))
    for a, b in spans:
        cuts.update((a, b))
    points = sorted(p for p in cuts if 0 <= p <= size)

    starts: dict[int, list[int]] = {}
    empties: dict[int, list[int]] = {}
    last_piece: dict[int, int] = {}  # finding index ↦ start of its last non-empty piece
    for k, (a, b) in enumerate(spans):
        (starts if a < b else empties).setdefault(a, []).append(k)
    # Sentences holding a mark are "has": the script checks only those when filtering.
    sent_starts = [s.start for s in sents]
    has = [False] * len(sents)
    for a, b in spans:
        lo = max(bisect.bisect_right(sent_starts, a) - 1, 0)
        for j in range(lo, len(sents)):
            s = sents[j]
            if s.start > b or (s.start == b and a < b):
                break
            if (a < s.end and s.start < b) or (a == b and s.start <= a <= s.end):
                has[j] = True

    # Where a mark is emitted depends on the layout of the text around it, so compute each
    # finding's last piece first (for the glyph and number placed after it).
    active: list[int] = []
    si = 0
    plan: list[tuple[int, int, tuple[int, ...], str, int]] = []  # a, b, active, place, sentence
    for a, b in itertools.pairwise(points):
        active = [k for k in active if spans[k][1] > a] + starts.get(a, [])
        active.sort(key=lambda k: (spans[k][0], -spans[k][1], k))
        while si < len(sents) and sents[si].end <= a:
            si += 1
        if si < len(sents) and sents[si].start <= a:
            place, where = "s", si
        else:
            prev = sents[si - 1] if si > 0 else None
            nxt = sents[si] if si < len(sents) else None
            same = prev is not None and nxt is not None and prev.paragraph == nxt.paragraph
            where = si - 1 if same else -1
            place = "in" if same else ("out" if text[a:b].isspace() else "gap")
        if place != "out":
            for k in active:
                last_piece[k] = a
        plan.append((a, b, tuple(active), place, where))

    out: list[str] = []
    open_p: int | None = None  # paragraph number of the open <p>, -1 for a stray-text block
    open_s = -1
    seen: set[int] = set()

    def close_sentence() -> None:
        nonlocal open_s
        if open_s >= 0:
            out.append("</span>")
            open_s = -1

    def close_paragraph() -> None:
        nonlocal open_p
        close_sentence()
        if open_p is not None:
            out.append("</p>")
            open_p = None

    def empties_at(pos: int) -> None:
        for k in empties.pop(pos, []):
            first = k not in seen
            seen.add(k)
            out.append(_mark(items[k], pos, pos, first, True) + "</mark>")

    parts: list[str] = []
    bi = 0  # the next break to honour

    for a, b, act, place, where in plan:
        # A break closes every open element, so each fragment stands alone in its cell.
        while bi < len(breaks) and breaks[bi] <= a:
            bi += 1
            close_paragraph()
            parts.append("".join(out))
            out.clear()
        if place == "out":
            close_paragraph()
            out.append(_text(text[a:b]))
            continue
        para = sents[where].paragraph if where >= 0 else -1
        if open_p != para:
            close_paragraph()
            out.append("<p>" if place != "gap" else '<p class="gap">')
            open_p = para
        if place == "s" and open_s != where:
            close_sentence()
            out.append(_sentence_tag(sents[where], has[where], doc.reference))
            open_s = where
        elif place != "s":
            close_sentence()
        empties_at(a)
        for k in act:
            first = k not in seen
            seen.add(k)
            out.append(_mark(items[k], a, b, first, last_piece.get(k) == a))
        out.append(_text(text[a:b]))
        out.append("</mark>" * len(act))
    if empties:
        if open_p is None:
            out.append('<p class="gap">')
            open_p = -1
        for pos in sorted(empties):
            empties_at(pos)
    close_paragraph()
    parts.append("".join(out))
    parts += [""] * (len(breaks) + 1 - len(parts))  # breaks past the last piece: empty cells
    return parts


def _sentence_tag(s: Sentence, has_marks: bool, reference: str | None = None) -> str:
    classes = "s" + (" has" if has_marks else "")
    attrs = f'data-i="{s.index + 1}"'
    if s.score is not None:
        attrs += f' data-score="{s.score:.2f}"'
        if s.score < _LOW_SCORE:
            classes += " lo"
    # Bilingual and reference figures ride along for the details panel (read with textContent)
    # and show on hover, so they are there for unflagged sentences too.
    figures = []
    if s.similarity is not None:
        attrs += f' data-sim="{s.similarity:.2f}"'
        figures.append(f"similarity {s.similarity:.2f}")
    if s.chrf is not None:
        attrs += f' data-chrf="{s.chrf:.1f}"'
        figures.append(f"chrF {s.chrf:.1f}")
    if reference and s.reference_spans:
        attrs += f' data-ref="{esc(_slices(reference, s.reference_spans))}"'
    if figures:
        attrs += f' title="{" · ".join(figures)}"'
    return f'<span class="{classes}" {attrs}>'


def _plain(text: str) -> str:
    """The English source: one paragraph per non-blank line, no highlighting."""
    lines = [line for line in text.splitlines() if line.strip()]
    return "".join(f"<p>{esc(line)}</p>" for line in lines)


# -- source and French side by side ---------------------------------------------------------

_ADDITION_RULE = "MTQA012"  # the aligner's own verdict that a French sentence has no source


def _slices(text: str, spans: list[tuple[int, int]]) -> str:
    """The text of ``spans`` (clamped to ``text``), joined by a space."""
    size = len(text)
    return " ".join(text[min(max(a, 0), size) : min(max(b, 0), size)] for a, b in spans)


@dataclass(slots=True)
class _Row:
    """One alignment link in the side-by-side table: source spans and French sentences.
    No sentences: an omitted source sentence; no spans: French with no source."""

    spans: list[tuple[int, int]]
    sentences: list[Sentence]

    @property
    def kind(self) -> str:
        """One of pair, omit, added and neutral. A headline or dateline with no source is
        often the publisher's own (a credit, "PARIS (AFP) -"): neutral, not an addition,
        unless the aligner flagged it."""
        if not self.sentences:
            return "omit"
        if self.spans:
            return "pair"
        added = any(
            s.kind is SegmentKind.SENTENCE or any(f.rule == _ADDITION_RULE for f in s.findings)
            for s in self.sentences
        )
        return "added" if added else "neutral"


def _is_aligned(doc: Document) -> bool:
    """Whether the aligner ran on ``doc``: without any link recorded (a source but no
    alignment) the report falls back to the two plain columns."""
    return bool(doc.source) and (bool(doc.unaligned_source) or any(s.source_spans for s in doc.sentences))


def _alignment_rows(doc: Document) -> list[_Row]:
    """The table's rows: French sentences in reading order, consecutive ones that share a
    source span merged into one row (a 1-2 link), and each unaligned source span placed
    before the first row whose source starts after it. The aligner is monotone, so French
    order is source order."""
    rows: list[_Row] = []
    for s in sorted(doc.sentences, key=lambda s: s.start):
        spans = sorted(set(s.source_spans))
        prev = rows[-1] if rows else None
        if prev is not None and spans and set(spans) & set(prev.spans):
            prev.sentences.append(s)
            prev.spans = sorted(set(prev.spans) | set(spans))
        else:
            rows.append(_Row(spans, [s]))
    gaps = sorted(set(doc.unaligned_source))
    merged: list[_Row] = []
    g = 0
    for row in rows:
        if row.spans:
            while g < len(gaps) and gaps[g][0] < row.spans[0][0]:
                merged.append(_Row([gaps[g]], []))
                g += 1
        merged.append(row)
    merged += [_Row([gap], []) for gap in gaps[g:]]
    return merged


def _aligned(doc: Document, items: list[_Item], rows: list[_Row]) -> str:
    """Source and French side by side, one row per alignment link (``_alignment_rows``)."""
    source = doc.source or ""
    french = [r for r in rows if r.sentences]
    # Cut the French where each row's first sentence starts; the first row also takes any
    # text before it, so the French cells hold the whole text between them.
    fragments = iter(_article_parts(doc, items, [r.sentences[0].start for r in french[1:]]))
    out = []
    for row in rows:
        kind = row.kind
        sims = sorted({f"{s.similarity:.2f}" for s in row.sentences if s.similarity is not None})
        title = f' title="similarity {" / ".join(sims)}"' if sims else ""
        if row.spans:
            paras = "".join(f"<p>{esc(_slices(source, [span]))}</p>" for span in row.spans)
            src = f'<td class="src" lang="en"{title}>{paras}</td>'
        elif kind == "added":
            src = '<td class="src"><span class="tag" lang="fr">absent de la source</span></td>'
        else:
            src = '<td class="src"></td>'
        if kind == "omit":
            fr = '<td class="fr"><span class="tag" lang="fr">omis dans la traduction</span></td>'
        else:
            fr = f'<td class="fr"><div class="text" lang="fr">{next(fragments)}</div></td>'
        first = row.sentences[0].index + 1 if row.sentences else 0
        data = f' data-i="{first}"' if first else ""
        out.append(f'<tr class="al {kind}"{data}>{src}{fr}</tr>')
    return (
        '<table class="aligned"><thead><tr><th scope="col">Source (English)</th>'
        f'<th scope="col">Translation (French)</th></tr></thead><tbody>{"".join(out)}</tbody></table>'
    )


_METRIC_NAMES = {"bleu": "BLEU", "chrf": "chrF", "ter": "TER"}


def _figure(value: object) -> str:
    """A corpus metric, escaped: one decimal for a number, the value as text otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f"{value:.1f}"
    return "—" if value is None else esc(value)


def _reference_metrics(metrics: dict[str, object] | None) -> str:
    """BLEU, chrF and TER against the reference, with sacrebleu's signatures so the figures
    can be reproduced; nothing when the document had no reference."""
    if not metrics:
        return ""
    figures = " · ".join(
        f"{label} {_figure(metrics[key])}" for key, label in _METRIC_NAMES.items() if key in metrics
    )
    signatures = metrics.get("signatures")
    sigs = ""
    if isinstance(signatures, dict) and signatures:
        pairs = "".join(
            f"<dt>{esc(_METRIC_NAMES.get(str(k), k))}</dt><dd>{esc(v)}</dd>" for k, v in signatures.items()
        )
        sigs = f'<dl class="sigs" aria-label="sacrebleu signatures">{pairs}</dl>'
    figures = f'<span class="figures">Against the reference: {figures or "—"}</span>'
    return f'<div class="refm">{figures}{sigs}</div>'


# -- document sections ----------------------------------------------------------------------


def _findings_table(items: list[_Item], rule_ids: dict[str, str]) -> str:
    if not items:
        return '<p class="none-found">No findings.</p>'
    rows = []
    for it in items:
        f = it.finding
        fixes = " | ".join(s if s else "(delete)" for s in f.suggestions)
        rule_id = rule_ids.get(f.rule)
        rule_cell = f'<a href="#{rule_id}">{esc(f.rule)}</a>' if rule_id else esc(f.rule)
        rows.append(
            f'<tr id="row-{it.key}" class="sev-{f.severity} {it.cat}">'
            f'<td class="num"><a href="#f-{it.key}" title="Show in the text">{it.n}</a></td>'
            f'<td class="num sent">{it.sentence}</td>'
            f'<td class="span">{esc(f.text)}</td>'
            f'<td class="mono">{rule_cell}</td>'
            f"<td>{esc(f.category)}</td>"
            f'<td class="sevcell">{_sev(f.severity)}</td>'
            f'<td class="msg">{esc(f.message)}</td>'
            f'<td class="sug">{esc(fixes)}</td></tr>'
        )
    return (
        '<table class="findings"><thead><tr><th class="num">#</th><th class="num">Sent.</th><th>Text</th>'
        "<th>Rule</th><th>Category</th><th>Severity</th><th>Message</th><th>Suggestion</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _counts(findings: Iterable[Finding]) -> Counter[Severity]:
    return Counter(f.severity for f in findings)


def _document(d: int, doc: Document, items: list[_Item], rule_ids: dict[str, str]) -> str:
    counts = _counts(i.finding for i in items)
    parts = [f"{counts[s]} {s}" for s in _SEVERITIES if counts[s]]
    flagged = sum(1 for s in doc.sentences if s.findings)
    meta = f"score {_score(doc.score)} · {len(doc.sentences)} sentences, {flagged} flagged · " + (
        ", ".join(parts) if parts else "no findings"
    )
    if _is_aligned(doc):
        rows = _alignment_rows(doc)
        omitted = sum(1 for r in rows if r.kind == "omit")
        added = sum(len(r.sentences) for r in rows if r.kind == "added")
        meta += f" · source: {omitted} omitted, {added} added"
        article = _aligned(doc, items, rows)
    elif doc.source:  # a source the aligner did not link: the two texts in plain columns
        article = (
            '<div class="cols"><div class="col"><h3>Source (English)</h3>'
            f'<div class="srctext" lang="en">{_plain(doc.source)}</div></div>'
            '<div class="col"><h3>Translation (French)</h3>'
            f'<div class="text" lang="fr">{_article(doc, items)}</div></div></div>'
        )
    else:
        article = f'<div class="text" lang="fr">{_article(doc, items)}</div>'
    return (
        f'<section class="block doc" id="doc-{d}" aria-labelledby="doc-{d}-h">'
        f'<header>{_status(doc.status)}<h2 id="doc-{d}-h">{esc(doc.path)}</h2>'
        f'<span class="meta">{esc(meta)}</span>{_reference_metrics(doc.reference_metrics)}</header>'
        f'<div class="body">{article}'
        f'<h3 class="tbl">Findings ({len(items)})</h3>{_findings_table(items, rule_ids)}</div>'
        "</section>"
    )


def index_order(documents: list[Document]) -> list[int]:
    """Document positions, worst first: fail, warn, pass; then lower score; then more findings."""

    def key(i: int) -> tuple[int, float, int, int]:
        doc = documents[i]
        score = math.inf if doc.score is None else doc.score
        return (_STATUS_RANK[doc.status], score, -len(doc.findings), i)

    return sorted(range(len(documents)), key=key)


def _index(run: Run) -> str:
    rows = []
    for rank, i in enumerate(index_order(run.documents), start=1):
        doc = run.documents[i]
        counts = _counts(doc.findings)
        flagged = sum(1 for s in doc.sentences if s.findings)
        rows.append(
            f'<tr><td class="num">{rank}</td>'
            f'<td><a href="#doc-{i + 1}">{esc(doc.path)}</a></td><td>{_status(doc.status)}</td>'
            f'<td class="num">{_score(doc.score)}</td>'
            + "".join(f'<td class="num">{counts[s]}</td>' for s in _SEVERITIES)
            + f'<td class="num">{flagged} / {len(doc.sentences)}</td></tr>'
        )
    return (
        '<section class="block" id="index" aria-labelledby="index-h">'
        '<h2 id="index-h">Documents, worst first</h2>'
        '<table class="index"><thead><tr><th class="num">#</th><th>Document</th><th>Status</th>'
        '<th class="num">Score</th>'
        + "".join(f'<th class="num">{_GLYPH[s]} {s}</th>' for s in _SEVERITIES)
        + '<th class="num">Flagged sentences</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _errors(run: Run) -> str:
    if not run.failures:
        return ""
    rows = "".join(f"<tr><td>{esc(f.path)}</td><td>{esc(f.message)}</td></tr>" for f in run.failures)
    return (
        '<section class="block" id="errors" aria-labelledby="errors-h">'
        f'<h2 id="errors-h">Input errors ({len(run.failures)})</h2>'
        '<p class="muted">These inputs could not be checked and are not in the report.</p>'
        f'<table class="errors"><thead><tr><th>Input</th><th>Error</th></tr></thead><tbody>{rows}</tbody>'
        "</table></section>"
    )


def _rules(used: list[str]) -> tuple[str, dict[str, str]]:
    """The documentation of every rule the report cites, and each code's anchor id."""
    known: dict[str, Rule] = {r.code: r for r in all_rules()}
    ids: dict[str, str] = {}
    blocks = []
    for n, code in enumerate(used, start=1):
        r = known.get(code)
        if r is None:
            continue
        ids[code] = f"rule-{n}"
        blocks.append(
            f'<div class="rule" id="rule-{n}" data-code="{esc(r.code)}" data-name="{esc(r.name)}">'
            f'<p><strong class="mono">{esc(r.code)}</strong> {esc(r.name)} · {esc(r.category)} · '
            f"default severity {_sev(r.severity)}</p>"
            f'<p class="doc-text">{esc(r.doc)}</p>'
            f'<p class="muted">More, with examples: <code>mtqa explain {esc(r.code)}</code></p></div>'
        )
    if not blocks:
        return "", ids
    section = (
        '<section class="block" id="rules" aria-labelledby="rules-h">'
        f'<h2 id="rules-h">Rules cited ({len(blocks)})</h2>{"".join(blocks)}</section>'
    )
    return section, ids


# -- header, summary and charts -------------------------------------------------------------


def _inputs(run: Run) -> str:
    # Feed documents are named "feed.jsonl#id": the feed is the input.
    names: dict[str, None] = {}
    for path in [d.path for d in run.documents] + [f.path for f in run.failures]:
        base, sep, _ = path.partition("#")
        names[base if sep and base.endswith(".jsonl") else path] = None
    listed = list(names)
    shown = ", ".join(listed[:_MAX_INPUTS])
    more = len(listed) - _MAX_INPUTS
    return esc(shown + (f" … and {more} more" if more > 0 else "")) or "—"


def _settings(run: Run) -> str:
    cfg = run.config
    rows = [
        ("Inputs", _inputs(run)),
        ("Fail on", esc(str(cfg.fail_on) if cfg.fail_on else "never")),
        ("Model", esc(run.scorer_id if run.scorer_id != "none" else "none (rules only)")),
        ("Configuration", esc(cfg.source)),
        ("Select / ignore", esc(f"{', '.join(cfg.select) or '—'} / {', '.join(cfg.ignore) or '—'}")),
        ("Severity overrides", esc(", ".join(f"{k}={v}" for k, v in sorted(cfg.severity.items())) or "—")),
        (
            "Thresholds",
            esc(f"French share ≥ {cfg.min_french_share:.0%} · max {cfg.max_bytes:,} bytes per article"),
        ),
    ]
    # Inputs get a row of their own; the short settings pair up two to a row.
    dl = "".join(f"<dt>{k}</dt><dd{' class=wide' if k == 'Inputs' else ''}>{v}</dd>" for k, v in rows)
    return (
        '<section class="block" aria-labelledby="settings-h"><h2 id="settings-h">Settings</h2>'
        f'<dl class="kv">{dl}</dl></section>'
    )


def _category_chart(by_cat: Counter[str], cats: _Categories) -> str:
    if not by_cat:
        return (
            '<svg viewBox="0 0 480 40" role="img" aria-label="No findings">'
            '<text class="none" x="0" y="24">no findings</text></svg>'
        )
    names = [c for c in cats.order if by_cat[c]]
    top = max(by_cat.values())
    label_w, bar_w, row_h = 190, 250, 24
    height = row_h * len(names) + 8
    parts = [
        f'<svg viewBox="0 0 480 {height}" role="img" aria-labelledby="chart-cat-t">'
        '<title id="chart-cat-t">Findings by category</title>'
    ]
    for i, name in enumerate(names):
        y = 4 + i * row_h
        w = max(2, round(bar_w * by_cat[name] / top))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{esc(name)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 8}" rx="2"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{by_cat[name]}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _score_chart(scores: list[float]) -> str:
    if not scores:
        return (
            '<svg viewBox="0 0 480 60" role="img" aria-label="No scores (model off)">'
            '<text class="none" x="0" y="34">no scores (model off)</text></svg>'
        )
    bins = [0] * 10
    for s in scores:
        bins[min(max(int(s * 10), 0), 9)] += 1
    top = max(bins)
    left, bottom, plot_h, bin_w = 36, 150, 120, 42
    parts = [
        '<svg viewBox="0 0 480 180" role="img" aria-labelledby="chart-score-t">'
        f'<title id="chart-score-t">Sentence scores: {len(scores)} sentences in ten bins from 0 to 1</title>'
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{left + 10 * bin_w}" y2="{bottom}"/>'
    ]
    for i, count in enumerate(bins):
        h = round(plot_h * count / top) if count else 0
        x = left + i * bin_w
        cls = "bar lo" if (i + 1) / 10 <= _LOW_SCORE else "bar"
        if h:
            parts.append(
                f'<rect class="{cls}" x="{x + 3}" y="{bottom - h}" width="{bin_w - 6}" height="{h}"/>'
            )
            parts.append(
                f'<text x="{x + bin_w / 2}" y="{bottom - h - 4}" text-anchor="middle">{count}</text>'
            )
    for v in (0, 0.5, 1):
        parts.append(f'<text x="{left + v * 10 * bin_w}" y="{bottom + 16}" text-anchor="middle">{v:g}</text>')
    parts.append(
        f'<text x="{left + 5 * bin_w}" y="{bottom + 30}" text-anchor="middle">sentence score</text></svg>'
    )
    return "".join(parts)


def _card(number: str, label: str, cls: str = "") -> str:
    """A summary figure; both arguments are trusted markup built here, never user text."""
    return f'<div class="card {cls}"><span class="n">{number}</span><span class="l">{label}</span></div>'


def _summary(run: Run, cats: _Categories) -> str:
    findings = [f for d in run.documents for f in d.findings]
    sev = _counts(findings)
    by_cat = Counter(f.category for f in findings)
    statuses = Counter(d.status for d in run.documents)
    n_sent = sum(len(d.sentences) for d in run.documents)
    flagged = sum(1 for d in run.documents for s in d.sentences if s.findings)
    scored = [s.score for d in run.documents for s in d.sentences if s.score is not None]
    doc_scores = [d.score for d in run.documents if d.score is not None]
    docs_line = " · ".join(f"{statuses[s]} {s}" for s in (Status.FAIL, Status.WARN, Status.PASS))
    cards = [
        _card(str(len(run.documents)), f"documents ({docs_line})"),
        _card(str(n_sent), f"sentences, {flagged} flagged"),
        *(_card(str(sev[s]), f"{_GLYPH[s]} {s}", f"sev-{s}") for s in _SEVERITIES),
    ]
    if doc_scores:
        mean = sum(doc_scores) / len(doc_scores)
        cards.append(_card(f"{mean:.2f}", f"mean document score (lowest {min(doc_scores):.2f})"))
    else:
        cards.append(_card("—", "document score (model off)"))
    accepted = sum(d.suppressed for d in run.documents)
    if accepted:
        cards.append(_card(str(accepted), "findings accepted by the baseline (not shown)"))
    if run.failures:
        cards.append(_card(f'<a href="#errors">{len(run.failures)}</a>', "input errors"))
    legend = "".join(f"<li>{_sev(s)}</li>" for s in _SEVERITIES)
    return (
        '<section class="block" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
        f'<div class="cards">{"".join(cards)}</div>'
        '<div class="charts">'
        f'<div class="chart"><h3>Findings by category</h3>{_category_chart(by_cat, cats)}</div>'
        f'<div class="chart"><h3>Sentence scores</h3>{_score_chart(scored)}</div>'
        "</div>"
        f'<ul class="legend" aria-label="Severity legend">{legend}'
        "<li>critical: double underline · major: solid · minor: dashed</li></ul></section>"
    )


def _toolbar(run: Run, cats: _Categories) -> str:
    findings = [f for d in run.documents for f in d.findings]
    sev = _counts(findings)
    by_cat = Counter(f.category for f in findings)
    sev_boxes = "".join(
        f'<label class="chip"><input type="checkbox" data-filter="sev" value="{s}" checked>'
        f"{_sev(s)} ({sev[s]})</label>"
        for s in _SEVERITIES
    )
    cat_boxes = "".join(
        f'<label class="chip"><input type="checkbox" data-filter="cat" value="{cats.cls[c]}" checked>'
        f"{esc(c)} ({by_cat[c]})</label>"
        for c in cats.order
    )
    return (
        '<div class="toolbar" role="region" aria-label="Filters and navigation"><div class="wrap">'
        f"<fieldset><legend>Severity</legend>{sev_boxes}</fieldset>"
        + (
            '<details class="dd"><summary>Categories <span id="cat-count" class="muted">'
            f"({len(cats.order)}/{len(cats.order)})</span></summary>"
            f'<fieldset class="dd-menu"><legend class="vh">Category</legend>{cat_boxes}</fieldset></details>'
            if cat_boxes
            else ""
        )
        + '<label class="chip"><input type="checkbox" id="flagged-only">Flagged sentences only</label>'
        '<button type="button" id="reset">Show all</button>'
        '<span class="nav">'
        '<button type="button" id="prev" title="Previous finding (keys p or k)">◀ Prev</button>'
        '<span id="pos" aria-live="polite">–</span>'
        '<button type="button" id="next" title="Next finding (keys n or j; Esc closes the details)">'
        "Next ▶</button></span>"
        "</div></div>"
    )


def _filter_css(cats: _Categories) -> str:
    """Hiding rules for the filter classes the script puts on <body>: screen only, so a
    printout always shows everything."""
    keys = [f"sev-{s}" for s in _SEVERITIES] + [cats.cls[c] for c in cats.order]
    rules = []
    for key in keys:
        hide = key.removeprefix("sev-")
        rules.append(
            f".hide-{hide} mark.{key}{{background:transparent;border-bottom-color:transparent;cursor:auto}}"
            f".hide-{hide} mark.{key}::after{{content:none}}"
            f".hide-{hide} tr.{key}{{display:none}}"
        )
    flagged = (
        ".flagged-only .text .s:not(.live),.flagged-only .text>p:not(.live),"
        ".flagged-only .srctext,.flagged-only .doc:not(.live) .body,"
        # Side by side: rows without a visible finding go, but gaps in the alignment stay.
        ".flagged-only tr.al.pair:not(.live),.flagged-only tr.al.neutral:not(.live){display:none}"
    )
    return "@media screen{" + "".join(rules) + flagged + "}"


def render(run: Run, *, date: str | None = None, form: str = "", title: str = "mtqa review report") -> str:
    """The report page. ``form``: trusted markup (``mtqa serve``'s review form) shown above the
    report, which may then post to its own origin; with a form and no document, the page is the
    form alone."""
    date = date or os.environ.get(DATE_ENV) or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cats = _Categories(f.category for d in run.documents for f in d.findings)
    used = sorted({f.rule for d in run.documents for f in d.findings})
    rules_html, rule_ids = _rules(used)
    status = run_status(run)

    sections = []
    for d, doc in enumerate(run.documents, start=1):
        sections.append(_document(d, doc, _items(d, doc, cats), rule_ids))

    css = _asset("report.css") + _filter_css(cats)
    js = _asset("report.js")
    csp = (
        f"default-src 'none'; script-src '{_sha256(js)}'; style-src '{_sha256(css)}'; "
        f"img-src data:; base-uri 'none'; form-action {FORM_ACTION if form else NO_FORM}"
    )
    empty = bool(form) and not run.documents and not run.failures
    n_docs = len(run.documents)
    sub = f"mtqa {run.version} · {date} · {n_docs} document{'s' if n_docs != 1 else ''}"
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en" class="no-js"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">',
            '<meta name="referrer" content="no-referrer">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="color-scheme" content="light dark">',
            f'<meta name="generator" content="mtqa {esc(run.version)}">',
            f"<title>mtqa report · {esc(str(status).upper())} · {n_docs} document(s)</title>",
            f"<style>{css}</style></head>\n<body>",
            '<a class="skip" href="#main">Skip to the report</a>',
            f'<header class="top"><div class="wrap"><div><h1>{esc(title)}</h1>',
            f'<p class="sub">{esc(sub)}</p></div>',
            "" if empty else f'<div class="verdict st-{status}" role="status">{_STATUS_GLYPH[status]} ',
            "" if empty else f"{str(status).upper()}</div>",
            "</div></header>\n",
            "" if empty else _toolbar(run, cats),
            '\n<main id="main" class="wrap">',
            form,
            "" if empty else _settings(run),
            "" if empty else _summary(run, cats),
            _errors(run),
            _index(run) if n_docs > 1 else "",
            "\n",
            "\n".join(sections),
            "\n",
            rules_html,
            "</main>\n",
            '<aside id="details" class="details" hidden aria-labelledby="details-title">',
            '<div class="details-head"><h2 id="details-title">Finding details</h2>',
            '<button type="button" id="details-close" aria-label="Close details">✕</button></div>',
            '<div id="details-body"></div></aside>\n',
            f"<script>{js}</script>\n</body></html>\n",
        ]
    )

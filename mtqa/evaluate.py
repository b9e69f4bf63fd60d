"""Score the checker on annotated data: span and sentence recall, and false alarms.

Understands three inputs:
- devset JSONL: ``{"mt_fr": ..., "errors": [{"phrase", "category", "severity"}], "ref_fr"?: ...}``;
  records with no errors, and every ``ref_fr``, count as clean text;
- span annotations JSONL: ``{"file", "start", "end", "category", "severity"}`` with the
  files beside it (the seeds' format);
- a JSONL feed with references: ``{"id", "text", "reference"?, "source"?}`` (mtqa's
  input format); it carries no error labels, only the QE-score-vs-chrF correlation;
- a plain text file: one clean French sentence per line.

Wherever there is a reference (devset ``ref_fr``, feed ``reference``), the QE score is
also compared with chrF against it: Pearson and Kendall's tau-b over the segments that
have both (higher score, 1 = good, should go with higher chrF).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mtqa.api import Checker
from mtqa.document import Document, InputFailure


@dataclass
class Tally:
    found: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.found += int(hit)

    @property
    def rate(self) -> float | None:
        return self.found / self.total if self.total else None

    def __str__(self) -> str:
        rate = f"{self.rate:.1%}" if self.rate is not None else "n/a"
        return f"{self.found}/{self.total} ({rate})"


@dataclass
class Evaluation:
    spans: Tally = field(default_factory=Tally)
    major_spans: Tally = field(default_factory=Tally)
    sentences: Tally = field(default_factory=Tally)  # erroneous segments with at least one finding
    major_sentences: Tally = field(default_factory=Tally)
    clean: Tally = field(default_factory=Tally)  # clean segments with at least one finding (false alarms)
    by_category: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    scored: list[tuple[float, int]] = field(default_factory=list)  # (error score, has error) per segment
    false_alarms: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # (QE score or None when no model ran, chrF against the reference) per segment with a reference
    reference_chrf: list[tuple[float | None, float]] = field(default_factory=list)


def _check(
    checker: Checker, text: str, name: str, ev: Evaluation, source: str | None = None
) -> Document | None:
    result = checker.check(Document(path=name, text=text, source=source))
    if isinstance(result, InputFailure):
        ev.skipped.append(result.message)
        return None
    return result


def _record_score(ev: Evaluation, scores: list[float | None], has_error: bool) -> None:
    """The worst sentence's score stands for the segment; AUC needs an error-ness, so 1 - score."""
    known = [s for s in scores if s is not None]
    if known:
        ev.scored.append((1.0 - min(known), int(has_error)))


def _overlaps(doc: Document, start: int, end: int) -> bool:
    return any(f.start < end and start < f.end for f in doc.findings)


def _min_score(doc: Document) -> float | None:
    known = [s.score for s in doc.sentences if s.score is not None]
    return min(known) if known else None


def _clean(
    checker: Checker, text: str, name: str, ev: Evaluation, source: str | None = None
) -> Document | None:
    doc = _check(checker, text, name, ev, source)
    if doc is None:
        return None
    flagged = bool(doc.findings)
    ev.clean.add(flagged)
    _record_score(ev, [s.score for s in doc.sentences], False)
    if flagged:
        ev.false_alarms.append(f"{name}: " + "; ".join(f"{f.rule} «{f.text}»" for f in doc.findings))
    return doc


def _spans(doc: Document, spans: list[dict], ev: Evaluation, name: str) -> None:
    for sp in spans:
        hit = _overlaps(doc, sp["start"], sp["end"])
        ev.spans.add(hit)
        ev.by_category[sp["category"]].add(hit)
        if sp.get("severity") == "major":
            ev.major_spans.add(hit)
        if not hit:
            ev.missed.append(f"{name}: [{sp['category']}/{sp.get('severity')}] «{sp['phrase']}»")


def evaluate_devset(path: Path, checker: Checker, ev: Evaluation, with_source: bool = True) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        name = rec.get("id", "?")
        source = rec.get("source_en") if with_source else None
        if rec.get("ref_fr"):
            _clean(checker, rec["ref_fr"], f"{name}/ref", ev, source)
        if not rec["errors"]:
            doc = _clean(checker, rec["mt_fr"], name, ev, source)
            _reference_chrf(doc, rec, ev)
            continue
        doc = _check(checker, rec["mt_fr"], name, ev, source)
        if doc is None:
            continue
        _reference_chrf(doc, rec, ev)
        spans = []
        for err in rec["errors"]:
            start = rec["mt_fr"].find(err["phrase"])
            spans.append({**err, "start": start, "end": start + len(err["phrase"])})
        _spans(doc, spans, ev, name)
        _record_score(ev, [s.score for s in doc.sentences], True)
        hit = bool(doc.findings)
        ev.sentences.add(hit)
        if any(e["severity"] == "major" for e in rec["errors"]):
            ev.major_sentences.add(hit)


def _reference_chrf(doc: Document | None, rec: dict, ev: Evaluation) -> None:
    """A devset record's QE score (its worst sentence, as for the AUC) beside the chrF of
    ``mt_fr`` against ``ref_fr`` (one segment each: no alignment needed)."""
    if doc is None or not rec.get("ref_fr"):
        return
    from mtqa.reference import sentence_chrf

    ev.reference_chrf.append((_min_score(doc), sentence_chrf(rec["mt_fr"], rec["ref_fr"])))


def evaluate_feed(path: Path, checker: Checker, ev: Evaluation, with_source: bool = True) -> None:
    """A feed's articles with a reference: each aligned sentence's QE score beside its chrF."""
    from mtqa.read.feed import read_feed

    for item in read_feed(str(path), encoding=checker.config.encoding, max_bytes=checker.config.max_bytes):
        if isinstance(item, InputFailure):
            ev.skipped.append(item.message)
            continue
        if not with_source:
            item.source = None
        doc = checker.check_isolated(item)  # one failing article does not stop the evaluation
        if isinstance(doc, InputFailure):
            ev.skipped.append(doc.message)
            continue
        ev.reference_chrf += [(s.score, s.chrf) for s in doc.sentences if s.chrf is not None]


def evaluate_annotations(path: Path, checker: Checker, ev: Evaluation) -> None:
    by_file: dict[str, list[dict]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            by_file[rec["file"]].append(rec)
    for file, spans in sorted(by_file.items()):
        text = (path.parent / file).read_text(encoding="utf-8")
        doc = _check(checker, text, file, ev)
        if doc is None:
            continue
        _spans(doc, spans, ev, file)
        for s in doc.sentences:
            errs = [sp for sp in spans if sp["start"] < s.end and s.start < sp["end"]]
            _record_score(ev, [s.score], bool(errs))
            if errs:
                ev.sentences.add(bool(s.findings))
                if any(sp["severity"] == "major" for sp in errs):
                    ev.major_sentences.add(bool(s.findings))
            elif s.findings:
                ev.clean.add(True)
                ev.false_alarms.append(f"{file}: " + "; ".join(f"{f.rule} «{f.text}»" for f in s.findings))
            else:
                ev.clean.add(False)


def evaluate_clean_lines(path: Path, checker: Checker, ev: Evaluation) -> None:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            _clean(checker, line, f"{path.name}:{i}", ev)


def evaluate(paths: list[Path], checker: Checker, with_source: bool = True) -> Evaluation:
    ev = Evaluation()
    for path in paths:
        if path.suffix == ".jsonl":
            first = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[0])
            if "mt_fr" in first:
                evaluate_devset(path, checker, ev, with_source)
            elif "text" in first:
                evaluate_feed(path, checker, ev, with_source)
            else:
                evaluate_annotations(path, checker, ev)
        else:
            evaluate_clean_lines(path, checker, ev)
    return ev


def _auc_text(ev: Evaluation) -> str:
    from mtqa.qe.metrics import roc_auc

    if not ev.scored:
        return "n/a (no scores: the model is off)"
    auc = roc_auc([s for s, _ in ev.scored], [y for _, y in ev.scored])
    return (
        "n/a (needs both clean and erroneous segments)"
        if auc is None
        else f"{auc:.3f} over {len(ev.scored)} segments"
    )


def pearson(x: list[float], y: list[float]) -> float | None:
    """Pearson's r; None with fewer than two points or a constant side."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2:
        return None
    a, b = a - a.mean(), b - b.mean()
    norm = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / norm if norm > 0 else None


def kendall_tau_b(x: list[float], y: list[float], chunk: int = 256) -> float | None:
    """Kendall's tau-b (ties on either side handled), None with fewer than two points or a
    constant side.

    tau-b = (concordant - discordant) / sqrt(pairs not tied in x * pairs not tied in y). With
    s = sign(x_i - x_j) and t = sign(y_i - y_j) over all pairs, that is sum(s*t) /
    sqrt(sum(s*s) * sum(t*t)). O(n²), computed ``chunk`` rows at a time so memory stays
    at a few chunk * n arrays (20,000 points: 40 MB each, a few seconds).
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(a) < 2:
        return None
    both = untied_x = untied_y = 0
    for start in range(0, len(a), chunk):
        s = np.sign(a[start : start + chunk, None] - a[None, :])
        t = np.sign(b[start : start + chunk, None] - b[None, :])
        both += int((s * t).sum())
        untied_x += int(np.abs(s).sum())
        untied_y += int(np.abs(t).sum())
    # Every pair was counted twice (i, j and j, i), which cancels out in the ratio.
    if untied_x == 0 or untied_y == 0:
        return None
    return both / math.sqrt(untied_x * untied_y)


def _correlation_text(ev: Evaluation) -> str:
    if not ev.reference_chrf:
        return "n/a (no references)"
    pairs = [(score, chrf) for score, chrf in ev.reference_chrf if score is not None]
    if not pairs:
        return "n/a (no scores: the model is off)"
    scores, chrfs = [p[0] for p in pairs], [p[1] for p in pairs]
    r, tau = pearson(scores, chrfs), kendall_tau_b(scores, chrfs)
    if r is None or tau is None:
        return f"n/a (needs two or more differing scores and chrFs; {len(pairs)} segments)"
    return f"Pearson {r:.2f}, Kendall {tau:.2f} over {len(pairs)} segments"


def format_evaluation(ev: Evaluation, verbose: bool = False) -> str:
    lines = [
        f"span recall           {ev.spans}",
        f"span recall (major)   {ev.major_spans}",
        f"sentence recall       {ev.sentences}",
        f"sentence recall major {ev.major_sentences}",
        f"clean flagged         {ev.clean}",
        f"ROC AUC (score)       {_auc_text(ev)}",
        f"QE score vs chrF      {_correlation_text(ev)}",
        "per category:",
    ]
    lines += [f"  {cat:<28}{tally}" for cat, tally in sorted(ev.by_category.items())]
    if verbose:
        lines += ["false alarms:"] + [f"  {x}" for x in ev.false_alarms]
        lines += ["missed:"] + [f"  {x}" for x in ev.missed]
    if ev.skipped:
        lines += [f"skipped: {len(ev.skipped)} input(s) not checked"] + [f"  {x}" for x in ev.skipped[:10]]
    return "\n".join(lines)

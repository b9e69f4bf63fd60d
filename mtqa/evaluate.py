"""Score the checker on annotated data: span and sentence recall, and false alarms.

Understands three inputs:
- devset JSONL: ``{"mt_fr": ..., "errors": [{"phrase", "category", "severity"}], "ref_fr"?: ...}``;
  records with no errors, and every ``ref_fr``, count as clean text;
- span annotations JSONL: ``{"file", "start", "end", "category", "severity"}`` with the
  files beside it (the seeds' format);
- a plain text file: one clean French sentence per line.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

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


def _clean(checker: Checker, text: str, name: str, ev: Evaluation, source: str | None = None) -> None:
    doc = _check(checker, text, name, ev, source)
    if doc is None:
        return
    flagged = bool(doc.findings)
    ev.clean.add(flagged)
    _record_score(ev, [s.score for s in doc.sentences], False)
    if flagged:
        ev.false_alarms.append(f"{name}: " + "; ".join(f"{f.rule} «{f.text}»" for f in doc.findings))


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
            _clean(checker, rec["mt_fr"], name, ev, source)
            continue
        doc = _check(checker, rec["mt_fr"], name, ev, source)
        if doc is None:
            continue
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


def format_evaluation(ev: Evaluation, verbose: bool = False) -> str:
    lines = [
        f"span recall           {ev.spans}",
        f"span recall (major)   {ev.major_spans}",
        f"sentence recall       {ev.sentences}",
        f"sentence recall major {ev.major_sentences}",
        f"clean flagged         {ev.clean}",
        f"ROC AUC (score)       {_auc_text(ev)}",
        "per category:",
    ]
    lines += [f"  {cat:<28}{tally}" for cat, tally in sorted(ev.by_category.items())]
    if verbose:
        lines += ["false alarms:"] + [f"  {x}" for x in ev.false_alarms]
        lines += ["missed:"] + [f"  {x}" for x in ev.missed]
    if ev.skipped:
        lines += [f"skipped: {len(ev.skipped)} input(s) not checked"] + [f"  {x}" for x in ev.skipped[:10]]
    return "\n".join(lines)

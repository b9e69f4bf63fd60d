"""Score a checker configuration on the real-article set (eval/realdev, texts in its local cache).

Prints, for each half (dev, test) and both together:
- span and sentence recall, overall, on major errors and per category (MT excerpts);
- the share of human-written sentences flagged, page furniture (MTQA6xx) counted apart;
- sentence ROC AUC: sentences with a major error against error-free human sentences;
- document ROC AUC: MT against human excerpts, by the document triage score;
- chars/s of the whole check.

    python benchmarks/realdev.py [--no-model] [--select CODES] [--ignore CODES] [--config FILE]
    python benchmarks/realdev.py --show dev      # list false alarms and misses (dev half only)
    python benchmarks/realdev.py --set wide --show wide   # the wide set (eval/wide)

Tune and look at examples on the dev half only; the test half only measures. The wide set
(eval/wide) measures false alarms on the French of many more newsrooms (its human part is
tuned on) and recall and triage on MT sites outside this set (its MT part only measures).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "eval" / "realdev"))

import gather  # noqa: E402

from mtqa.api import Checker  # noqa: E402
from mtqa.config import Config, load_config  # noqa: E402
from mtqa.document import Document, Sentence, Severity  # noqa: E402
from mtqa.qe.metrics import roc_auc  # noqa: E402

FURNITURE = "MTQA6"
# The pages corpus opens some excerpts with its own crawl stamp, « date 2023-08 », which is
# not page text: it is blanked (same length, so annotation offsets hold) before checking.
CORPUS_STAMP = re.compile(r"^\s*date \d{4}-\d{2}\b")


# The corpus also cuts an excerpt after a fixed length, often inside a word (« le jeune
# étudian »): that last partial word is the corpus's, not the page's, and is blanked too.
CUT_WORD = re.compile(r"(?<=[\s'’])[^\W\d_]+\Z")


def page_text(text: str) -> str:
    text = CORPUS_STAMP.sub(lambda m: " " * len(m.group()), text, count=1)
    return CUT_WORD.sub(lambda m: " " * len(m.group()), text)


def checked(checker: Checker, split: str | None = None) -> Iterator[tuple[dict, Document]]:
    """Each cached record of ``split`` (both halves if None) with its checked document."""
    for rec in gather.records():
        text = gather.cached_text(rec["id"])
        if text is None or (split is not None and rec["split"] != split):
            continue
        doc = checker.check(Document(path=rec["id"], text=page_text(text)))
        if isinstance(doc, Document):
            yield rec, doc


@dataclass
class Rate:
    hit: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hit += int(hit)
        self.total += 1

    def __str__(self) -> str:
        return f"{self.hit}/{self.total} ({self.hit / self.total:.1%})" if self.total else "n/a"


@dataclass
class Tally:
    spans: Rate = field(default_factory=Rate)
    major_spans: Rate = field(default_factory=Rate)
    sentences: Rate = field(default_factory=Rate)
    major_sentences: Rate = field(default_factory=Rate)
    human_flagged: Rate = field(
        default_factory=Rate
    )  # error-free human sentences with a non-furniture finding
    human_furniture: Rate = field(default_factory=Rate)  # … with a furniture finding only
    human_any: Rate = field(default_factory=Rate)  # … with any finding
    by_category: dict[str, Rate] = field(default_factory=lambda: defaultdict(Rate))
    sentence_scores: list[tuple[float, int]] = field(default_factory=list)
    document_scores: list[tuple[float, int]] = field(default_factory=list)
    chars: int = 0
    seconds: float = 0.0
    false_alarms: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)


def errorness(s: Sentence) -> float:
    """How likely the sentence is wrong: the model's view when it scored it, else the rules'."""
    if s.score is not None:
        return 1.0 - s.score
    worst = max((f.severity for f in s.findings), default=None)
    return {None: 0.0, Severity.MINOR: 0.75}.get(worst, 0.9)


def triage(doc: Document) -> float:
    """Document triage score in [0, 1], higher = needs an editor more (mtqa's own when it has one)."""
    value = getattr(doc, "triage", None)
    if value is not None:
        return value
    return 1.0 - doc.score if doc.score is not None else float(len(doc.findings)) / max(1, len(doc.sentences))


def tally_document(rec: dict, doc: Document, t: Tally) -> None:
    errors = rec.get("errors", [])
    mt = rec["kind"] == "mt"
    for e in errors:
        hit = any(f.start < e["end"] and e["start"] < f.end for f in doc.findings)
        if mt:
            t.spans.add(hit)
            t.by_category[e["category"]].add(hit)
            if e["severity"] == "major":
                t.major_spans.add(hit)
        if not hit:
            t.misses.append(f"{rec['id']} [{e['category']}/{e['severity']}] «{e['phrase']}»")
    for s in doc.sentences:
        errs = [e for e in errors if e["start"] < s.end and s.start < e["end"]]
        flagged = bool(s.findings)
        if errs:
            if mt:
                t.sentences.add(flagged)
            major = any(e["severity"] == "major" for e in errs)
            if major and mt:
                t.major_sentences.add(flagged)
                t.sentence_scores.append((errorness(s), 1))
        elif not mt:
            real = [f for f in s.findings if not f.rule.startswith(FURNITURE)]
            t.human_flagged.add(bool(real))
            t.human_furniture.add(flagged and not real)
            t.human_any.add(flagged)
            t.sentence_scores.append((errorness(s), 0))
            if real:
                t.false_alarms.append(
                    f"{rec['id']}: " + "; ".join(f"{f.rule} «{f.text}» ({f.severity})" for f in real)
                )
    t.document_scores.append((triage(doc), int(mt)))


def report(name: str, t: Tally) -> str:
    def auc(pairs: list[tuple[float, int]]) -> str:
        value = roc_auc([s for s, _ in pairs], [y for _, y in pairs])
        return "n/a" if value is None else f"{value:.3f}"

    lines = [
        f"== {name}: {len(t.document_scores)} excerpts, {t.chars:,} chars",
        f"span recall                  {t.spans}",
        f"span recall, major           {t.major_spans}",
        f"sentence recall              {t.sentences}",
        f"sentence recall, major       {t.major_sentences}",
        f"human sentences flagged      {t.human_flagged}"
        f"  (furniture only: {t.human_furniture}; any: {t.human_any})",
        f"sentence ROC AUC (major vs human)  {auc(t.sentence_scores)}",
        f"document ROC AUC (MT vs human)     {auc(t.document_scores)}",
        f"throughput                   {t.chars / t.seconds:,.0f} chars/s" if t.seconds else "",
        "recall per category (spans):",
    ]
    lines += [f"  {cat:<28}{rate}" for cat, rate in sorted(t.by_category.items())]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--select", default="")
    parser.add_argument("--ignore", default="")
    parser.add_argument("--config", type=Path)
    parser.add_argument("--set", choices=sorted(gather.SETS), default="realdev", help="real-article set")
    parser.add_argument("--show", choices=["dev", "wide"], help="list false alarms (and dev misses)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()

    cfg: Config = load_config(explicit=args.config)
    cfg.model = cfg.model and not args.no_model
    cfg.select = (*cfg.select, *[c for c in args.select.split(",") if c])
    cfg.ignore = (*cfg.ignore, *[c for c in args.ignore.split(",") if c])
    checker = Checker(cfg)

    gather.use_set(args.set)
    splits = ("dev", "test", "all") if args.set == "realdev" else ("wide",)
    halves: dict[str, Tally] = {name: Tally() for name in splits}
    missing = 0
    for rec in gather.records():
        text = gather.cached_text(rec["id"])
        if text is None:
            missing += 1
            continue
        start = time.perf_counter()
        doc = checker.check(Document(path=rec["id"], text=page_text(text)))
        seconds = time.perf_counter() - start
        if not isinstance(doc, Document):
            print(f"not checked: {doc.message}", file=sys.stderr)
            continue
        for name in {rec["split"], "all"} & set(halves):
            tally_document(rec, doc, halves[name])
            halves[name].chars += len(text)
            halves[name].seconds += seconds
    if missing:
        print(f"{missing} records are not cached: see eval/{args.set}/README.md", file=sys.stderr)
    print(f"checker: model={'on' if cfg.model else 'off'} select={cfg.select} ignore={cfg.ignore}")
    for name, t in halves.items():
        print(report(name, t))
    if args.show in halves:
        print(f"\nfalse alarms ({args.show}):\n  " + "\n  ".join(halves[args.show].false_alarms))
    if args.show == "dev":  # the wide set's MT misses stay unread: that part only measures
        print("\nmisses (dev):\n  " + "\n  ".join(halves["dev"].misses))
    if args.json:
        figures = {
            name: {
                "major_sentence_recall": t.major_sentences.hit / max(1, t.major_sentences.total),
                "human_flagged": t.human_flagged.hit / max(1, t.human_flagged.total),
                "human_any": t.human_any.hit / max(1, t.human_any.total),
                "sentence_auc": roc_auc([s for s, _ in t.sentence_scores], [y for _, y in t.sentence_scores]),
                "document_auc": roc_auc([s for s, _ in t.document_scores], [y for _, y in t.document_scores]),
            }
            for name, t in halves.items()
        }
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Sentence-alignment accuracy on feeds with known links (eval/align/build.py).

    python benchmarks/alignment.py                       # the committed devset feeds
    python benchmarks/alignment.py /tmp/training-feeds.jsonl

Prints the share of gold links the aligner finds exactly (all segments on both sides
right), by link type, and its speed. A feed whose text the segmenter splits differently
from the gold is counted apart, not scored.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from mtqa.align import Link, Segment, align
from mtqa.segment import segment

ROOT = Path(__file__).resolve().parents[1]
FEEDS = ROOT / "eval" / "align" / "devset-feeds.jsonl"


def gold_links(feed: dict) -> tuple[list[Segment], list[Segment], set[Link]] | None:
    """Segments of each side and the gold links as index tuples; None if segmentation differs."""
    src, tgt = segment(feed["source"]), segment(feed["text"])
    en = [t for en, _ in feed["links"] for t in en]
    fr = [t for _, fr in feed["links"] for t in fr]
    if [s.text for s in src] != en or [s.text for s in tgt] != fr:
        return None
    links, i, j = set(), 0, 0
    for en_texts, fr_texts in feed["links"]:
        links.add(Link(tuple(range(i, i + len(en_texts))), tuple(range(j, j + len(fr_texts)))))
        i, j = i + len(en_texts), j + len(fr_texts)
    segs = [Segment(s.text, s.kind) for s in src], [Segment(s.text, s.kind) for s in tgt]
    return segs[0], segs[1], links


def kind(link: Link) -> str:
    return f"{len(link.source)}-{len(link.target)}"


def measure(path: Path, limit: int | None = None) -> dict:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    predicted = 0
    mismatched: list[str] = []
    segments = 0
    elapsed = 0.0
    lines = path.read_text(encoding="utf-8").splitlines()[:limit]
    for line in lines:
        feed = json.loads(line)
        gold = gold_links(feed)
        if gold is None:
            mismatched.append(feed["id"])
            continue
        src, tgt, links = gold
        t0 = time.perf_counter()
        pred = {Link(p.source, p.target) for p in align(src, tgt)}
        elapsed += time.perf_counter() - t0
        segments += len(src) + len(tgt)
        predicted += len(pred)
        for link in links:
            total[kind(link)] += 1
            found[kind(link)] += link in pred
    right, n = sum(found.values()), sum(total.values())
    return {
        "feeds": len(lines) - len(mismatched),
        "segmentation_mismatch": mismatched,
        "links": n,
        "accuracy": right / n if n else None,
        "precision": right / predicted if predicted else None,
        "by_type": {k: (found[k], total[k]) for k in sorted(total)},
        "segments_per_second": segments / elapsed if elapsed else None,
    }


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else FEEDS
    r = measure(path)
    print(f"{path.name}: {r['feeds']} feeds, {r['links']} gold links")
    if r["segmentation_mismatch"]:
        print(f"  not scored (segmenter splits differently): {', '.join(r['segmentation_mismatch'])}")
    print(f"  links right    {r['accuracy']:.1%}  (precision {r['precision']:.1%})")
    for k, (f, t) in r["by_type"].items():
        print(f"    {k}  {f}/{t}")
    print(f"  speed          {r['segments_per_second']:.0f} segments/s (embedding included)")


if __name__ == "__main__":
    main()

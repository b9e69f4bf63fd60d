"""Throughput of the rules-only pipeline (segment + all default checks) on one core.

Builds at least 1 MB of French news text from the development sentences in
../shared/devset (machine translations, references and clean sentences, shuffled into
articles of 20 sentences with a fixed seed), then times Checker.check on it.

    python benchmarks/rules_throughput.py [--mb 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def corpus(min_chars: int) -> list[str]:
    sentences: list[str] = []
    for line in (SHARED / "devset" / "devset.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        sentences += [rec["mt_fr"], rec["ref_fr"]]
    sentences += (SHARED / "devset" / "clean_fr.txt").read_text(encoding="utf-8").splitlines()
    rng = random.Random(0)
    articles, total = [], 0
    while total < min_chars:
        picked = rng.sample(sentences, 20)
        text = "\n\n".join(" ".join(picked[i : i + 2]) for i in range(0, 20, 2)) + "\n"
        articles.append(text)
        total += len(text)
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0, help="megabytes (millions of characters) of text")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    from mtqa.api import Checker
    from mtqa.config import Config
    from mtqa.document import Document

    articles = corpus(int(args.mb * 1_000_000))
    chars = sum(len(a) for a in articles)

    t0 = time.perf_counter()
    checker = Checker(Config(model=False))
    checker.check(Document("warm-up", articles[0]))  # loads lexicons and detectors once
    startup = time.perf_counter() - t0

    t0 = time.perf_counter()
    sentences = findings = 0
    for i, text in enumerate(articles):
        doc = checker.check(Document(f"a{i}", text))
        sentences += len(doc.sentences)  # type: ignore[union-attr]
        findings += len(doc.findings)  # type: ignore[union-attr]
    elapsed = time.perf_counter() - t0

    print(f"text:        {chars:,} chars in {len(articles)} articles, {sentences:,} sentences")
    print(f"start-up:    {startup:.2f} s (lexicons, rule compilation, language profiles)")
    print(f"checking:    {elapsed:.2f} s on one core")
    print(f"throughput:  {chars / elapsed:,.0f} chars/s, {sentences / elapsed:,.0f} sentences/s")
    print(f"findings:    {findings:,}")


if __name__ == "__main__":
    main()

"""What the English source adds: omission and addition recall, clean pairs flagged, speed.

    python benchmarks/bilingual.py              # rules only
    python benchmarks/bilingual.py --model      # rules and the QE model

On the shared devset (each record checked with its `source_en`):
- sentence recall of records with an omission (addition) error: flagged by any finding
  overlapping the phrase, and flagged by a source-comparison code (MTQA0xx);
- number-mismatch sentence recall;
- clean pairs flagged: error-free MT records and every `ref_fr`, each with its source.
On the clean training pairs (models/data/clean_pairs_*.jsonl, the French with its English),
the share flagged by a source-comparison code: false alarms on our own copy.
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import time
from pathlib import Path

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.document import Document, InputFailure

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT.parent / "shared" / "devset" / "devset.jsonl"


def source_code(rule: str) -> bool:
    return rule.startswith("MTQA0")


def check(checker: Checker, text: str, source: str | None, name: str) -> Document:
    doc = checker.check(Document(name, text, source=source))
    if isinstance(doc, InputFailure):
        raise SystemExit(doc.message)
    return doc


def devset(checker: Checker) -> None:
    hits = {c: [0, 0, 0] for c in ("omission", "addition", "number-mismatch")}  # any, own code, total
    clean = [0, 0]
    flagged_clean: list[str] = []
    for line in DEVSET.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        texts = [(r["ref_fr"], None)] if r.get("ref_fr") else []
        texts.append((r["mt_fr"], r["errors"] or None))
        for text, errors in texts:
            doc = check(checker, text, r["source_en"], r["id"])
            if not errors:
                clean[1] += 1
                if doc.findings:
                    clean[0] += 1
                    flagged_clean.append(f"{r['id']}: " + ", ".join(sorted({f.rule for f in doc.findings})))
                continue
            for category, tally in hits.items():
                spans = [e for e in errors if e["category"] == category]
                if not spans:
                    continue
                tally[2] += 1
                places = [(text.find(e["phrase"]), text.find(e["phrase"]) + len(e["phrase"])) for e in spans]
                near = [f for f in doc.findings if any(f.start < b and a < f.end for a, b in places)]
                tally[0] += bool(near)
                tally[1] += any(source_code(f.rule) for f in near)
    for category, (anyf, own, total) in hits.items():
        print(
            f"  {category:<16} sentence recall {anyf}/{total} ({anyf / total:.0%}); "
            f"by a source code {own}/{total} ({own / total:.0%})"
        )
    print(f"  clean pairs flagged {clean[0]}/{clean[1]} ({clean[0] / clean[1]:.1%})")
    for x in flagged_clean:
        print(f"    {x}")


def training_pairs(checker: Checker, sample: int) -> None:
    pairs = []
    for path in sorted(glob.glob(str(ROOT / "models" / "data" / "clean_pairs_*.jsonl"))):
        pairs += [json.loads(x) for x in Path(path).read_text(encoding="utf-8").splitlines()]
    pairs = random.Random(0).sample(pairs, min(sample, len(pairs)))
    flagged, chars, t0 = [], 0, time.perf_counter()
    for k, p in enumerate(pairs):
        doc = check(checker, p["fr"], p["en"], f"pair-{k}")
        chars += len(p["fr"])
        codes = sorted({f.rule for f in doc.findings if source_code(f.rule)})
        if codes:
            flagged.append(f"{codes}: {p['fr'][:90]}")
    dt = time.perf_counter() - t0
    print(f"  flagged by a source code {len(flagged)}/{len(pairs)} ({len(flagged) / len(pairs):.1%})")
    for x in flagged[:20]:
        print(f"    {x}")
    print(f"  speed: {chars / dt:,.0f} French chars/s with the source ({len(pairs) / dt:.1f} pairs/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", action="store_true", help="also run the QE model")
    parser.add_argument("--sample", type=int, default=600, help="clean training pairs to check")
    args = parser.parse_args()
    checker = Checker(Config(model=args.model))
    print(f"shared devset, with sources ({'rules + model' if args.model else 'rules only'}):")
    devset(checker)
    print(f"clean training pairs ({args.sample}), with sources:")
    training_pairs(checker, args.sample)


if __name__ == "__main__":
    main()

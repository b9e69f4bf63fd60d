"""Speed of the QE model inside mtqa, as an editor and a CI job see it.

1. Scorer throughput: French news sentences per second through the model alone
   (numpy, length-bucketed batches, on the machine's cores), over the clean sentences of ../shared/devset.
2. One-article latency: wall time of ``mtqa check`` on the bundled example article,
   warm cache, median of 5 runs, and the peak RSS of that process.

    python benchmarks/qe_throughput.py
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def sentences() -> list[str]:
    out = (SHARED / "devset" / "clean_fr.txt").read_text(encoding="utf-8").splitlines()
    for line in (SHARED / "devset" / "devset.jsonl").read_text(encoding="utf-8").splitlines():
        out.append(json.loads(line)["ref_fr"])
    return [s for s in out if s.strip()]


def scorer_throughput() -> None:
    from mtqa.qe.scorer import QEScorer

    t0 = time.perf_counter()
    scorer = QEScorer()
    load = time.perf_counter() - t0
    texts = sentences()
    scorer.predict(texts[:32], [None] * 32)  # warm-up
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        scorer.predict(texts, [None] * len(texts))
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    print(f"model load:        {load:.2f} s (backbone verified by sha256, weights from safetensors)")
    rate = len(texts) / best
    cores = os.cpu_count()
    print(f"scorer throughput: {rate:,.0f} sentences/s ({len(texts)} sentences, {cores} cores, best of 3)")


def article_latency() -> None:
    article = ROOT / "mtqa" / "examples" / "article.txt"
    cmd = [sys.executable, "-m", "mtqa", "check", "--quiet", "--fail-on", "never", str(article)]
    subprocess.run(cmd, check=True, capture_output=True)  # warm the caches
    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"one-article check: {statistics.median(walls):.2f} s wall (median of 5, warm cache)")
    print(f"peak RSS:          {peak_kb / 1024:,.0f} MB (mtqa check process)")


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")
    scorer_throughput()
    article_latency()

"""Speed and size of the HTML report for a batch feed, as a CI artifact would be built.

Checks the two seed articles once (rules only), then renders batches of 50 and 500
copies of them and prints time and size per document.

    python benchmarks/report_speed.py
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

from mtqa.api import Checker
from mtqa.config import Config
from mtqa.report.html import render

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def main() -> None:
    run = Checker(Config(model=False)).check_all(sorted(str(p) for p in SEEDS.glob("*.txt")))
    for n in (50, 500):
        batch = copy.copy(run)
        batch.documents = [copy.copy(run.documents[i % len(run.documents)]) for i in range(n)]
        t0 = time.perf_counter()
        page = render(batch, date="benchmark")
        elapsed = time.perf_counter() - t0
        size = len(page.encode("utf-8"))
        print(
            f"{n:4d} documents: {elapsed:.2f} s, {size / 1e6:.2f} MB ({size / n / 1e3:.1f} kB per document)"
        )


if __name__ == "__main__":
    main()

"""Peak memory of a streamed feed check (``--format jsonl``) at two feed sizes.

    python benchmarks/jsonl_memory.py 1000 100000

Writes a feed of N short articles (sentences of our own, varied by number), checks it rules
only into a JSONL file, and prints wall time and the child's peak RSS for each size. In a
stream, memory should not grow with the feed.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCES = [
    "Le gouvernement a présenté mercredi un projet de loi sur le logement, qui prévoit {n}000 constructions.",
    "Le ministre s'est rendu à Lyon pour inaugurer une ligne de tramway longue de {n} kilomètres.",
    "Selon la préfecture, {n} personnes ont manifesté samedi dans les rues de Nantes.",
    "La Bourse de Paris a terminé la séance en hausse de {n},2 %, portée par les valeurs bancaires.",
]


def feed(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            text = " ".join(s.format(n=(i + k) % 97 + 2) for k, s in enumerate(SENTENCES[: 2 + i % 3]))
            out.write(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n")


def measure(n: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "feed.jsonl", Path(tmp) / "out.jsonl"
        feed(src, n)
        t0 = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run(
            [sys.executable, "-m", "mtqa", "check", str(src), "-f", "jsonl", "--no-model", "-o", str(dst)],
            check=False,
            capture_output=True,
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        lines = sum(1 for _ in dst.open(encoding="utf-8"))
        return time.perf_counter() - t0, max(peak, before) / 1024, lines


def main() -> None:
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: measure the smaller feed first.
    for n in sorted(int(a) for a in (sys.argv[1:] or ["1000", "100000"])):
        wall, peak_mb, lines = measure(n)
        print(f"{n:>7} articles: {wall:6.1f} s, peak RSS {peak_mb:6.1f} MB, {lines} lines written")


if __name__ == "__main__":
    main()

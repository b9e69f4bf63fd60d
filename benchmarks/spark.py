"""Throughput of ``mtqa spark-check`` in Spark's local mode against the single-process CLI.

    python benchmarks/spark.py                  # 5,000 articles, rules + model
    python benchmarks/spark.py --articles 500 --no-model

Builds N articles deterministically (fixed seed) from the French side of the development set
(``devset.jsonl``: the machine translations and the references; ``clean_fr.txt``): 8 to 15
sentences each, in paragraphs of one to three, written to a temporary JSONL feed. Then times,
as separate processes, on the same feed:

- ``mtqa check feed.jsonl --format jsonl -o out.jsonl`` (one process);
- ``python -m mtqa.spark feed.jsonl out.parquet --master local[1]`` and ``local[2]`` (a fresh
  JVM each time: the wall time includes Spark's start-up, the job time printed by mtqa does not);
- with ``--jobs2``, also ``mtqa check --jobs 2``.

Prints articles/s, characters/s and wall time for each, the machine, and whether the Spark
results are the CLI's (the ``report`` column against the JSONL documents). The model cache is
warmed first, so no run pays for building it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def french_sentences(devset: Path) -> list[str]:
    """Every French text of the development set, in file order, without duplicates."""
    seen: dict[str, None] = {}
    for line in (devset / "devset.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for key in ("mt_fr", "ref_fr"):
            if isinstance(record.get(key), str) and record[key].strip():
                seen.setdefault(record[key].strip(), None)
    for line in (devset / "clean_fr.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            seen.setdefault(line.strip(), None)
    return list(seen)


def build_feed(path: Path, n: int, pool: list[str], seed: int) -> int:
    """Write ``n`` articles of 8-15 sentences; return the number of characters of text."""
    rng = random.Random(seed)
    chars = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            sentences = rng.sample(pool, rng.randint(8, 15))
            paragraphs = []
            while sentences:
                take = rng.randint(1, 3)
                paragraphs.append(" ".join(sentences[:take]))
                sentences = sentences[take:]
            text = "\n\n".join(paragraphs)
            chars += len(text)
            out.write(json.dumps({"id": f"a{i:05d}", "text": text}, ensure_ascii=False) + "\n")
    return chars


def run(label: str, command: list[str], log: Path) -> float:
    print(f"… {label}: {' '.join(command)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=err, text=True, check=False)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"{label} failed ({proc.returncode}); see {log}")
    (log.with_suffix(".out")).write_text(proc.stdout, encoding="utf-8")
    return wall


def job_seconds(log: Path) -> float | None:
    """The job's own time, from mtqa.spark's summary line (JVM start-up excluded)."""
    match = re.search(r"\((?:parquet|jsonl), ([0-9.]+) s\)", log.with_suffix(".out").read_text("utf-8"))
    return float(match.group(1)) if match else None


def same_results(cli_out: Path, spark_out: Path) -> bool:
    import pandas as pd

    cli = [json.loads(x) for x in cli_out.read_text(encoding="utf-8").splitlines()]
    documents = [x["document"] for x in cli if "document" in x]
    frames = [pd.read_parquet(p, columns=["report"]) for p in sorted(spark_out.glob("part-*.parquet"))]
    reports = [json.loads(r) for f in frames for r in f["report"] if r is not None]
    return reports == documents


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    info = Path("/proc/cpuinfo")
    if info.is_file():
        names = re.findall(r"model name\s*:\s*(.+)", info.read_text())
        cpu = names[0] if names else cpu
    mem = ""
    if Path("/proc/meminfo").is_file():
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False).stderr.split(
        "\n"
    )[0]
    import pyspark

    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}{load}; Python {platform.python_version()}, "
        f"PySpark {pyspark.__version__}, {java}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--jobs2", action="store_true", help="also time mtqa check --jobs 2")
    parser.add_argument("--devset", type=Path, default=REPO.parent / "shared" / "devset")
    parser.add_argument("--keep", type=Path, help="keep the feed and outputs in this folder")
    args = parser.parse_args()

    pool = french_sentences(args.devset)
    model = ["--no-model"] if args.no_model else []
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        feed = folder / "feed.jsonl"
        chars = build_feed(feed, args.articles, pool, args.seed)
        print(
            f"{args.articles} articles, {chars:,} characters ({chars / args.articles:,.0f} per article), "
            f"from {len(pool)} devset French texts, seed {args.seed}; "
            f"{'rules only' if args.no_model else 'rules + model'}",
            flush=True,
        )
        warm = folder / "warm.jsonl"
        warm.write_text(feed.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
        subprocess.run([py, "-m", "mtqa", "check", str(warm), *model, "-q"], capture_output=True, check=False)

        runs: list[tuple[str, float, float | None]] = []

        def cli(out: Path, *extra: str) -> list[str]:
            return [py, "-m", "mtqa", "check", str(feed), "--format", "jsonl", "-o", str(out), *model, *extra]

        cli_out = folder / "cli.jsonl"
        runs.append(("mtqa check (1 process)", run("cli", cli(cli_out), folder / "cli.log"), None))
        if args.jobs2:
            wall = run("cli2", cli(folder / "cli2.jsonl", "--jobs", "2"), folder / "cli2.log")
            runs.append(("mtqa check --jobs 2", wall, None))
        identical = []
        for cores in (1, 2):
            out = folder / f"spark{cores}.parquet"
            spark = [
                py,
                "-m",
                "mtqa.spark",
                str(feed),
                str(out),
                f"--master=local[{cores}]",
                "--overwrite",
                *model,
            ]
            log = folder / f"spark{cores}.log"
            wall = run(f"local[{cores}]", spark, log)
            runs.append((f"mtqa.spark local[{cores}]", wall, job_seconds(log)))
            identical.append(same_results(cli_out, out))

        print(f"machine: {machine()}")
        print(f"{'run':<26} {'wall s':>8} {'articles/s':>11} {'chars/s':>9} {'job s':>7} {'job art/s':>10}")
        for label, wall, job in runs:
            job_cols = f"{job:>7.1f} {args.articles / job:>10.2f}" if job else f"{'':>7} {'':>10}"
            print(f"{label:<26} {wall:>8.1f} {args.articles / wall:>11.2f} {chars / wall:>9,.0f} {job_cols}")
        print(f"Spark results identical to the CLI's: {'yes' if all(identical) else 'NO'}")


if __name__ == "__main__":
    main()

"""Start-up, memory and batch speed of ``mtqa check``, beside Grammalecte in the same run.

1. Install size: this virtualenv's site-packages, and what torch and transformers add.
2. First run: ``mtqa check`` on the bundled article with an empty cache (MTQA_HOME):
   wall time, peak RSS and the cache it leaves.
3. Warm start: the same, cache built; median of 5 runs, with and without the model, and
   Grammalecte (Debian's python3-grammalecte) checking the same article in its own process;
   then the first ``--real-articles`` cached realdev articles, one process each.
4. Encoder throughput: sentences/s of the model alone on real-length news sentences (the
   seeds' and the cached realdev set's), batched across the whole feed.
5. Batch: chars/s of ``mtqa check`` over the cached realdev articles (each ``--repeat``
   times) at 1 and 2 jobs, and Grammalecte over the same files; the best of
   ``--batch-rounds`` interleaved rounds, with the slowest beside it.

    python benchmarks/start_up.py [--skip-batch | --only-batch] [--real-articles 40]
                                  [--repeat 1 3 10] [--batch-rounds 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "mtqa" / "examples" / "article.txt"
SEEDS = ROOT.parent / "shared" / "seeds"
REALDEV = ROOT / "eval" / "realdev" / "cache"
GRAMMALECTE_PYTHON = "/usr/bin/python3"
GRAMMALECTE = """
import sys, grammalecte
g = grammalecte.GrammarChecker("fr")
n = 0
for path in sys.argv[1:]:
    for para in open(path, encoding="utf-8").read().split("\\n"):
        if para.strip():
            n += len(g.getParagraphErrors(para)[0])
print(n)
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, measured by GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", out.name, *cmd],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - start
        return wall, int(out.read().strip().splitlines()[-1]) / 1024


def size_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def installed_mb(name: str, extras: tuple[str, ...] = ()) -> tuple[float, list[str]]:
    """MB on disk of a distribution and everything it requires (with ``extras``), as installed."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen: dict[str, float] = {}
    todo = [(name, extras)]
    while todo:
        dist_name, wanted = todo.pop()
        key = dist_name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = (
            sum(
                Path(str(dist.locate_file(f))).stat().st_size
                for f in dist.files or ()
                if Path(str(dist.locate_file(f))).is_file()
            )
            / 1e6
        )
        for text in dist.requires or ():
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in (*wanted, "")):
                todo.append((req.name, tuple(req.extras)))
    return sum(seen.values()), sorted(seen, key=seen.__getitem__, reverse=True)


def install_size() -> None:
    light, names = installed_mb("mtqa")
    full, _ = installed_mb("mtqa", ("train",))
    print(f"install: mtqa and its dependencies {light:.0f} MB (largest: {', '.join(names[:5])})")
    print(f"         with the train extra (torch, transformers): {full:.0f} MB")


def grammalecte_available() -> bool:
    probe = [GRAMMALECTE_PYTHON, "-c", "import grammalecte"]
    return Path(GRAMMALECTE_PYTHON).exists() and subprocess.run(probe, capture_output=True).returncode == 0


def first_and_warm(rounds: int) -> None:
    mtqa = [sys.executable, "-m", "mtqa", "check", "--fail-on", "never"]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MTQA_HOME": home}
        wall, rss = timed([*mtqa, str(ARTICLE)], env)
        print(f"first run: {wall:.1f} s, peak RSS {rss:.0f} MB, cache {size_mb(Path(home)):.0f} MB")
        rows = {
            "mtqa, rules + model": [*mtqa, str(ARTICLE)],
            "mtqa, rules only": [*mtqa, "--no-model", str(ARTICLE)],
        }
        if grammalecte_available():
            rows["Grammalecte"] = [GRAMMALECTE_PYTHON, "-c", GRAMMALECTE, str(ARTICLE)]
        for name, cmd in rows.items():
            runs = [timed(cmd, env) for _ in range(rounds)]
            wall = statistics.median(w for w, _ in runs)
            rss = statistics.median(r for _, r in runs)
            print(f"warm, one article ({ARTICLE.stat().st_size:,} bytes), {name}: {wall:.2f} s, {rss:.0f} MB")


def warm_real_articles(count: int) -> None:
    """The warm one-article check on real articles, each in its own process: the bundled
    example needs neither the language detector nor every lexicon table, real pages often do."""
    articles = sorted(REALDEV.glob("*.txt"))[:count]
    if not articles:
        print("warm, real articles: no cached realdev texts (python eval/realdev/gather.py missing)")
        return
    mtqa = [sys.executable, "-m", "mtqa", "check", "-q", "--fail-on", "never"]
    timed([*mtqa, str(articles[0])])  # the cache holds every table after one check
    rows = {"rules + model": mtqa, "rules only": [*mtqa, "--no-model"]}
    if grammalecte_available():
        rows["Grammalecte"] = [GRAMMALECTE_PYTHON, "-c", GRAMMALECTE]
    walls: dict[str, list[float]] = {name: [] for name in rows}
    for article in articles:  # interleaved, so that a slow spell of the machine hits every row
        for name, cmd in rows.items():
            walls[name].append(timed([*cmd, str(article)])[0])
    for name, times in walls.items():
        times.sort()
        p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
        print(
            f"warm, {len(times)} real articles one by one, {name}: median {statistics.median(times):.2f} s,"
            f" 90th percentile {p90:.2f} s, slowest {times[-1]:.2f} s"
        )


def real_sentences() -> list[str]:
    from mtqa.segment import segment

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(REALDEV.glob("*.txt"))]
    return [s.text for t in texts for s in segment(t) if len(s.text) >= 20]


def encoder_throughput() -> None:
    from mtqa.qe.scorer import load_scorer

    scorer = load_scorer()
    texts = real_sentences()
    scorer.predict(texts[:64], [None] * 64)  # warm-up
    start = time.perf_counter()
    scorer.predict(texts, [None] * len(texts))
    elapsed = time.perf_counter() - start
    mean = statistics.mean(len(t) for t in texts)
    rate = len(texts) / elapsed
    print(f"encoder: {rate:.0f} sentences/s on {len(texts)} real sentences (mean {mean:.0f} chars)")


def batch(repeat: int, rounds: int) -> None:
    files = sorted(REALDEV.glob("*.txt")) * repeat
    if not files:
        print("batch: no cached realdev texts (python eval/realdev/gather.py missing)")
        return
    chars = sum(len(p.read_text(encoding="utf-8")) for p in files)
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed"
        feed.mkdir()
        for n, p in enumerate(files):
            shutil.copy(p, feed / f"{n:05d}-{p.name}")
        env = {**os.environ}
        subprocess.run(
            [sys.executable, "-m", "mtqa", "check", "-q", str(ARTICLE)], env=env, capture_output=True
        )
        rows = {}
        for jobs in (1, 2):
            for model in (True, False):
                cmd = [sys.executable, "-m", "mtqa", "check", "-q", "--fail-on", "never", "--jobs", str(jobs)]
                cmd += [] if model else ["--no-model"]
                rows[f"mtqa {'rules + model' if model else 'rules only'}, {jobs} job(s)"] = [*cmd, str(feed)]
        if grammalecte_available():
            rows["Grammalecte"] = [GRAMMALECTE_PYTHON, "-c", GRAMMALECTE, *map(str, sorted(feed.iterdir()))]
        print(f"batch: {len(files)} real articles, {chars:,} chars; best of {rounds} interleaved rounds")
        walls: dict[str, list[float]] = {name: [] for name in rows}
        peak: dict[str, float] = {}
        for _ in range(rounds):  # interleaved, so that a slow spell of the machine hits every row
            for name, cmd in rows.items():
                wall, rss = timed(cmd, env)
                walls[name].append(wall)
                peak[name] = max(peak.get(name, 0.0), rss)
        for name, times in walls.items():
            best, worst = min(times), max(times)
            print(
                f"  {name:<34} {best:6.1f} s  {chars / best:8,.0f} chars/s"
                f"  (slowest round {chars / worst:,.0f})  peak RSS {peak[name]:.0f} MB"
            )
        for kind in ("rules only", "rules + model"):
            one, two = min(walls[f"mtqa {kind}, 1 job(s)"]), min(walls[f"mtqa {kind}, 2 job(s)"])
            print(f"  2 jobs / 1 job, {kind}: {one / two:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--real-articles", type=int, default=40, help="realdev articles checked one by one")
    parser.add_argument(
        "--repeat",
        type=int,
        nargs="+",
        default=[1],
        help="feed each realdev article this many times (one batch run per value)",
    )
    parser.add_argument("--only-batch", action="store_true", help="the batch runs alone")
    parser.add_argument("--batch-rounds", type=int, default=2, help="batch runs per row; the best counts")
    args = parser.parse_args()
    if not args.only_batch:
        install_size()
        first_and_warm(args.rounds)
        warm_real_articles(args.real_articles)
        encoder_throughput()
    if not args.skip_batch:
        for repeat in args.repeat:  # a longer feed spreads the fixed costs of a run (start, first lookups)
            batch(repeat, args.batch_rounds)


if __name__ == "__main__":
    main()
